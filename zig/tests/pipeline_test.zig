//! Unit tests of the real pipeline through the exported code path, with std.testing.allocator:
//! every format, the budget search, max_diff, resize, every error path. After each test libvips
//! objects, tracked memory and open files are back where they started.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const support = @import("support.zig");
const api = pyjamaz.api;
const vips = pyjamaz.vips;
const Format = pyjamaz.formats.Format;
const testing = std.testing;
const gpa = testing.allocator;

/// Decodes output bytes with libvips and returns their dimensions: proof the output is an image.
fn decodedSize(bytes: []const u8) ![2]u32 {
    const img: vips.Image = vips.c.vips_image_new_from_buffer(bytes.ptr, bytes.len, "", vips.end) orelse return error.DoesNotDecode;
    defer vips.unref(img);
    const copy: vips.Image = vips.c.vips_image_copy_memory(img) orelse return error.DoesNotDecode;
    defer vips.unref(copy);
    return .{ vips.width(copy), vips.height(copy) };
}

test "every supported format can be forced and decodes" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .png, 120, 90, 1);
    defer gpa.free(input);
    try testing.expectEqual(pyjamaz.formats.all_bits, pyjamaz.runtime.supportedFormats());
    for (Format.encodable) |format| {
        var opts = support.options();
        opts.formats = format.bit();
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(format.bit(), result.format);
        try testing.expect(result.size > 0 and result.size < input.len);
        try testing.expectEqual([2]u32{ 120, 90 }, try decodedSize(support.bytesOf(result)));
    }
    try base.expectSame("forced formats");
}

test "output is never larger than the input, and the original wins when nothing beats it" {
    try support.start();
    const base = try support.Baseline.take();
    // A tiny, already well-compressed JPEG: re-encoding cannot make it smaller.
    const input = try support.image(.flat, .gif, 8, 8, 2);
    defer gpa.free(input);
    {
        const result = try support.optimize(gpa, input, null);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expect(result.size <= input.len);
        if (result.format == Format.gif.bit() and result.quality == -1) try testing.expectEqualSlices(u8, input, support.bytesOf(result));
    }
    try base.expectSame("never larger");
}

test "budget: the best quality under max_bytes, and quality falls as the budget shrinks" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .png, 200, 150, 3);
    defer gpa.free(input);
    var previous_quality: i32 = 1000;
    for ([_]u64{ 20_000, 8_000, 4_000 }) |budget| {
        var opts = support.options();
        opts.formats = Format.jpeg.bit();
        opts.max_bytes = budget;
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(@as(u32, 1), result.budget_met);
        try testing.expect(result.size <= budget);
        try testing.expect(result.quality < previous_quality);
        previous_quality = result.quality;
        // One level up would not have fitted: the search found the edge, not just some fitting level.
        var above = opts;
        above.max_bytes = 0;
        const decoded: vips.Image = vips.c.vips_image_new_from_buffer(input.ptr, input.len, "", vips.end).?;
        defer vips.unref(decoded);
        const encoded = try pyjamaz.formats.encode(decoded, .jpeg, result.quality + 1, false);
        defer encoded.free();
        try testing.expect(encoded.len > budget);
    }
    try base.expectSame("budget");
}

test "an impossible budget returns the smallest candidate, flagged as not meeting it" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .jpeg, 160, 120, 4);
    defer gpa.free(input);
    var opts = support.options();
    opts.max_bytes = 10;
    {
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(@as(u32, 0), result.budget_met);
        try testing.expect(result.size > 10 and result.size < input.len);
    }
    try base.expectSame("impossible budget");
}

test "max_diff: every output is within the distance, and a tighter limit costs bytes" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .png, 160, 120, 5);
    defer gpa.free(input);
    var sizes: [2]usize = undefined;
    for ([_]f64{ 0.05, 0.01 }, 0..) |limit, k| {
        var opts = support.options();
        opts.formats = Format.jpeg.bit() | Format.webp.bit();
        opts.max_diff = limit;
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expect(result.diff <= limit);
        try testing.expectEqual(@as(u32, 1), result.diff_met);
        sizes[k] = result.size;
    }
    try testing.expect(sizes[1] > sizes[0]);
    try base.expectSame("max_diff");
}

test "a photo without limits is encoded as JPEG and WebP only; lossless PNG stays for a distance limit" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .jpeg, 160, 120, 9);
    defer gpa.free(input);
    {
        const result = try support.optimize(gpa, input, null);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(@as(u32, 2), result.candidates);
        try testing.expect(result.format != Format.png.bit() and result.format != Format.gif.bit());
    }
    {
        // Resized, so the original bytes cannot meet the limit for it: only the lossless encode can.
        var opts = support.options();
        opts.max_width = 80;
        opts.max_diff = 1e-9;
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(Format.png.bit(), result.format);
        try testing.expectEqual(@as(u32, 1), result.diff_met);
    }
    try base.expectSame("continuous tone");
}

