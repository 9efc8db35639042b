//! leakcheck's probe SDK for Zig: protocol v2, one JSON object per line on the pipe named by LEAKCHECK_FD.
//! A probe is a workload with `iterate`; `run` does hello/phases/ticks/checks/done around it and returns the
//! process exit code. The contract all SDKs speak is leakcheck's docs/protocol.md.
//!
//! The workload is a pointer to a struct with these methods (all but `iterate` optional):
//!   plan(self, *Probe) void        before hello: may change `warmup` (the plan hello announces)
//!   setup(self, *Probe) !void      once, phase setup
//!   iterate(self, i: u64) !void    one iteration, i = 0 .. iterations-1
//!   counters(self, *Counters) void the probe's own exact figures, added to every tick (with the
//!                                   process's `fds` and `threads`, and the preload counter's
//!                                   `preload_live_blocks` and `preload_live_bytes` when it is loaded)
//!   teardown(self, *Probe) !void   once, phase teardown: the place for final checks
const std = @import("std");
const builtin = @import("builtin");

pub const protocol_version = 2;
pub const max_counters = 32;
/// About this many ticks per run, so a probe's event volume does not grow with its iterations.
pub const target_ticks = 200;

/// Exit codes of `run`: every check held; a check failed or the workload returned an error; bad parameters.
pub const exit_ok: u8 = 0;
pub const exit_failed: u8 = 1;
pub const exit_usage: u8 = 2;

pub const Counters = struct {
    names: [max_counters][]const u8 = undefined,
    values: [max_counters]f64 = undefined,
    len: usize = 0,

    /// Adds a counter; past `max_counters` the extra ones are dropped (bounded line length).
    pub fn put(self: *Counters, name: []const u8, value: f64) void {
        if (self.len == max_counters) return;
        self.names[self.len] = name;
        self.values[self.len] = value;
        self.len += 1;
    }

    pub fn get(self: *const Counters, name: []const u8) ?f64 {
        for (self.names[0..self.len], self.values[0..self.len]) |n, v| {
            if (std.mem.eql(u8, n, name)) return v;
        }
        return null;
    }
};

pub const Op = enum {
    lt,
    le,
    gt,
    ge,
    eq,

    fn symbol(op: Op) []const u8 {
        return switch (op) {
            .lt => "<",
            .le => "<=",
            .gt => ">",
            .ge => ">=",
            .eq => "==",
        };
    }

    fn holds(op: Op, value: f64, limit: f64) bool {
        return switch (op) {
            .lt => value < limit,
            .le => value <= limit,
            .gt => value > limit,
            .ge => value >= limit,
            .eq => value == limit,
        };
    }
};

/// How `run` chooses the iteration count.
pub const Options = struct {
    /// The count when LEAKCHECK_ITERATIONS is unset (a probe run by hand).
    default_iterations: u64 = 1000,
    /// Runs exactly this many, whatever LEAKCHECK_ITERATIONS says (the harness notes the difference).
    fixed_iterations: ?u64 = null,
};

pub const UsageError = error{BadParameter};

