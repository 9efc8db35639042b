'use strict';
// pyjamaz — the Node binding of libpyjamaz (koffi FFI). See index.d.ts for the API.

const { native } = require('./lib/native');
const { PyjamazError, PyjamazLoadError, STATUS_NAMES } = require('./lib/errors');
const { optionFields, formatNamesOf, FORMAT_BITS } = require('./lib/options');
const { takeResult } = require('./lib/result');

// Passed (with length 0) for empty input: koffi turns an empty Buffer into NULL, and the library must
// see "empty input", not "NULL pointer".
const EMPTY_BACKING = Buffer.alloc(1);

let defaultOptions = null;

// The library's defaults (pyjamaz_options_init), read once, under the caller's validated fields.
function optionsStruct(fields) {
    if (defaultOptions === null) {
        const defaults = {};
        native().fns.optionsInit(defaults);
        defaultOptions = Object.freeze(defaults);
    }
    return { ...defaultOptions, ...fields };
}

function inputBytes(input) {
    if (!(input instanceof Uint8Array)) {
        throw new TypeError(`input must be a Buffer or Uint8Array, got ${input === null ? 'null' : typeof input}`);
    }
    return input.length === 0 ? EMPTY_BACKING : input;
}

function filePath(filename) {
    if (typeof filename !== 'string') throw new TypeError(`path must be a string, got ${typeof filename}`);
    if (filename.length === 0 || filename.includes('\0')) {
        throw new RangeError('path must be a non-empty string without NUL characters');
    }
    return filename;
}

// A native call ready to run: the koffi function and its arguments but the trailing `out` pointer.
function bufferCall(input, options) {
    const bytes = inputBytes(input);
    const fields = optionFields(options);
    return { fn: native().fns.optimize, args: [bytes, input.length, optionsStruct(fields)] };
}

function fileCall(filename, options) {
    const pathArg = filePath(filename);
    const fields = optionFields(options);
    return { fn: native().fns.optimizeFile, args: [pathArg, optionsStruct(fields)] };
}

function callSync({ fn, args }) {
    const out = [null];
    const status = fn(...args, out);
    return takeResult(native().fns, status, out[0]);
}

function callAsync({ fn, args }) {
    const { fns } = native();
    const out = [null];
    return new Promise((resolve, reject) => {
        fn.async(...args, out, (error, status) => {
            // Settle inside the callback so the native result is freed in the same turn it arrived.
            try {
                if (error) {
                    if (out[0]) fns.resultFree(out[0]);
                    throw error;
                }
                resolve(takeResult(fns, status, out[0]));
            } catch (failure) {
                reject(failure);
            }
        });
    });
}

/** Optimizes `input` on the calling thread. */
function optimize(input, options) {
    return callSync(bufferCall(input, options));
}

/** Optimizes `input` on a worker thread; `input` must not be changed until the promise settles. */
async function optimizeAsync(input, options) {
    return callAsync(bufferCall(input, options));
}

/** Reads and optimizes the file at `filename` on the calling thread. */
function optimizeFile(filename, options) {
    return callSync(fileCall(filename, options));
}

/** Reads and optimizes the file at `filename` on a worker thread. */
async function optimizeFileAsync(filename, options) {
    return callAsync(fileCall(filename, options));
}

function supportedFormats() {
    return formatNamesOf(native().fns.supportedFormats());
}

function version() {
    return native().fns.version();
}

function libraryPath() {
    return native().path;
}

function memoryStats() {
    const raw = {};
    native().fns.memoryStatsGet(raw);
    return {
        liveBytes: Number(raw.live_bytes),
        liveAllocations: Number(raw.live_allocations),
        totalAllocations: Number(raw.total_allocations),
        peakBytes: Number(raw.peak_bytes),
        vipsTrackedBytes: Number(raw.vips_tracked_bytes),
        vipsTrackedAllocations: Number(raw.vips_tracked_allocations),
        vipsTrackedFiles: Number(raw.vips_tracked_files),
        vipsLiveObjects: Number(raw.vips_live_objects),
        liveResults: Number(raw.live_results),
    };
}

module.exports = {
    optimize,
    optimizeAsync,
    optimizeFile,
    optimizeFileAsync,
    supportedFormats,
    version,
    libraryPath,
    memoryStats,
    PyjamazError,
    PyjamazLoadError,
    FORMATS: Object.freeze(Object.keys(FORMAT_BITS)),
    STATUS_CODES: STATUS_NAMES,
};
