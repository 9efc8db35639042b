//! A leak probe for your own library, in Zig: here the code under test allocates and frees a buffer per
//! call through a counting allocator. EXAMPLE_LEAK=1 skips the free, so the probe shows a leak.
const std = @import("std");
const probe = @import("leakcheck_probe");

const Workload = struct {
    leak: bool,
    live_allocations: u64 = 0,

    pub fn iterate(self: *Workload, i: u64) !void {
        const buffer = try std.heap.c_allocator.alloc(u8, 16 * 1024); // the call under test
        @memset(buffer, @truncate(i));
        self.live_allocations += 1;
        if (!self.leak) {
            std.heap.c_allocator.free(buffer);
            self.live_allocations -= 1;
        }
    }

    pub fn counters(self: *Workload, out: *probe.Counters) void {
        out.put("live_allocations", @floatFromInt(self.live_allocations));
    }
};

pub fn main() u8 {
    const leak = if (std.posix.getenv("EXAMPLE_LEAK")) |value| std.mem.eql(u8, value, "1") else false;
    var workload: Workload = .{ .leak = leak };
    return probe.run("zig.buffers", 300, &workload);
}
