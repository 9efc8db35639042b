'use strict';
// Finds and loads libpyjamaz, declares its C ABI (zig/include/pyjamaz.h) for koffi, and starts the
// library once per process. Loading is lazy so that `require('pyjamaz')` never throws; the first call
// that needs the library does, with every path that was tried.

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');
const { PyjamazError, PyjamazLoadError } = require('./errors');

const LIBRARY_FILE = process.platform === 'darwin' ? 'libpyjamaz.dylib' : 'libpyjamaz.so';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const EXPECTED_ABI_VERSION = 1;

const OptionsStruct = koffi.struct('pyjamaz_options', {
    struct_size: 'uint32_t',
    formats: 'uint32_t',
    max_bytes: 'uint64_t',
    max_diff: 'double',
    max_width: 'uint32_t',
    max_height: 'uint32_t',
    strip_metadata: 'uint32_t',
    concurrency: 'uint32_t',
    max_pixels: 'uint64_t',
    max_input_bytes: 'uint64_t',
});

const ResultStruct = koffi.struct('pyjamaz_result', {
    status: 'int32_t',
    format: 'uint32_t',
    data: 'const uint8_t *',
    size: 'size_t',
    quality: 'int32_t',
    diff: 'double',
    width: 'uint32_t',
    height: 'uint32_t',
    budget_met: 'uint32_t',
    diff_met: 'uint32_t',
    candidates: 'uint32_t',
    message: 'const char *',
});

const MemoryStatsStruct = koffi.struct('pyjamaz_memory_stats', {
    live_bytes: 'uint64_t',
    live_allocations: 'uint64_t',
    total_allocations: 'uint64_t',
    peak_bytes: 'uint64_t',
    vips_tracked_bytes: 'uint64_t',
    vips_tracked_allocations: 'uint64_t',
    vips_tracked_files: 'uint64_t',
    vips_live_objects: 'uint64_t',
    live_results: 'uint64_t',
});

/** Where the library is looked for, in order: PYJAMAZ_LIB_PATH alone when set, else the build output, then the system. */
function candidatePaths(env = process.env) {
    if (env.PYJAMAZ_LIB_PATH) return [{ path: env.PYJAMAZ_LIB_PATH, mustExist: true }];
    return [
        { path: path.join(REPO_ROOT, 'zig-out', 'lib', LIBRARY_FILE), mustExist: true },
        { path: LIBRARY_FILE, mustExist: false }, // resolved by the dynamic loader
    ];
}

function openLibrary(env = process.env) {
    const failures = [];
    for (const candidate of candidatePaths(env)) {
        if (candidate.mustExist && !fs.existsSync(candidate.path)) {
            failures.push(`${candidate.path}: no such file`);
            continue;
        }
        try {
            return { lib: koffi.load(candidate.path), path: candidate.path };
        } catch (error) {
            failures.push(`${candidate.path}: ${error.message}`);
        }
    }
    const hint = env.PYJAMAZ_LIB_PATH
        ? 'PYJAMAZ_LIB_PATH is set, so no other place is tried'
        : 'build it with `scripts/zig build` or set PYJAMAZ_LIB_PATH';
    throw new PyjamazLoadError(`libpyjamaz could not be loaded (${hint}):\n  ${failures.join('\n  ')}`);
}

function declareFunctions(lib) {
    const optimize = lib.func('int32_t pyjamaz_optimize(const uint8_t *input, size_t input_len, const pyjamaz_options *options, _Out_ void **out)');
    const optimizeFile = lib.func('int32_t pyjamaz_optimize_file(const char *path, const pyjamaz_options *options, _Out_ void **out)');
    return {
        version: lib.func('const char *pyjamaz_version(void)'),
        abiVersion: lib.func('int pyjamaz_abi_version(void)'),
        init: lib.func('int32_t pyjamaz_init(void)'),
        shutdown: lib.func('int32_t pyjamaz_shutdown(void)'),
        isInitialized: lib.func('int pyjamaz_is_initialized(void)'),
        statusMessage: lib.func('const char *pyjamaz_status_message(int status)'),
        supportedFormats: lib.func('uint32_t pyjamaz_supported_formats(void)'),
        formatName: lib.func('const char *pyjamaz_format_name(uint32_t format)'),
        optionsInit: lib.func('void pyjamaz_options_init(_Out_ pyjamaz_options *options)'),
        optimize,
        optimizeFile,
        resultFree: lib.func('void pyjamaz_result_free(void *result)'),
        memoryStatsGet: lib.func('void pyjamaz_memory_stats_get(_Out_ pyjamaz_memory_stats *stats)'),
    };
}

function start(fns, libraryPath) {
    const abi = fns.abiVersion();
    if (abi !== EXPECTED_ABI_VERSION) {
        throw new PyjamazLoadError(`${libraryPath} speaks ABI ${abi}, this binding needs ABI ${EXPECTED_ABI_VERSION}`);
    }
    const status = fns.init();
    if (status !== 0) throw new PyjamazError(status, `pyjamaz_init failed: ${fns.statusMessage(status)}`);
}

let loaded = null;

/** The loaded library: { path, fns }; loads and initialises it on first use. */
function native() {
    if (loaded === null) {
        const { lib, path: libraryPath } = openLibrary();
        const fns = declareFunctions(lib);
        start(fns, libraryPath);
        loaded = Object.freeze({ path: libraryPath, fns });
    }
    return loaded;
}

module.exports = { koffi, native, candidatePaths, OptionsStruct, ResultStruct, MemoryStatsStruct, REPO_ROOT };
