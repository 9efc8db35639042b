//! An allocator wrapper that keeps exact, thread-safe counts of what passes through it.
//! Always on in the shared library: these counts are the byte-exact leak signal the probes report.
const std = @import("std");
const Allocator = std.mem.Allocator;
const Alignment = std.mem.Alignment;

pub const Snapshot = struct {
    live_bytes: u64,
    live_allocations: u64,
    total_allocations: u64,
    peak_bytes: u64,
};

pub const CountingAllocator = struct {
    child: Allocator,
    live_bytes: std.atomic.Value(u64) = .init(0),
    live_allocations: std.atomic.Value(u64) = .init(0),
    total_allocations: std.atomic.Value(u64) = .init(0),
    peak_bytes: std.atomic.Value(u64) = .init(0),

    pub fn init(child: Allocator) CountingAllocator {
        return .{ .child = child };
    }

    pub fn allocator(self: *CountingAllocator) Allocator {
        return .{ .ptr = self, .vtable = &.{
            .alloc = alloc,
            .resize = resize,
            .remap = remap,
            .free = free,
        } };
    }

    pub fn snapshot(self: *const CountingAllocator) Snapshot {
        return .{
            .live_bytes = self.live_bytes.load(.monotonic),
            .live_allocations = self.live_allocations.load(.monotonic),
            .total_allocations = self.total_allocations.load(.monotonic),
            .peak_bytes = self.peak_bytes.load(.monotonic),
        };
    }

    fn grow(self: *CountingAllocator, bytes: usize) void {
        const now = self.live_bytes.fetchAdd(bytes, .monotonic) + bytes;
        var peak = self.peak_bytes.load(.monotonic);
        while (now > peak) {
            peak = self.peak_bytes.cmpxchgWeak(peak, now, .monotonic, .monotonic) orelse break;
        }
    }

    fn shrink(self: *CountingAllocator, bytes: usize) void {
        _ = self.live_bytes.fetchSub(bytes, .monotonic);
    }

    fn alloc(ctx: *anyopaque, len: usize, alignment: Alignment, ret_addr: usize) ?[*]u8 {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        const ptr = self.child.rawAlloc(len, alignment, ret_addr) orelse return null;
        self.grow(len);
        _ = self.live_allocations.fetchAdd(1, .monotonic);
        _ = self.total_allocations.fetchAdd(1, .monotonic);
        return ptr;
    }

    fn resize(ctx: *anyopaque, memory: []u8, alignment: Alignment, new_len: usize, ret_addr: usize) bool {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        if (!self.child.rawResize(memory, alignment, new_len, ret_addr)) return false;
        self.account(memory.len, new_len);
        return true;
    }

    fn remap(ctx: *anyopaque, memory: []u8, alignment: Alignment, new_len: usize, ret_addr: usize) ?[*]u8 {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        const ptr = self.child.rawRemap(memory, alignment, new_len, ret_addr) orelse return null;
        self.account(memory.len, new_len);
        return ptr;
    }

    fn free(ctx: *anyopaque, memory: []u8, alignment: Alignment, ret_addr: usize) void {
        const self: *CountingAllocator = @ptrCast(@alignCast(ctx));
        self.child.rawFree(memory, alignment, ret_addr);
        self.shrink(memory.len);
        _ = self.live_allocations.fetchSub(1, .monotonic);
    }

    fn account(self: *CountingAllocator, old_len: usize, new_len: usize) void {
        if (new_len > old_len) self.grow(new_len - old_len) else self.shrink(old_len - new_len);
    }
};

test "counts live bytes and allocations, and returns to zero" {
    var counting = CountingAllocator.init(std.testing.allocator);
    const gpa = counting.allocator();
    const a = try gpa.alloc(u8, 100);
    var b = try gpa.alloc(u8, 50);
    try std.testing.expectEqual(@as(u64, 150), counting.snapshot().live_bytes);
    try std.testing.expectEqual(@as(u64, 2), counting.snapshot().live_allocations);
    b = try gpa.realloc(b, 80);
    try std.testing.expectEqual(@as(u64, 180), counting.snapshot().live_bytes);
    gpa.free(a);
    gpa.free(b);
    const end = counting.snapshot();
    try std.testing.expectEqual(@as(u64, 0), end.live_bytes);
    try std.testing.expectEqual(@as(u64, 0), end.live_allocations);
    // realloc may move (one more allocation, and both blocks live for a moment).
    try std.testing.expect(end.total_allocations >= 2);
    try std.testing.expect(end.peak_bytes >= 180);
}
