//! Thin Zig layer over the libvips C API: one place for the C import, reference handling and
//! error-buffer capture, so the rest of the library reads as Zig.
const std = @import("std");

pub const c = @cImport({
    @cInclude("vips/vips.h");
});

pub const Image = *c.VipsImage;
/// Terminates the varargs option lists of libvips calls.
pub const end: ?*anyopaque = null;

pub fn unref(image: Image) void {
    c.g_object_unref(image);
}

/// Copies libvips' (process-wide) error text into `buf` and clears it.
pub fn takeError(buf: []u8) []const u8 {
    const text = std.mem.span(c.vips_error_buffer());
    const n = @min(text.len, buf.len);
    @memcpy(buf[0..n], text[0..n]);
    c.vips_error_clear();
    const trimmed = std.mem.trimRight(u8, buf[0..n], "\n ");
    return if (trimmed.len == 0) "libvips gave no detail" else trimmed;
}

pub fn clearError() void {
    c.vips_error_clear();
}

pub fn width(image: Image) u32 {
    return @intCast(@max(0, c.vips_image_get_width(image)));
}

pub fn height(image: Image) u32 {
    return @intCast(@max(0, c.vips_image_get_height(image)));
}

pub fn bands(image: Image) u32 {
    return @intCast(@max(0, c.vips_image_get_bands(image)));
}

pub fn hasAlpha(image: Image) bool {
    return c.vips_image_hasalpha(image) != 0;
}

/// Pixels of an image that lives in memory (after `copyMemory`), owned by the image.
pub fn pixels(image: Image) []const u8 {
    const ptr: [*]const u8 = @ptrCast(c.vips_image_get_data(image) orelse return &.{});
    const len = @as(usize, width(image)) * height(image) * bands(image);
    return ptr[0..len];
}

/// Number of live VipsObject instances in the process (images, operations, ...).
pub fn liveObjects() u64 {
    var n: u64 = 0;
    _ = c.vips_object_map(countObject, &n, null);
    return n;
}

fn countObject(_: ?*anyopaque, counter: ?*anyopaque, _: ?*anyopaque) callconv(.c) ?*anyopaque {
    const n: *u64 = @ptrCast(@alignCast(counter.?));
    n.* += 1;
    return null;
}

/// Whether the linked libvips has an operation with this nickname (e.g. "gifsave_buffer").
pub fn hasOperation(nickname: [*:0]const u8) bool {
    return c.vips_type_find("VipsOperation", nickname) != 0;
}

/// An encoded buffer returned by a libvips saver (g_malloc'd).
pub const Encoded = struct {
    ptr: *anyopaque,
    len: usize,

    pub fn bytes(self: Encoded) []const u8 {
        const p: [*]const u8 = @ptrCast(self.ptr);
        return p[0..self.len];
    }

    pub fn free(self: Encoded) void {
        c.g_free(self.ptr);
    }
};
