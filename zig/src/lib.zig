//! The library as a Zig module, for the Zig tests, probes and tools built beside the shared library.
pub const api = @import("api.zig");
pub const optimizer = @import("optimizer.zig");
pub const runtime = @import("runtime.zig");
pub const formats = @import("formats.zig");
pub const dssim = @import("dssim.zig");
pub const vips = @import("vips.zig");
pub const mutants = @import("mutants.zig");
pub const corpus = @import("corpus.zig");
pub const pressure_images = @import("pressure_images.zig");
pub const counting_allocator = @import("counting_allocator.zig");

test {
    _ = @import("counting_allocator.zig");
    _ = @import("dssim.zig");
    _ = @import("formats.zig");
    _ = @import("pressure_images.zig");
}
