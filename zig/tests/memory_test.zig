//! zig build memory-test: leak loops through the real optimize path (the exported code, with
//! std.testing.allocator behind a counting wrapper). Each loop checks after every call that the
//! library's own allocations are back to zero, and at the end that libvips objects, tracked memory and
//! open file descriptors are back to the baseline. Every leak mutant fails one of these tests.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const support = @import("support.zig");
const api = pyjamaz.api;
const corpus = pyjamaz.corpus;
const CountingAllocator = pyjamaz.counting_allocator.CountingAllocator;
const testing = std.testing;

const leak_loop_iterations = 10_000;
const error_loop_rounds = 300;
const batch_rounds = 20;
const batch_size = 10;
/// Format sets the leak loop rotates through: every encoder and the parallel path run, while a call
/// stays cheap enough for 10,000 of them to take seconds.
const format_rotation = [_]u32{ 1 | 4, 2, 8, 0 };

/// Small inputs of every kind the optimizer treats differently (photo, flat, alpha, tiny, each format).
fn smallImages(gpa: std.mem.Allocator) ![8][]u8 {
    return .{
        try corpus.make(gpa, .photo, .jpeg, 24, 16, 1),
        try corpus.make(gpa, .photo, .png, 16, 16, 2),
        try corpus.make(gpa, .flat, .png, 24, 24, 3),
        try corpus.make(gpa, .alpha, .png, 16, 12, 4),
        try corpus.make(gpa, .photo, .webp, 20, 20, 5),
        try corpus.make(gpa, .flat, .gif, 16, 16, 6),
        try corpus.make(gpa, .tiny, .jpeg, 4, 3, 7),
        try corpus.make(gpa, .photo, .tiff, 12, 12, 8),
    };
}

fn freeAll(gpa: std.mem.Allocator, items: []const []u8) void {
    for (items) |item| gpa.free(item);
}

/// What the image loops share: the library started, the small images, the baseline taken after both, and a
/// counting allocator over std.testing.allocator.
const ImageLoop = struct {
    images: [8][]u8,
    base: support.Baseline,
    counting: CountingAllocator,

    fn init() !ImageLoop {
        try support.start();
        const images = try smallImages(testing.allocator);
        errdefer freeAll(testing.allocator, &images);
        return .{ .images = images, .base = try support.Baseline.take(), .counting = CountingAllocator.init(testing.allocator) };
    }

    fn deinit(self: *ImageLoop) void {
        freeAll(testing.allocator, &self.images);
    }
};

/// Fails at the first call after which the library still holds allocations of its own.
fn expectNothingLive(counting: *const CountingAllocator, iteration: usize, what: []const u8) !void {
    const s = counting.snapshot();
    if (s.live_bytes != 0 or s.live_allocations != 0) {
        std.debug.print("\n{s}: after call {d} the library still holds {d} bytes in {d} allocations\n", .{ what, iteration, s.live_bytes, s.live_allocations });
        return error.LeakedAllocations;
    }
}

test "leak loop: 10,000 optimize calls on small images return every byte" {
    var loop = try ImageLoop.init();
    defer loop.deinit();
    const images = &loop.images;
    const base = loop.base;
    const gpa = loop.counting.allocator();

    var opts = support.options();
    var produced: u64 = 0;
    for (0..leak_loop_iterations) |i| {
        const input = images[i % images.len];
        opts.formats = format_rotation[(i / images.len) % format_rotation.len];
        // Every fourth call searches all formats in parallel threads.
        opts.concurrency = if (opts.formats == 0) 2 else 1;
        // Every fifth call has a budget, so the quality search (and its discarded encodes) runs too.
        opts.max_bytes = if (i % 5 == 0) input.len / 2 else 0;
        const result = try support.optimize(gpa, input, &opts);
        if (result.status != .ok) {
            std.debug.print("call {d}: {s}\n", .{ i, support.messageOf(result) });
            return error.UnexpectedStatus;
        }
        produced += result.size;
        api.resultFree(gpa, result);
        try expectNothingLive(&loop.counting, i, "leak loop");
        if (i % 1000 == 999) try base.expectSame("leak loop (every 1,000 calls)");
    }
    // The loop really ran the library: every call produced output through the allocator.
    try testing.expect(produced > leak_loop_iterations);
    try testing.expect(loop.counting.snapshot().total_allocations >= 2 * leak_loop_iterations);
    try base.expectSame("leak loop");
}

