//! Deliberate leaks, each switched on by `zig build -Dleak-mutant=NAME`. The default build has none.
//! A leak suite that does not fail on every one of these has a hole.
const std = @import("std");
const build_options = @import("build_options");

pub const Mutant = enum {
    none,
    /// pyjamaz_result_free does not free the output bytes.
    @"result-buffer",
    /// Per-format winners that lose the final comparison are never freed.
    @"losing-candidates",
    /// The decoded input image's libvips reference is dropped on the floor.
    @"vips-unref",
    /// The message of an error result is never freed.
    @"error-message",
    /// pyjamaz_optimize_file never closes the file it read.
    @"file-descriptor",
};

pub const active: Mutant = std.meta.stringToEnum(Mutant, build_options.leak_mutant) orelse
    @compileError("unknown -Dleak-mutant; expected one of: none, result-buffer, losing-candidates, " ++
        "vips-unref, error-message, file-descriptor");

pub inline fn on(comptime mutant: Mutant) bool {
    return active == mutant;
}
