//! Probe protocol v1 for Zig probes: one JSON object per line on the pipe named by LEAKCHECK_FD.
//! A probe is a workload with `iterate`; `run` does hello/phases/ticks/checks/done around it.
//!
//! The workload is a pointer to a struct with these methods (all but `iterate` optional):
//!   setup(self, *Probe) !void, iterate(self, i: u64) !void, counters(self, *Counters) void,
//!   teardown(self, *Probe) !void
const std = @import("std");

pub const protocol_version = 1;
pub const max_counters = 32;
/// About this many ticks per run, so a probe's event volume does not grow with its iterations.
pub const target_ticks = 200;

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

pub const Probe = struct {
    name: []const u8,
    fd: ?std.posix.fd_t,
    iterations: u64,
    warmup: u64,
    tick_every: u64,
    seed: u64,
    suite: []const u8,
    failed_checks: u32 = 0,

    /// Reads the LEAKCHECK_* environment; `default_iterations` applies when LEAKCHECK_ITERATIONS is unset.
    pub fn fromEnv(name: []const u8, default_iterations: u64) Probe {
        const iterations = @max(1, envInt("LEAKCHECK_ITERATIONS") orelse default_iterations);
        const warmup = @min(iterations - 1, envInt("LEAKCHECK_WARMUP") orelse @max(1, iterations / 10));
        return .{
            .name = name,
            .fd = if (envInt("LEAKCHECK_FD")) |fd| @intCast(fd) else null,
            .iterations = iterations,
            .warmup = warmup,
            .tick_every = @max(1, iterations / target_ticks),
            .seed = envInt("LEAKCHECK_SEED") orelse 0,
            .suite = std.posix.getenv("LEAKCHECK_SUITE") orelse "",
        };
    }

    pub fn hello(self: *Probe) void {
        self.emit("{{\"event\":\"hello\",\"probe\":{f},\"lang\":\"zig\",\"protocol\":{d},\"pid\":{d}}}", .{
            std.json.fmt(self.name, .{}), protocol_version, std.c.getpid(),
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
        return if (self.failed_checks == 0) 0 else 1;
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

fn envInt(key: []const u8) ?u64 {
    const text = std.posix.getenv(key) orelse return null;
    return std.fmt.parseInt(u64, std.mem.trim(u8, text, " "), 10) catch null;
}

/// Runs a workload under the protocol and returns the process exit code (0, or 1 when a check failed or
/// the workload returned an error).
pub fn run(name: []const u8, default_iterations: u64, workload: anytype) u8 {
    var probe = Probe.fromEnv(name, default_iterations);
    return runProbe(&probe, workload) catch |err| {
        std.debug.print("probe {s} failed: {s}\n", .{ name, @errorName(err) });
        return 1;
    };
}

fn runProbe(probe: *Probe, workload: anytype) !u8 {
    const W = @typeInfo(@TypeOf(workload)).pointer.child;
    probe.hello();
    probe.phase("setup");
    if (@hasDecl(W, "setup")) try workload.setup(probe);
    probe.phase("warmup");
    var i: u64 = 0;
    while (i < probe.iterations) : (i += 1) {
        if (i == probe.warmup) probe.phase("measure");
        try workload.iterate(i);
        if (i % probe.tick_every == 0 or i + 1 == probe.iterations or i + 1 == probe.warmup) {
            var counters: Counters = .{};
            if (@hasDecl(W, "counters")) workload.counters(&counters);
            probe.tick(i, &counters);
        }
    }
    probe.phase("teardown");
    if (@hasDecl(W, "teardown")) try workload.teardown(probe);
    probe.done(probe.iterations);
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
