//! The optimizer core: decode → normalise → (resize) → per-format quality search in parallel →
//! the smallest candidate that meets the limits, the original bytes included. Takes its allocator.
const std = @import("std");
const vips = @import("vips.zig");
const c = vips.c;
const formats = @import("formats.zig");
const dssim = @import("dssim.zig");
const mutants = @import("mutants.zig");
const Format = formats.Format;

pub const default_max_pixels: u64 = 100_000_000;
pub const default_max_input_bytes: u64 = 256 * 1024 * 1024;
pub const max_concurrency: u32 = 16;
/// Largest dimension libvips accepts for a resize target.
const unbounded_dimension: c_int = 10_000_000;

pub const Options = struct {
    formats: u32 = 0,
    max_bytes: u64 = 0,
    max_diff: f64 = 0,
    max_width: u32 = 0,
    max_height: u32 = 0,
    strip: bool = false,
    concurrency: u32 = 0,
    max_pixels: u64 = default_max_pixels,
    max_input_bytes: u64 = default_max_input_bytes,
};

pub const Error = error{
    InvalidArgument,
    EmptyInput,
    InputTooLarge,
    UnsupportedFormat,
    Decode,
    TooManyPixels,
    Encode,
    OutOfMemory,
    NotInitialized,
    Io,
    Internal,
};

/// Carries the message of a failure out of the core; the caller frees it.
pub const Diagnostic = struct {
    message: ?[:0]u8 = null,

    pub fn deinit(self: *Diagnostic, gpa: std.mem.Allocator) void {
        if (self.message) |m| gpa.free(m);
        self.message = null;
    }

    /// Records the first failure's message (best effort under memory pressure) and returns `err`.
    pub fn fail(self: *Diagnostic, gpa: std.mem.Allocator, err: Error, comptime fmt: []const u8, args: anytype) Error {
        if (self.message == null) self.message = std.fmt.allocPrintSentinel(gpa, fmt, args, 0) catch null;
        return err;
    }
};

pub const Output = struct {
    data: []u8,
    format: Format,
    quality: i32,
    diff: f64,
    width: u32,
    height: u32,
    budget_met: bool,
    diff_met: bool,
    candidates: u32,

    pub fn deinit(self: *Output, gpa: std.mem.Allocator) void {
        gpa.free(self.data);
        self.data = &.{};
    }
};

pub fn optimize(gpa: std.mem.Allocator, input: []const u8, options: Options, supported: u32, diag: *Diagnostic) Error!Output {
    try validate(gpa, input, options, diag);
    var prepared = try prepare(gpa, input, options, diag);
    defer prepared.deinit(gpa);

    // The palette forms (palette PNG, GIF) are only worth their quantisation, and lossless PNG its cost,
    // when the image has few colours; asked for by name, they are always tried.
    const palette = options.formats != 0 or fewColours(prepared.image);
    var wanted = try wantedFormats(gpa, options, supported, vips.hasAlpha(prepared.image), diag);
    if (!palette) wanted = continuousToneFormats(wanted, options);
    // Reference planes up front only when the search itself compares distances.
    if (options.max_diff != 0) try prepared.makeReference(gpa, diag);
    var search: Search = .{ .gpa = gpa, .image = prepared.image, .reference = &prepared.reference, .options = options, .palette = palette };
    var list: [formats.Format.encodable.len]Format = undefined;
    var n: usize = 0;
    for (Format.encodable) |f| {
        if (wanted & f.bit() != 0) {
            list[n] = f;
            n += 1;
        }
    }
    var found: [formats.Format.encodable.len]?Candidate = @splat(null);
    defer for (&found) |*slot| if (slot.*) |*cand| cand.deinit(gpa);
    try search.runAll(list[0..n], found[0..n], diag);

    return choose(gpa, input, options, &prepared, found[0..n], search.tries.load(.monotonic), diag);
}

