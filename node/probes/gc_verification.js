'use strict';
// node.gc_verification — results are held, then released: after gc() the JS heap, external memory and
// ArrayBuffers must give back at least 70% of what holding them took (the median over the measured
// iterations, so that one turn where V8 compacts or compiles something does not decide), and the
// library's counters must be back at their baseline.

const { runLeakProbe, settledCounters } = require('./support/probe');
const { loadImages } = require('./support/corpus');

const OPTIONS = { formats: ['jpeg', 'webp'], concurrency: 1 };
const HELD_PER_ITERATION = 24;
const FREED_RATIO_LIMIT = 0.7;
const MEASURES = [['heap', 'v8_heap_used'], ['external', 'v8_external'], ['array_buffers', 'v8_array_buffers']];

function holdResults(ctx, i) {
    const { pyjamaz, images } = ctx.state;
    const held = [];
    for (let k = 0; k < HELD_PER_ITERATION; k += 1) {
        held.push(pyjamaz.optimize(images[(i + k) % images.length].data, OPTIONS));
    }
    return held;
}

// freed / held for one iteration; 0 when holding showed no growth, which a working release never needs.
function freedRatio(before, heldAt, releasedAt, counter) {
    const held = heldAt[counter] - before[counter];
    return held > 0 ? (heldAt[counter] - releasedAt[counter]) / held : 0;
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

runLeakProbe({
    name: 'node.gc_verification',
    iterations: 24,
    // The first iterations still grow the heap (compiled code, inline caches) and RSS with it.
    warmup: (iterations) => Math.max(Math.floor(iterations / 10), 6),
    setup: (ctx) => {
        ctx.state.images = loadImages({ seed: ctx.seed + 13, count: 8, minBytes: 1_000, maxBytes: 48_000, kinds: ['tiny'] });
        ctx.state.ratios = Object.fromEntries(MEASURES.map(([label]) => [label, []]));
    },
    step: async (ctx, i) => {
        const before = await settledCounters(ctx);
        let held = holdResults(ctx, i);
        const outputBytes = held.reduce((sum, result) => sum + result.data.length, 0);
        const heldAt = await settledCounters(ctx);
        held = null; // released: nothing else refers to the results
        const releasedAt = await settledCounters(ctx);
        if (ctx.state.measuring) {
            for (const [label, counter] of MEASURES) {
                ctx.state.ratios[label].push(freedRatio(before, heldAt, releasedAt, counter));
            }
        }
        return { calls: HELD_PER_ITERATION, outputBytes };
    },
    finish: (ctx) => {
        for (const [label] of MEASURES) {
            ctx.check(`gc_freed_ratio_${label}`, median(ctx.state.ratios[label]), '>=', FREED_RATIO_LIMIT);
        }
    },
});
