//! Process-wide state: libvips start-up (once, never torn down: libvips cannot restart after
//! vips_shutdown), the nesting init/shutdown count, the counting allocator and the memory counters.
const std = @import("std");
const vips = @import("vips.zig");
const counting = @import("counting_allocator.zig");
const formats = @import("formats.zig");

var mutex: std.Thread.Mutex = .{};
var vips_started: bool = false;
var init_count: u32 = 0;
var supported: u32 = 0;
var live_results: std.atomic.Value(u64) = .init(0);

/// The allocator behind every allocation the C ABI makes.
pub var counting_allocator: counting.CountingAllocator = .init(std.heap.c_allocator);

pub const StartError = error{VipsInitFailed};

/// Starts libvips the first time; counts nesting. Safe from any thread, any number of times.
pub fn init() StartError!void {
    mutex.lock();
    defer mutex.unlock();
    if (!vips_started) {
        if (vips.c.vips_init("pyjamaz") != 0) return error.VipsInitFailed;
        // Every call decodes new bytes: the operation cache would only hold images alive between calls
        // and blur the counters. Untrusted loaders (e.g. ImageMagick) are kept away from caller bytes.
        vips.c.vips_cache_set_max(0);
        vips.c.vips_block_untrusted_set(1);
        supported = formats.probeSupported();
        vips_started = true;
    }
    init_count +|= 1;
}

/// Undoes one init. At zero the library refuses work until the next init; libvips stays loaded.
pub fn shutdown() void {
    mutex.lock();
    defer mutex.unlock();
    if (init_count == 0) return;
    init_count -= 1;
    // Not vips_cache_drop_all(): it frees the cache's table for good, and libvips then crashes on the
    // next operation. The cache is off (max 0) anyway.
    if (init_count == 0) vips.c.vips_thread_shutdown();
}

pub fn isInitialized() bool {
    mutex.lock();
    defer mutex.unlock();
    return init_count > 0;
}

pub fn supportedFormats() u32 {
    mutex.lock();
    defer mutex.unlock();
    return supported;
}

pub fn resultCreated() void {
    _ = live_results.fetchAdd(1, .monotonic);
}

pub fn resultFreed() void {
    _ = live_results.fetchSub(1, .monotonic);
}

pub const MemoryStats = extern struct {
    live_bytes: u64,
    live_allocations: u64,
    total_allocations: u64,
    peak_bytes: u64,
    vips_tracked_bytes: u64,
    vips_tracked_allocations: u64,
    vips_tracked_files: u64,
    vips_live_objects: u64,
    live_results: u64,
};

pub fn memoryStats() MemoryStats {
    const own = counting_allocator.snapshot();
    const started = blk: {
        mutex.lock();
        defer mutex.unlock();
        break :blk vips_started;
    };
    return .{
        .live_bytes = own.live_bytes,
        .live_allocations = own.live_allocations,
        .total_allocations = own.total_allocations,
        .peak_bytes = own.peak_bytes,
        .vips_tracked_bytes = if (started) vips.c.vips_tracked_get_mem() else 0,
        .vips_tracked_allocations = if (started) @intCast(@max(0, vips.c.vips_tracked_get_allocs())) else 0,
        .vips_tracked_files = if (started) @intCast(@max(0, vips.c.vips_tracked_get_files())) else 0,
        .vips_live_objects = if (started) vips.liveObjects() else 0,
        .live_results = live_results.load(.monotonic),
    };
}
