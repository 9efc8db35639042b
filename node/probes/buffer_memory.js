'use strict';
// node.buffer_memory — images from 1 KB to 4 MB through the sync and async paths: Buffers handed in and
// out must all be released, and the library's counters must be back at baseline.

const { runLeakProbe } = require('./support/probe');
const { loadImages } = require('./support/corpus');

const OPTIONS = { formats: ['jpeg'], concurrency: 2 };
const MAX_INPUT_BYTES = 4 * 1024 * 1024;

runLeakProbe({
    name: 'node.buffer_memory',
    iterations: 40,
    setup: (ctx) => {
        // Small images of every kind, then photos of 1 MB and more; nothing over 4 MB.
        const small = loadImages({ seed: ctx.seed + 23, count: 12, minBytes: 1_000, maxBytes: 64_000, kinds: ['tiny', 'flat', 'photo'] });
        const large = loadImages({ seed: ctx.seed + 23, count: 6, minBytes: 1_000_000, maxBytes: 4_000_000, kinds: ['photo', 'alpha'] });
        ctx.state.images = [...small, ...large].filter((image) => image.data.length <= MAX_INPUT_BYTES)
            .sort((a, b) => a.data.length - b.data.length);
    },
    step: async (ctx, i) => {
        const { pyjamaz, images } = ctx.state;
        const image = images[i % images.length];
        const result = i % 2 === 0 ? pyjamaz.optimize(image.data, OPTIONS) : await pyjamaz.optimizeAsync(image.data, OPTIONS);
        return { calls: 1, outputBytes: result.data.length };
    },
});