test "resize to fit max_width/max_height keeps the aspect ratio; the original cannot win" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.flat, .png, 400, 200, 6);
    defer gpa.free(input);
    var opts = support.options();
    opts.max_width = 100;
    {
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expectEqual(@as(u32, 100), result.width);
        try testing.expectEqual(@as(u32, 50), result.height);
        try testing.expectEqual([2]u32{ 100, 50 }, try decodedSize(support.bytesOf(result)));
    }
    try base.expectSame("resize");
}

test "alpha images keep their alpha and are not offered as JPEG" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.alpha, .png, 96, 96, 7);
    defer gpa.free(input);
    {
        const result = try support.optimize(gpa, input, null);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        try testing.expect(result.format != Format.jpeg.bit());
    }
    try base.expectSame("alpha");
}

test "metadata strip and concurrency options give valid outputs" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .jpeg, 128, 96, 8);
    defer gpa.free(input);
    for ([_]u32{ 1, 2, 4 }) |concurrency| {
        var opts = support.options();
        opts.strip_metadata = 1;
        opts.concurrency = concurrency;
        const result = try support.optimize(gpa, input, &opts);
        defer api.resultFree(gpa, result);
        try testing.expectEqual(api.Status.ok, result.status);
        _ = try decodedSize(support.bytesOf(result));
    }
    try base.expectSame("strip/concurrency");
}

const ErrorCase = struct { name: []const u8, expect: api.Status, bytes: []const u8, opts: ?support.COptions = null };

fn expectError(case: ErrorCase) !void {
    const opts_ptr: ?*const support.COptions = if (case.opts) |*o| o else null;
    const result = try support.optimize(gpa, case.bytes, opts_ptr);
    defer api.resultFree(gpa, result);
    if (result.status != case.expect) {
        std.debug.print("{s}: expected {s}, got {s}: {s}\n", .{ case.name, @tagName(case.expect), @tagName(result.status), support.messageOf(result) });
        return error.WrongStatus;
    }
    try testing.expect(result.data == null);
    try testing.expect(support.messageOf(result).len > 0);
}

test "every error path is a status code with a message" {
    try support.start();
    const base = try support.Baseline.take();
    const cases = try pyjamaz.corpus.malformed(gpa, 11);
    defer for (cases) |case| gpa.free(case.bytes);
    for (cases) |case| {
        const expect = std.meta.stringToEnum(api.Status, lowered(case.expect)).?;
        try expectError(.{ .name = case.name, .expect = expect, .bytes = case.bytes });
    }
    const good = try support.image(.photo, .jpeg, 32, 32, 12);
    defer gpa.free(good);
    var bad_formats = support.options();
    bad_formats.formats = 1 << 9;
    var nan_diff = support.options();
    nan_diff.max_diff = std.math.nan(f64);
    var negative_diff = support.options();
    negative_diff.max_diff = -0.5;
    var many_threads = support.options();
    many_threads.concurrency = 17;
    var wrong_size = support.options();
    wrong_size.struct_size = 12;
    var small_limit = support.options();
    small_limit.max_input_bytes = 16;
    var few_pixels = support.options();
    few_pixels.max_pixels = 100;
    const option_cases = [_]ErrorCase{
        .{ .name = "unknown format bit", .expect = .invalid_argument, .bytes = good, .opts = bad_formats },
        .{ .name = "NaN max_diff", .expect = .invalid_argument, .bytes = good, .opts = nan_diff },
        .{ .name = "negative max_diff", .expect = .invalid_argument, .bytes = good, .opts = negative_diff },
        .{ .name = "concurrency 17", .expect = .invalid_argument, .bytes = good, .opts = many_threads },
        .{ .name = "struct_size", .expect = .invalid_argument, .bytes = good, .opts = wrong_size },
        .{ .name = "max_input_bytes", .expect = .input_too_large, .bytes = good, .opts = small_limit },
        .{ .name = "max_pixels", .expect = .too_many_pixels, .bytes = good, .opts = few_pixels },
    };
    for (option_cases) |case| try expectError(case);

    var out: ?*support.CResult = null;
    try testing.expectEqual(api.Status.invalid_argument, api.optimize(gpa, null, 10, null, &out));
    api.resultFree(gpa, out);
    try testing.expectEqual(api.Status.invalid_argument, api.optimize(gpa, good.ptr, good.len, null, null));
    try testing.expectEqual(api.Status.io, api.optimizeFile(gpa, "/nonexistent/image.jpg", null, &out));
    try testing.expect(std.mem.indexOf(u8, support.messageOf(out.?), "/nonexistent/image.jpg") != null);
    api.resultFree(gpa, out);
    try base.expectSame("error paths");
}

