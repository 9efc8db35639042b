//! `pyjamaz-corpus --pressure`: the pressure corpus written to a directory (with manifest.json) or streamed
//! to stdout, one image after the other, with a closing line of figures on stderr.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const images = pyjamaz.pressure_images;
const vips = pyjamaz.vips;

const m_mmap_threshold: c_int = -3;
extern "c" fn mallopt(param: c_int, value: c_int) c_int;

const Totals = struct {
    count: u64 = 0,
    bytes: u64 = 0,
    pixels: u64 = 0,
    smallest: usize = std.math.maxInt(usize),
    retried: u64 = 0,
    by_format: [3]u64 = .{ 0, 0, 0 },
    alpha: u64 = 0,
    graphic: u64 = 0,
    render_ns: u64 = 0,
    encode_ns: u64 = 0,

    fn add(self: *Totals, image: images.Image) void {
        self.count += 1;
        self.bytes += image.encoded.len;
        self.pixels += image.spec.pixelCount();
        self.smallest = @min(self.smallest, image.encoded.len);
        if (image.attempts > 1) self.retried += 1;
        self.by_format[@intFromEnum(image.spec.format)] += 1;
        if (image.spec.alpha) self.alpha += 1;
        if (image.spec.content == .graphic) self.graphic += 1;
        self.render_ns += image.render_ns;
        self.encode_ns += image.encode_ns;
    }
};

/// Makers rendering at once (each one image ahead of the writer): a probe spends part of each call
/// waiting for its next input, and two makers keep the second core busy through that wait.
pub const default_jobs = 2;
const max_jobs = 8;

/// One maker's hand-over to the writer: `ready` when `image` (or `failure`) is there, `free` once taken.
const Slot = struct {
    image: ?images.Image = null,
    failure: ?images.Error = null,
    ready: std.Thread.ResetEvent = .{},
    free: std.Thread.ResetEvent = .{},
};

const Makers = struct {
    seed: u64,
    start: u64,
    count: u64,
    jobs: usize,
    slots: [max_jobs]Slot = @splat(.{}),
    stop: std.atomic.Value(bool) = .init(false),

    /// Maker `j` makes images start+j, start+j+jobs, ... into slot j, one at a time.
    fn make(self: *Makers, j: usize) void {
        // One pixel buffer for the largest image a retry can make, touched once: constant RSS from the start.
        const pixels = std.heap.page_allocator.alloc(u8, images.max_retry_pixels * 4) catch {
            self.fail(j, error.OutOfMemory);
            return;
        };
        defer std.heap.page_allocator.free(pixels);
        @memset(pixels, 0);
        defer vips.c.vips_thread_shutdown();
        const slot = &self.slots[j];
        var k: u64 = j;
        while (k < self.count) : (k += self.jobs) {
            slot.free.wait();
            slot.free.reset();
            if (self.stop.load(.acquire)) return;
            if (images.make(self.seed, self.start + k, pixels)) |image| {
                slot.image = image;
            } else |err| {
                slot.failure = err;
                slot.ready.set();
                return;
            }
            slot.ready.set();
        }
    }

    fn fail(self: *Makers, j: usize, err: images.Error) void {
        self.slots[j].failure = err;
        self.slots[j].ready.set();
    }

    /// Image k (in order), waiting for its maker. The caller frees it.
    fn take(self: *Makers, k: u64) images.Error!images.Image {
        const slot = &self.slots[k % self.jobs];
        slot.ready.wait();
        slot.ready.reset();
        if (slot.failure) |err| return err;
        const image = slot.image.?;
        slot.image = null;
        slot.free.set();
        return image;
    }

    /// Wakes every maker to end (after a failure or a closed pipe) and frees what they left made.
    fn finish(self: *Makers, threads: []std.Thread) void {
        self.stop.store(true, .release);
        for (self.slots[0..self.jobs]) |*slot| slot.free.set();
        for (threads) |t| t.join();
        for (self.slots[0..self.jobs]) |*slot| if (slot.image) |image| image.deinit();
    }
};

