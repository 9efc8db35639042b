//! The pressure corpus: image `index` of seed `seed` is one deterministic, distinct input of >= 1 MB
//! (1 to 6 MP, JPEG, PNG or WebP; photo-like or graphic; PNG and WebP sometimes with alpha), made on
//! demand so that 10,000 of them need no disk. Rendering is a few integer operations per pixel and the
//! encoders run at their fast settings: the generator must cost far less than the optimize call it feeds.
const std = @import("std");
const vips = @import("vips.zig");
const c = vips.c;

pub const min_bytes: usize = 1 << 20;
pub const min_pixels: u64 = 1_000_000;
pub const max_pixels: u64 = 6_000_000;
/// Retries grow the image, so its largest possible size is bounded too (the producer's buffer).
pub const max_retry_pixels: u64 = 8_000_000;
const max_attempts = 4;

pub const Content = enum { photo, graphic };
pub const Format = enum { jpeg, png, webp };

pub const Spec = struct {
    index: u64,
    content: Content,
    format: Format,
    alpha: bool,
    width: u32,
    height: u32,
    /// JPEG/WebP quality; unused for PNG.
    quality: u8,
    /// Grain amplitude (0..64) added to every channel.
    grain: u8,
    /// Seed of the pixels (shapes, colours, grain).
    pixel_seed: u64,

    pub fn bands(self: Spec) u32 {
        return if (self.alpha) 4 else 3;
    }

    pub fn pixelCount(self: Spec) u64 {
        return @as(u64, self.width) * self.height;
    }
};

pub const Image = struct {
    spec: Spec,
    render_ns: u64,
    encode_ns: u64,
    /// Encoded bytes, g_malloc'd by libvips.
    encoded: vips.Encoded,
    attempts: u32,

    pub fn bytes(self: Image) []const u8 {
        return self.encoded.bytes();
    }

    pub fn deinit(self: Image) void {
        self.encoded.free();
    }
};

pub const Error = error{ OutOfMemory, EncodeFailed, TooSmall, TimerUnsupported };

/// The parameters of image `index`: a pure function of (seed, index).
pub fn spec(seed: u64, index: u64) Spec {
    var prng = std.Random.DefaultPrng.init(std.hash.Wyhash.hash(seed, std.mem.asBytes(&index)));
    const r = prng.random();
    const format: Format = switch (r.uintLessThan(u8, 10)) {
        0...3 => .jpeg,
        4...6 => .png,
        else => .webp,
    };
    const content: Content = if (r.uintLessThan(u8, 100) < 65) .photo else .graphic;
    const alpha = format != .jpeg and r.uintLessThan(u8, 100) < 30;
    // Megapixels uniform in [1, 6], aspect ratio log-uniform in [1/2, 2].
    const pixels = @as(f64, @floatFromInt(min_pixels)) + r.float(f64) * @as(f64, @floatFromInt(max_pixels - min_pixels));
    const aspect = std.math.pow(f64, 2, r.float(f64) * 2 - 1);
    const width: u32 = @intFromFloat(@round(@sqrt(pixels * aspect)));
    const height: u32 = @intFromFloat(@round(@sqrt(pixels / aspect)));
    const megapixels = pixels / 1e6;
    return .{
        .index = index,
        .content = content,
        .format = format,
        .alpha = alpha,
        .width = width,
        .height = @max(height, @as(u32, @intFromFloat(@ceil(@as(f64, @floatFromInt(min_pixels)) / @as(f64, @floatFromInt(width)))))),
        .quality = initialQuality(format, megapixels, r),
        .grain = initialGrain(format, content, megapixels, r),
        .pixel_seed = r.int(u64),
    };
}

/// WebP's lossy coder smooths grain away: small WebP images need a quality near the top to reach 1 MB.
fn initialQuality(format: Format, megapixels: f64, r: std.Random) u8 {
    const q: u8 = 86 + r.uintLessThan(u8, 10);
    return if (format == .webp and megapixels < 2.5) @min(100, q + 6) else q;
}