pub const Probe = struct {
    name: []const u8,
    fd: ?std.posix.fd_t,
    iterations: u64,
    /// The measure phase starts at this iteration; the ones before it are the warm-up.
    warmup: u64,
    tick_every: u64,
    seed: u64,
    suite: []const u8,
    failed_checks: u32 = 0,

    /// Reads the LEAKCHECK_* environment; a bad value is printed to stderr and returned as an error.
    pub fn fromEnv(name: []const u8, options: Options) UsageError!Probe {
        const iterations = if (options.fixed_iterations) |n|
            try atLeast(name, "fixed_iterations", n, 1)
        else
            try envInt(name, "LEAKCHECK_ITERATIONS", 1) orelse try atLeast(name, "default_iterations", options.default_iterations, 1);
        const warmup = try envInt(name, "LEAKCHECK_WARMUP", 0) orelse defaultWarmup(iterations);
        if (warmup >= iterations) {
            std.debug.print("leakcheck probe {s}: LEAKCHECK_WARMUP={d} must be less than the iterations ({d})\n", .{ name, warmup, iterations });
            return error.BadParameter;
        }
        const fd = try envInt(name, "LEAKCHECK_FD", 0);
        return .{
            .name = name,
            .fd = if (fd) |n| std.math.cast(std.posix.fd_t, n) orelse return badFd(name, n) else null,
            .iterations = iterations,
            .warmup = warmup,
            .tick_every = @max(1, iterations / target_ticks),
            .seed = try envInt(name, "LEAKCHECK_SEED", 0) orelse 0,
            .suite = std.posix.getenv("LEAKCHECK_SUITE") orelse "fast",
        };
    }

    /// The first event: the probe's name and the plan it will follow.
    pub fn hello(self: *Probe) void {
        self.emit("{{\"event\":\"hello\",\"probe\":{f},\"lang\":\"zig\",\"protocol\":{d},\"pid\":{d}," ++
            "\"iterations\":{d},\"warmup\":{d}}}", .{
            std.json.fmt(self.name, .{}), protocol_version, std.c.getpid(), self.iterations, self.warmup,
        });
    }

    pub fn phase(self: *Probe, name: []const u8) void {
        self.emit("{{\"event\":\"phase\",\"name\":{f}}}", .{std.json.fmt(name, .{})});
    }

    pub fn tick(self: *Probe, i: u64, counters: *const Counters) void {
        var buf: [4096]u8 = undefined;
        var w: std.Io.Writer = .fixed(&buf);
        writeTick(&w, i, counters) catch return self.emitRaw("{\"event\":\"tick\",\"i\":0}");
        self.emitRaw(w.buffered());
    }

    /// Every `tick_every`-th iteration, the first measured one (the counters' baseline) and the last.
    pub fn ticksAt(self: *const Probe, i: u64) bool {
        return i % self.tick_every == 0 or i == self.warmup or i + 1 == self.iterations;
    }

    /// A probe's own assertion; a failed one makes the probe exit 1.
    pub fn check(self: *Probe, name: []const u8, value: f64, op: Op, limit: f64) bool {
        const ok = op.holds(value, limit);
        if (!ok) self.failed_checks += 1;
        self.emit("{{\"event\":\"check\",\"name\":{f},\"value\":{d},\"op\":\"{s}\",\"limit\":{d},\"ok\":{}}}", .{
            std.json.fmt(name, .{}), finite(value), op.symbol(), finite(limit), ok,
        });
        if (!ok) std.debug.print("check failed: {s}: {d} {s} {d}\n", .{ name, value, op.symbol(), limit });
        return ok;
    }

    pub fn done(self: *Probe, iterations: u64) void {
        self.emit("{{\"event\":\"done\",\"iterations\":{d}}}", .{iterations});
    }

    pub fn exitCode(self: *const Probe) u8 {
        return if (self.failed_checks == 0) exit_ok else exit_failed;
    }

    fn emit(self: *Probe, comptime fmt: []const u8, args: anytype) void {
        var buf: [1024]u8 = undefined;
        const line = std.fmt.bufPrint(&buf, fmt, args) catch return;
        self.emitRaw(line);
    }

    /// One write per line, newline included, so a line is never split by a crash between writes.
    fn emitRaw(self: *Probe, line: []const u8) void {
        const fd = self.fd orelse return;
        var buf: [4097]u8 = undefined;
        if (line.len >= buf.len) return;
        @memcpy(buf[0..line.len], line);
        buf[line.len] = '\n';
        var rest: []const u8 = buf[0 .. line.len + 1];
        while (rest.len > 0) {
            const n = std.posix.write(fd, rest) catch return;
            rest = rest[n..];
        }
    }
};

/// A tenth of the run, at least one iteration, always leaving one to measure.
pub fn defaultWarmup(iterations: u64) u64 {
    return @min(iterations - 1, @max(1, iterations / 10));
}

