'use strict';
// optimize/optimizeAsync/optimizeFile on real images from the seeded corpus, through the real library.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const pyjamaz = require('..');
const { loadImages } = require('../../../node/probes/support/corpus');

const IMAGES = loadImages({ seed: 7, count: 8, minBytes: 1_000, maxBytes: 60_000 });
// PNG encoding of photos is slow (tenths of a second each); JPEG and WebP keep the suite quick.
const FAST = { formats: ['jpeg', 'webp'], concurrency: 1 };
const SMALL = IMAGES.filter((image) => image.data.length <= 20_000);

const MAGIC = {
    jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
    png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    webp: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
    gif: (b) => b.toString('latin1', 0, 4) === 'GIF8',
};

function assertSameResult(actual, expected) {
    assert.ok(actual.data.equals(expected.data), 'same output bytes');
    const { data: _a, ...actualFields } = actual;
    const { data: _e, ...expectedFields } = expected;
    assert.deepEqual(actualFields, expectedFields);
}

test('library facts: version, supported formats, path', () => {
    assert.match(pyjamaz.version(), /^\d+\.\d+\.\d+/);
    const formats = pyjamaz.supportedFormats();
    assert.ok(formats.includes('jpeg') && formats.includes('png'), `supported: ${formats}`);
    assert.ok(formats.every((f) => pyjamaz.FORMATS.includes(f)));
    assert.match(pyjamaz.libraryPath(), /libpyjamaz\.so$/);
});

test('every output is never larger than its input, carries its format\'s signature and decodes again', () => {
    assert.ok(IMAGES.length >= 5, 'corpus has images');
    for (const image of IMAGES) {
        const result = pyjamaz.optimize(image.data, FAST);
        assert.ok(result.data.length > 0, image.file);
        assert.ok(result.data.length <= image.data.length, `${image.file}: ${result.data.length} > ${image.data.length}`);
        if (result.format === 'original') {
            assert.ok(result.data.equals(image.data), `${image.file}: original output is the input`);
        } else {
            assert.ok(MAGIC[result.format](result.data), `${image.file}: ${result.format} signature`);
        }
        assert.equal(result.width, image.width, image.file);
        assert.equal(result.height, image.height, image.file);
        assert.ok(result.candidates >= 1);
        const again = pyjamaz.optimize(result.data, { formats: ['jpeg'] });
        assert.deepEqual([again.width, again.height], [result.width, result.height], `${image.file} decodes`);
    }
});

test('a byte budget is met when the result says so, and is met for photos at half their size', () => {
    let met = 0;
    for (const image of IMAGES.filter((i) => i.kind === 'photo')) {
        const budget = Math.floor(image.data.length / 2);
        const result = pyjamaz.optimize(image.data, { ...FAST, maxBytes: budget });
        if (result.budgetMet) {
            assert.ok(result.data.length <= budget, `${image.file}: ${result.data.length} > budget ${budget}`);
            met += 1;
        }
    }
    assert.ok(met >= 1, 'at least one photo meets a budget of half its size');
});

test('format restriction, downscaling and metadata stripping are honoured', () => {
    const image = SMALL.find((i) => i.width >= 64) ?? IMAGES[0];
    const png = pyjamaz.optimize(image.data, { formats: ['png'] });
    assert.ok(['png', 'original'].includes(png.format));
    const small = pyjamaz.optimize(image.data, { ...FAST, maxWidth: 32, maxHeight: 32, stripMetadata: true });
    assert.ok(small.width <= 32 && small.height <= 32, `${small.width}x${small.height}`);
});

test('optimizeAsync returns exactly what optimize returns', async () => {
    for (const image of IMAGES) {
        assertSameResult(await pyjamaz.optimizeAsync(image.data, FAST), pyjamaz.optimize(image.data, FAST));
    }
});

test('optimizeFile and optimizeFileAsync equal optimize on the file\'s bytes', async () => {
    const image = IMAGES[0];
    const expected = pyjamaz.optimize(fs.readFileSync(image.path), FAST);
    assertSameResult(pyjamaz.optimizeFile(image.path, FAST), expected);
    assertSameResult(await pyjamaz.optimizeFileAsync(image.path, FAST), expected);
});

test('a Uint8Array view at an offset into a larger buffer is read from its offset', () => {
    const image = IMAGES[0];
    const padded = new Uint8Array(image.data.length + 100);
    padded.set(image.data, 37);
    const view = padded.subarray(37, 37 + image.data.length);
    assertSameResult(pyjamaz.optimize(view, FAST), pyjamaz.optimize(image.data, FAST));
});

test('hundreds of async calls in flight all settle with the sync result', async () => {
    assert.ok(SMALL.length >= 2, 'corpus has small images');
    const expected = SMALL.map((image) => pyjamaz.optimize(image.data, FAST));
    const calls = Array.from({ length: 200 }, (_, k) => k % SMALL.length);
    const results = await Promise.all(calls.map((k) => pyjamaz.optimizeAsync(SMALL[k].data, FAST)));
    results.forEach((result, n) => assertSameResult(result, expected[calls[n]]));
    assert.equal(pyjamaz.memoryStats().liveResults, 0);
});

test('optimizeAsync does not block the event loop', async () => {
    const largest = IMAGES.reduce((a, b) => (a.data.length >= b.data.length ? a : b));
    const order = [];
    const call = pyjamaz.optimizeAsync(largest.data).then(() => order.push('optimize'));
    setImmediate(() => order.push('immediate'));
    await call;
    // A call that ran on this thread would have settled before the next turn of the loop.
    assert.equal(order[0], 'immediate');
});

test('no native memory outlives a call: library counters return to their baseline', async () => {
    const image = IMAGES[0];
    pyjamaz.optimize(image.data, FAST);
    const before = pyjamaz.memoryStats();
    for (let n = 0; n < 5; n += 1) {
        pyjamaz.optimize(image.data, FAST);
        await pyjamaz.optimizeAsync(image.data, FAST);
    }
    const after = pyjamaz.memoryStats();
    assert.equal(after.liveResults, 0);
    assert.equal(after.liveBytes, before.liveBytes);
    assert.equal(after.liveAllocations, before.liveAllocations);
    assert.equal(after.vipsLiveObjects, before.vipsLiveObjects);
    assert.ok(after.totalAllocations > before.totalAllocations, 'the calls did allocate');
});
