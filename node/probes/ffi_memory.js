'use strict';
// node.ffi_memory — many koffi calls on small images, from bytes and from files: RSS and the exact
// library counters must not grow, and nothing the calls returned may stay on the JS heap.

const { runLeakProbe } = require('./support/probe');
const { loadImages } = require('./support/corpus');

// Two formats, so one candidate loses every call (the losing-candidates leak needs a loser).
const OPTIONS = { formats: ['jpeg', 'webp'], concurrency: 1 };

runLeakProbe({
    name: 'node.ffi_memory',
    iterations: 500,
    // RSS climbs by ~4 MB over the first ~250 calls (codec and libvips state) and is flat after.
    warmup: (iterations) => Math.max(Math.floor(iterations / 10), 200),
    setup: (ctx) => {
        ctx.state.images = loadImages({ seed: ctx.seed + 11, count: 8, minBytes: 1_000, maxBytes: 32_000, kinds: ['tiny'] });
    },
    step: (ctx, i) => {
        const { pyjamaz, images } = ctx.state;
        const image = images[i % images.length];
        // Every other call goes through pyjamaz_optimize_file, so a leaked file descriptor shows.
        const result = i % 2 === 0 ? pyjamaz.optimize(image.data, OPTIONS) : pyjamaz.optimizeFile(image.path, OPTIONS);
        return { calls: 1, outputBytes: result.data.length };
    },
});