fn writeTick(w: *std.Io.Writer, i: u64, counters: *const Counters) !void {
    try w.print("{{\"event\":\"tick\",\"i\":{d},\"counters\":{{", .{i});
    for (counters.names[0..counters.len], counters.values[0..counters.len], 0..) |name, value, k| {
        if (k > 0) try w.writeAll(",");
        try w.print("{f}:{d}", .{ std.json.fmt(name, .{}), finite(value) });
    }
    try w.writeAll("}}");
}

/// JSON has no NaN or infinity.
fn finite(value: f64) f64 {
    return if (std.math.isFinite(value)) value else 0;
}

/// null when the variable is unset or blank; an error (with its message on stderr) when it is no whole
/// number of at least `minimum`.
fn envInt(probe: []const u8, key: []const u8, minimum: u64) UsageError!?u64 {
    const raw = std.posix.getenv(key) orelse return null;
    const text = std.mem.trim(u8, raw, " \t");
    if (text.len == 0) return null;
    const value = std.fmt.parseInt(i64, text, 10) catch {
        std.debug.print("leakcheck probe {s}: {s}=\"{s}\" is not an integer\n", .{ probe, key, raw });
        return error.BadParameter;
    };
    if (value < 0 or @as(u64, @intCast(value)) < minimum) {
        std.debug.print("leakcheck probe {s}: {s}={d} must be at least {d}\n", .{ probe, key, value, minimum });
        return error.BadParameter;
    }
    return @intCast(value);
}

fn atLeast(probe: []const u8, what: []const u8, value: u64, minimum: u64) UsageError!u64 {
    if (value >= minimum) return value;
    std.debug.print("leakcheck probe {s}: {s}={d} must be at least {d}\n", .{ probe, what, value, minimum });
    return error.BadParameter;
}

fn badFd(probe: []const u8, fd: u64) UsageError {
    std.debug.print("leakcheck probe {s}: LEAKCHECK_FD={d} is not a file descriptor\n", .{ probe, fd });
    return error.BadParameter;
}

/// Runs a workload under the protocol, LEAKCHECK_ITERATIONS iterations (else `default_iterations`), and
/// returns the process exit code: 0, 1 when a check failed or the workload returned an error, 2 on bad
/// parameters.
pub fn run(name: []const u8, default_iterations: u64, workload: anytype) u8 {
    return runWith(name, .{ .default_iterations = default_iterations }, workload);
}

/// `run` with exactly `iterations` iterations, whatever LEAKCHECK_ITERATIONS says.
pub fn runFixed(name: []const u8, iterations: u64, workload: anytype) u8 {
    return runWith(name, .{ .fixed_iterations = iterations }, workload);
}

pub fn runWith(name: []const u8, options: Options, workload: anytype) u8 {
    var probe = Probe.fromEnv(name, options) catch return exit_usage;
    const W = @typeInfo(@TypeOf(workload)).pointer.child;
    if (@hasDecl(W, "plan")) {
        workload.plan(&probe);
        if (probe.warmup >= probe.iterations) {
            std.debug.print("leakcheck probe {s}: plan set warmup={d}, not less than the iterations ({d})\n", .{ name, probe.warmup, probe.iterations });
            return exit_usage;
        }
    }
    return runProbe(&probe, workload) catch |err| {
        std.debug.print("probe {s} failed: {s}\n", .{ name, @errorName(err) });
        return exit_failed;
    };
}

/// The process's open file descriptors, threads and anonymous resident memory (RssAnon), read from /proc/self
/// with every tick, so that the harness judges them per iteration and not from its poll from outside (which a
/// run of a fraction of a second samples too few times); nothing where /proc is not there (docs/protocol.md:
/// the reserved counters `fds`, `threads` and `rss`).
fn putProcessCounts(counters: *Counters) void {
    if (countOpenFds()) |fds| counters.put("fds", @floatFromInt(fds)) else |_| {}
    if (statusField("Threads:")) |threads| counters.put("threads", @floatFromInt(threads)) else |_| {}
    if (statusField("RssAnon:")) |kib| counters.put("rss", @floatFromInt(kib * 1024)) else |_| {}
}

