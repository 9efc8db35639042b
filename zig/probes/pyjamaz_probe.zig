//! pyjamaz-probe WORKLOAD: a Zig memory probe speaking leakcheck's probe protocol. It loads libpyjamaz.so at run time
//! (PYJAMAZ_LIB_PATH, else ../lib/libpyjamaz.so beside this executable), exactly as the Python and Node
//! bindings do, so the same build — or a leak mutant — is measured from every language.
//! Workloads: optimize (mixed small images, budgets), errors (every error path), files
//! (pyjamaz_optimize_file), pressure (images of >= 1 MB: a pool of 16 cycled, or in the pressure suite one
//! distinct image per call from the pressure corpus, pressure_stream.zig).
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const sdk = @import("leakcheck_probe");
const api = pyjamaz.api;
const corpus = pyjamaz.corpus;
const MemoryStats = pyjamaz.runtime.MemoryStats;
const pressure_stream = @import("pressure_stream.zig");

const Lib = struct {
    handle: std.DynLib,
    init: *const fn () callconv(.c) c_int,
    optimize: *const fn (?[*]const u8, usize, ?*const api.COptions, *?*api.CResult) callconv(.c) c_int,
    optimize_file: *const fn ([*:0]const u8, ?*const api.COptions, *?*api.CResult) callconv(.c) c_int,
    result_free: *const fn (?*api.CResult) callconv(.c) void,
    options_init: *const fn (*api.COptions) callconv(.c) void,
    stats: *const fn (*MemoryStats) callconv(.c) void,

    fn open(gpa: std.mem.Allocator) !Lib {
        const path = try libraryPath(gpa);
        defer gpa.free(path);
        var handle = std.DynLib.open(path) catch |err| {
            std.debug.print("cannot load {s}: {s} (build it with: scripts/zig build)\n", .{ path, @errorName(err) });
            return err;
        };
        return .{
            .init = try symbol(&handle, *const fn () callconv(.c) c_int, "pyjamaz_init"),
            .optimize = try symbol(&handle, *const fn (?[*]const u8, usize, ?*const api.COptions, *?*api.CResult) callconv(.c) c_int, "pyjamaz_optimize"),
            .optimize_file = try symbol(&handle, *const fn ([*:0]const u8, ?*const api.COptions, *?*api.CResult) callconv(.c) c_int, "pyjamaz_optimize_file"),
            .result_free = try symbol(&handle, *const fn (?*api.CResult) callconv(.c) void, "pyjamaz_result_free"),
            .options_init = try symbol(&handle, *const fn (*api.COptions) callconv(.c) void, "pyjamaz_options_init"),
            .stats = try symbol(&handle, *const fn (*MemoryStats) callconv(.c) void, "pyjamaz_memory_stats_get"),
            .handle = handle,
        };
    }

    fn libraryPath(gpa: std.mem.Allocator) ![]u8 {
        if (std.posix.getenv("PYJAMAZ_LIB_PATH")) |p| return gpa.dupe(u8, p);
        var buf: [std.fs.max_path_bytes]u8 = undefined;
        const exe_dir = try std.fs.selfExeDirPath(&buf);
        return std.fs.path.join(gpa, &.{ exe_dir, "..", "lib", "libpyjamaz.so" });
    }

    fn symbol(handle: *std.DynLib, comptime T: type, name: [:0]const u8) !T {
        return handle.lookup(T, name) orelse {
            std.debug.print("libpyjamaz has no symbol {s}\n", .{name});
            return error.MissingSymbol;
        };
    }

    fn memoryStats(self: *const Lib) MemoryStats {
        var s: MemoryStats = undefined;
        self.stats(&s);
        return s;
    }

    /// One optimize; returns the status. The result is always freed.
    fn run(self: *const Lib, input: []const u8, opts: ?*const api.COptions) c_int {
        var out: ?*api.CResult = null;
        const status = self.optimize(input.ptr, input.len, opts, &out);
        self.result_free(out);
        return status;
    }

    fn runFile(self: *const Lib, path: [*:0]const u8) c_int {
        var out: ?*api.CResult = null;
        const status = self.optimize_file(path, null, &out);
        self.result_free(out);
        return status;
    }
};

const Workload = enum { optimize, errors, files, pressure };

