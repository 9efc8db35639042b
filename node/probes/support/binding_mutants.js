#!/usr/bin/env node
'use strict';
// JS-side leak mutants of the Node binding: a copy of bindings/nodejs with one deliberate leak, so a
// probe can be shown to catch leaks in the binding as well as in libpyjamaz (whose mutants build.zig
// makes). Run a probe against one with PYJAMAZ_NODE_BINDING=<dir of the copy>.
//
//   node node/probes/support/binding_mutants.js NAME [OUT_DIR]    (prints the copy's directory)

const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BINDING_DIR = path.join(REPO_ROOT, 'bindings', 'nodejs');

// name → [file, text to find, replacement]; the text must occur exactly once.
const MUTANTS = Object.freeze({
    // Every output Buffer is kept alive in a global array.
    'retain-outputs': ['lib/result.js',
        '    return copy;\n',
        '    (globalThis.__pyjamazRetained ??= []).push(copy);\n    return copy;\n'],
    // Every PyjamazError is kept alive in a global array.
    'retain-errors': ['lib/result.js',
        'if (status !== 0) throw new PyjamazError(status, raw.message ?? fns.statusMessage(status));',
        'if (status !== 0) {\n            const error = new PyjamazError(status, raw.message ?? fns.statusMessage(status));\n' +
        '            (globalThis.__pyjamazRetained ??= []).push(error);\n            throw error;\n        }'],
    // The async path never frees the native result.
    'skip-free-async': ['index.js',
        'resolve(takeResult(fns, status, out[0]));',
        'resolve(takeResult({ ...fns, resultFree() {} }, status, out[0]));'],
    // The output bytes are read with koffi.decode(pointer, 'uint8_t', size), which in koffi 3.3.4 keeps an
    // array type's name for every call (~18 B a call): a leak in the FFI, not in the binding's own code.
    'koffi-decode': ['lib/result.js',
        "    const copy = Buffer.allocUnsafeSlow(size); // its own memory: not a slice of the shared pool\n" +
        "    copy.set(new Uint8Array(koffi.view(pointer, size)));\n",
        "    const bytes = koffi.decode(pointer, 'uint8_t', size);\n" +
        "    const copy = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);\n"],
    // A result that carries an error is never freed (sync and async).
    'skip-free-error': ['lib/result.js',
        '        fns.resultFree(pointer);\n',
        '        if (status === 0) fns.resultFree(pointer);\n'],
});

// The copy lives elsewhere, so it must still find this repository's build output.
const REPO_ROOT_LINE = "const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');";

function replaceOnce(file, find, replacement) {
    const text = fs.readFileSync(file, 'utf8');
    const count = text.split(find).length - 1;
    if (count !== 1) throw new Error(`${file}: expected the mutation site once, found it ${count} times`);
    fs.writeFileSync(file, text.replace(find, () => replacement));
}

/** Writes the binding with leak `name` into `outDir` (replaced if present); returns outDir. */
function makeMutant(name, outDir = path.join(REPO_ROOT, 'zig-out', 'node-mutants', name)) {
    if (!Object.hasOwn(MUTANTS, name)) {
        throw new Error(`unknown binding mutant ${JSON.stringify(name)}; known: ${Object.keys(MUTANTS).join(', ')}`);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    for (const entry of ['index.js', 'index.d.ts', 'package.json', 'lib']) {
        fs.cpSync(path.join(BINDING_DIR, entry), path.join(outDir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(BINDING_DIR, 'node_modules'), path.join(outDir, 'node_modules'));
    replaceOnce(path.join(outDir, 'lib', 'native.js'), REPO_ROOT_LINE, `const REPO_ROOT = ${JSON.stringify(REPO_ROOT)};`);
    const [file, find, replacement] = MUTANTS[name];
    replaceOnce(path.join(outDir, file), find, replacement);
    return outDir;
}

function main(argv) {
    const [name, outDir] = argv;
    if (!name || name === '--help') {
        process.stderr.write(`usage: binding_mutants.js NAME [OUT_DIR]\nNAME: ${Object.keys(MUTANTS).join(', ')}\n`);
        return name ? 0 : 2;
    }
    try {
        process.stdout.write(`${makeMutant(name, outDir && path.resolve(outDir))}\n`);
        return 0;
    } catch (error) {
        process.stderr.write(`binding_mutants: ${error.message}\n`);
        return 2;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

module.exports = { MUTANTS, makeMutant };
