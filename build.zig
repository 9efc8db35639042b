//! Builds libpyjamaz (shared library + header), its tests and memory suites, the Zig probe, the test-image
//! corpus generator, and — with -Dleak-mutant=NAME — a library with one deliberate leak.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{ .default_target = portableTarget() });
    // ReleaseSafe by default: fast enough for the pressure runs, and safety checks stay on.
    const optimize = b.option(std.builtin.OptimizeMode, "optimize", "Optimization mode (default: ReleaseSafe)") orelse .ReleaseSafe;
    const leak_mutant = b.option([]const u8, "leak-mutant", "Build with one deliberate leak: result-buffer, " ++
        "losing-candidates, vips-unref, error-message, file-descriptor (default: none)") orelse "none";
    // scripts/fuzz.sh: edge counters in libpyjamaz (sections __sancov_cntrs) that guide the fuzzer's mutations.
    const fuzz_coverage = b.option(bool, "fuzz-coverage", "Instrument the shared library for coverage-guided fuzzing") orelse false;

    const build_options = b.addOptions();
    build_options.addOption([]const u8, "leak_mutant", leak_mutant);

    const core = b.createModule(.{
        .root_source_file = b.path("zig/src/lib.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    linkVips(b, core, build_options);

    // The probe SDK is leakcheck's Zig package (leakcheck/sdk/zig), a path dependency like any user's.
    const probe_sdk = b.dependency("leakcheck_probe", .{ .target = target, .optimize = optimize }).module("leakcheck_probe");

    // The shared library with the C ABI.
    const abi = b.createModule(.{
        .root_source_file = b.path("zig/src/abi.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    linkVips(b, abi, build_options);
    const lib = b.addLibrary(.{ .linkage = .dynamic, .name = "pyjamaz", .root_module = abi, .version = .{ .major = 1, .minor = 0, .patch = 0 } });
    lib.root_module.fuzz = fuzz_coverage;
    lib.installHeader(b.path("zig/include/pyjamaz.h"), "pyjamaz.h");
    b.installArtifact(lib);
    // zig build library: the shared library alone (what a leak-mutant build for the bindings needs).
    const library_step = b.step("library", "Build and install libpyjamaz only");
    library_step.dependOn(&b.addInstallArtifact(lib, .{}).step);
    library_step.dependOn(&b.addInstallHeaderFile(b.path("zig/include/pyjamaz.h"), "pyjamaz.h").step);

    // Tools and probes.
    const deps: Deps = .{ .target = target, .optimize = optimize, .core = core, .probe_sdk = probe_sdk };
    const corpus = addExe(b, deps, "pyjamaz-corpus", "zig/tools/corpus_main.zig");
    b.installArtifact(corpus);
    const bench = addExe(b, deps, "pyjamaz-bench", "zig/tools/bench_main.zig");
    b.installArtifact(bench);
    const probe = addExe(b, deps, "pyjamaz-probe", "zig/probes/pyjamaz_probe.zig");
    b.installArtifact(probe);

    // zig build test: unit tests of the modules and of the real pipeline.
    const test_step = b.step("test", "Unit tests of libpyjamaz (real pipeline, std.testing.allocator)");
    test_step.dependOn(&b.addRunArtifact(b.addTest(.{ .root_module = core })).step);
    test_step.dependOn(&b.addRunArtifact(b.addTest(.{ .root_module = probe_sdk })).step);
    test_step.dependOn(&addTestRun(b, deps, "zig/tests/pipeline_test.zig").step);

    const memory_step = b.step("memory-test", "Leak loops through the real optimize path (fast)");
    memory_step.dependOn(&addTestRun(b, deps, "zig/tests/memory_test.zig").step);

    const pressure_step = b.step("memory-pressure-test", "10,000 images of >= 1 MB; RSS must plateau");
    pressure_step.dependOn(&addTestRun(b, deps, "zig/tests/pressure_test.zig").step);
}

/// On x86-64 the default CPU is x86-64-v3 (AVX2), not the build machine's: a library built for `native` here
/// carries AVX-512 and dies with SIGILL on any CPU without it — and under valgrind, which cannot decode
/// AVX-512 (`leakcheck run --tool valgrind`). -Dcpu=native still gives a build tuned for this machine.
fn portableTarget() std.Target.Query {
    if (@import("builtin").cpu.arch != .x86_64) return .{};
    return .{ .cpu_model = .{ .explicit = &std.Target.x86.cpu.x86_64_v3 } };
}

fn linkVips(b: *std.Build, module: *std.Build.Module, build_options: *std.Build.Step.Options) void {
    module.addOptions("build_options", build_options);
    module.addIncludePath(b.path("zig/include"));
    module.linkSystemLibrary("vips", .{});
    module.linkSystemLibrary("glib-2.0", .{});
    module.linkSystemLibrary("gobject-2.0", .{});
}

/// What every executable and test built on the library shares.
const Deps = struct {
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    core: *std.Build.Module,
    probe_sdk: *std.Build.Module,

    fn module(deps: Deps, b: *std.Build, path: []const u8) *std.Build.Module {
        return b.createModule(.{
            .root_source_file = b.path(path),
            .target = deps.target,
            .optimize = deps.optimize,
            .link_libc = true,
            .imports = &.{
                .{ .name = "pyjamaz", .module = deps.core },
                .{ .name = "leakcheck_probe", .module = deps.probe_sdk },
            },
        });
    }
};

fn addExe(b: *std.Build, deps: Deps, name: []const u8, path: []const u8) *std.Build.Step.Compile {
    return b.addExecutable(.{ .name = name, .root_module = deps.module(b, path) });
}

fn addTestRun(b: *std.Build, deps: Deps, path: []const u8) *std.Build.Step.Run {
    const run = b.addRunArtifact(b.addTest(.{ .root_module = deps.module(b, path) }));
    run.has_side_effects = true; // memory suites measure the process: always run, never cached
    return run;
}