fn validate(gpa: std.mem.Allocator, input: []const u8, options: Options, diag: *Diagnostic) Error!void {
    if (options.formats & ~formats.all_bits != 0)
        return diag.fail(gpa, error.InvalidArgument, "formats 0x{x} has unknown bits (known: jpeg=1, png=2, webp=4, gif=8)", .{options.formats});
    if (!std.math.isFinite(options.max_diff) or options.max_diff < 0 or options.max_diff > 1)
        return diag.fail(gpa, error.InvalidArgument, "max_diff must be a number from 0 to 1 (got {d})", .{options.max_diff});
    if (options.concurrency > max_concurrency)
        return diag.fail(gpa, error.InvalidArgument, "concurrency must be 0..{d} (got {d})", .{ max_concurrency, options.concurrency });
    if (options.max_width > unbounded_dimension or options.max_height > unbounded_dimension)
        return diag.fail(gpa, error.InvalidArgument, "max_width/max_height must be at most {d}", .{unbounded_dimension});
    if (input.len == 0) return diag.fail(gpa, error.EmptyInput, "input is empty (0 bytes)", .{});
    if (input.len > options.max_input_bytes)
        return diag.fail(gpa, error.InputTooLarge, "input is {d} bytes, over the limit of {d} bytes", .{ input.len, options.max_input_bytes });
}

/// The formats worth encoding for an image of many colours (a photo, a scan, grain) when the caller named
/// none: GIF never, and lossless PNG only when a distance limit may need it (it is the one encode with no
/// loss). On the 60 images of a pressure sample, lossless PNG came out 6.6-292x the size of the JPEG or
/// WebP winner, and on the 8 timed it was the dearest of the three saves: without max_diff it never paid.
fn continuousToneFormats(wanted: u32, options: Options) u32 {
    const without_gif = if (wanted & ~Format.gif.bit() != 0) wanted & ~Format.gif.bit() else wanted;
    const lossy = wanted & (Format.jpeg.bit() | Format.webp.bit());
    return if (lossy != 0 and options.max_diff == 0) lossy else without_gif;
}

fn wantedFormats(gpa: std.mem.Allocator, options: Options, supported: u32, has_alpha: bool, diag: *Diagnostic) Error!u32 {
    if (options.formats != 0) {
        const wanted = options.formats & supported;
        if (wanted == 0)
            return diag.fail(gpa, error.InvalidArgument, "none of the requested formats (0x{x}) can be saved by the linked libvips (it saves 0x{x})", .{ options.formats, supported });
        return wanted;
    }
    // JPEG cannot carry alpha: only used for such images when asked for explicitly.
    return if (has_alpha) supported & ~Format.jpeg.bit() else supported;
}

/// The decoded, normalised (8-bit sRGB or grey) and resized image, in memory, plus its reference planes
/// (made on first need: a call without max_diff compares only its winner).
const Prepared = struct {
    image: vips.Image,
    reference: ?Planes = null,
    original_format: Format,
    resized: bool,

    fn makeReference(self: *Prepared, gpa: std.mem.Allocator, diag: *Diagnostic) Error!void {
        if (self.reference == null) self.reference = try Planes.of(gpa, self.image, diag);
    }

    fn deinit(self: *Prepared, gpa: std.mem.Allocator) void {
        if (self.reference) |*r| r.deinit(gpa);
        vips.unref(self.image);
    }
};

fn prepare(gpa: std.mem.Allocator, input: []const u8, options: Options, diag: *Diagnostic) Error!Prepared {
    var err_buf: [512]u8 = undefined;
    const loader_ptr = c.vips_foreign_find_load_buffer(input.ptr, input.len) orelse {
        vips.clearError();
        return diag.fail(gpa, error.UnsupportedFormat, "input ({d} bytes) is not in an image format the linked libvips can load", .{input.len});
    };
    const loader = std.mem.span(loader_ptr);
    const header: vips.Image = c.vips_image_new_from_buffer(input.ptr, input.len, "", "fail_on", @as(c_int, c.VIPS_FAIL_ON_TRUNCATED), vips.end) orelse
        return diag.fail(gpa, error.Decode, "{s}: cannot read the header: {s}", .{ loader, vips.takeError(&err_buf) });
    defer if (!mutants.on(.@"vips-unref")) vips.unref(header);

    const pixels = @as(u64, vips.width(header)) * vips.height(header);
    const max_pixels = if (options.max_pixels == 0) default_max_pixels else options.max_pixels;
    if (pixels > max_pixels)
        return diag.fail(gpa, error.TooManyPixels, "image is {d}x{d} = {d} pixels, over the limit of {d}", .{ vips.width(header), vips.height(header), pixels, max_pixels });

    // One decode: straight to the target size when a resize is asked for (shrink-on-load: JPEG and WebP
    // decode at a fraction of their size), else in full.
    const resized = needsResize(header, options);
    var image: vips.Image = if (resized)
        try shrinkOnLoad(gpa, input, options, loader, diag)
    else
        c.vips_image_copy_memory(header) orelse
            return diag.fail(gpa, error.Decode, "{s}: cannot decode the image data: {s}", .{ loader, vips.takeError(&err_buf) });
    errdefer vips.unref(image);
    try normalise(gpa, &image, diag);
    try apply(gpa, &image, c.vips_image_copy_memory(image), diag, "copy to memory");
    return .{
        .image = image,
        .original_format = formats.fromLoader(loader),
        .resized = resized,
    };
}

