//! Builds the Zig example probe the way a user's own project would: leakcheck's probe SDK is a dependency
//! in build.zig.zon, its module `leakcheck_probe` imported by the probe. `scripts/zig build` here installs
//! zig-out/bin/zig-probe.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{ .preferred_optimize_mode = .ReleaseSafe });
    const sdk = b.dependency("leakcheck_probe", .{ .target = target, .optimize = optimize });
    const probe = b.addExecutable(.{
        .name = "zig-probe",
        .root_module = b.createModule(.{
            .root_source_file = b.path("zig_probe.zig"),
            .target = target,
            .optimize = optimize,
            .link_libc = true,
            .imports = &.{.{ .name = "leakcheck_probe", .module = sdk.module("leakcheck_probe") }},
        }),
    });
    b.installArtifact(probe);
}