fn lowered(comptime_name: []const u8) []const u8 {
    const S = struct {
        var buf: [64]u8 = undefined;
    };
    return std.ascii.lowerString(&S.buf, comptime_name);
}

test "init and shutdown nest, in any order and any number of times" {
    try support.start();
    const input = try support.image(.photo, .jpeg, 32, 32, 13);
    defer gpa.free(input);
    // Unbalanced shutdowns are harmless; work is refused only while the count is zero.
    while (pyjamaz.runtime.isInitialized()) pyjamaz.runtime.shutdown();
    pyjamaz.runtime.shutdown();
    pyjamaz.runtime.shutdown();
    const refused = try support.optimize(gpa, input, null);
    try testing.expectEqual(api.Status.not_initialized, refused.status);
    api.resultFree(gpa, refused);
    for (0..100) |_| {
        try pyjamaz.runtime.init();
        const result = try support.optimize(gpa, input, null);
        try testing.expectEqual(api.Status.ok, result.status);
        api.resultFree(gpa, result);
        pyjamaz.runtime.shutdown();
    }
    try support.start();
}

test "the library is safe to call from many threads at once" {
    try support.start();
    const base = try support.Baseline.take();
    const input = try support.image(.photo, .jpeg, 64, 48, 14);
    defer gpa.free(input);
    const Worker = struct {
        fn run(bytes: []const u8, failures: *std.atomic.Value(u32)) void {
            for (0..10) |_| {
                const result = support.optimize(std.heap.c_allocator, bytes, null) catch {
                    _ = failures.fetchAdd(1, .monotonic);
                    continue;
                };
                if (result.status != .ok) _ = failures.fetchAdd(1, .monotonic);
                api.resultFree(std.heap.c_allocator, result);
            }
            pyjamaz.vips.c.vips_thread_shutdown();
        }
    };
    var failures = std.atomic.Value(u32).init(0);
    var threads: [8]std.Thread = undefined;
    for (&threads) |*t| t.* = try std.Thread.spawn(.{}, Worker.run, .{ input, &failures });
    for (threads) |t| t.join();
    try testing.expectEqual(@as(u32, 0), failures.load(.monotonic));
    try base.expectSame("threads");
}

test "every input format loads, and 600 seeded mutations of them never crash or leak" {
    try support.start();
    const base = try support.Baseline.take();
    var counting = pyjamaz.counting_allocator.CountingAllocator.init(gpa);
    const lib_gpa = counting.allocator();
    const inputs = [_]pyjamaz.corpus.FileFormat{ .jpeg, .png, .webp, .gif, .tiff };
    var prng = std.Random.DefaultPrng.init(31337);
    const random = prng.random();
    var statuses = std.EnumArray(api.Status, u32).initFill(0);
    for (inputs) |format| {
        const original = try support.image(.photo, format, 40, 30, 15);
        defer gpa.free(original);
        {
            const result = try support.optimize(lib_gpa, original, null);
            defer api.resultFree(lib_gpa, result);
            try testing.expectEqual(api.Status.ok, result.status);
        }
        const mutated = try gpa.dupe(u8, original);
        defer gpa.free(mutated);
        for (0..120) |_| {
            @memcpy(mutated, original);
            var len = mutated.len;
            switch (random.uintLessThan(u8, 3)) {
                0 => for (0..1 + random.uintLessThan(usize, 8)) |_| {
                    mutated[random.uintLessThan(usize, len)] ^= @as(u8, 1) << random.int(u3);
                },
                1 => len = random.uintLessThan(usize, len),
                else => {
                    const at = random.uintLessThan(usize, len);
                    random.bytes(mutated[at..@min(len, at + 1 + random.uintLessThan(usize, 64))]);
                },
            }
            var opts = support.options();
            if (random.boolean()) opts.max_bytes = random.uintLessThan(u64, original.len);
            const result = try support.optimize(lib_gpa, mutated[0..len], &opts);
            statuses.getPtr(result.status).* += 1;
            api.resultFree(lib_gpa, result);
            try testing.expectEqual(@as(u64, 0), counting.snapshot().live_bytes);
        }
    }
    // The mutations reached both outcomes: decoders that recover and inputs that are refused.
    try testing.expect(statuses.get(.ok) > 0);
    try testing.expect(statuses.get(.decode) + statuses.get(.unsupported_format) + statuses.get(.empty_input) > 0);
    try base.expectSame("mutated inputs");
}
