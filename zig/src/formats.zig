//! Output formats: their bits in the C ABI, names, encoder settings ("levels") and libvips savers.
const std = @import("std");
const vips = @import("vips.zig");
const c = vips.c;

pub const Format = enum(u32) {
    jpeg = 1 << 0,
    png = 1 << 1,
    webp = 1 << 2,
    gif = 1 << 3,
    original = 1 << 15,

    pub const encodable = [_]Format{ .jpeg, .png, .webp, .gif };

    pub fn bit(self: Format) u32 {
        return @intFromEnum(self);
    }

    pub fn name(self: Format) [:0]const u8 {
        return @tagName(self);
    }

    /// Encoder settings, ordered so that a higher level means a larger, closer encode.
    pub fn levels(self: Format) Levels {
        return switch (self) {
            // Quality 100 JPEG/WebP is rarely worth its bytes; 95 bounds the search.
            .jpeg, .webp => .{ .min = 5, .max = 95, .default = 80 },
            // 1..100: palette quality (libimagequant); 101: lossless truecolour.
            .png => .{ .min = 1, .max = lossless_png, .default = lossless_png },
            // Colour bit depth of the palette.
            .gif => .{ .min = 1, .max = 8, .default = 8 },
            .original => .{ .min = 0, .max = 0, .default = 0 },
        };
    }

    fn saverName(self: Format) [*:0]const u8 {
        return switch (self) {
            .jpeg => "jpegsave_buffer",
            .png => "pngsave_buffer",
            .webp => "webpsave_buffer",
            .gif => "gifsave_buffer",
            .original => "",
        };
    }
};

pub const lossless_png: i32 = 101;

pub const Levels = struct { min: i32, max: i32, default: i32 };

pub const all_bits: u32 = blk: {
    var bits: u32 = 0;
    for (Format.encodable) |f| bits |= f.bit();
    break :blk bits;
};

/// The quality figure reported to callers: -1 for lossless PNG, the level otherwise.
pub fn reportedQuality(format: Format, level: i32) i32 {
    return if (format == .png and level == lossless_png) -1 else level;
}

/// Bits of the formats the linked libvips can save to a buffer.
pub fn probeSupported() u32 {
    var bits: u32 = 0;
    for (Format.encodable) |f| {
        if (vips.hasOperation(f.saverName())) bits |= f.bit();
    }
    return bits;
}

pub fn fromName(text: []const u8) ?Format {
    inline for (Format.encodable) |f| {
        if (std.ascii.eqlIgnoreCase(text, f.name())) return f;
    }
    if (std.ascii.eqlIgnoreCase(text, "jpg")) return .jpeg;
    return null;
}

/// Maps a libvips loader ("VipsForeignLoadJpegBuffer", or a nickname like "jpegload_buffer") to the
/// format of the original bytes.
pub fn fromLoader(loader: []const u8) Format {
    const prefix = "VipsForeignLoad";
    const rest = if (std.mem.startsWith(u8, loader, prefix)) loader[prefix.len..] else loader;
    inline for (Format.encodable) |f| {
        if (rest.len >= f.name().len and std.ascii.eqlIgnoreCase(rest[0..f.name().len], f.name())) return f;
    }
    return .original;
}

pub const EncodeError = error{EncodeFailed};

/// libimagequant effort for palette PNG and GIF: the default (7) costs about 4x the time of 3, and 3
/// about 1.7x the time of 1, for sizes within 0.2% (3.7 MP photo: 2,932,605 vs 2,938,513 bytes).
const palette_effort: c_int = 1;
/// WebP encoder effort (libvips default 4): 2 takes 55% of the time; on grainy photos its files were
/// no larger (3.7 MP at Q80: 916,056 bytes against 942,588).
const webp_effort: c_int = 2;

/// Encodes `image` (8-bit sRGB or B_W, with or without alpha) at `level`. The caller frees the result.
pub fn encode(image: vips.Image, format: Format, level: i32, strip: bool) EncodeError!vips.Encoded {
    var ptr: ?*anyopaque = null;
    var len: usize = 0;
    const s: c_int = @intFromBool(strip);
    const status = switch (format) {
        .jpeg => c.vips_jpegsave_buffer(image, &ptr, &len, "Q", @as(c_int, level), "strip", s, "optimize_coding", @as(c_int, 1), vips.end),
        .webp => c.vips_webpsave_buffer(image, &ptr, &len, "Q", @as(c_int, level), "effort", webp_effort, "strip", s, vips.end),
        .png => if (level == lossless_png)
            c.vips_pngsave_buffer(image, &ptr, &len, "compression", @as(c_int, 6), "strip", s, vips.end)
        else
            c.vips_pngsave_buffer(image, &ptr, &len, "palette", @as(c_int, 1), "Q", @as(c_int, level), "effort", palette_effort, "strip", s, vips.end),
        .gif => c.vips_gifsave_buffer(image, &ptr, &len, "bitdepth", @as(c_int, level), "effort", palette_effort, "strip", s, vips.end),
        .original => -1,
    };
    if (status != 0 or ptr == null) {
        if (ptr) |p| c.g_free(p);
        return error.EncodeFailed;
    }
    return .{ .ptr = ptr.?, .len = len };
}

test "names round-trip and unknown names are rejected" {
    for (Format.encodable) |f| try std.testing.expectEqual(f, fromName(f.name()).?);
    try std.testing.expectEqual(Format.jpeg, fromName("JPG").?);
    try std.testing.expectEqual(@as(?Format, null), fromName("bmp"));
    try std.testing.expectEqual(Format.original, fromLoader("tiffload_buffer"));
    try std.testing.expectEqual(Format.png, fromLoader("pngload_buffer"));
    try std.testing.expectEqual(Format.jpeg, fromLoader("VipsForeignLoadJpegBuffer"));
    try std.testing.expectEqual(Format.original, fromLoader("VipsForeignLoadTiffBuffer"));
}
