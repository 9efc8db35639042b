'use strict';
// node.buffer_memory — images from 1 KB to 4 MB through the sync and async paths: Buffers handed in and
// out must all be released, and the library's counters must be back at baseline.

const { runLeakProbe } = require('./support/probe');
const { loadImages } = require('./support/corpus');

const OPTIONS = { formats: ['jpeg'], concurrency: 2 };
const MAX_INPUT_BYTES = 4 * 1024 * 1024;
const SMALL_IMAGES = 12;
const LARGE_IMAGES = 6;

runLeakProbe({
    name: 'node.buffer_memory',
    iterations: 72,
    // Two passes over the images before measuring: libvips starts worker threads on demand, and the
    // largest images must have sized the thread pool and the arenas already.
    warmup: (iterations) => Math.max(Math.floor(iterations / 10), 2 * (SMALL_IMAGES + LARGE_IMAGES)),
    setup: (ctx) => {
        // Small images of every kind and photos of 1 MB and more, nothing over 4 MB, interleaved so that
        // every stretch of the run sees both (sorted by size, RSS would climb along with the sizes).
        const small = loadImages({ seed: ctx.seed + 23, count: SMALL_IMAGES, minBytes: 1_000, maxBytes: 64_000, kinds: ['tiny', 'flat', 'photo'] });
        const large = loadImages({ seed: ctx.seed + 23, count: LARGE_IMAGES, minBytes: 1_000_000, maxBytes: 4_000_000, kinds: ['photo', 'alpha'] })
            .filter((image) => image.data.length <= MAX_INPUT_BYTES);
        ctx.state.images = small.flatMap((image, k) => (k % 2 === 1 && large[k >> 1] ? [image, large[k >> 1]] : [image]));
    },
    step: async (ctx, i) => {
        const { pyjamaz, images } = ctx.state;
        const image = images[i % images.length];
        // The path flips every pass over the images, so each image goes through both.
        const viaAsync = (i + Math.floor(i / images.length)) % 2 === 1;
        const result = viaAsync ? await pyjamaz.optimizeAsync(image.data, OPTIONS) : pyjamaz.optimize(image.data, OPTIONS);
        return { calls: 1, outputBytes: result.data.length };
    },
});
