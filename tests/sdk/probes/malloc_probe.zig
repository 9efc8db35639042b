//! A probe whose body leaks MALLOC_PROBE_LEAK bytes of C malloc per iteration (nothing when unset): what the
//! preload counter's figures in the SDK's ticks must show.
const std = @import("std");
const probe = @import("leakcheck_probe");

const Leaky = struct {
    size: usize,
    /// The leaked blocks, chained through their first word: an allocation whose pointer went unused would
    /// be optimised away.
    head: ?*anyopaque = null,

    pub fn iterate(self: *Leaky, _: u64) !void {
        if (self.size < @sizeOf(usize)) return;
        const block = std.c.malloc(self.size) orelse return error.OutOfMemory;
        const link: *?*anyopaque = @ptrCast(@alignCast(block));
        link.* = self.head;
        self.head = block;
    }
};

pub fn main() u8 {
    const text = std.posix.getenv("MALLOC_PROBE_LEAK") orelse "0";
    var workload: Leaky = .{ .size = std.fmt.parseInt(usize, text, 10) catch 0 };
    return probe.run("zig.malloc", 100, &workload);
}