fn countOpenFds() !u64 {
    var dir = try std.fs.openDirAbsolute("/proc/self/fd", .{ .iterate = true });
    defer dir.close();
    var it = dir.iterate();
    var count: u64 = 0;
    while (try it.next()) |_| count += 1;
    return count - 1; // less the descriptor of the listing itself
}

/// A number field of /proc/self/status ("Threads:", "RssAnon:" in kB), without its unit.
fn statusField(comptime field: []const u8) !u64 {
    var file = try std.fs.openFileAbsolute("/proc/self/status", .{});
    defer file.close();
    var buffer: [8192]u8 = undefined;
    const len = try file.readAll(&buffer);
    var lines = std.mem.splitScalar(u8, buffer[0..len], '\n');
    while (lines.next()) |line| {
        if (std.mem.startsWith(u8, line, field)) {
            var words = std.mem.tokenizeAny(u8, line[field.len..], " \t");
            return std.fmt.parseInt(u64, words.next() orelse return error.NoValue, 10);
        }
    }
    return error.NoSuchField;
}

/// The preload counter's live blocks and bytes of this process (docs/protocol.md, "The preload counter"):
/// read from $LEAKCHECK_PRELOAD_DIR/<pid>.counters (a header, then one slot per thread to sum) when leakcheck
/// preloaded its malloc counter; nothing otherwise.
fn putPreloadCounts(counters: *Counters) void {
    const live = readPreloadCounts() catch return;
    counters.put("preload_live_blocks", @floatFromInt(live[0]));
    counters.put("preload_live_bytes", @floatFromInt(live[1]));
}

const preload_magic: u64 = 0x314b50434b41454c; // "LEAKCPK1" as a little-endian word
const preload_header_bytes = 48;

fn readPreloadCounts() ![2]i64 {
    if (builtin.os.tag != .linux) return error.NoPreloadCounter;
    const directory = std.posix.getenv("LEAKCHECK_PRELOAD_DIR") orelse return error.NoPreloadCounter;
    const pid: i64 = std.os.linux.getpid();
    var path_buffer: [std.fs.max_path_bytes]u8 = undefined;
    const path = try std.fmt.bufPrint(&path_buffer, "{s}/{d}.counters", .{ directory, pid });
    var file = try std.fs.cwd().openFile(path, .{});
    defer file.close();
    var buffer: [16384]u8 = undefined; // the whole file (8,320 bytes in version 1)
    const len = try file.readAll(&buffer);
    return parsePreloadCounts(buffer[0..len], pid);
}

fn preloadWord(data: []const u8, at: usize) u64 {
    return std.mem.readInt(u64, data[at..][0..8], .little);
}

fn parsePreloadCounts(data: []const u8, pid: i64) ![2]i64 {
    if (data.len < preload_header_bytes or preloadWord(data, 0) != preload_magic or preloadWord(data, 8) != 1 or
        @as(i64, @bitCast(preloadWord(data, 40))) != pid) return error.NotPreloadCounters;
    const count = preloadWord(data, 16);
    const size = preloadWord(data, 24);
    const offset = preloadWord(data, 32);
    if (size < 16 or count > data.len or size > data.len or offset > data.len or
        (data.len - offset) / size < count) return error.NotPreloadCounters;
    var live = [2]i64{ 0, 0 };
    var at: usize = @intCast(offset);
    for (0..@intCast(count)) |_| {
        live[0] +%= @bitCast(preloadWord(data, at));
        live[1] +%= @bitCast(preloadWord(data, at + 8));
        at += @intCast(size);
    }
    return live;
}