/// Replaces `image.*` with the result of a libvips operation, or fails with libvips' message.
fn apply(gpa: std.mem.Allocator, image: *vips.Image, next: ?*c.VipsImage, diag: *Diagnostic, what: []const u8) Error!void {
    var err_buf: [512]u8 = undefined;
    const out = next orelse return diag.fail(gpa, error.Decode, "{s} failed: {s}", .{ what, vips.takeError(&err_buf) });
    vips.unref(image.*);
    image.* = out;
}

fn normalise(gpa: std.mem.Allocator, image: *vips.Image, diag: *Diagnostic) Error!void {
    const interpretation = c.vips_image_guess_interpretation(image.*);
    const eight_bit = c.vips_image_get_format(image.*) == c.VIPS_FORMAT_UCHAR;
    const standard = interpretation == c.VIPS_INTERPRETATION_sRGB or interpretation == c.VIPS_INTERPRETATION_B_W;
    if (eight_bit and standard) return;
    if (!standard) {
        var out: ?*c.VipsImage = null;
        _ = c.vips_colourspace(image.*, &out, c.VIPS_INTERPRETATION_sRGB, vips.end);
        try apply(gpa, image, out, diag, "conversion to sRGB");
    }
    if (c.vips_image_get_format(image.*) != c.VIPS_FORMAT_UCHAR) {
        var out: ?*c.VipsImage = null;
        _ = c.vips_cast_uchar(image.*, &out, vips.end);
        try apply(gpa, image, out, diag, "conversion to 8 bits");
    }
}

fn needsResize(image: vips.Image, options: Options) bool {
    const too_wide = options.max_width != 0 and vips.width(image) > options.max_width;
    const too_tall = options.max_height != 0 and vips.height(image) > options.max_height;
    return too_wide or too_tall;
}

/// Decodes `input` already downscaled to fit max_width x max_height.
fn shrinkOnLoad(gpa: std.mem.Allocator, input: []const u8, options: Options, loader: []const u8, diag: *Diagnostic) Error!vips.Image {
    var err_buf: [512]u8 = undefined;
    const w: c_int = if (options.max_width == 0) unbounded_dimension else @intCast(options.max_width);
    const h: c_int = if (options.max_height == 0) unbounded_dimension else @intCast(options.max_height);
    var out: ?*c.VipsImage = null;
    // libvips reads the buffer without writing to it; its C signature is not const.
    const bytes: ?*anyopaque = @constCast(@ptrCast(input.ptr));
    if (c.vips_thumbnail_buffer(bytes, input.len, &out, w, "height", h, "size", @as(c_int, c.VIPS_SIZE_DOWN), "option_string", "fail_on=truncated", vips.end) != 0 or out == null) {
        if (out) |o| vips.unref(o);
        return diag.fail(gpa, error.Decode, "{s}: cannot decode and resize the image: {s}", .{ loader, vips.takeError(&err_buf) });
    }
    return out.?;
}

/// Whether a sample of the pixels (a grid of at most ~64k) has at most `palette_colours` distinct
/// colours: a graphic that a palette holds without loss. Continuous-tone images (photos, scans, grain)
/// have thousands, and a 256-colour quantisation of them is both slow and larger than JPEG or WebP.
pub fn fewColours(image: vips.Image) bool {
    const data = vips.pixels(image);
    const n: usize = vips.bands(image);
    const w: usize = vips.width(image);
    const h: usize = vips.height(image);
    if (data.len < w * h * n or n == 0) return true;
    const step = @max(1, std.math.sqrt(w * h / 65_536));
    var seen: ColourSet = .{};
    var y: usize = 0;
    while (y < h) : (y += step) {
        var x: usize = 0;
        while (x < w) : (x += step) {
            const at = (y * w + x) * n;
            var key: u32 = 0;
            for (data[at .. at + @min(n, 4)]) |b| key = (key << 8) | b;
            if (!seen.add(key)) return false;
        }
    }
    return true;
}

