//! The conformance probe in Zig: the same scenarios as conformance_probe.py, driven by the same variables.
const std = @import("std");
const probe = @import("leakcheck_probe");

const Conformance = struct {
    leak: bool,
    throw_at: ?u64,
    check_limit: f64,
    pause_ms: u64,
    calls: u64 = 0,
    live_items: u64 = 0,

    pub fn setup(self: *Conformance, _: *probe.Probe) !void {
        self.calls = 0;
    }

    pub fn iterate(self: *Conformance, i: u64) !void {
        self.calls += 1;
        if (self.leak) self.live_items += 1;
        if (self.throw_at == i) return error.ThrownByConformanceProbe;
        if (self.pause_ms > 0) std.Thread.sleep(self.pause_ms * std.time.ns_per_ms);
    }

    pub fn counters(self: *Conformance, out: *probe.Counters) void {
        out.put("live_items", @floatFromInt(self.live_items));
    }

    pub fn teardown(self: *Conformance, p: *probe.Probe) !void {
        _ = p.check("calls_made", @floatFromInt(self.calls), .ge, self.check_limit);
    }
};

fn envNumber(comptime T: type, key: []const u8) ?T {
    const text = std.posix.getenv(key) orelse return null;
    return switch (@typeInfo(T)) {
        .float => std.fmt.parseFloat(T, text) catch null,
        else => std.fmt.parseInt(T, text, 10) catch null,
    };
}

pub fn main() u8 {
    var workload: Conformance = .{
        .leak = if (std.posix.getenv("CONFORMANCE_LEAK")) |v| std.mem.eql(u8, v, "1") else false,
        .throw_at = envNumber(u64, "CONFORMANCE_THROW_AT"),
        .check_limit = envNumber(f64, "CONFORMANCE_CHECK_LIMIT") orelse 0,
        .pause_ms = envNumber(u64, "CONFORMANCE_PAUSE_MS") orelse 0,
    };
    const name = std.posix.getenv("CONFORMANCE_NAME") orelse "zig.conformance";
    if (envNumber(u64, "CONFORMANCE_FIXED")) |fixed| return probe.runFixed(name, fixed, &workload);
    return probe.run(name, 50, &workload);
}
