//! The C ABI's behaviour with the allocator passed in, so tests can drive the exact exported paths
//! with std.testing.allocator. `abi.zig` only binds these to the global counting allocator.
//! The allocator must be thread-safe: the format search allocates from several threads at once
//! (wrap an arena or another single-threaded allocator in std.heap.ThreadSafeAllocator).
const std = @import("std");
const optimizer = @import("optimizer.zig");
const runtime = @import("runtime.zig");
const mutants = @import("mutants.zig");
const formats = @import("formats.zig");
const vips = @import("vips.zig");

pub const Status = enum(c_int) {
    ok = 0,
    invalid_argument = 1,
    empty_input = 2,
    input_too_large = 3,
    unsupported_format = 4,
    decode = 5,
    too_many_pixels = 6,
    encode = 7,
    out_of_memory = 8,
    not_initialized = 9,
    io = 10,
    internal = 11,

    pub fn of(err: optimizer.Error) Status {
        return switch (err) {
            error.InvalidArgument => .invalid_argument,
            error.EmptyInput => .empty_input,
            error.InputTooLarge => .input_too_large,
            error.UnsupportedFormat => .unsupported_format,
            error.Decode => .decode,
            error.TooManyPixels => .too_many_pixels,
            error.Encode => .encode,
            error.OutOfMemory => .out_of_memory,
            error.NotInitialized => .not_initialized,
            error.Io => .io,
            error.Internal => .internal,
        };
    }

    pub fn message(code: c_int) [:0]const u8 {
        const status = std.meta.intToEnum(Status, code) catch return "unknown status code";
        return switch (status) {
            .ok => "success",
            .invalid_argument => "invalid argument",
            .empty_input => "input is empty",
            .input_too_large => "input is larger than max_input_bytes",
            .unsupported_format => "input is not an image format libvips can load",
            .decode => "image data is corrupt or truncated",
            .too_many_pixels => "image has more pixels than max_pixels",
            .encode => "every candidate encoder failed",
            .out_of_memory => "out of memory",
            .not_initialized => "pyjamaz_init() has not been called",
            .io => "cannot read the input file",
            .internal => "internal libvips failure",
        };
    }
};

/// Mirrors `pyjamaz_options` in zig/include/pyjamaz.h.
pub const COptions = extern struct {
    struct_size: u32,
    formats: u32,
    max_bytes: u64,
    max_diff: f64,
    max_width: u32,
    max_height: u32,
    strip_metadata: u32,
    concurrency: u32,
    max_pixels: u64,
    max_input_bytes: u64,

    pub fn defaults() COptions {
        return .{
            .struct_size = @sizeOf(COptions),
            .formats = 0,
            .max_bytes = 0,
            .max_diff = 0,
            .max_width = 0,
            .max_height = 0,
            .strip_metadata = 0,
            .concurrency = 0,
            .max_pixels = optimizer.default_max_pixels,
            .max_input_bytes = optimizer.default_max_input_bytes,
        };
    }

    fn toOptions(self: COptions) optimizer.Options {
        return .{
            .formats = self.formats,
            .max_bytes = self.max_bytes,
            .max_diff = self.max_diff,
            .max_width = self.max_width,
            .max_height = self.max_height,
            .strip = self.strip_metadata != 0,
            .concurrency = self.concurrency,
            .max_pixels = if (self.max_pixels == 0) optimizer.default_max_pixels else self.max_pixels,
            .max_input_bytes = if (self.max_input_bytes == 0) optimizer.default_max_input_bytes else self.max_input_bytes,
        };
    }
};

/// Mirrors `pyjamaz_result` in zig/include/pyjamaz.h.
pub const CResult = extern struct {
    status: Status,
    format: u32,
    data: ?[*]const u8,
    size: usize,
    quality: i32,
    diff: f64,
    width: u32,
    height: u32,
    budget_met: u32,
    diff_met: u32,
    candidates: u32,
    message: ?[*:0]const u8,
};

pub fn optimize(gpa: std.mem.Allocator, input: ?[*]const u8, input_len: usize, options: ?*const COptions, out: ?*?*CResult) Status {
    const slot = out orelse return .invalid_argument;
    slot.* = null;
    var diag: optimizer.Diagnostic = .{};
    const outcome = run(gpa, input, input_len, options, &diag);
    releaseThreadBuffers();
    return finish(gpa, outcome, &diag, slot);
}

