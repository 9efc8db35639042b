'use strict';
// node.memory_pressure — a long run of images of 1 MB and more: RSS may grow less than 500 MB over the
// measure phase and must level off (the second half of the measure phase grows by little), besides the
// exact counters coming back to baseline. In the pressure suite every call gets a different image (the
// streamed pressure corpus, support/pressure_images.js); the other suites cycle a pool of six.

const { runLeakProbe } = require('./support/probe');
const { loadImages } = require('./support/corpus');
const { PressureStream } = require('./support/pressure_images');

const OPTIONS = { formats: ['jpeg'], concurrency: 2 };
const IMAGES = 6;
const MB = 1024 * 1024;
const RSS_GROWTH_LIMIT = 500 * MB;
const SECOND_HALF_GROWTH_LIMIT = 64 * MB;

runLeakProbe({
    name: 'node.memory_pressure',
    iterations: 36,
    // Two passes over the images: libvips starts worker threads on demand during the first ones.
    warmup: (iterations) => Math.max(Math.floor(iterations / 10), 2 * IMAGES),
    setup: (ctx) => {
        if (ctx.suite === 'pressure') ctx.state.stream = new PressureStream({ seed: ctx.seed + 29, count: ctx.iterations });
        else ctx.state.images = loadImages({ seed: ctx.seed + 29, count: IMAGES, minBytes: 1_000_000, maxBytes: 3_000_000, kinds: ['photo', 'alpha'] });
        ctx.state.rss = [];
    },
    step: async (ctx, i) => {
        const { pyjamaz, images, stream, rss } = ctx.state;
        const input = stream ? (await stream.next()).data : images[i % images.length].data;
        const result = pyjamaz.optimize(input, OPTIONS);
        if (ctx.state.measuring) rss.push(process.memoryUsage.rss());
        return { calls: 1, outputBytes: result.data.length };
    },
    finish: async (ctx) => {
        const { rss, stream } = ctx.state;
        if (stream) await stream.close();
        // RSS at one moment depends on which image was just decoded (tens of MB apart), so the halves are
        // compared by their peak over one full pass of the images, not by single samples.
        const half = Math.floor(rss.length / 2);
        const peak = (samples) => Math.max(...samples);
        const middlePass = peak(rss.slice(Math.max(0, half - IMAGES), half));
        const lastPass = peak(rss.slice(-IMAGES));
        ctx.check('rss_growth_bytes', lastPass - peak(rss.slice(0, IMAGES)), '<', RSS_GROWTH_LIMIT);
        ctx.check('rss_second_half_growth_bytes', lastPass - middlePass, '<', SECOND_HALF_GROWTH_LIMIT);
    },
});