/// Grain sized so that the first encode usually reaches 1 MB: a small image needs more bits a pixel.
/// (Measured with `pyjamaz-corpus --pressure`: the retry rate it reports.)
fn initialGrain(format: Format, content: Content, megapixels: f64, r: std.Random) u8 {
    const base: f64 = switch (format) {
        .jpeg => 44,
        .webp => 36,
        .png => 2.5,
    };
    // Flat colour needs more grain than a gradient to carry the same bits (PNG: far more).
    const content_factor: f64 = if (content == .photo) 1.0 else if (format == .png) 3.0 else 1.4;
    const size_factor = std.math.clamp(2.2 / megapixels, 0.75, 2.2);
    const jitter = 0.9 + r.float(f64) * 0.3;
    const floor: f64 = if (format == .png) 1 else 3;
    return @intFromFloat(std.math.clamp(base * content_factor * size_factor * jitter, floor, 64));
}

/// Renders and encodes image `index` into at least `min_bytes`, re-rendering with more grain (and, last,
/// more pixels) at most `max_attempts` times. `pixels` is the caller's buffer of
/// `max_retry_pixels * 4` bytes, reused from call to call.
pub fn make(seed: u64, index: u64, pixels: []u8) Error!Image {
    var s = spec(seed, index);
    var attempt: u32 = 1;
    var render_ns: u64 = 0;
    var encode_ns: u64 = 0;
    while (true) : (attempt += 1) {
        const buf = pixels[0 .. s.pixelCount() * s.bands()];
        var timer = try std.time.Timer.start();
        render(s, buf);
        render_ns += timer.lap();
        const encoded = try encode(s, buf);
        encode_ns += timer.read();
        if (encoded.len >= min_bytes) return .{ .spec = s, .encoded = encoded, .attempts = attempt, .render_ns = render_ns, .encode_ns = encode_ns };
        encoded.free();
        if (attempt == max_attempts) return error.TooSmall;
        s = richer(s, encoded.len, attempt);
    }
}

/// More grain and quality; from the third attempt also more pixels (within `max_retry_pixels`).
fn richer(s: Spec, got: usize, attempt: u32) Spec {
    var next = s;
    const ratio = @as(f64, @floatFromInt(min_bytes)) / @as(f64, @floatFromInt(@max(got, 1)));
    next.grain = @intFromFloat(@min(64, @as(f64, @floatFromInt(s.grain)) * @max(1.3, @sqrt(ratio)) + 2));
    next.quality = @min(100, s.quality + 4);
    if (attempt >= 2) {
        const grow = @min(@sqrt(@max(1.2, ratio)), @sqrt(@as(f64, @floatFromInt(max_retry_pixels)) / @as(f64, @floatFromInt(s.pixelCount()))));
        next.width = @intFromFloat(@as(f64, @floatFromInt(s.width)) * grow);
        next.height = @intFromFloat(@as(f64, @floatFromInt(s.height)) * grow);
    }
    return next;
}

/// Fast generator-side encoders (the inputs, not the product): no optimised Huffman tables, zlib level 1,
/// WebP effort 0.
fn encode(s: Spec, buf: []const u8) Error!vips.Encoded {
    const image: vips.Image = c.vips_image_new_from_memory(buf.ptr, buf.len, @intCast(s.width), @intCast(s.height), @intCast(s.bands()), c.VIPS_FORMAT_UCHAR) orelse return error.EncodeFailed;
    defer vips.unref(image);
    var ptr: ?*anyopaque = null;
    var len: usize = 0;
    const q: c_int = s.quality;
    const status = switch (s.format) {
        .jpeg => c.vips_jpegsave_buffer(image, &ptr, &len, "Q", q, vips.end),
        .png => c.vips_pngsave_buffer(image, &ptr, &len, "compression", @as(c_int, 1), vips.end),
        .webp => c.vips_webpsave_buffer(image, &ptr, &len, "Q", q, "effort", @as(c_int, 0), vips.end),
    };
    if (status != 0 or ptr == null) {
        if (ptr) |p| c.g_free(p);
        vips.clearError();
        return error.EncodeFailed;
    }
    return .{ .ptr = ptr.?, .len = len };
}