fn run(gpa: std.mem.Allocator, input: ?[*]const u8, input_len: usize, options: ?*const COptions, diag: *optimizer.Diagnostic) optimizer.Error!optimizer.Output {
    if (!runtime.isInitialized()) return diag.fail(gpa, error.NotInitialized, "call pyjamaz_init() before pyjamaz_optimize()", .{});
    const defaults = COptions.defaults();
    const opts = options orelse &defaults;
    if (opts.struct_size != @sizeOf(COptions))
        return diag.fail(gpa, error.InvalidArgument, "options.struct_size is {d}, expected {d}: fill options with pyjamaz_options_init()", .{ opts.struct_size, @sizeOf(COptions) });
    const bytes: []const u8 = if (input) |p| p[0..input_len] else if (input_len == 0) &.{} else return diag.fail(gpa, error.InvalidArgument, "input is NULL with length {d}", .{input_len});
    return optimizer.optimize(gpa, bytes, opts.toOptions(), runtime.supportedFormats(), diag);
}

/// Turns an outcome into a result the caller owns (or NULL when not even that can be allocated).
fn finish(gpa: std.mem.Allocator, outcome: optimizer.Error!optimizer.Output, diag: *optimizer.Diagnostic, slot: *?*CResult) Status {
    const result = gpa.create(CResult) catch {
        if (outcome) |output| {
            var o = output;
            o.deinit(gpa);
        } else |_| {}
        diag.deinit(gpa);
        return .out_of_memory;
    };
    if (outcome) |output| {
        result.* = .{
            .status = .ok,
            .format = @intFromEnum(output.format),
            .data = output.data.ptr,
            .size = output.data.len,
            .quality = output.quality,
            .diff = output.diff,
            .width = output.width,
            .height = output.height,
            .budget_met = @intFromBool(output.budget_met),
            .diff_met = @intFromBool(output.diff_met),
            .candidates = output.candidates,
            .message = null,
        };
    } else |err| {
        const status = Status.of(err);
        result.* = std.mem.zeroes(CResult);
        result.status = status;
        // The diagnostic's message moves into the result; a static one stands in when it could not be made.
        result.message = if (diag.message) |m| m.ptr else null;
        diag.message = null;
    }
    runtime.resultCreated();
    slot.* = result;
    return result.status;
}

/// libvips caches pixel buffers per thread; the caller's thread gives them back at the end of every
/// call, so the tracked-memory counters read exact between calls instead of drifting with image sizes.
fn releaseThreadBuffers() void {
    if (runtime.isInitialized()) vips.c.vips_thread_shutdown();
}

pub fn resultFree(gpa: std.mem.Allocator, result: ?*CResult) void {
    const r = result orelse return;
    if (r.data) |d| {
        if (!mutants.on(.@"result-buffer")) gpa.free(@constCast(d[0..r.size]));
    }
    if (r.message) |m| {
        if (!mutants.on(.@"error-message")) gpa.free(std.mem.span(@constCast(m)));
    }
    gpa.destroy(r);
    runtime.resultFreed();
}

/// The message a caller sees: the result's own, or the status's static text.
pub fn resultMessage(result: *const CResult) [:0]const u8 {
    if (result.message) |m| return std.mem.span(m);
    return Status.message(@intFromEnum(result.status));
}

pub fn optimizeFile(gpa: std.mem.Allocator, path: ?[*:0]const u8, options: ?*const COptions, out: ?*?*CResult) Status {
    const slot = out orelse return .invalid_argument;
    slot.* = null;
    var diag: optimizer.Diagnostic = .{};
    const p = path orelse return finish(gpa, diag.fail(gpa, error.InvalidArgument, "path is NULL", .{}), &diag, slot);
    const max_input = if (options) |o| o.toOptions().max_input_bytes else optimizer.default_max_input_bytes;
    const bytes = readFile(gpa, std.mem.span(p), max_input, &diag) catch |err| return finish(gpa, err, &diag, slot);
    defer gpa.free(bytes);
    const outcome = run(gpa, bytes.ptr, bytes.len, options, &diag);
    releaseThreadBuffers();
    return finish(gpa, outcome, &diag, slot);
}

fn readFile(gpa: std.mem.Allocator, path: []const u8, max_bytes: u64, diag: *optimizer.Diagnostic) optimizer.Error![]u8 {
    const file = std.fs.cwd().openFile(path, .{}) catch |err|
        return diag.fail(gpa, error.Io, "cannot open {s}: {s}", .{ path, @errorName(err) });
    defer if (!mutants.on(.@"file-descriptor")) file.close();
    const limit: usize = @intCast(@min(max_bytes, std.math.maxInt(usize)));
    return file.readToEndAlloc(gpa, limit) catch |err| switch (err) {
        error.OutOfMemory => error.OutOfMemory,
        error.FileTooBig => diag.fail(gpa, error.InputTooLarge, "{s} is larger than {d} bytes", .{ path, limit }),
        else => diag.fail(gpa, error.Io, "cannot read {s}: {s}", .{ path, @errorName(err) }),
    };
}

pub fn formatName(format: u32) [:0]const u8 {
    const f = std.meta.intToEnum(formats.Format, format) catch return "unknown";
    return f.name();
}
