//! Shared by the Zig test suites: library start-up, test images, and the process-level baseline
//! (libvips objects and tracked memory, open file descriptors) every suite returns to.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const api = pyjamaz.api;
const runtime = pyjamaz.runtime;
const corpus = pyjamaz.corpus;
pub const CResult = api.CResult;
pub const COptions = api.COptions;
pub const Status = api.Status;

/// Starts the library once for the test process and warms libvips' per-thread buffers, so the
/// baseline taken afterwards is the steady state, not the cold start.
pub fn start() !void {
    try runtime.init();
    const img = try corpus.make(std.heap.c_allocator, .photo, .jpeg, 24, 24, 99);
    defer std.heap.c_allocator.free(img);
    var out: ?*CResult = null;
    _ = api.optimize(std.heap.c_allocator, img.ptr, img.len, null, &out);
    api.resultFree(std.heap.c_allocator, out);
}

pub fn image(kind: corpus.Kind, format: corpus.FileFormat, w: u32, h: u32, seed: u64) ![]u8 {
    return corpus.make(std.testing.allocator, kind, format, w, h, seed);
}

pub fn options() COptions {
    return COptions.defaults();
}

pub fn openFds() !usize {
    var dir = try std.fs.openDirAbsolute("/proc/self/fd", .{ .iterate = true });
    defer dir.close();
    var n: usize = 0;
    var it = dir.iterate();
    while (try it.next()) |_| n += 1;
    return n - 1; // the directory handle itself
}

pub const Baseline = struct {
    vips_objects: u64,
    vips_bytes: u64,
    vips_allocations: u64,
    live_results: u64,
    fds: usize,

    pub fn take() !Baseline {
        // The test's own libvips calls on this thread leave cached buffers; give them back first.
        pyjamaz.vips.c.vips_thread_shutdown();
        const s = runtime.memoryStats();
        return .{
            .vips_objects = s.vips_live_objects,
            .vips_bytes = s.vips_tracked_bytes,
            .vips_allocations = s.vips_tracked_allocations,
            .live_results = s.live_results,
            .fds = try openFds(),
        };
    }

    fn grewFrom(now: Baseline, then: Baseline) bool {
        // libvips pool threads release their buffers just after a task completes, so tracked memory may
        // read lower than the baseline; only growth counts.
        return now.vips_objects != then.vips_objects or now.vips_bytes > then.vips_bytes or
            now.vips_allocations > then.vips_allocations or now.live_results != then.live_results or now.fds != then.fds;
    }

    /// Fails with the figures when anything the library holds outside our allocator grew and stays grown
    /// (polled for up to 2 s, so a pool thread finishing its clean-up is not taken for a leak).
    pub fn expectSame(self: Baseline, what: []const u8) !void {
        var now = try take();
        var waited: u32 = 0;
        while (now.grewFrom(self) and waited < 200) : (waited += 1) {
            std.Thread.sleep(10 * std.time.ns_per_ms);
            now = try take();
        }
        if (now.grewFrom(self)) {
            std.debug.print(
                "\n{s}: not back to baseline: libvips objects {d} -> {d}, tracked bytes {d} -> {d}, " ++
                    "tracked allocations {d} -> {d}, live results {d} -> {d}, open fds {d} -> {d}\n",
                .{ what, self.vips_objects, now.vips_objects, self.vips_bytes, now.vips_bytes, self.vips_allocations, now.vips_allocations, self.live_results, now.live_results, self.fds, now.fds },
            );
            return error.NotBackToBaseline;
        }
    }
};

/// Runs one optimize through the exported code path and returns the result (caller frees).
pub fn optimize(gpa: std.mem.Allocator, input: []const u8, opts: ?*const COptions) !*CResult {
    var out: ?*CResult = null;
    _ = api.optimize(gpa, input.ptr, input.len, opts, &out);
    return out orelse error.NoResult;
}

pub fn bytesOf(result: *const CResult) []const u8 {
    const data = result.data orelse return &.{};
    return data[0..result.size];
}

pub fn messageOf(result: *const CResult) []const u8 {
    return api.resultMessage(result);
}
