//! pyjamaz-corpus: writes a deterministic set of test images and DIR/manifest.json.
//!   pyjamaz-corpus --out DIR [--seed N] [--count N] [--min-bytes B] [--max-bytes B]
//!                  [--kinds photo,flat,alpha,tiny,large] [--formats jpeg,png,webp,gif,tiff] [--malformed]
//! The pressure corpus (zig/src/pressure_images.zig: distinct images of >= 1 MB, 1-6 MP):
//!   pyjamaz-corpus --pressure [--seed N] [--start I] [--count N] [--jobs N] (--out DIR | --stream)
//! --stream writes each image to stdout as one JSON header line (index, format, content, alpha, width,
//! height, bytes) followed by exactly `bytes` bytes: a probe reads them one per call, and the pipe's
//! back-pressure keeps each of the --jobs makers (default 2) at most one image ahead.
const std = @import("std");
const pyjamaz = @import("pyjamaz");
const corpus = pyjamaz.corpus;
const pressure = @import("pressure_corpus.zig");

const usage =
    \\usage: pyjamaz-corpus --out DIR [--seed N] [--count N] [--min-bytes B] [--max-bytes B]
    \\                      [--kinds photo,flat,alpha,tiny,large] [--formats jpeg,png,webp,gif,tiff] [--malformed]
    \\       pyjamaz-corpus --pressure [--seed N] [--start I] [--count N] [--jobs N] (--out DIR | --stream)
    \\
;

const Args = struct {
    out: []const u8 = "",
    seed: u64 = 1,
    count: u32 = 10,
    min_bytes: usize = 0,
    max_bytes: usize = 0,
    kinds: std.EnumSet(corpus.Kind) = .initMany(&.{ .photo, .flat, .alpha, .tiny }),
    formats: std.EnumSet(corpus.FileFormat) = .initMany(&.{ .jpeg, .png, .webp, .gif, .tiff }),
    malformed: bool = false,
    pressure: bool = false,
    stream: bool = false,
    start: u64 = 0,
    jobs: usize = pressure.default_jobs,
};

pub fn main() u8 {
    var arena_state = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const argv = std.process.argsAlloc(arena) catch return fail("out of memory", .{});
    const args = parseArgs(argv[1..]) catch |err| {
        std.debug.print("pyjamaz-corpus: {s}\n{s}", .{ @errorName(err), usage });
        return 2;
    };
    if (pyjamaz.vips.c.vips_init("pyjamaz-corpus") != 0) return fail("libvips failed to start", .{});
    if (args.pressure) {
        pressure.run(args.seed, args.start, args.count, args.jobs, if (args.stream) null else args.out) catch |err| return fail("{s}", .{@errorName(err)});
        return 0;
    }
    generate(arena, args) catch |err| return fail("{s}", .{@errorName(err)});
    return 0;
}

fn fail(comptime fmt: []const u8, args: anytype) u8 {
    std.debug.print("pyjamaz-corpus: " ++ fmt ++ "\n", args);
    return 1;
}

const ArgError = error{ MissingValue, UnknownOption, BadNumber, UnknownKind, UnknownFormat, MissingOut };

