#!/usr/bin/env node
'use strict';
// Timing of the Node binding: koffi's per-call overhead, and the time per image through optimize
// (sync), optimizeAsync (one in flight, and several) and the Zig probe on the same shape of workload.
//
//   node bindings/nodejs/bench/timing.js [--json]
//
// The workload copies the Zig probe's `optimize` mode (zig/probes/pyjamaz_probe.zig): 8 small images
// (24x18 + i*(4x3): photo JPEG, flat PNG, alpha PNG, photo WebP), every format, concurrency 1, and
// every fourth call a byte budget of half the input with concurrency 2. The images are made by
// downscaling corpus images with libpyjamaz itself, so they match in size and format, not in bytes.

const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const pyjamaz = require('..');
const { native, koffi } = require('../lib/native');
const { loadImages, REPO_ROOT } = require('../../../node/probes/support/corpus');

const ZIG_PROBE = path.join(REPO_ROOT, 'zig-out', 'bin', 'pyjamaz-probe');
const SHAPES = [['photo', 'jpeg'], ['flat', 'png'], ['alpha', 'png'], ['photo', 'webp']];
const REPEATS = 3;

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function nowNs() {
    return process.hrtime.bigint();
}

/** Median over REPEATS of the nanoseconds per call of `fn` run `count` times. */
function nsPerCall(count, fn) {
    const runs = [];
    for (let r = 0; r < REPEATS; r += 1) {
        const start = nowNs();
        for (let i = 0; i < count; i += 1) fn(i);
        runs.push(Number(nowNs() - start) / count);
    }
    return median(runs);
}

async function nsPerCallAsync(count, inFlight, fn) {
    const runs = [];
    for (let r = 0; r < REPEATS; r += 1) {
        const start = nowNs();
        for (let i = 0; i < count; i += inFlight) {
            await Promise.all(Array.from({ length: Math.min(inFlight, count - i) }, (_, k) => fn(i + k)));
        }
        runs.push(Number(nowNs() - start) / count);
    }
    return median(runs);
}

function zigLikeImages() {
    const sources = {
        photo: loadImages({ seed: 41, count: 1, minBytes: 20_000, maxBytes: 200_000, kinds: ['photo'] })[0],
        flat: loadImages({ seed: 41, count: 1, minBytes: 1_000, maxBytes: 200_000, kinds: ['flat'] })[0],
        alpha: loadImages({ seed: 41, count: 1, minBytes: 1_000, maxBytes: 400_000, kinds: ['alpha'] })[0],
    };
    return Array.from({ length: 8 }, (_, i) => {
        const [kind, format] = SHAPES[i % SHAPES.length];
        const made = pyjamaz.optimize(sources[kind].data, { formats: [format], maxWidth: 24 + i * 4, maxHeight: 18 + i * 3 });
        return made.data;
    });
}

function zigLikeOptions(image, i) {
    return i % 4 === 0 ? { concurrency: 2, maxBytes: Math.floor(image.length / 2) } : { concurrency: 1 };
}

function zigProbeNsPerIteration() {
    const wall = (iterations) => {
        const start = nowNs();
        execFileSync(ZIG_PROBE, ['optimize'], {
            env: { ...process.env, LEAKCHECK_ITERATIONS: String(iterations), LEAKCHECK_FD: '' }, stdio: 'ignore',
        });
        return Number(nowNs() - start);
    };
    // Two run lengths: the difference is the loop alone, without start-up and image generation.
    const runs = [];
    for (let r = 0; r < REPEATS; r += 1) runs.push((wall(1200) - wall(200)) / 1000);
    return median(runs);
}

async function main() {
    const { fns } = native();
    const images = zigLikeImages();
    const optimizeArgs = (i) => [images[i % images.length], zigLikeOptions(images[i % images.length], i)];
    const empty = Buffer.alloc(0);
    const tryEmpty = (call) => call(empty).catch?.(() => {});
    for (let i = 0; i < 40; i += 1) pyjamaz.optimize(...optimizeArgs(i)); // warm libvips and the JIT

    const figures = {
        machine: { cpus: os.cpus().length, loadavg_1m: os.loadavg()[0], node: process.version, koffi: koffi.version },
        koffi_overhead_ns: {
            js_function_call: nsPerCall(1_000_000, (i) => Math.max(i, 0)),
            ffi_int_call_pyjamaz_abi_version: nsPerCall(1_000_000, () => fns.abiVersion()),
            ffi_string_return_pyjamaz_version: nsPerCall(200_000, () => fns.version()),
            ffi_struct_out_memoryStats: nsPerCall(200_000, () => pyjamaz.memoryStats()),
            binding_error_path_sync_EMPTY_INPUT: nsPerCall(50_000, () => { try { pyjamaz.optimize(empty); } catch { /* expected */ } }),
        },
        async_round_trip_ns: {
            ffi_async_pyjamaz_abi_version: await nsPerCallAsync(20_000, 1,
                () => new Promise((resolve) => fns.abiVersion.async((error, value) => resolve(value)))),
            binding_error_path_async_EMPTY_INPUT: await nsPerCallAsync(20_000, 1, () => tryEmpty(pyjamaz.optimizeAsync)),
        },
        per_image_us: {
            node_sync: (await nsPerCall(400, (i) => pyjamaz.optimize(...optimizeArgs(i)))) / 1000,
            node_async_1_in_flight: (await nsPerCallAsync(400, 1, (i) => pyjamaz.optimizeAsync(...optimizeArgs(i)))) / 1000,
            node_async_2_in_flight: (await nsPerCallAsync(400, 2, (i) => pyjamaz.optimizeAsync(...optimizeArgs(i)))) / 1000,
            node_async_8_in_flight: (await nsPerCallAsync(400, 8, (i) => pyjamaz.optimizeAsync(...optimizeArgs(i)))) / 1000,
            zig_probe_optimize: zigProbeNsPerIteration() / 1000,
        },
    };
    figures.machine.loadavg_1m_after = os.loadavg()[0];
    return figures;
}

main().then((figures) => {
    process.stdout.write(`${JSON.stringify(figures, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2)}\n`);
}, (error) => {
    process.stderr.write(`timing: ${error.stack}\n`);
    process.exit(1);
});
