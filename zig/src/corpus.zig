//! Deterministic test images (seeded), made with libvips: photo-like, flat graphics, alpha, tiny,
//! large, and malformed inputs for the error paths. No downloads.
const std = @import("std");
const vips = @import("vips.zig");
const c = vips.c;

pub const Kind = enum { photo, flat, alpha, tiny, large };
pub const FileFormat = enum { jpeg, png, webp, gif, tiff };

pub const Error = error{ OutOfMemory, EncodeFailed };

pub fn extension(format: FileFormat) []const u8 {
    return switch (format) {
        .jpeg => "jpg",
        .png => "png",
        .webp => "webp",
        .gif => "gif",
        .tiff => "tif",
    };
}

/// Renders `kind` at width×height (RGB, or RGBA for `.alpha`) into memory owned by `gpa`.
pub fn render(gpa: std.mem.Allocator, kind: Kind, width: u32, height: u32, seed: u64) Error![]u8 {
    const bands: usize = if (kind == .alpha) 4 else 3;
    const pixels = try gpa.alloc(u8, @as(usize, width) * height * bands);
    var prng = std.Random.DefaultPrng.init(seed *% 0x9E3779B97F4A7C15 +% @intFromEnum(kind));
    const random = prng.random();
    switch (kind) {
        .flat => renderFlat(pixels, width, height, random),
        else => renderPhoto(pixels, width, height, bands, random),
    }
    return pixels;
}

/// Gradients + soft shapes + per-pixel noise: compresses like a photograph, not like a graphic.
fn renderPhoto(pixels: []u8, width: u32, height: u32, bands: usize, random: std.Random) void {
    const Circle = struct { x: f32, y: f32, r: f32, rgb: [3]f32 };
    var circles: [12]Circle = undefined;
    const w: f32 = @floatFromInt(width);
    const h: f32 = @floatFromInt(height);
    for (&circles) |*cc| cc.* = .{
        .x = random.float(f32) * w,
        .y = random.float(f32) * h,
        .r = (0.05 + random.float(f32) * 0.25) * @max(w, h),
        .rgb = .{ random.float(f32) * 255, random.float(f32) * 255, random.float(f32) * 255 },
    };
    const phase = random.float(f32) * 6.28;
    const noise = 6 + random.float(f32) * 14;
    for (0..height) |y| {
        for (0..width) |x| {
            const fx: f32 = @floatFromInt(x);
            const fy: f32 = @floatFromInt(y);
            var rgb = [3]f32{ 255 * fx / w, 255 * fy / h, 128 + 100 * @sin(fx / 37 + fy / 53 + phase) };
            for (circles) |cc| {
                const d = @sqrt((fx - cc.x) * (fx - cc.x) + (fy - cc.y) * (fy - cc.y));
                if (d < cc.r) {
                    const t = 1 - d / cc.r;
                    for (&rgb, cc.rgb) |*v, target| v.* = v.* * (1 - t * 0.7) + target * t * 0.7;
                }
            }
            const at = (y * width + x) * bands;
            for (0..3) |k| {
                const n = (random.float(f32) - 0.5) * 2 * noise;
                pixels[at + k] = @intFromFloat(std.math.clamp(rgb[k] + n, 0, 255));
            }
            if (bands == 4) {
                const dx = fx / w - 0.5;
                const dy = fy / h - 0.5;
                pixels[at + 3] = @intFromFloat(std.math.clamp(255 - 400 * (dx * dx + dy * dy), 0, 255));
            }
        }
    }
}

