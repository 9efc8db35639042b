//! zig build memory-pressure-test: 10,000 optimize calls on images of >= 1 MB (a seeded pool, cycled),
//! RSS sampled from /proc/self/statm. Passes only if RSS after warm-up grows by less than 500 MB, levels
//! off (the last quarter's median within 64 MB of the second quarter's), and the exact counters are back
//! to baseline. PYJAMAZ_PRESSURE_ITERATIONS / PYJAMAZ_PRESSURE_POOL scale it for a quicker look.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const support = @import("support.zig");
const api = pyjamaz.api;
const corpus = pyjamaz.corpus;

const max_growth_bytes: u64 = 500 * 1024 * 1024;
const max_late_growth_bytes: u64 = 64 * 1024 * 1024;
const min_image_bytes: usize = 1 << 20;
const sample_every = 25;

const m_arena_max: c_int = -8;
extern "c" fn mallopt(param: c_int, value: c_int) c_int;

fn envCount(name: []const u8, default: usize) usize {
    const text = std.posix.getenv(name) orelse return default;
    return std.fmt.parseInt(usize, text, 10) catch default;
}

fn rssBytes() !u64 {
    var buf: [128]u8 = undefined;
    const text = try std.fs.cwd().readFile("/proc/self/statm", &buf);
    var it = std.mem.tokenizeScalar(u8, text, ' ');
    _ = it.next();
    const pages = try std.fmt.parseInt(u64, it.next() orelse return error.BadStatm, 10);
    return pages * std.heap.pageSize();
}

fn median(values: []u64) u64 {
    std.mem.sort(u64, values, {}, std.sort.asc(u64));
    return values[values.len / 2];
}

test "pressure: images of >= 1 MB, RSS plateaus and the counters return" {
    const iterations = envCount("PYJAMAZ_PRESSURE_ITERATIONS", 10_000);
    const pool_size = envCount("PYJAMAZ_PRESSURE_POOL", 24);
    const gpa = std.heap.c_allocator;
    // Two malloc arenas, as the probes run (MALLOC_ARENA_MAX=2): glibc's default of 8 per core lets
    // short-lived encoder threads scatter large blocks over many arenas and read as RSS growth.
    _ = mallopt(m_arena_max, 2);
    try support.start();

    var pool: std.ArrayList([]u8) = .empty;
    defer {
        for (pool.items) |img| gpa.free(img);
        pool.deinit(gpa);
    }
    // Flat graphics compress too well to reach 1 MB; the pool is photo-like, with and without alpha.
    const kinds = [_]corpus.Kind{ .photo, .photo, .alpha, .photo };
    const formats = [_]corpus.FileFormat{ .jpeg, .webp, .png, .png };
    var prng = std.Random.DefaultPrng.init(2026);
    var pool_bytes: usize = 0;
    for (0..pool_size) |i| {
        const made = try corpus.makeAtLeast(gpa, kinds[i % kinds.len], formats[i % formats.len], corpus.baseSize(.photo, prng.random()), min_image_bytes, 7000 + i);
        if (made.bytes.len < min_image_bytes) {
            std.debug.print("pool image {d} is only {d} bytes\n", .{ i, made.bytes.len });
            return error.PoolImageTooSmall;
        }
        pool_bytes += made.bytes.len;
        try pool.append(gpa, made.bytes);
    }

    const library = pyjamaz.runtime.counting_allocator.allocator();
    const base = try support.Baseline.take();
    const samples = try gpa.alloc(u64, iterations / sample_every + 1);
    defer gpa.free(samples);
    var n_samples: usize = 0;
    const warmup = @max(1, iterations / 10);
    var rss_at_warmup: u64 = 0;
    var peak_after_warmup: u64 = 0;
    var timer = try std.time.Timer.start();

    for (0..iterations) |i| {
        const result = try support.optimize(library, pool.items[i % pool.items.len], null);
        if (result.status != .ok) {
            std.debug.print("call {d}: {s}\n", .{ i, support.messageOf(result) });
            return error.UnexpectedStatus;
        }
        api.resultFree(library, result);
        if (i + 1 == warmup) rss_at_warmup = try rssBytes();
        if (i % sample_every == 0) {
            samples[n_samples] = try rssBytes();
            if (i >= warmup) peak_after_warmup = @max(peak_after_warmup, samples[n_samples]);
            n_samples += 1;
        }
    }
    const seconds = @as(f64, @floatFromInt(timer.read())) / std.time.ns_per_s;
    const growth = peak_after_warmup -| rss_at_warmup;
    const quarter = n_samples / 4;
    const second_quarter = median(samples[quarter .. 2 * quarter]);
    const last_quarter = median(samples[3 * quarter .. n_samples]);
    std.debug.print(
        "\npressure: {d} calls on a pool of {d} images ({d:.1} MB, each >= 1 MB) in {d:.0} s ({d:.1} ms/image); " ++
            "RSS at warm-up end {d} MB, peak after {d} MB (growth {d} MB, limit 500); median RSS 2nd quarter {d} MB, last quarter {d} MB\n",
        .{ iterations, pool.items.len, @as(f64, @floatFromInt(pool_bytes)) / 1e6, seconds, seconds * 1000 / @as(f64, @floatFromInt(iterations)), rss_at_warmup >> 20, peak_after_warmup >> 20, growth >> 20, second_quarter >> 20, last_quarter >> 20 },
    );
    try std.testing.expect(growth < max_growth_bytes);
    if (quarter > 0) try std.testing.expect(last_quarter -| second_quarter < max_late_growth_bytes);
    const own = pyjamaz.runtime.counting_allocator.snapshot();
    try std.testing.expectEqual(@as(u64, 0), own.live_bytes);
    try base.expectSame("pressure");
}