test "batched loop: results held in batches, and an arena per batch" {
    var loop = try ImageLoop.init();
    defer loop.deinit();
    const images = &loop.images;
    const base = loop.base;
    const gpa = loop.counting.allocator();
    var held: [batch_size]*support.CResult = undefined;

    for (0..batch_rounds) |round| {
        // Held together, freed together (in reverse order): nothing may depend on call order.
        for (&held, 0..) |*slot, k| slot.* = try support.optimize(gpa, images[(round + k) % images.len], null);
        try testing.expectEqual(@as(u64, batch_size), pyjamaz.runtime.memoryStats().live_results);
        var k: usize = batch_size;
        while (k > 0) {
            k -= 1;
            api.resultFree(gpa, held[k]);
        }
        try expectNothingLive(&loop.counting, round, "batched loop");

        // The same work through an arena the caller resets per batch. The format search allocates from
        // several threads at once, so the arena (not thread-safe) is used through a lock, as a caller must.
        var arena = std.heap.ArenaAllocator.init(gpa);
        var locked_arena: std.heap.ThreadSafeAllocator = .{ .child_allocator = arena.allocator() };
        const per_batch = locked_arena.allocator();
        for (0..batch_size) |j| {
            const r = try support.optimize(per_batch, images[(round + j) % images.len], null);
            try testing.expectEqual(api.Status.ok, r.status);
            api.resultFree(per_batch, r);
        }
        arena.deinit();
        try expectNothingLive(&loop.counting, round, "arena loop");
    }
    try base.expectSame("batched loop");
}

test "error-recovery loop: every error path, again and again, holds nothing" {
    try support.start();
    var counting = CountingAllocator.init(testing.allocator);
    const gpa = counting.allocator();
    const cases = try corpus.malformed(testing.allocator, 21);
    defer for (cases) |case| testing.allocator.free(case.bytes);
    const good = try corpus.make(testing.allocator, .photo, .jpeg, 16, 16, 22);
    defer testing.allocator.free(good);

    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    try tmp.dir.writeFile(.{ .sub_path = "good.jpg", .data = good });
    try tmp.dir.writeFile(.{ .sub_path = "truncated.jpg", .data = cases[2].bytes });
    var path_buf: [std.fs.max_path_bytes]u8 = undefined;
    const dir_path = try tmp.dir.realpath(".", &path_buf);
    const good_path = try std.fmt.allocPrintSentinel(testing.allocator, "{s}/good.jpg", .{dir_path}, 0);
    defer testing.allocator.free(good_path);
    const bad_path = try std.fmt.allocPrintSentinel(testing.allocator, "{s}/truncated.jpg", .{dir_path}, 0);
    defer testing.allocator.free(bad_path);

    var bad_options: [4]support.COptions = .{ support.options(), support.options(), support.options(), support.options() };
    bad_options[0].formats = 1 << 12;
    bad_options[1].max_diff = -1;
    bad_options[2].max_pixels = 10;
    bad_options[3].max_input_bytes = 8;

    const base = try support.Baseline.take();
    var errors_seen: u64 = 0;
    for (0..error_loop_rounds) |round| {
        for (cases) |case| {
            const r = try support.optimize(gpa, case.bytes, null);
            if (r.status != .ok) errors_seen += 1;
            api.resultFree(gpa, r);
        }
        for (&bad_options) |*o| {
            const r = try support.optimize(gpa, good, o);
            if (r.status != .ok) errors_seen += 1;
            api.resultFree(gpa, r);
        }
        var out: ?*support.CResult = null;
        for ([_][*:0]const u8{ good_path.ptr, bad_path.ptr, "/nonexistent/x.png" }) |path| {
            const status = api.optimizeFile(gpa, path, null, &out);
            if (status != .ok) errors_seen += 1;
            api.resultFree(gpa, out);
        }
        _ = api.optimize(gpa, null, 5, null, &out);
        api.resultFree(gpa, out);
        try expectNothingLive(&counting, round, "error-recovery loop");
        if (round % 50 == 49) try base.expectSame("error-recovery loop (every 50 rounds)");
    }
    // Every error case failed every round (6 malformed + 4 options + 2 paths + NULL input).
    try testing.expectEqual(@as(u64, error_loop_rounds * (cases.len + bad_options.len + 2)), errors_seen);
    try base.expectSame("error-recovery loop");
}
