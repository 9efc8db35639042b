//! leakcheck's probe SDK as a Zig package: the module `leakcheck_probe` for a probe's build.zig
//! (`b.dependency("leakcheck_probe", .{ .target = target, .optimize = optimize }).module("leakcheck_probe")`),
//! and `zig build test` for the SDK's own tests.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const sdk = b.addModule("leakcheck_probe", .{
        .root_source_file = b.path("src/leakcheck_probe.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true, // getpid for hello
    });
    const test_step = b.step("test", "Unit tests of the probe SDK");
    test_step.dependOn(&b.addRunArtifact(b.addTest(.{ .root_module = sdk })).step);
}
