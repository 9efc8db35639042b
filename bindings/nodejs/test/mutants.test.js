'use strict';
// The JS-side leak mutants (node/probes/support/binding_mutants.js) must apply to the binding as it is
// now and must really leak: each copy is loaded in its own process and shows its leak after one call,
// while the real binding shows none after the same call.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { MUTANTS, makeMutant } = require('../../../node/probes/support/binding_mutants');
const { loadImages } = require('../../../node/probes/support/corpus');

const [IMAGE] = loadImages({ seed: 3, count: 1, minBytes: 1_000, maxBytes: 20_000, kinds: ['tiny'] });

// What one call leaves behind: results the library still holds, and objects kept in the global array.
function leftBehind(bindingDir, call) {
    const script = `
        const pyjamaz = require(${JSON.stringify(bindingDir)});
        const image = require('node:fs').readFileSync(${JSON.stringify(IMAGE.path)});
        (async () => {
            try { await (${call}); } catch (error) { if (error.name !== 'PyjamazError') throw error; }
            const retained = (globalThis.__pyjamazRetained ?? []).length;
            console.log(JSON.stringify({ liveResults: pyjamaz.memoryStats().liveResults, retained }));
        })();`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

const CALLS = {
    sync: 'pyjamaz.optimize(image)',
    async: 'pyjamaz.optimizeAsync(image)',
    'sync error': 'pyjamaz.optimize(Buffer.from("not an image"))',
    'async error': 'pyjamaz.optimizeAsync(Buffer.from("not an image"))',
};

// mutant → [call, what it leaves behind]
const EXPECTED_LEAKS = {
    'retain-outputs': ['sync', { liveResults: 0, retained: 1 }],
    'retain-errors': ['sync error', { liveResults: 0, retained: 1 }],
    'skip-free-async': ['async', { liveResults: 1, retained: 0 }],
    'skip-free-error': ['async error', { liveResults: 1, retained: 0 }],
};

// mutant → where its leak is shown: a few bytes of native memory a call, which only a malloc counter sees.
const MEASURED_ELSEWHERE = {
    'koffi-decode': 'tests/preload/test_node_binding.py (live malloc bytes a call, under the preload counter)',
};

test('every mutant has a leak it is expected to show', () => {
    const covered = [...Object.keys(EXPECTED_LEAKS), ...Object.keys(MEASURED_ELSEWHERE)];
    assert.deepEqual(covered.sort(), Object.keys(MUTANTS).sort());
});

for (const name of Object.keys(MEASURED_ELSEWHERE)) {
    test(`mutant ${name} applies and its output is the real binding's`, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pyjamaz-mutant-${name}-`));
        try {
            makeMutant(name, dir);
            const script = (binding) => `const pyjamaz = require(${JSON.stringify(binding)});
                const image = require('node:fs').readFileSync(${JSON.stringify(IMAGE.path)});
                process.stdout.write(pyjamaz.optimize(image).data.toString('base64'));`;
            const output = (binding) => execFileSync(process.execPath, ['-e', script(binding)], { encoding: 'utf8' });
            assert.equal(output(dir), output(path.resolve(__dirname, '..')));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
}

test('the real binding leaves nothing behind after any of the calls', () => {
    const real = path.resolve(__dirname, '..');
    for (const call of Object.values(CALLS)) assert.deepEqual(leftBehind(real, call), { liveResults: 0, retained: 0 }, call);
});

for (const [name, [call, expected]] of Object.entries(EXPECTED_LEAKS)) {
    test(`mutant ${name} applies and leaks after one ${call} call`, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pyjamaz-mutant-${name}-`));
        try {
            makeMutant(name, dir);
            assert.deepEqual(leftBehind(dir, CALLS[call]), expected);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
}

test('an unknown mutant name is refused with the known names', () => {
    assert.throws(() => makeMutant('no-such-leak', path.join(os.tmpdir(), 'unused')), /known: retain-outputs/);
});