/// A few solid rectangles on a background: what palette PNG and GIF are for.
fn renderFlat(pixels: []u8, width: u32, height: u32, random: std.Random) void {
    var palette: [6][3]u8 = undefined;
    for (&palette) |*p| p.* = .{ random.int(u8), random.int(u8), random.int(u8) };
    const Rect = struct { x0: u32, y0: u32, x1: u32, y1: u32, colour: usize };
    var rects: [10]Rect = undefined;
    for (&rects) |*r| {
        const x0 = random.uintLessThan(u32, width);
        const y0 = random.uintLessThan(u32, height);
        r.* = .{ .x0 = x0, .y0 = y0, .x1 = x0 + random.uintAtMost(u32, width - x0), .y1 = y0 + random.uintAtMost(u32, height - y0), .colour = 1 + random.uintLessThan(usize, 5) };
    }
    for (0..height) |y| {
        for (0..width) |x| {
            var colour: usize = 0;
            for (rects) |r| {
                if (x >= r.x0 and x < r.x1 and y >= r.y0 and y < r.y1) colour = r.colour;
            }
            const at = (y * width + x) * 3;
            @memcpy(pixels[at .. at + 3], &palette[colour]);
        }
    }
}

/// Encodes rendered pixels; the returned bytes belong to `gpa`.
pub fn encode(gpa: std.mem.Allocator, pixels: []const u8, width: u32, height: u32, bands: u32, format: FileFormat) Error![]u8 {
    const image: vips.Image = c.vips_image_new_from_memory(pixels.ptr, pixels.len, @intCast(width), @intCast(height), @intCast(bands), c.VIPS_FORMAT_UCHAR) orelse return error.EncodeFailed;
    defer vips.unref(image);
    var ptr: ?*anyopaque = null;
    var len: usize = 0;
    const status = switch (format) {
        .jpeg => c.vips_jpegsave_buffer(image, &ptr, &len, "Q", @as(c_int, 92), vips.end),
        .png => c.vips_pngsave_buffer(image, &ptr, &len, "compression", @as(c_int, 6), vips.end),
        .webp => c.vips_webpsave_buffer(image, &ptr, &len, "Q", @as(c_int, 90), vips.end),
        .gif => c.vips_gifsave_buffer(image, &ptr, &len, vips.end),
        .tiff => c.vips_tiffsave_buffer(image, &ptr, &len, vips.end),
    };
    if (status != 0 or ptr == null) {
        vips.clearError();
        return error.EncodeFailed;
    }
    const encoded: vips.Encoded = .{ .ptr = ptr.?, .len = len };
    defer encoded.free();
    return gpa.dupe(u8, encoded.bytes());
}

/// Renders and encodes one image.
pub fn make(gpa: std.mem.Allocator, kind: Kind, format: FileFormat, width: u32, height: u32, seed: u64) Error![]u8 {
    const pixels = try render(gpa, kind, width, height, seed);
    defer gpa.free(pixels);
    const bands: u32 = if (kind == .alpha) 4 else 3;
    return encode(gpa, pixels, width, height, bands, format);
}

pub const Sized = struct { bytes: []u8, width: u32, height: u32 };

/// Default dimensions of a kind, before growing to a byte target.
pub fn baseSize(kind: Kind, random: std.Random) [2]u32 {
    return switch (kind) {
        .tiny => .{ 1 + random.uintLessThan(u32, 16), 1 + random.uintLessThan(u32, 16) },
        .large => .{ 2000 + random.uintLessThan(u32, 200), 2000 + random.uintLessThan(u32, 200) },
        else => .{ 160 + random.uintLessThan(u32, 480), 120 + random.uintLessThan(u32, 360) },
    };
}

/// Makes an image at least `min_bytes` long by growing its dimensions (bounded: at most 12 tries).
pub fn makeAtLeast(gpa: std.mem.Allocator, kind: Kind, format: FileFormat, start: [2]u32, min_bytes: usize, seed: u64) Error!Sized {
    var w = start[0];
    var h = start[1];
    var tries: u32 = 0;
    while (true) : (tries += 1) {
        const bytes = try make(gpa, kind, format, w, h, seed);
        if (bytes.len >= min_bytes or tries == 12) return .{ .bytes = bytes, .width = w, .height = h };
        const grow = @sqrt(@as(f64, @floatFromInt(min_bytes)) / @as(f64, @floatFromInt(@max(1, bytes.len)))) * 1.05;
        gpa.free(bytes);
        w = @intFromFloat(@min(8000, @as(f64, @floatFromInt(w)) * @max(1.1, grow)));
        h = @intFromFloat(@min(8000, @as(f64, @floatFromInt(h)) * @max(1.1, grow)));
    }
}

