'use strict';
// What every Node probe of libpyjamaz shares: the binding under test, its counters in every tick, a
// baseline taken when the measure phase starts, and the checks that must fail on a leak by themselves.

const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const { runProbe } = require('leakcheck-probe'); // on NODE_PATH: leakcheck run puts it there

// Counters that must come back exactly to their value at the start of the measure phase.
const EXACT_COUNTERS = Object.freeze([
    'lib_live_bytes', 'lib_live_allocations', 'vips_tracked_bytes', 'vips_tracked_allocations',
    'vips_tracked_files', 'vips_live_objects', 'live_results', 'open_fds',
]);

// JS-side limits: heap growth allowed over the measure phase (a fixed slack for V8's own noise plus a
// little per call), and the share of returned output bytes still held after the last gc(). A retained
// result or error costs hundreds of bytes per call, far above either.
const HEAP_GROWTH_SLACK = 256 * 1024;
const HEAP_GROWTH_PER_CALL = 16;
const RETAINED_OUTPUT_RATIO_LIMIT = 0.05;

/** The binding under test: PYJAMAZ_NODE_BINDING (e.g. a leak mutant's copy), else bindings/nodejs. */
function loadBinding() {
    return require(process.env.PYJAMAZ_NODE_BINDING || path.join(REPO_ROOT, 'bindings', 'nodejs'));
}

function openFileDescriptors() {
    return fs.readdirSync('/proc/self/fd').length;
}

function libraryCounters(pyjamaz) {
    const stats = pyjamaz.memoryStats();
    return {
        lib_live_bytes: stats.liveBytes,
        lib_live_allocations: stats.liveAllocations,
        vips_tracked_bytes: stats.vipsTrackedBytes,
        vips_tracked_allocations: stats.vipsTrackedAllocations,
        vips_tracked_files: stats.vipsTrackedFiles,
        vips_live_objects: stats.vipsLiveObjects,
        live_results: stats.liveResults,
        open_fds: openFileDescriptors(),
    };
}

// The warmup length: LEAKCHECK_WARMUP when the caller set it, else the probe's own rule, handed to the
// SDK through the same variable so that both agree on where the measure phase starts.
function chooseWarmup(iterations, rule) {
    const raw = process.env.LEAKCHECK_WARMUP;
    if (raw !== undefined && raw.trim() !== '') return Number(raw);
    const warmup = Math.min(iterations - 1, Math.max(1, rule(iterations)));
    process.env.LEAKCHECK_WARMUP = String(warmup);
    return warmup;
}

const tenPercent = (iterations) => Math.floor(iterations / 10);

/**
 * Counters once memory released by gc() is really gone: V8 frees the backing stores of collected
 * ArrayBuffers (Buffers) a turn of the event loop later, so sample after one.
 */
async function settledCounters(ctx) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
    return ctx.countersNow();
}

function checkExactCounters(ctx, baseline, final) {
    for (const name of EXACT_COUNTERS) ctx.check(`${name}_growth`, final[name] - baseline[name], '<=', 0);
}

function checkJsRetention(ctx, baseline, final, totals) {
    ctx.check('js_heap_growth_bytes', final.v8_heap_used - baseline.v8_heap_used, '<=',
        HEAP_GROWTH_SLACK + HEAP_GROWTH_PER_CALL * totals.calls);
    if (totals.outputBytes > 0) {
        ctx.check('js_retained_output_ratio', (final.v8_array_buffers - baseline.v8_array_buffers) / totals.outputBytes,
            '<=', RETAINED_OUTPUT_RATIO_LIMIT);
    }
}

/**
 * Runs a probe whose `step(ctx, i)` returns { calls, outputBytes } for the work it did. The baseline is
 * taken before the first measured step (from then on ctx.state.measuring is true); after teardown the exact counters must be back to it and the
 * JS heap must not hold on to what the measured calls returned. `finish(ctx, final)` adds own checks.
 * `warmup(iterations)` gives the warmup length (default 10%): long enough that pools, arenas and
 * caches reached their size before anything is measured.
 */
function runLeakProbe({ name, iterations, setup, step, finish, tickEvery, warmup = tenPercent }) {
    const pyjamaz = loadBinding();
    const measureFrom = chooseWarmup(Number(process.env.LEAKCHECK_ITERATIONS || iterations), warmup);
    const totals = { calls: 0, outputBytes: 0 };
    let baseline = null;
    return runProbe({
        name,
        iterations,
        tickEvery,
        counters: () => libraryCounters(pyjamaz),
        setup: async (ctx) => {
            ctx.state.pyjamaz = pyjamaz;
            if (setup) await setup(ctx);
        },
        body: async (ctx, i) => {
            if (i === measureFrom) {
                baseline = await settledCounters(ctx);
                ctx.state.measuring = true;
            }
            const done = await step(ctx, i);
            if (baseline !== null) {
                totals.calls += done.calls;
                totals.outputBytes += done.outputBytes;
            }
        },
        teardown: async (ctx) => {
            if (baseline === null) throw new Error(`${name}: no measured iteration (warmup ${measureFrom})`);
            const final = await settledCounters(ctx);
            checkExactCounters(ctx, baseline, final);
            checkJsRetention(ctx, baseline, final, totals);
            if (finish) await finish(ctx, final, baseline);
        },
    });
}

module.exports = { runLeakProbe, settledCounters, loadBinding, libraryCounters, EXACT_COUNTERS, REPO_ROOT };