/// A small, fast PRNG for per-pixel grain (wyrand: one multiply per 8 bytes of grain).
const Grain = struct {
    state: u64,
    bits: u64 = 0,
    left: u4 = 0,

    fn byte(self: *Grain) u8 {
        if (self.left == 0) {
            self.state +%= 0xa0761d6478bd642f;
            const m = @as(u128, self.state) * (self.state ^ 0xe7037ed1a0b428db);
            self.bits = @truncate(m ^ (m >> 64));
            self.left = 8;
        }
        const b: u8 = @truncate(self.bits);
        self.bits >>= 8;
        self.left -= 1;
        return b;
    }

    /// Roughly Gaussian (triangular) noise in [-amplitude, amplitude].
    fn noise(self: *Grain, amplitude: i32) i32 {
        const sum = @as(i32, self.byte()) + self.byte() - 255;
        return @divTrunc(sum * amplitude, 255);
    }
};

const Rgb = [3]i32;

/// Fills `buf` (width*height*bands bytes) with the image of `s`.
pub fn render(s: Spec, buf: []u8) void {
    var prng = std.Random.DefaultPrng.init(s.pixel_seed);
    const r = prng.random();
    switch (s.content) {
        .photo => renderPhoto(s, buf, r),
        .graphic => renderGraphic(s, buf, r),
    }
    addGrain(s, buf, r.int(u64));
    if (s.alpha) renderAlpha(s, buf, r);
}

fn randomColour(r: std.Random) Rgb {
    return .{ r.int(u8), r.int(u8), r.int(u8) };
}

fn put(buf: []u8, at: usize, rgb: Rgb) void {
    for (0..3) |k| buf[at + k] = @intCast(std.math.clamp(rgb[k], 0, 255));
}

/// A gradient between four corner colours, then soft-edged ellipses blended in (blurred shapes).
fn renderPhoto(s: Spec, buf: []u8, r: std.Random) void {
    const corners = [4]Rgb{ randomColour(r), randomColour(r), randomColour(r), randomColour(r) };
    const n: usize = s.bands();
    const w: i64 = s.width;
    const h: i64 = s.height;
    for (0..s.height) |y| {
        const fy: i64 = @intCast(y);
        // 16.16 fixed point: the colour at the row's left edge and its step per pixel.
        var value: [3]i64 = undefined;
        var step: [3]i64 = undefined;
        for (0..3) |k| {
            const left = @divTrunc((corners[0][k] * (h - fy) + corners[2][k] * fy) << 16, h);
            const right = @divTrunc((corners[1][k] * (h - fy) + corners[3][k] * fy) << 16, h);
            value[k] = left;
            step[k] = @divTrunc(right - left, w);
        }
        const row = y * s.width * n;
        for (0..s.width) |x| {
            const at = row + x * n;
            for (0..3) |k| {
                buf[at + k] = @intCast(std.math.clamp(value[k] >> 16, 0, 255));
                value[k] += step[k];
            }
        }
    }
    const blobs = 8 + r.uintLessThan(u32, 16);
    for (0..blobs) |_| blendEllipse(s, buf, r);
}