const Probe = struct {
    gpa: std.mem.Allocator,
    lib: Lib,
    workload: Workload,
    images: std.ArrayList([]u8) = .empty,
    paths: std.ArrayList([:0]u8) = .empty,
    bad_options: [3]api.COptions = undefined,
    baseline: MemoryStats = undefined,
    baseline_fds: usize = 0,
    failures: u64 = 0,
    tmp_dir: ?[]u8 = null,
    /// The pressure suite's distinct images (null: the pool in `images` is cycled).
    stream: ?*pressure_stream.Stream = null,
    stream_state: pressure_stream.Stream = undefined,

    /// Before hello: under pressure the warm-up covers one full pass over the image pool (each new large
    /// image may grow the allocator's arenas once), and hello announces that warm-up.
    pub fn plan(self: *Probe, probe: *sdk.Probe) void {
        if (self.workload == .pressure) {
            probe.warmup = @min(probe.iterations - 1, @max(probe.warmup, pressurePool(probe.iterations)));
        }
    }

    pub fn setup(self: *Probe, probe: *sdk.Probe) !void {
        if (self.lib.init() != 0) return error.InitFailed;
        switch (self.workload) {
            .optimize => try self.makeImages(probe.seed, 8, 0),
            .errors => try self.makeErrorCases(probe.seed),
            .files => try self.makeFiles(probe.seed),
            .pressure => if (std.mem.eql(u8, probe.suite, "pressure")) {
                // Every call a different input: the set-up calls below take the first three.
                try self.stream_state.start(self.gpa, probe.seed +% 15, 0, probe.iterations + 3);
                self.stream = &self.stream_state;
            } else try self.makeImages(probe.seed, pressurePool(probe.iterations), 1 << 20),
        }
        // The first calls warm libvips (loaders, type system); the baseline is the state after them.
        for (0..3) |i| try self.iterate(i);
        self.baseline = self.lib.memoryStats();
        self.baseline_fds = try openFds();
    }

    /// A pool small enough to be cycled at least four times.
    fn pressurePool(iterations: u64) usize {
        return std.math.clamp(iterations / 4, 2, poolSize());
    }

    fn poolSize() usize {
        const text = std.posix.getenv("PYJAMAZ_POOL") orelse return 16;
        return std.fmt.parseInt(usize, text, 10) catch 16;
    }

    fn makeImages(self: *Probe, seed: u64, count: usize, min_bytes: usize) !void {
        const kinds = [_]corpus.Kind{ .photo, .flat, .alpha, .photo };
        const formats = [_]corpus.FileFormat{ .jpeg, .png, .png, .webp };
        var prng = std.Random.DefaultPrng.init(seed);
        for (0..count) |i| {
            const kind = kinds[i % kinds.len];
            const start: [2]u32 = if (min_bytes == 0) .{ 24 + @as(u32, @intCast(i)) * 4, 18 + @as(u32, @intCast(i)) * 3 } else corpus.baseSize(.large, prng.random());
            const made = try corpus.makeAtLeast(self.gpa, kind, formats[i % formats.len], start, min_bytes, seed +% i);
            try self.images.append(self.gpa, made.bytes);
        }
    }

    fn makeErrorCases(self: *Probe, seed: u64) !void {
        const cases = try corpus.malformed(self.gpa, seed);
        for (cases) |case| try self.images.append(self.gpa, case.bytes);
        for (&self.bad_options) |*o| self.lib.options_init(o);
        self.bad_options[0].formats = 1 << 12;
        self.bad_options[1].max_diff = -1;
        self.bad_options[2].max_pixels = 10;
        try self.images.append(self.gpa, try corpus.make(self.gpa, .photo, .jpeg, 16, 16, seed));
    }

    fn makeFiles(self: *Probe, seed: u64) !void {
        try self.makeImages(seed, 4, 0);
        var tmp_buf: [64]u8 = undefined;
        const dir = try std.fmt.bufPrint(&tmp_buf, "/tmp/pyjamaz-probe-{d}", .{std.c.getpid()});
        try std.fs.cwd().makePath(dir);
        self.tmp_dir = try self.gpa.dupe(u8, dir);
        for (self.images.items, 0..) |img, i| {
            const path = try std.fmt.allocPrintSentinel(self.gpa, "{s}/{d}.img", .{ dir, i }, 0);
            try std.fs.cwd().writeFile(.{ .sub_path = path, .data = img });
            try self.paths.append(self.gpa, path);
        }
        try self.paths.append(self.gpa, try std.fmt.allocPrintSentinel(self.gpa, "{s}/missing.img", .{dir}, 0));
    }

    pub fn iterate(self: *Probe, i: u64) !void {
        switch (self.workload) {
            .optimize, .pressure => {
                const img = if (self.stream) |stream| try stream.next() else self.images.items[i % self.images.items.len];
                var opts: api.COptions = undefined;
                self.lib.options_init(&opts);
                // The library's default concurrency (a thread per CPU), except one call in four with the
                // formats one after another; every fourth call also searches a budget.
                opts.concurrency = if (i % 4 == 2) 1 else 0;
                if (i % 4 == 0) opts.max_bytes = img.len / 2;
                if (self.lib.run(img, &opts) != 0) self.failures += 1;
            },
            .errors => {
                const n_malformed = self.images.items.len - 1;
                const k = i % (n_malformed + self.bad_options.len);
                const status = if (k < n_malformed)
                    self.lib.run(self.images.items[k], null)
                else
                    self.lib.run(self.images.items[n_malformed], &self.bad_options[k - n_malformed]);
                if (status == 0) self.failures += 1;
            },
            .files => {
                const path = self.paths.items[i % self.paths.items.len];
                const missing = i % self.paths.items.len == self.paths.items.len - 1;
                if ((self.lib.runFile(path) == 0) == missing) self.failures += 1;
            },
        }
    }

    pub fn counters(self: *Probe, out: *sdk.Counters) void {
        const s = self.lib.memoryStats();
        out.put("lib_live_bytes", @floatFromInt(s.live_bytes));
        out.put("lib_live_allocations", @floatFromInt(s.live_allocations));
        out.put("vips_tracked_bytes", @floatFromInt(s.vips_tracked_bytes));
        out.put("vips_tracked_allocations", @floatFromInt(s.vips_tracked_allocations));
        out.put("vips_tracked_files", @floatFromInt(s.vips_tracked_files));
        out.put("vips_live_objects", @floatFromInt(s.vips_live_objects));
        out.put("live_results", @floatFromInt(s.live_results));
        out.put("open_fds", @floatFromInt(openFds() catch 0));
    }

    pub fn teardown(self: *Probe, probe: *sdk.Probe) !void {
        const s = self.lib.memoryStats();
        const b = self.baseline;
        _ = probe.check("unexpected outcomes", @floatFromInt(self.failures), .eq, 0);
        _ = probe.check("lib_live_bytes growth", delta(s.live_bytes, b.live_bytes), .le, 0);
        _ = probe.check("lib_live_allocations growth", delta(s.live_allocations, b.live_allocations), .le, 0);
        _ = probe.check("vips_live_objects growth", delta(s.vips_live_objects, b.vips_live_objects), .le, 0);
        _ = probe.check("live_results", @floatFromInt(s.live_results), .eq, 0);
        _ = probe.check("open_fds growth", delta(try openFds(), self.baseline_fds), .le, 0);
        if (self.tmp_dir) |dir| std.fs.cwd().deleteTree(dir) catch {};
        if (self.stream) |stream| stream.stop();
    }
};

