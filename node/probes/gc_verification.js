'use strict';
// node.gc_verification — results are held, then released: after gc() the JS heap, external memory and
// ArrayBuffers must give back at least 70% of what holding them took, and the library's counters must
// be back at their baseline.

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

function addDeltas(totals, before, heldAt, releasedAt) {
    for (const [label, counter] of MEASURES) {
        totals[label].held += heldAt[counter] - before[counter];
        totals[label].freed += heldAt[counter] - releasedAt[counter];
    }
}

runLeakProbe({
    name: 'node.gc_verification',
    iterations: 20,
    setup: (ctx) => {
        ctx.state.images = loadImages({ seed: ctx.seed + 13, count: 8, minBytes: 1_000, maxBytes: 48_000, kinds: ['tiny', 'flat'] });
        ctx.state.totals = Object.fromEntries(MEASURES.map(([label]) => [label, { held: 0, freed: 0 }]));
    },
    step: async (ctx, i) => {
        const before = await settledCounters(ctx);
        let held = holdResults(ctx, i);
        const outputBytes = held.reduce((sum, result) => sum + result.data.length, 0);
        const heldAt = await settledCounters(ctx);
        held = null; // released: nothing else refers to the results
        const releasedAt = await settledCounters(ctx);
        addDeltas(ctx.state.totals, before, heldAt, releasedAt);
        return { calls: HELD_PER_ITERATION, outputBytes };
    },
    finish: (ctx) => {
        for (const [label] of MEASURES) {
            const { held, freed } = ctx.state.totals[label];
            ctx.check(`gc_freed_ratio_${label}`, held > 0 ? freed / held : 0, '>=', FREED_RATIO_LIMIT);
        }
    },
});