const palette_colours = 1024;

/// A bounded set of colours (open addressing); `add` is false once it would hold more than palette_colours.
const ColourSet = struct {
    slots: [4 * palette_colours]u32 = undefined,
    used: [4 * palette_colours]bool = @splat(false),
    count: usize = 0,

    fn add(self: *ColourSet, key: u32) bool {
        var i: usize = (key *% 2654435761) % self.slots.len;
        while (self.used[i]) : (i = (i + 1) % self.slots.len) {
            if (self.slots[i] == key) return true;
        }
        if (self.count == palette_colours) return false;
        self.used[i] = true;
        self.slots[i] = key;
        self.count += 1;
        return true;
    }
};

/// Luminance (Y' = 0.299 R + 0.587 G + 0.114 B, in integers; alpha flattened onto white) and alpha of an
/// image, as 8-bit planes owned by the core's allocator: one pass over the decoded pixels, where libvips'
/// colourspace conversion to grey went through linear light in floating point (3-4x the time).
const Planes = struct {
    width: u32,
    height: u32,
    luma: []u8,
    alpha: ?[]u8,

    /// `source`: 8 bits per band (normalise), 1-2 bands (grey, grey + alpha) or 3+ (sRGB, + alpha).
    fn of(gpa: std.mem.Allocator, source: vips.Image, diag: *Diagnostic) Error!Planes {
        _ = c.g_object_ref(source);
        var image: vips.Image = source;
        defer vips.unref(image);
        try apply(gpa, &image, c.vips_image_copy_memory(image), diag, "copy to memory");
        const width = vips.width(image);
        const height = vips.height(image);
        const n: usize = vips.bands(image);
        const count = @as(usize, width) * height;
        const data = vips.pixels(image);
        if (n == 0 or data.len < count * n) return diag.fail(gpa, error.Internal, "decoded image has no pixel data", .{});
        const luma = try gpa.alloc(u8, count);
        errdefer gpa.free(luma);
        const alpha: ?[]u8 = if (vips.hasAlpha(image)) try gpa.alloc(u8, count) else null;
        errdefer if (alpha) |a| gpa.free(a);
        for (0..count) |i| {
            const p = data[i * n .. i * n + n];
            const y: u32 = if (n >= 3) (77 * @as(u32, p[0]) + 150 * @as(u32, p[1]) + 29 * @as(u32, p[2]) + 128) >> 8 else p[0];
            if (alpha) |a| {
                const opacity: u32 = p[n - 1];
                a[i] = p[n - 1];
                luma[i] = @intCast((y * opacity + 255 * (255 - opacity) + 127) / 255);
            } else luma[i] = @intCast(y);
        }
        return .{ .width = width, .height = height, .luma = luma, .alpha = alpha };
    }

    fn plane(self: *const Planes, pixels: []const u8) dssim.Plane {
        return .{ .width = self.width, .height = self.height, .pixels = pixels };
    }

    /// DSSIM against `other`: the worse of luminance and alpha (a missing alpha is fully opaque).
    fn distance(self: *const Planes, gpa: std.mem.Allocator, other: *const Planes) Error!f64 {
        const luma = dssim.dssim(self.plane(self.luma), other.plane(other.luma)) catch return error.Internal;
        if (self.alpha == null and other.alpha == null) return luma;
        const opaque_plane = try gpa.alloc(u8, self.luma.len);
        defer gpa.free(opaque_plane);
        @memset(opaque_plane, 255);
        const mine = self.plane(self.alpha orelse opaque_plane);
        const theirs = other.plane(other.alpha orelse opaque_plane);
        const alpha = dssim.dssim(mine, theirs) catch return error.Internal;
        return @max(luma, alpha);
    }

    fn deinit(self: *Planes, gpa: std.mem.Allocator) void {
        gpa.free(self.luma);
        if (self.alpha) |a| gpa.free(a);
    }
};

/// One format's best encode, owned by the core's allocator.
const Candidate = struct {
    format: Format,
    level: i32,
    data: []u8,
    /// null until measured: without max_diff only the winner's distance is computed.
    diff: ?f64,
    budget_met: bool,
    diff_met: bool,

    fn deinit(self: *Candidate, gpa: std.mem.Allocator) void {
        gpa.free(self.data);
    }
};