fn delta(now: anytype, then: anytype) f64 {
    return @as(f64, @floatFromInt(now)) - @as(f64, @floatFromInt(then));
}

fn openFds() !usize {
    var dir = try std.fs.openDirAbsolute("/proc/self/fd", .{ .iterate = true });
    defer dir.close();
    var n: usize = 0;
    var it = dir.iterate();
    while (try it.next()) |_| n += 1;
    return n - 1;
}

pub fn main() u8 {
    const gpa = std.heap.c_allocator;
    var args = std.process.args();
    _ = args.next();
    const name = args.next() orelse "optimize";
    const workload = std.meta.stringToEnum(Workload, name) orelse {
        std.debug.print("usage: pyjamaz-probe optimize|errors|files|pressure\n", .{});
        return 2;
    };
    // Probe names follow the configuration: zig.<workload>.
    const probe_name = switch (workload) {
        .optimize => "zig.optimize_memory",
        .errors => "zig.error_recovery",
        .files => "zig.file_memory",
        .pressure => "zig.memory_pressure",
    };
    const default_iterations: u64 = switch (workload) {
        .optimize => 2000,
        .errors => 3000,
        .files => 1000,
        .pressure => 10_000,
    };
    // libvips for the corpus generator in this process (the library starts its own use of it).
    if (pyjamaz.vips.c.vips_init("pyjamaz-probe") != 0) return 1;
    const lib = Lib.open(gpa) catch return 1;
    var probe: Probe = .{ .gpa = gpa, .lib = lib, .workload = workload };
    return sdk.run(probe_name, default_iterations, &probe);
}
