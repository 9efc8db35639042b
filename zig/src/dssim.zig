//! Structural dissimilarity (DSSIM = (1 - mean SSIM) / 2) between two 8-bit planes of equal size.
//! 8x8 windows on a 4-pixel stride; planes smaller than a window are compared as one window.
const std = @import("std");

pub const Plane = struct {
    width: u32,
    height: u32,
    /// Row-major, one byte per pixel.
    pixels: []const u8,
};

const window = 8;
const stride = 4;
const c1 = (0.01 * 255.0) * (0.01 * 255.0);
const c2 = (0.03 * 255.0) * (0.03 * 255.0);

pub const Error = error{SizeMismatch};

pub fn dssim(a: Plane, b: Plane) Error!f64 {
    if (a.width != b.width or a.height != b.height) return error.SizeMismatch;
    if (a.pixels.len < @as(usize, a.width) * a.height or b.pixels.len < @as(usize, b.width) * b.height)
        return error.SizeMismatch;
    if (a.width == 0 or a.height == 0) return 0;
    const win_w = @min(window, a.width);
    const win_h = @min(window, a.height);
    var total: f64 = 0;
    var count: u64 = 0;
    var y: u32 = 0;
    while (y + win_h <= a.height) : (y += stride) {
        var x: u32 = 0;
        while (x + win_w <= a.width) : (x += stride) {
            total += windowSsim(a, b, x, y, win_w, win_h);
            count += 1;
        }
    }
    const mean_ssim = total / @as(f64, @floatFromInt(count));
    return @max(0.0, (1.0 - mean_ssim) / 2.0);
}

fn windowSsim(a: Plane, b: Plane, x0: u32, y0: u32, w: u32, h: u32) f64 {
    // Integer sums: a window holds at most 64 pixels, so 64 * 255^2 fits a u32 many times over; exact,
    // and several times faster than accumulating in floating point.
    var sum_a: u32 = 0;
    var sum_b: u32 = 0;
    var sum_aa: u32 = 0;
    var sum_bb: u32 = 0;
    var sum_ab: u32 = 0;
    var y = y0;
    while (y < y0 + h) : (y += 1) {
        const row = @as(usize, y) * a.width;
        const pa = a.pixels[row + x0 .. row + x0 + w];
        const pb = b.pixels[row + x0 .. row + x0 + w];
        for (pa, pb) |va, vb| {
            const ia: u32 = va;
            const ib: u32 = vb;
            sum_a += ia;
            sum_b += ib;
            sum_aa += ia * ia;
            sum_bb += ib * ib;
            sum_ab += ia * ib;
        }
    }
    const n: f64 = @floatFromInt(w * h);
    const mean_a = @as(f64, @floatFromInt(sum_a)) / n;
    const mean_b = @as(f64, @floatFromInt(sum_b)) / n;
    const var_a = @as(f64, @floatFromInt(sum_aa)) / n - mean_a * mean_a;
    const var_b = @as(f64, @floatFromInt(sum_bb)) / n - mean_b * mean_b;
    const cov = @as(f64, @floatFromInt(sum_ab)) / n - mean_a * mean_b;
    return ((2 * mean_a * mean_b + c1) * (2 * cov + c2)) /
        ((mean_a * mean_a + mean_b * mean_b + c1) * (var_a + var_b + c2));
}

test "identical planes have zero distance" {
    var pixels: [32 * 16]u8 = undefined;
    for (&pixels, 0..) |*p, i| p.* = @truncate(i * 7);
    const plane: Plane = .{ .width = 32, .height = 16, .pixels = &pixels };
    try std.testing.expectApproxEqAbs(@as(f64, 0), try dssim(plane, plane), 1e-12);
}

test "distance grows with distortion" {
    var base: [64 * 64]u8 = undefined;
    var light: [64 * 64]u8 = undefined;
    var heavy: [64 * 64]u8 = undefined;
    var prng = std.Random.DefaultPrng.init(1);
    for (&base, &light, &heavy) |*b, *l, *h| {
        b.* = prng.random().int(u8);
        l.* = b.* +| 4;
        h.* = prng.random().int(u8);
    }
    const p = Plane{ .width = 64, .height = 64, .pixels = &base };
    const small = try dssim(p, .{ .width = 64, .height = 64, .pixels = &light });
    const large = try dssim(p, .{ .width = 64, .height = 64, .pixels = &heavy });
    try std.testing.expect(small > 0);
    try std.testing.expect(large > small * 10);
}

test "mismatched sizes are an error, tiny planes are one window" {
    const one = [_]u8{ 10, 20, 30 };
    const other = [_]u8{ 10, 20, 31 };
    try std.testing.expectError(error.SizeMismatch, dssim(
        .{ .width = 3, .height = 1, .pixels = &one },
        .{ .width = 1, .height = 3, .pixels = &other },
    ));
    const d = try dssim(.{ .width = 3, .height = 1, .pixels = &one }, .{ .width = 3, .height = 1, .pixels = &other });
    try std.testing.expect(d >= 0 and d < 0.01);
}
