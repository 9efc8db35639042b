//! The exported C ABI (zig/include/pyjamaz.h): every entry point binds `api.zig` to the library's
//! counting allocator. No input reaches a panic: failures are status codes.
const std = @import("std");
const api = @import("api.zig");
const runtime = @import("runtime.zig");

pub const version = "1.0.0";
pub const abi_version: c_int = 1;

fn gpa() std.mem.Allocator {
    return runtime.counting_allocator.allocator();
}

export fn pyjamaz_version() [*:0]const u8 {
    return version;
}

export fn pyjamaz_abi_version() c_int {
    return abi_version;
}

export fn pyjamaz_init() api.Status {
    runtime.init() catch return .internal;
    return .ok;
}

export fn pyjamaz_shutdown() api.Status {
    runtime.shutdown();
    return .ok;
}

export fn pyjamaz_is_initialized() c_int {
    return @intFromBool(runtime.isInitialized());
}

export fn pyjamaz_status_message(status: c_int) [*:0]const u8 {
    return api.Status.message(status);
}

export fn pyjamaz_supported_formats() u32 {
    return runtime.supportedFormats();
}

export fn pyjamaz_format_name(format: u32) [*:0]const u8 {
    return api.formatName(format);
}

export fn pyjamaz_options_init(options: ?*api.COptions) void {
    if (options) |o| o.* = api.COptions.defaults();
}

export fn pyjamaz_optimize(input: ?[*]const u8, input_len: usize, options: ?*const api.COptions, out: ?*?*api.CResult) api.Status {
    return api.optimize(gpa(), input, input_len, options, out);
}

export fn pyjamaz_optimize_file(path: ?[*:0]const u8, options: ?*const api.COptions, out: ?*?*api.CResult) api.Status {
    return api.optimizeFile(gpa(), path, options, out);
}

export fn pyjamaz_result_free(result: ?*api.CResult) void {
    api.resultFree(gpa(), result);
}

export fn pyjamaz_memory_stats_get(stats: ?*runtime.MemoryStats) void {
    if (stats) |s| s.* = runtime.memoryStats();
}

comptime {
    // The header's layouts, checked where the structs are defined.
    std.debug.assert(@sizeOf(api.COptions) == 56);
    std.debug.assert(@sizeOf(api.CResult) == 72);
    std.debug.assert(@offsetOf(api.CResult, "message") == 64);
    std.debug.assert(@sizeOf(runtime.MemoryStats) == 72);
}