/// A libvips encode kept while the search decides, with its level.
const Trial = struct {
    level: i32,
    encoded: vips.Encoded,

    fn size(self: Trial) usize {
        return self.encoded.len;
    }
};

const Search = struct {
    gpa: std.mem.Allocator,
    image: vips.Image,
    /// Made before the search when max_diff is set (the only case that reads it).
    reference: *const ?Planes,
    options: Options,
    /// Whether the palette forms (palette PNG levels) are tried.
    palette: bool,
    tries: std.atomic.Value(u32) = .init(0),
    failure_lock: std.Thread.Mutex = .{},
    failure: ?Error = null,
    failure_text: [512]u8 = undefined,
    failure_len: usize = 0,

    const Job = struct {
        search: *Search,
        list: []const Format,
        found: []?Candidate,
        next: std.atomic.Value(usize) = .init(0),
    };

    /// Searches every format, `options.concurrency` at a time (the calling thread is one of them).
    fn runAll(self: *Search, list: []const Format, found: []?Candidate, diag: *Diagnostic) Error!void {
        var job: Job = .{ .search = self, .list = list, .found = found };
        const cpus: u32 = @intCast(@max(1, std.Thread.getCpuCount() catch 1));
        const wanted_threads = if (self.options.concurrency == 0) cpus else self.options.concurrency;
        const threads = @min(wanted_threads, @as(u32, @intCast(list.len)));
        var spawned: [max_concurrency]std.Thread = undefined;
        var n_spawned: usize = 0;
        while (n_spawned + 1 < threads) : (n_spawned += 1) {
            spawned[n_spawned] = std.Thread.spawn(.{}, workerThread, .{&job}) catch break;
        }
        work(&job);
        for (spawned[0..n_spawned]) |t| t.join();

        if (self.failure) |err| {
            if (err == error.OutOfMemory) return error.OutOfMemory;
            var any = false;
            for (found) |f| any = any or f != null;
            if (!any) return diag.fail(self.gpa, error.Encode, "every encoder failed; first error: {s}", .{self.failure_text[0..self.failure_len]});
        }
    }

    fn workerThread(job: *Job) void {
        work(job);
        // libvips keeps per-thread buffers; a thread that used it must release them before it ends.
        c.vips_thread_shutdown();
    }

    fn work(job: *Job) void {
        while (true) {
            const i = job.next.fetchAdd(1, .monotonic);
            if (i >= job.list.len) return;
            job.found[i] = job.search.searchFormat(job.list[i]) catch |err| blk: {
                job.search.recordFailure(err, job.list[i]);
                break :blk null;
            };
        }
    }

    fn recordFailure(self: *Search, err: Error, format: Format) void {
        self.failure_lock.lock();
        defer self.failure_lock.unlock();
        if (self.failure) |existing| if (existing != error.Encode) return;
        self.failure = err;
        var vips_text: [400]u8 = undefined;
        const text = std.fmt.bufPrint(&self.failure_text, "{s}: {s}", .{ format.name(), vips.takeError(&vips_text) }) catch &self.failure_text;
        self.failure_len = text.len;
    }

    fn encode(self: *Search, format: Format, level: i32) Error!Trial {
        _ = self.tries.fetchAdd(1, .monotonic);
        const encoded = formats.encode(self.image, format, level, self.options.strip) catch return error.Encode;
        return .{ .level = level, .encoded = encoded };
    }

    fn distanceOf(self: *Search, trial: Trial) Error!f64 {
        return distanceOfBytes(self.gpa, &self.reference.*.?, trial.encoded.bytes());
    }

    fn searchFormat(self: *Search, format: Format) Error!?Candidate {
        const budget = self.options.max_bytes;
        const max_diff = self.options.max_diff;
        const best: Trial = if (budget != 0)
            try self.highestUnderBudget(format, budget)
        else if (max_diff != 0)
            try self.lowestWithinDiff(format, max_diff)
        else
            try self.defaultEncode(format);
        defer best.encoded.free();
        const diff: ?f64 = if (max_diff != 0) try self.distanceOf(best) else null;
        const data = try self.gpa.dupe(u8, best.encoded.bytes());
        return .{
            .format = format,
            .level = best.level,
            .data = data,
            .diff = diff,
            .budget_met = budget == 0 or best.size() <= budget,
            .diff_met = max_diff == 0 or diff.? <= max_diff,
        };
    }

    /// No limits: the format's default setting; for PNG also the palette form, where it is smaller.
    fn defaultEncode(self: *Search, format: Format) Error!Trial {
        var best = try self.encode(format, format.levels().default);
        if (format == .png and self.palette) {
            const palette = self.encode(format, 100) catch return best;
            best = keepSmaller(best, palette);
        }
        return best;
    }

    /// The highest level whose encode fits `budget`; the smallest encode tried when none fits. Sizes grow
    /// about exponentially with the level, so each guess puts log(size) on a line: first down from the
    /// top (a typical slope, then the secant through the two closest misses) until a level fits, then
    /// between the closest levels known to fit and not to fit, bisecting when a guess gains little.
    /// Typically 3-5 encodes where the two ends and a bisection took 8-9.
    fn highestUnderBudget(self: *Search, format: Format, budget: u64) Error!Trial {
        const levels = format.levels();
        var too_big = try self.encode(format, levels.max); // the lowest level known not to fit
        if (too_big.size() <= budget) return too_big;
        // Without the palette forms, PNG has one level (lossless) and it did not fit.
        if (format == .png and !self.palette) return too_big;
        errdefer too_big.encoded.free();
        var fitting = (try self.descend(format, &too_big, budget)) orelse return too_big;
        errdefer fitting.encoded.free();
        var bisect = false;
        while (too_big.level - fitting.level > 1) {
            const guess = if (bisect)
                fitting.level + @divFloor(too_big.level - fitting.level, 2)
            else
                interpolate(fitting, too_big, budget);
            const trial = try self.encode(format, guess);
            const gap = too_big.level - fitting.level;
            if (trial.size() <= budget) {
                fitting.encoded.free();
                fitting = trial;
            } else {
                too_big.encoded.free();
                too_big = trial;
            }
            // A guess that did not halve the bracket: bisect next (bounds the search at log2 steps).
            bisect = !bisect and (too_big.level - fitting.level) * 2 > gap;
        }
        too_big.encoded.free();
        return fitting;
    }

    /// Steps down from `too_big` (which it keeps as the lowest miss) to the first level that fits; null when
    /// even the lowest level does not (a format out of the running after as few encodes as that takes).
    fn descend(self: *Search, format: Format, too_big: *Trial, budget: u64) Error!?Trial {
        const levels = format.levels();
        // ln(size) per level: quality 5 -> 95 spans about 20x for JPEG and WebP; palette levels less.
        var slope: f64 = if (format == .jpeg or format == .webp) 0.035 else 0.02;
        // Aimed a little under the budget, so that the first guess usually fits.
        const aim = @log(@as(f64, @floatFromInt(@max(budget, 1))) * 0.95);
        while (too_big.level > levels.min) {
            const drop = (@log(@as(f64, @floatFromInt(@max(too_big.size(), 1)))) - aim) / slope;
            const step: i32 = @intFromFloat(std.math.clamp(@ceil(drop), 1, @as(f64, @floatFromInt(too_big.level - levels.min))));
            const trial = try self.encode(format, too_big.level - step);
            if (trial.size() <= budget) return trial;
            const fell = @log(@as(f64, @floatFromInt(@max(too_big.size(), 1)))) - @log(@as(f64, @floatFromInt(@max(trial.size(), 1))));
            if (fell > 0) slope = fell / @as(f64, @floatFromInt(step));
            too_big.encoded.free();
            too_big.* = trial;
        }
        return null;
    }

    /// The level where log(size) reaches log(budget) on the line between `lo` (fits) and `hi` (does not),
    /// strictly inside (lo, hi).
    fn interpolate(lo: Trial, hi: Trial, budget: u64) i32 {
        const log_lo = @log(@as(f64, @floatFromInt(@max(lo.size(), 1))));
        const log_hi = @log(@as(f64, @floatFromInt(@max(hi.size(), 1))));
        const log_budget = @log(@as(f64, @floatFromInt(@max(budget, 1))));
        const span: f64 = @floatFromInt(hi.level - lo.level);
        const t = if (log_hi > log_lo) (log_budget - log_lo) / (log_hi - log_lo) else 0.5;
        const guess: i32 = lo.level + @as(i32, @intFromFloat(@floor(std.math.clamp(t, 0, 1) * span)));
        return std.math.clamp(guess, lo.level + 1, hi.level - 1);
    }

    /// The lowest level whose distance is within `max_diff`; the highest level when none is.
    fn lowestWithinDiff(self: *Search, format: Format, max_diff: f64) Error!Trial {
        const levels = format.levels();
        var within = try self.encode(format, levels.max);
        errdefer within.encoded.free();
        // Without the palette forms, PNG has one level (lossless).
        if (format == .png and !self.palette) return within;
        if (try self.distanceOf(within) > max_diff) return within;
        var lo = levels.min;
        var hi = levels.max - 1;
        while (lo <= hi) {
            const mid = lo + @divFloor(hi - lo, 2);
            const trial = try self.encode(format, mid);
            const d = self.distanceOf(trial) catch |err| {
                trial.encoded.free();
                return err;
            };
            if (d <= max_diff) {
                within.encoded.free();
                within = trial;
                hi = mid - 1;
            } else {
                trial.encoded.free();
                lo = mid + 1;
            }
        }
        return within;
    }
};