fn blendEllipse(s: Spec, buf: []u8, r: std.Random) void {
    const n: usize = s.bands();
    const short: f32 = @floatFromInt(@min(s.width, s.height));
    const cx = r.float(f32) * @as(f32, @floatFromInt(s.width));
    const cy = r.float(f32) * @as(f32, @floatFromInt(s.height));
    const rx = (0.04 + r.float(f32) * 0.22) * short;
    const ry = (0.04 + r.float(f32) * 0.22) * short;
    const opacity = 0.4 + r.float(f32) * 0.6;
    const colour = randomColour(r);
    const x0: usize = @intFromFloat(@max(0, cx - rx));
    const x1: usize = @intFromFloat(@min(@as(f32, @floatFromInt(s.width)), cx + rx));
    const y0: usize = @intFromFloat(@max(0, cy - ry));
    const y1: usize = @intFromFloat(@min(@as(f32, @floatFromInt(s.height)), cy + ry));
    for (y0..y1) |y| {
        const dy = (@as(f32, @floatFromInt(y)) - cy) / ry;
        for (x0..x1) |x| {
            const dx = (@as(f32, @floatFromInt(x)) - cx) / rx;
            const q = dx * dx + dy * dy;
            if (q >= 1) continue;
            // Smooth fall-off to the edge: a blurred disc.
            const t = (1 - q) * (1 - q) * opacity;
            const weight: i32 = @intFromFloat(t * 256);
            const at = (y * s.width + x) * n;
            for (0..3) |k| {
                const old: i32 = buf[at + k];
                buf[at + k] = @intCast(old + @divTrunc((colour[k] - old) * weight, 256));
            }
        }
    }
}

/// Flat rectangles and discs from a small palette, then lines of text-like strokes.
fn renderGraphic(s: Spec, buf: []u8, r: std.Random) void {
    var palette: [6]Rgb = undefined;
    for (&palette) |*p| p.* = randomColour(r);
    fillRect(s, buf, .{ 0, 0, s.width, s.height }, palette[0]);
    const shapes = 6 + r.uintLessThan(u32, 14);
    for (0..shapes) |_| {
        const rect = randomRect(s, r, 0.05, 0.5);
        const colour = palette[1 + r.uintLessThan(usize, palette.len - 1)];
        if (r.boolean()) fillRect(s, buf, rect, colour) else fillDisc(s, buf, rect, colour);
    }
    const blocks = 2 + r.uintLessThan(u32, 5);
    for (0..blocks) |_| textBlock(s, buf, r, palette[r.uintLessThan(usize, palette.len)]);
}

/// x0, y0, x1, y1 (exclusive), clipped to the image.
const Rect = [4]u32;

fn randomRect(s: Spec, r: std.Random, min_frac: f32, max_frac: f32) Rect {
    const w: u32 = @intFromFloat(@as(f32, @floatFromInt(s.width)) * (min_frac + r.float(f32) * (max_frac - min_frac)));
    const h: u32 = @intFromFloat(@as(f32, @floatFromInt(s.height)) * (min_frac + r.float(f32) * (max_frac - min_frac)));
    const x0 = r.uintLessThan(u32, s.width);
    const y0 = r.uintLessThan(u32, s.height);
    return .{ x0, y0, @min(s.width, x0 + w), @min(s.height, y0 + h) };
}

fn fillRect(s: Spec, buf: []u8, rect: Rect, colour: Rgb) void {
    const n: usize = s.bands();
    for (rect[1]..rect[3]) |y| {
        for (rect[0]..rect[2]) |x| put(buf, (y * s.width + x) * n, colour);
    }
}

fn fillDisc(s: Spec, buf: []u8, rect: Rect, colour: Rgb) void {
    const n: usize = s.bands();
    const cx: i64 = (rect[0] + rect[2]) / 2;
    const cy: i64 = (rect[1] + rect[3]) / 2;
    const radius: i64 = @max(1, @min(rect[2] - rect[0], rect[3] - rect[1]) / 2);
    for (rect[1]..rect[3]) |y| {
        const dy = @as(i64, @intCast(y)) - cy;
        for (rect[0]..rect[2]) |x| {
            const dx = @as(i64, @intCast(x)) - cx;
            if (dx * dx + dy * dy <= radius * radius) put(buf, (y * s.width + x) * n, colour);
        }
    }
}

