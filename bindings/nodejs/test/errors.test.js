'use strict';
// Every status code of libpyjamaz becomes a PyjamazError with its code and the library's message, in the
// sync and the async path, and the native result is freed on every error.

const test = require('node:test');
const assert = require('node:assert/strict');
const pyjamaz = require('..');
const { native } = require('../lib/native');
const { takeResult } = require('../lib/result');
const { PyjamazError, STATUS_NAMES } = require('../lib/errors');
const { corpus, loadImages } = require('../../../node/probes/support/corpus');

const [IMAGE] = loadImages({ seed: 3, count: 1, minBytes: 2_000, maxBytes: 50_000, kinds: ['photo'] });
const MALFORMED = corpus({ seed: 3, count: 1, malformed: true }).malformed;

function expectError(code) {
    return (error) => {
        assert.ok(error instanceof PyjamazError, `${error}`);
        assert.equal(error.code, code);
        assert.equal(error.status, STATUS_NAMES.indexOf(code));
        assert.ok(error.message.length > 0);
        return true;
    };
}

async function assertFailsBothWays(code, input, options) {
    assert.throws(() => pyjamaz.optimize(input, options), expectError(code));
    await assert.rejects(pyjamaz.optimizeAsync(input, options), expectError(code));
}

function assertNothingLive(before) {
    const after = pyjamaz.memoryStats();
    assert.equal(after.liveResults, 0, 'every error result was freed');
    assert.equal(after.liveBytes, before.liveBytes, 'library live bytes back to baseline');
}

test('EMPTY_INPUT for zero bytes', async () => {
    const before = pyjamaz.memoryStats();
    await assertFailsBothWays('EMPTY_INPUT', Buffer.alloc(0));
    await assertFailsBothWays('EMPTY_INPUT', new Uint8Array(0));
    assertNothingLive(before);
});

test('INPUT_TOO_LARGE when input exceeds maxInputBytes', async () => {
    const before = pyjamaz.memoryStats();
    await assertFailsBothWays('INPUT_TOO_LARGE', IMAGE.data, { maxInputBytes: 100 });
    assertNothingLive(before);
});

test('UNSUPPORTED_FORMAT for bytes no loader knows', async () => {
    const before = pyjamaz.memoryStats();
    await assertFailsBothWays('UNSUPPORTED_FORMAT', Buffer.from('this is plainly not an image, just text'));
    assertNothingLive(before);
});

test('TOO_MANY_PIXELS when the image exceeds maxPixels', async () => {
    const before = pyjamaz.memoryStats();
    await assertFailsBothWays('TOO_MANY_PIXELS', IMAGE.data, { maxPixels: 16 });
    assertNothingLive(before);
});

test('IO for a path that cannot be read', async () => {
    const before = pyjamaz.memoryStats();
    assert.throws(() => pyjamaz.optimizeFile('/nonexistent/dir/image.jpg'), expectError('IO'));
    await assert.rejects(pyjamaz.optimizeFileAsync('/nonexistent/dir/image.jpg'), expectError('IO'));
    assertNothingLive(before);
});

test('each malformed corpus file fails with the status its manifest expects, from bytes and from the file', async () => {
    assert.ok(MALFORMED.length >= 1, 'corpus has malformed files');
    const before = pyjamaz.memoryStats();
    const fs = require('node:fs');
    for (const entry of MALFORMED) {
        await assertFailsBothWays(entry.expect, fs.readFileSync(entry.path));
        assert.throws(() => pyjamaz.optimizeFile(entry.path), expectError(entry.expect), entry.file);
    }
    assertNothingLive(before);
});

test('INVALID_ARGUMENT from the library itself (an unknown format bit, which the binding never sends)', () => {
    const { fns } = native();
    const options = {};
    fns.optionsInit(options);
    const out = [null];
    const status = fns.optimize(IMAGE.data, IMAGE.data.length, { ...options, formats: 1 << 10 }, out);
    assert.throws(() => takeResult(fns, status, out[0]), expectError('INVALID_ARGUMENT'));
    assert.equal(pyjamaz.memoryStats().liveResults, 0);
});

test('NOT_INITIALIZED after the library was shut down, and working again after init', async () => {
    const { fns } = native();
    assert.equal(fns.shutdown(), 0);
    try {
        assert.equal(fns.isInitialized(), 0);
        await assertFailsBothWays('NOT_INITIALIZED', IMAGE.data);
    } finally {
        assert.equal(fns.init(), 0);
    }
    assert.ok(pyjamaz.optimize(IMAGE.data).data.length > 0);
});

test('every status number maps to its name; unknown numbers to UNKNOWN', () => {
    const { fns } = native();
    STATUS_NAMES.forEach((name, status) => {
        const error = new PyjamazError(status, fns.statusMessage(status));
        assert.equal(error.code, name);
        assert.ok(error.message.length > 0);
    });
    assert.equal(new PyjamazError(99, 'x').code, 'UNKNOWN');
    assert.ok(fns.statusMessage(99).length > 0, 'the library describes unknown codes too');
});
