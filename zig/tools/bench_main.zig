//! pyjamaz-bench [RUNS]: ms per image through pyjamaz_optimize (default options, and a max_bytes budget of
//! a third of the input) against the same libvips saves done directly (decode once, then each save the
//! default path makes for that image, at the same settings: JPEG unless there is alpha, WebP, and lossless
//! PNG, palette PNG and GIF only for an image of few colours), for a 1 MP photo-like JPEG, a 1 MP
//! PNG with alpha, a 4 MP JPEG and a 2 MP flat graphic PNG.
//! Prints the median wall time and the median CPU time (user + system, all threads) of RUNS runs, and the
//! ratios of the medians: default / direct and budget / default.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const api = pyjamaz.api;
const vips = pyjamaz.vips;
const c = vips.c;
const corpus = pyjamaz.corpus;

const Case = struct { name: []const u8, kind: corpus.Kind, format: corpus.FileFormat, width: u32, height: u32 };
const cases = [_]Case{
    .{ .name = "1 MP photo JPEG", .kind = .photo, .format = .jpeg, .width = 1155, .height = 866 },
    .{ .name = "1 MP PNG with alpha", .kind = .alpha, .format = .png, .width = 1155, .height = 866 },
    .{ .name = "4 MP photo JPEG", .kind = .photo, .format = .jpeg, .width = 2310, .height = 1732 },
    .{ .name = "2 MP graphic PNG", .kind = .flat, .format = .png, .width = 1633, .height = 1225 },
};

const Timing = struct { wall_ms: f64, cpu_ms: f64 };

fn cpuMs() f64 {
    const usage = std.posix.getrusage(std.posix.rusage.SELF);
    const us = (usage.utime.sec + usage.stime.sec) * 1_000_000 + usage.utime.usec + usage.stime.usec;
    return @as(f64, @floatFromInt(us)) / 1000;
}

fn medianOf(values: []f64) f64 {
    std.mem.sort(f64, values, {}, std.sort.asc(f64));
    return values[values.len / 2];
}

fn measure(runs: usize, context: anytype, comptime body: fn (@TypeOf(context)) anyerror!void) !Timing {
    var wall: [64]f64 = undefined;
    var cpu: [64]f64 = undefined;
    for (0..runs) |k| {
        const cpu0 = cpuMs();
        var timer = try std.time.Timer.start();
        try body(context);
        wall[k] = @as(f64, @floatFromInt(timer.read())) / std.time.ns_per_ms;
        cpu[k] = cpuMs() - cpu0;
    }
    return .{ .wall_ms = medianOf(wall[0..runs]), .cpu_ms = medianOf(cpu[0..runs]) };
}

const Optimize = struct { input: []const u8, max_bytes: u64 };

fn runOptimize(o: Optimize) !void {
    var opts = api.COptions.defaults();
    opts.max_bytes = o.max_bytes;
    var out: ?*api.CResult = null;
    const gpa = pyjamaz.runtime.counting_allocator.allocator();
    const status = api.optimize(gpa, o.input.ptr, o.input.len, &opts, &out);
    defer api.resultFree(gpa, out);
    if (status != .ok) return error.OptimizeFailed;
}

/// What a caller of libvips alone would do for the same outputs: decode once, then the saves the default
/// path makes (formats.encode, the library's own settings).
fn runDirect(input: []const u8) !void {
    const image: vips.Image = c.vips_image_new_from_buffer(input.ptr, input.len, "", vips.end) orelse return error.Decode;
    defer vips.unref(image);
    const decoded: vips.Image = c.vips_image_copy_memory(image) orelse return error.Decode;
    defer vips.unref(decoded);
    const has_alpha = vips.hasAlpha(decoded);
    const palette = pyjamaz.optimizer.fewColours(decoded);
    for (pyjamaz.formats.Format.encodable) |f| {
        if (f == .jpeg and has_alpha) continue;
        if ((f == .gif or f == .png) and !palette) continue;
        try save(decoded, f, f.levels().default);
        if (f == .png and palette) try save(decoded, f, 100);
    }
}

fn save(image: vips.Image, format: pyjamaz.formats.Format, level: i32) !void {
    const encoded = pyjamaz.formats.encode(image, format, level, false) catch return error.Encode;
    encoded.free();
}

pub fn main() !void {
    const gpa = std.heap.c_allocator;
    var args = std.process.args();
    _ = args.next();
    const runs = if (args.next()) |a| @min(64, try std.fmt.parseInt(usize, a, 10)) else 5;
    try pyjamaz.runtime.init();
    var out_buf: [4096]u8 = undefined;
    var stdout = std.fs.File.stdout().writer(&out_buf);
    const w = &stdout.interface;
    try w.print("{d} runs each, median; wall ms / CPU ms (all threads); ratios wall / CPU\n", .{runs});
    try w.print("{s:<22} {s:>10} {s:>24} {s:>24} {s:>24} {s:>19} {s:>19}\n", .{ "image", "bytes", "pyjamaz default", "pyjamaz max_bytes=1/3", "libvips same saves", "default/direct", "budget/default" });
    for (cases) |case| {
        const input = try corpus.make(gpa, case.kind, case.format, case.width, case.height, 42);
        defer gpa.free(input);
        const default = try measure(runs, Optimize{ .input = input, .max_bytes = 0 }, runOptimize);
        const budget = try measure(runs, Optimize{ .input = input, .max_bytes = input.len / 3 }, runOptimize);
        const direct = try measure(runs, input, runDirect);
        try w.print("{s:<22} {d:>10} {d:>10.1} / {d:>9.1} {d:>10.1} / {d:>9.1} {d:>10.1} / {d:>9.1} {d:>8.2} / {d:>8.2} {d:>8.2} / {d:>8.2}\n", .{
            case.name,                         input.len,                         default.wall_ms,                   default.cpu_ms,
            budget.wall_ms,                    budget.cpu_ms,                     direct.wall_ms,                    direct.cpu_ms,
            default.wall_ms / direct.wall_ms,  default.cpu_ms / direct.cpu_ms,    budget.wall_ms / default.wall_ms,  budget.cpu_ms / default.cpu_ms,
        });
        try w.flush();
    }
    try w.flush();
}