fn runProbe(probe: *Probe, workload: anytype) !u8 {
    const W = @typeInfo(@TypeOf(workload)).pointer.child;
    probe.hello();
    // The loop follows the plan hello announced, whatever a hook does to the fields afterwards.
    const planned: Probe = probe.*;
    probe.phase("setup");
    if (@hasDecl(W, "setup")) try workload.setup(probe);
    if (probe.iterations != planned.iterations or probe.warmup != planned.warmup) return error.PlanChangedAfterHello;
    var i: u64 = 0;
    while (i < planned.iterations) : (i += 1) {
        if (i == 0 and planned.warmup > 0) probe.phase("warmup");
        if (i == planned.warmup) probe.phase("measure");
        try workload.iterate(i);
        if (planned.ticksAt(i)) {
            var counters: Counters = .{};
            if (@hasDecl(W, "counters")) workload.counters(&counters);
            putProcessCounts(&counters);
            putPreloadCounts(&counters);
            probe.tick(i, &counters);
        }
    }
    probe.phase("teardown");
    if (@hasDecl(W, "teardown")) try workload.teardown(probe);
    probe.done(planned.iterations);
    return probe.exitCode();
}

test "counters keep names and drop past the bound" {
    var counters: Counters = .{};
    for (0..max_counters + 3) |k| counters.put("c", @floatFromInt(k));
    try std.testing.expectEqual(@as(usize, max_counters), counters.len);
    try std.testing.expectEqual(@as(?f64, 0), counters.get("c"));
}

test "tick line is valid JSON with every counter" {
    var counters: Counters = .{};
    counters.put("lib_live_bytes", 1024);
    counters.put("odd \"name\"", 1.5);
    var buf: [512]u8 = undefined;
    var w: std.Io.Writer = .fixed(&buf);
    try writeTick(&w, 7, &counters);
    const parsed = try std.json.parseFromSlice(std.json.Value, std.testing.allocator, w.buffered(), .{});
    defer parsed.deinit();
    const obj = parsed.value.object;
    try std.testing.expectEqual(@as(i64, 7), obj.get("i").?.integer);
    try std.testing.expectEqual(@as(i64, 1024), obj.get("counters").?.object.get("lib_live_bytes").?.integer);
}

test "the default warm-up leaves at least one measured iteration" {
    try std.testing.expectEqual(@as(u64, 0), defaultWarmup(1));
    try std.testing.expectEqual(@as(u64, 1), defaultWarmup(2));
    try std.testing.expectEqual(@as(u64, 1), defaultWarmup(19));
    try std.testing.expectEqual(@as(u64, 40), defaultWarmup(400));
}

test "ticks: every tick_every-th, the first measured and the last iteration" {
    const probe: Probe = .{ .name = "t", .fd = null, .iterations = 10, .warmup = 3, .tick_every = 4, .seed = 0, .suite = "" };
    var at: [10]bool = undefined;
    for (&at, 0..) |*slot, i| slot.* = probe.ticksAt(i);
    try std.testing.expectEqualSlices(bool, &.{ true, false, false, true, true, false, false, false, true, true }, &at);
}

test "preload counters: the slots are summed; another file is refused" {
    var data = [_]u8{0} ** (128 + 3 * 64);
    const words = [_]u64{ preload_magic, 1, 3, 64, 128, 42 };
    for (words, 0..) |w, k| std.mem.writeInt(u64, data[k * 8 ..][0..8], w, .little);
    const slots = [_][2]i64{ .{ 5, 500 }, .{ 2, 64 }, .{ -1, -32 } };
    for (slots, 0..) |slot, k| {
        std.mem.writeInt(i64, data[128 + k * 64 ..][0..8], slot[0], .little);
        std.mem.writeInt(i64, data[128 + k * 64 + 8 ..][0..8], slot[1], .little);
    }
    try std.testing.expectEqual([2]i64{ 6, 532 }, try parsePreloadCounts(&data, 42));
    try std.testing.expectError(error.NotPreloadCounters, parsePreloadCounts(&data, 43));
    try std.testing.expectError(error.NotPreloadCounters, parsePreloadCounts(data[0 .. 128 + 64], 42));
    try std.testing.expectError(error.NotPreloadCounters, parsePreloadCounts(data[0..40], 42));
}