/// DSSIM between the reference planes and the decode of `bytes`.
fn distanceOfBytes(gpa: std.mem.Allocator, reference: *const Planes, bytes: []const u8) Error!f64 {
    var scratch: Diagnostic = .{};
    defer scratch.deinit(gpa);
    const decoded: vips.Image = c.vips_image_new_from_buffer(bytes.ptr, bytes.len, "", vips.end) orelse return error.Encode;
    var image = decoded;
    defer vips.unref(image);
    try normalise(gpa, &image, &scratch);
    var planes = try Planes.of(gpa, image, &scratch);
    defer planes.deinit(gpa);
    return reference.distance(gpa, &planes);
}

fn keepSmaller(a: Trial, b: Trial) Trial {
    if (b.size() < a.size()) {
        a.encoded.free();
        return b;
    }
    b.encoded.free();
    return a;
}

/// Higher is better: meets both limits, then the distance limit only, then neither.
fn tier(budget_met: bool, diff_met: bool) u2 {
    return if (budget_met and diff_met) 2 else if (diff_met) 1 else 0;
}

fn choose(gpa: std.mem.Allocator, input: []const u8, options: Options, prepared: *Prepared, found: []?Candidate, tries: u32, diag: *Diagnostic) Error!Output {
    var winner: ?usize = null;
    for (found, 0..) |slot, i| {
        const cand = slot orelse continue;
        if (winner) |w| {
            const best = found[w].?;
            const t_new = tier(cand.budget_met, cand.diff_met);
            const t_best = tier(best.budget_met, best.diff_met);
            if (t_new > t_best or (t_new == t_best and cand.data.len < best.data.len)) winner = i;
        } else winner = i;
    }
    const width = vips.width(prepared.image);
    const height = vips.height(prepared.image);

    // The original bytes compete unless the caller asked for a smaller image.
    const original_budget_met = options.max_bytes == 0 or input.len <= options.max_bytes;
    const original_wins = !prepared.resized and if (winner) |w| blk: {
        const best = found[w].?;
        const t_best = tier(best.budget_met, best.diff_met);
        const t_orig = tier(original_budget_met, true);
        break :blk t_orig > t_best or (t_orig == t_best and input.len <= best.data.len);
    } else true;

    if (original_wins) {
        return .{
            .data = try gpa.dupe(u8, input),
            .format = prepared.original_format,
            .quality = -1,
            .diff = 0,
            .width = width,
            .height = height,
            .budget_met = original_budget_met,
            .diff_met = true,
            .candidates = tries,
        };
    }
    const w = winner.?;
    if (found[w].?.diff == null) {
        try prepared.makeReference(gpa, diag);
        found[w].?.diff = try distanceOfBytes(gpa, &prepared.reference.?, found[w].?.data);
    }
    const best = found[w].?;
    found[w] = null; // ownership moves to the output; the losers are freed by the caller's defer
    if (mutants.on(.@"losing-candidates")) {
        for (found) |*slot| slot.* = null;
    }
    return .{
        .data = best.data,
        .format = best.format,
        .quality = formats.reportedQuality(best.format, best.level),
        .diff = best.diff.?,
        .width = width,
        .height = height,
        .budget_met = best.budget_met,
        .diff_met = best.diff_met,
        .candidates = tries,
    };
}
