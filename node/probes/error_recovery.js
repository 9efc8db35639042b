'use strict';
// node.error_recovery — every error path, sync and async, thousands of times: each must raise the
// expected error, and no error may leave native memory, a file descriptor or a JS object behind.

const fs = require('node:fs');
const { runLeakProbe } = require('./support/probe');
const { corpus, loadImages } = require('./support/corpus');

const NOT_AN_IMAGE = Buffer.from('plain text, which no image loader recognises');
const MISSING_FILE = '/nonexistent/leakcheck/image.jpg';

// [label, expected error: a PyjamazError code or an Error class name, (pyjamaz, image) → call arguments]
function errorCases(image, malformed) {
    const cases = [
        ['empty input', 'EMPTY_INPUT', () => ['bytes', Buffer.alloc(0)]],
        ['input over maxInputBytes', 'INPUT_TOO_LARGE', () => ['bytes', image, { maxInputBytes: 64 }]],
        ['unknown format', 'UNSUPPORTED_FORMAT', () => ['bytes', NOT_AN_IMAGE]],
        ['too many pixels', 'TOO_MANY_PIXELS', () => ['bytes', image, { maxPixels: 16 }]],
        ['missing file', 'IO', () => ['file', MISSING_FILE]],
        ['bad option (binding)', 'RangeError', () => ['bytes', image, { maxBytes: -1 }]],
        ['bad input type (binding)', 'TypeError', () => ['bytes', 'not bytes']],
    ];
    for (const entry of malformed) {
        cases.push([`malformed ${entry.file}`, entry.expect, () => ['bytes', entry.data]]);
        cases.push([`malformed file ${entry.file}`, entry.expect, () => ['file', entry.path]]);
    }
    return cases;
}

function errorLabel(error) {
    return error && error.name === 'PyjamazError' ? error.code : error && error.name;
}

function callSync(pyjamaz, [kind, input, options]) {
    return kind === 'file' ? pyjamaz.optimizeFile(input, options) : pyjamaz.optimize(input, options);
}

function callAsync(pyjamaz, [kind, input, options]) {
    return kind === 'file' ? pyjamaz.optimizeFileAsync(input, options) : pyjamaz.optimizeAsync(input, options);
}

async function outcomeOf(run) {
    try {
        await run();
        return 'success';
    } catch (error) {
        return errorLabel(error);
    }
}

runLeakProbe({
    name: 'node.error_recovery',
    iterations: 150,
    setup: (ctx) => {
        const [image] = loadImages({ seed: ctx.seed + 19, count: 1, minBytes: 2_000, maxBytes: 20_000, kinds: ['flat'] });
        const malformed = corpus({ seed: ctx.seed + 19, count: 1, malformed: true }).malformed
            .map((entry) => ({ ...entry, data: fs.readFileSync(entry.path) }));
        ctx.state.cases = errorCases(image.data, malformed);
        ctx.state.unexpected = [];
    },
    step: async (ctx) => {
        const { pyjamaz, cases, unexpected } = ctx.state;
        for (const [label, expected, args] of cases) {
            const sync = await outcomeOf(() => callSync(pyjamaz, args()));
            const async = await outcomeOf(() => callAsync(pyjamaz, args()));
            for (const [mode, got] of [['sync', sync], ['async', async]]) {
                if (got !== expected && unexpected.length < 20) unexpected.push(`${label} (${mode}): ${got}`);
            }
        }
        return { calls: 2 * cases.length, outputBytes: 0 };
    },
    finish: (ctx) => {
        const { unexpected } = ctx.state;
        if (unexpected.length > 0) process.stderr.write(`unexpected outcomes: ${unexpected.join('; ')}\n`);
        ctx.check('unexpected_error_outcomes', unexpected.length, '==', 0);
    },
});