pub const Malformed = struct { name: []const u8, expect: []const u8, bytes: []u8 };

/// Inputs for every error path: empty, garbage, truncated, corrupt header, decompression bomb.
pub fn malformed(gpa: std.mem.Allocator, seed: u64) Error![6]Malformed {
    var prng = std.Random.DefaultPrng.init(seed);
    const garbage = try gpa.alloc(u8, 4096);
    errdefer gpa.free(garbage);
    prng.random().bytes(garbage);
    garbage[0] = 0; // never a magic number by chance

    const jpeg = try make(gpa, .photo, .jpeg, 256, 192, seed);
    errdefer gpa.free(jpeg);
    const truncated_jpeg = try gpa.realloc(jpeg, jpeg.len / 2);

    const png = try make(gpa, .photo, .png, 256, 192, seed +% 1);
    defer gpa.free(png);
    const truncated_png = try gpa.dupe(u8, png[0 .. png.len / 2]);
    errdefer gpa.free(truncated_png);
    const corrupt_png = try gpa.dupe(u8, png);
    errdefer gpa.free(corrupt_png);
    // IHDR data (width, height, depth, colour type) overwritten; its CRC no longer matches.
    @memset(corrupt_png[16..29], 0xEE);

    return .{
        .{ .name = "empty.bin", .expect = "EMPTY_INPUT", .bytes = try gpa.alloc(u8, 0) },
        .{ .name = "garbage.bin", .expect = "UNSUPPORTED_FORMAT", .bytes = garbage },
        .{ .name = "truncated.jpg", .expect = "DECODE", .bytes = truncated_jpeg },
        .{ .name = "truncated.png", .expect = "DECODE", .bytes = truncated_png },
        .{ .name = "corrupt-header.png", .expect = "DECODE", .bytes = corrupt_png },
        .{ .name = "bomb.png", .expect = "TOO_MANY_PIXELS", .bytes = try pngBomb(gpa, 60_000, 60_000) },
    };
}

/// A valid PNG header that claims width×height pixels (3.6 gigapixels by default) over a tiny body.
pub fn pngBomb(gpa: std.mem.Allocator, width: u32, height: u32) Error![]u8 {
    var out: std.ArrayList(u8) = .empty;
    errdefer out.deinit(gpa);
    try out.appendSlice(gpa, "\x89PNG\r\n\x1a\n");
    var ihdr: [13]u8 = undefined;
    std.mem.writeInt(u32, ihdr[0..4], width, .big);
    std.mem.writeInt(u32, ihdr[4..8], height, .big);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 0; // greyscale
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = 0;
    try appendChunk(gpa, &out, "IHDR", &ihdr);
    // A zlib stream of a few zero rows: decoding it would need the full (huge) image.
    try appendChunk(gpa, &out, "IDAT", &[_]u8{ 0x78, 0x9c, 0x63, 0x60, 0x18, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 });
    try appendChunk(gpa, &out, "IEND", &.{});
    return out.toOwnedSlice(gpa);
}

fn appendChunk(gpa: std.mem.Allocator, out: *std.ArrayList(u8), kind: *const [4]u8, data: []const u8) Error!void {
    var len: [4]u8 = undefined;
    std.mem.writeInt(u32, &len, @intCast(data.len), .big);
    try out.appendSlice(gpa, &len);
    try out.appendSlice(gpa, kind);
    try out.appendSlice(gpa, data);
    var crc = std.hash.Crc32.init();
    crc.update(kind);
    crc.update(data);
    var crc_bytes: [4]u8 = undefined;
    std.mem.writeInt(u32, &crc_bytes, crc.final(), .big);
    try out.appendSlice(gpa, &crc_bytes);
}