/// Lines of "words": each glyph one to three bars of stroke width 1-3 px, like text at 8-28 px.
fn textBlock(s: Spec, buf: []u8, r: std.Random, colour: Rgb) void {
    const area = randomRect(s, r, 0.2, 0.7);
    const size = 8 + r.uintLessThan(u32, 21);
    const stroke = 1 + size / 10;
    var y = area[1];
    while (y + size <= area[3]) : (y += size + size / 2) {
        var x = area[0];
        while (x + size <= area[2]) {
            const letters = 2 + r.uintLessThan(u32, 8);
            for (0..letters) |_| {
                if (x + size > area[2]) break;
                glyph(s, buf, r, x, y, size, stroke, colour);
                x += size * 3 / 5 + stroke;
            }
            x += size / 2;
        }
    }
}

fn glyph(s: Spec, buf: []u8, r: std.Random, x: u32, y: u32, size: u32, stroke: u32, colour: Rgb) void {
    const width = size * 3 / 5;
    const bars = 1 + r.uintLessThan(u32, 3);
    for (0..bars) |_| {
        const rect: Rect = if (r.boolean())
            .{ x + r.uintLessThan(u32, width), y + r.uintLessThan(u32, size / 3 + 1), 0, y + size }
        else
            .{ x, y + r.uintLessThan(u32, size), x + width, 0 };
        const bar: Rect = if (rect[2] == 0)
            .{ rect[0], rect[1], @min(s.width, rect[0] + stroke), @min(s.height, rect[3]) }
        else
            .{ rect[0], rect[1], @min(s.width, rect[2]), @min(s.height, rect[1] + stroke) };
        fillRect(s, buf, bar, colour);
    }
}

fn addGrain(s: Spec, buf: []u8, seed: u64) void {
    if (s.grain == 0) return;
    var grain: Grain = .{ .state = seed };
    const n: usize = s.bands();
    const amplitude: i32 = s.grain;
    var at: usize = 0;
    while (at < buf.len) : (at += n) {
        for (0..3) |k| {
            const v = @as(i32, buf[at + k]) + grain.noise(amplitude);
            buf[at + k] = @intCast(std.math.clamp(v, 0, 255));
        }
    }
}

/// Photo: a soft vignette falling to transparent at the corners. Graphic: opaque shapes on a transparent
/// ground (a sticker), with a soft edge.
fn renderAlpha(s: Spec, buf: []u8, r: std.Random) void {
    const w: f32 = @floatFromInt(s.width);
    const h: f32 = @floatFromInt(s.height);
    const strength = 300 + r.float(f32) * 500;
    const graphic = s.content == .graphic;
    for (0..s.height) |y| {
        const dy = @as(f32, @floatFromInt(y)) / h - 0.5;
        for (0..s.width) |x| {
            const dx = @as(f32, @floatFromInt(x)) / w - 0.5;
            const d = dx * dx + dy * dy;
            const value = if (graphic)
                (if (d < 0.12) @as(f32, 255) else if (d < 0.14) (0.14 - d) * 255 / 0.02 else 0)
            else
                255 - strength * d;
            buf[(y * s.width + x) * 4 + 3] = @intFromFloat(std.math.clamp(value, 0, 255));
        }
    }
}

test "spec is a pure function of seed and index, within its bounds" {
    for (0..500) |i| {
        const a = spec(7, i);
        const b = spec(7, i);
        try std.testing.expectEqualDeep(a, b);
        try std.testing.expect(a.pixelCount() >= min_pixels and a.pixelCount() <= max_pixels + 10_000);
        try std.testing.expect(!(a.alpha and a.format == .jpeg));
    }
    try std.testing.expect(spec(7, 1).pixel_seed != spec(7, 2).pixel_seed);
    try std.testing.expect(spec(7, 1).pixel_seed != spec(8, 1).pixel_seed);
}
