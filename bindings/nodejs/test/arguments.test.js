'use strict';
// Bad arguments are rejected with TypeError/RangeError before the library is touched: this file points
// PYJAMAZ_LIB_PATH at a missing file, so any call that reached the library would fail to load instead.

process.env.PYJAMAZ_LIB_PATH = '/nonexistent/libpyjamaz.so';

const test = require('node:test');
const assert = require('node:assert/strict');
const pyjamaz = require('..');

const IMAGE = Buffer.from([0xff, 0xd8, 0xff]);

const BAD_INPUTS = [
    ['a string', 'not bytes', TypeError],
    ['null', null, TypeError],
    ['an array of numbers', [1, 2, 3], TypeError],
    ['an ArrayBuffer', new ArrayBuffer(4), TypeError],
];

const BAD_OPTIONS = [
    ['options not an object', 'fast', TypeError],
    ['options an array', [], TypeError],
    ['unknown option (typo)', { maxbytes: 10 }, TypeError],
    ['maxBytes a string', { maxBytes: '10' }, TypeError],
    ['maxBytes negative', { maxBytes: -1 }, RangeError],
    ['maxBytes fractional', { maxBytes: 1.5 }, RangeError],
    ['maxBytes beyond 2^53', { maxBytes: 2 ** 60 }, RangeError],
    ['maxDiff NaN', { maxDiff: NaN }, RangeError],
    ['maxDiff negative', { maxDiff: -0.1 }, RangeError],
    ['maxDiff infinite', { maxDiff: Infinity }, RangeError],
    ['maxWidth over uint32', { maxWidth: 2 ** 32 }, RangeError],
    ['maxHeight negative', { maxHeight: -5 }, RangeError],
    ['stripMetadata not boolean', { stripMetadata: 1 }, TypeError],
    ['concurrency over 16', { concurrency: 17 }, RangeError],
    ['maxPixels fractional', { maxPixels: 0.5 }, RangeError],
    ['maxInputBytes a bigint', { maxInputBytes: 10n }, TypeError],
    ['formats not an array', { formats: 'jpeg' }, TypeError],
    ['formats empty', { formats: [] }, RangeError],
    ['formats unknown name', { formats: ['jpeg', 'bmp'] }, RangeError],
    ['formats "original" (a result, not a choice)', { formats: ['original'] }, RangeError],
];

for (const [what, input, errorClass] of BAD_INPUTS) {
    test(`optimize rejects input that is ${what} with ${errorClass.name}`, async () => {
        assert.throws(() => pyjamaz.optimize(input), errorClass);
        await assert.rejects(pyjamaz.optimizeAsync(input), errorClass);
    });
}

for (const [what, options, errorClass] of BAD_OPTIONS) {
    test(`${what} is a ${errorClass.name} in every entry point`, async () => {
        assert.throws(() => pyjamaz.optimize(IMAGE, options), errorClass);
        await assert.rejects(pyjamaz.optimizeAsync(IMAGE, options), errorClass);
        assert.throws(() => pyjamaz.optimizeFile('/tmp/x.jpg', options), errorClass);
        await assert.rejects(pyjamaz.optimizeFileAsync('/tmp/x.jpg', options), errorClass);
    });
}

test('the error names the option and the value', () => {
    assert.throws(() => pyjamaz.optimize(IMAGE, { maxBytes: -1 }), /options\.maxBytes .* got -1/);
    assert.throws(() => pyjamaz.optimize(IMAGE, { formats: ['bmp'] }), /unknown format "bmp"/);
    assert.throws(() => pyjamaz.optimize(IMAGE, { maxbytes: 1 }), /unknown option "maxbytes"/);
});

test('file paths: non-string is a TypeError, empty or with NUL a RangeError', async () => {
    assert.throws(() => pyjamaz.optimizeFile(42), TypeError);
    assert.throws(() => pyjamaz.optimizeFile(Buffer.from('/tmp/x')), TypeError);
    assert.throws(() => pyjamaz.optimizeFile(''), RangeError);
    assert.throws(() => pyjamaz.optimizeFile('/tmp/a\0b'), RangeError);
    await assert.rejects(pyjamaz.optimizeFileAsync(''), RangeError);
});

test('valid arguments do reach the library: it is missing here, so they fail to load it', async () => {
    assert.throws(() => pyjamaz.optimize(IMAGE, { maxBytes: 10, formats: ['jpeg'] }), pyjamaz.PyjamazLoadError);
    await assert.rejects(pyjamaz.optimizeAsync(IMAGE), pyjamaz.PyjamazLoadError);
    assert.throws(() => pyjamaz.optimizeFile('/tmp/x.jpg'), pyjamaz.PyjamazLoadError);
});

test('a missing PYJAMAZ_LIB_PATH is reported with the path and no fallback', () => {
    assert.throws(() => pyjamaz.version(), (error) => {
        assert.ok(error instanceof pyjamaz.PyjamazLoadError);
        assert.match(error.message, /\/nonexistent\/libpyjamaz\.so: no such file/);
        assert.match(error.message, /PYJAMAZ_LIB_PATH is set, so no other place is tried/);
        return true;
    });
});

test('a file that is not a shared library is reported, not a crash', () => {
    const { execFileSync } = require('node:child_process');
    const script = `try { require(${JSON.stringify(require.resolve('..'))}).version(); process.exit(3) }
        catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })) }`;
    const out = execFileSync(process.execPath, ['-e', script], {
        env: { ...process.env, PYJAMAZ_LIB_PATH: __filename }, encoding: 'utf8',
    });
    const error = JSON.parse(out);
    assert.equal(error.name, 'PyjamazLoadError');
    assert.ok(error.message.includes(__filename));
});
