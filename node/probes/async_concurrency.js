'use strict';
// node.async_concurrency — hundreds of optimizeAsync calls in flight at once; once they settle, the
// library's counters are back at baseline and the JS heap holds none of their results.

const { runLeakProbe } = require('./support/probe');
const { loadImages } = require('./support/corpus');

// One format keeps 4,000 calls in the fast suite within a few seconds of CPU.
const OPTIONS = { formats: ['jpeg'], concurrency: 1 };
const IN_FLIGHT = 200;

runLeakProbe({
    name: 'node.async_concurrency',
    iterations: 20,
    // RSS rises over the first ~5 batches (koffi's async pools, libuv and libvips threads) and is flat after.
    warmup: (iterations) => Math.max(Math.floor(iterations / 10), 6),
    setup: (ctx) => {
        ctx.state.images = loadImages({ seed: ctx.seed + 17, count: 8, minBytes: 1_000, maxBytes: 16_000, kinds: ['tiny'] });
    },
    step: async (ctx, i) => {
        const { pyjamaz, images } = ctx.state;
        const calls = Array.from({ length: IN_FLIGHT },
            (_, k) => pyjamaz.optimizeAsync(images[(i + k) % images.length].data, OPTIONS));
        const results = await Promise.all(calls);
        return { calls: IN_FLIGHT, outputBytes: results.reduce((sum, result) => sum + result.data.length, 0) };
    },
});