fn parseArgs(argv: []const [:0]u8) ArgError!Args {
    var args: Args = .{};
    var i: usize = 0;
    while (i < argv.len) : (i += 1) {
        const opt = argv[i];
        if (std.mem.eql(u8, opt, "--malformed")) {
            args.malformed = true;
            continue;
        }
        if (std.mem.eql(u8, opt, "--pressure")) {
            args.pressure = true;
            continue;
        }
        if (std.mem.eql(u8, opt, "--stream")) {
            args.stream = true;
            continue;
        }
        if (i + 1 >= argv.len) return error.MissingValue;
        i += 1;
        const value = argv[i];
        if (std.mem.eql(u8, opt, "--out")) {
            args.out = value;
        } else if (std.mem.eql(u8, opt, "--seed")) {
            args.seed = std.fmt.parseInt(u64, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--jobs")) {
            args.jobs = std.fmt.parseInt(usize, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--start")) {
            args.start = std.fmt.parseInt(u64, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--count")) {
            args.count = std.fmt.parseInt(u32, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--min-bytes")) {
            args.min_bytes = std.fmt.parseInt(usize, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--max-bytes")) {
            args.max_bytes = std.fmt.parseInt(usize, value, 10) catch return error.BadNumber;
        } else if (std.mem.eql(u8, opt, "--kinds")) {
            args.kinds = try parseSet(corpus.Kind, value, error.UnknownKind);
        } else if (std.mem.eql(u8, opt, "--formats")) {
            args.formats = try parseSet(corpus.FileFormat, value, error.UnknownFormat);
        } else return error.UnknownOption;
    }
    if (args.out.len == 0 and !(args.pressure and args.stream)) return error.MissingOut;
    return args;
}

fn parseSet(comptime E: type, text: []const u8, comptime unknown: ArgError) ArgError!std.EnumSet(E) {
    var set: std.EnumSet(E) = .initEmpty();
    var it = std.mem.tokenizeScalar(u8, text, ',');
    while (it.next()) |name| set.insert(std.meta.stringToEnum(E, name) orelse return unknown);
    if (set.count() == 0) return unknown;
    return set;
}

fn generate(arena: std.mem.Allocator, args: Args) !void {
    var dir = try std.fs.cwd().makeOpenPath(args.out, .{});
    defer dir.close();
    var manifest: std.Io.Writer.Allocating = .init(arena);
    const w = &manifest.writer;
    try w.print("{{\"seed\":{d},\"images\":[", .{args.seed});

    var kinds: [8]corpus.Kind = undefined;
    var n_kinds: usize = 0;
    var kit = args.kinds.iterator();
    while (kit.next()) |k| : (n_kinds += 1) kinds[n_kinds] = k;
    var fmts: [8]corpus.FileFormat = undefined;
    var n_fmts: usize = 0;
    var fit = args.formats.iterator();
    while (fit.next()) |f| : (n_fmts += 1) fmts[n_fmts] = f;

    var prng = std.Random.DefaultPrng.init(args.seed);
    for (0..args.count) |i| {
        const kind = kinds[i % n_kinds];
        const chosen = fmts[(i / n_kinds) % n_fmts];
        // JPEG has no alpha channel: an alpha image asked for as JPEG is written as PNG.
        const format: corpus.FileFormat = if (kind == .alpha and chosen == .jpeg) .png else chosen;
        const seed = args.seed *% 1_000_003 +% i;
        const start = corpus.baseSize(kind, prng.random());
        const image = try corpus.makeAtLeast(arena, kind, format, start, args.min_bytes, seed);
        if (args.max_bytes != 0 and image.bytes.len > args.max_bytes) {
            std.debug.print("note: {s} {s} #{d} is {d} bytes, over --max-bytes\n", .{ @tagName(kind), @tagName(format), i, image.bytes.len });
        }
        const name = try std.fmt.allocPrint(arena, "{s}-{d:0>5}.{s}", .{ @tagName(kind), i, corpus.extension(format) });
        try dir.writeFile(.{ .sub_path = name, .data = image.bytes });
        if (i > 0) try w.writeAll(",");
        try w.print("{{\"file\":{f},\"kind\":\"{s}\",\"format\":\"{s}\",\"width\":{d},\"height\":{d},\"bytes\":{d}}}", .{
            std.json.fmt(name, .{}), @tagName(kind), @tagName(format), image.width, image.height, image.bytes.len,
        });
        arena.free(image.bytes);
    }
    try w.writeAll("],\"malformed\":[");
    if (args.malformed) {
        const cases = try corpus.malformed(arena, args.seed);
        for (cases, 0..) |case, k| {
            try dir.writeFile(.{ .sub_path = case.name, .data = case.bytes });
            if (k > 0) try w.writeAll(",");
            try w.print("{{\"file\":\"{s}\",\"expect\":\"{s}\",\"bytes\":{d}}}", .{ case.name, case.expect, case.bytes.len });
        }
    }
    try w.writeAll("]}\n");
    try dir.writeFile(.{ .sub_path = "manifest.json", .data = manifest.written() });
}