pub fn run(seed: u64, start: u64, count: u64, jobs: usize, out_dir: ?[]const u8) !void {
    // Large buffers (encoder output, libvips' own) go back to the system when freed: a streaming producer
    // runs inside the probe's process tree, so its RSS must stay flat.
    _ = mallopt(m_mmap_threshold, 128 * 1024);
    var dir: ?std.fs.Dir = if (out_dir) |path| try std.fs.cwd().makeOpenPath(path, .{}) else null;
    defer if (dir) |*d| d.close();
    var manifest: std.Io.Writer.Allocating = .init(std.heap.page_allocator);
    defer manifest.deinit();
    try manifest.writer.print("{{\"seed\":{d},\"pressure\":true,\"images\":[", .{seed});

    var makers: Makers = .{ .seed = seed, .start = start, .count = count, .jobs = std.math.clamp(jobs, 1, max_jobs) };
    for (makers.slots[0..makers.jobs]) |*slot| slot.free.set();
    var threads: [max_jobs]std.Thread = undefined;
    var n_threads: usize = 0;
    defer makers.finish(threads[0..n_threads]);
    while (n_threads < makers.jobs) : (n_threads += 1) {
        threads[n_threads] = try std.Thread.spawn(.{}, Makers.make, .{ &makers, n_threads });
    }

    const stdout = std.fs.File.stdout();
    var totals: Totals = .{};
    var timer = try std.time.Timer.start();
    for (0..count) |k| {
        const image = try makers.take(k);
        defer image.deinit();
        totals.add(image);
        var header_buf: [256]u8 = undefined;
        const header = try headerLine(&header_buf, image);
        if (dir) |d| {
            var name_buf: [64]u8 = undefined;
            const name = try std.fmt.bufPrint(&name_buf, "p-{d:0>5}.{s}", .{ image.spec.index, @tagName(image.spec.format) });
            try d.writeFile(.{ .sub_path = name, .data = image.bytes() });
            if (k > 0) try manifest.writer.writeAll(",");
            try manifest.writer.print("{{\"file\":\"{s}\",{s}", .{ name, header[1 .. header.len - 1] });
        } else {
            stdout.writeAll(header) catch |err| return quietOnClosedPipe(err);
            stdout.writeAll(image.bytes()) catch |err| return quietOnClosedPipe(err);
        }
    }
    if (dir) |d| {
        try manifest.writer.writeAll("],\"malformed\":[]}\n");
        try d.writeFile(.{ .sub_path = "manifest.json", .data = manifest.written() });
    }
    report(totals, @as(f64, @floatFromInt(timer.read())) / std.time.ns_per_s);
}

/// `{"index":..,"format":..,...,"bytes":N}\n`
fn headerLine(buf: []u8, image: images.Image) ![]const u8 {
    const s = image.spec;
    return std.fmt.bufPrint(buf, "{{\"index\":{d},\"format\":\"{s}\",\"kind\":\"{s}\",\"alpha\":{},\"width\":{d},\"height\":{d},\"renders\":{d},\"bytes\":{d}}}\n", .{
        s.index, @tagName(s.format), @tagName(s.content), s.alpha, s.width, s.height, image.attempts, image.encoded.len,
    });
}

/// The reader stopping early (a probe that ends before the stream) is not an error of the generator.
fn quietOnClosedPipe(err: anyerror) !void {
    if (err == error.BrokenPipe) return;
    return err;
}

fn report(t: Totals, seconds: f64) void {
    if (t.count == 0) return;
    const n: f64 = @floatFromInt(t.count);
    std.debug.print(
        "pyjamaz-corpus --pressure: {d} images in {d:.1} s ({d:.1} ms each: render {d:.1}, encode {d:.1}); mean {d:.2} MB, {d:.2} MP; smallest {d} bytes; " ++
            "jpeg {d}, png {d}, webp {d}; alpha {d}, graphic {d}; {d} needed a second render\n",
        .{ t.count, seconds, seconds * 1000 / n, @as(f64, @floatFromInt(t.render_ns)) / 1e6 / n, @as(f64, @floatFromInt(t.encode_ns)) / 1e6 / n, @as(f64, @floatFromInt(t.bytes)) / n / 1e6, @as(f64, @floatFromInt(t.pixels)) / n / 1e6, t.smallest, t.by_format[0], t.by_format[1], t.by_format[2], t.alpha, t.graphic, t.retried },
    );
}
