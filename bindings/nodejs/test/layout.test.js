'use strict';
// The koffi struct definitions must match zig/include/pyjamaz.h byte for byte: a C program compiled
// against the header prints every size and offset, and koffi must agree on each.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { koffi, OptionsStruct, ResultStruct, MemoryStatsStruct, REPO_ROOT } = require('../lib/native');

const STRUCTS = { pyjamaz_options: OptionsStruct, pyjamaz_result: ResultStruct, pyjamaz_memory_stats: MemoryStatsStruct };

function fieldNames(struct) {
    return Object.keys(koffi.type(struct).members);
}

function layoutProgram() {
    const lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "pyjamaz.h"', 'int main(void) {', 'printf("{");'];
    Object.entries(STRUCTS).forEach(([name, struct], index) => {
        // Each field as [offset, size]: offsets alone miss a wrong type that padding hides.
        const fields = fieldNames(struct).map((field) => `\\"${field}\\": [%zu, %zu]`).join(', ');
        const args = fieldNames(struct)
            .map((field) => `offsetof(${name}, ${field}), sizeof(((${name} *)0)->${field})`).join(', ');
        const comma = index === 0 ? '' : ',';
        lines.push(`printf("${comma}\\"${name}\\": {\\"size\\": %zu, \\"align\\": %zu, \\"fields\\": {${fields}}}", sizeof(${name}), _Alignof(${name}), ${args});`);
    });
    lines.push('printf("}\\n");', 'return 0;', '}');
    return lines.join('\n');
}

function compileAndRun() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyjamaz-layout-'));
    try {
        fs.writeFileSync(path.join(dir, 'layout.c'), layoutProgram());
        const exe = path.join(dir, 'layout');
        execFileSync(path.join(REPO_ROOT, 'scripts', 'zig'),
            ['cc', '-std=c11', '-I', path.join(REPO_ROOT, 'zig', 'include'), '-o', exe, path.join(dir, 'layout.c')],
            { stdio: ['ignore', 'ignore', 'inherit'] });
        return JSON.parse(execFileSync(exe, { encoding: 'utf8' }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

test('koffi structs match the C header in size, alignment, and every field offset and size', () => {
    const c = compileAndRun();
    for (const [name, struct] of Object.entries(STRUCTS)) {
        assert.equal(koffi.sizeof(struct), c[name].size, `sizeof(${name})`);
        assert.equal(koffi.alignof(struct), c[name].align, `_Alignof(${name})`);
        for (const [field, member] of Object.entries(koffi.type(struct).members)) {
            const [offset, size] = c[name].fields[field];
            assert.equal(member.offset, offset, `offsetof(${name}, ${field})`);
            assert.equal(koffi.sizeof(member.type), size, `sizeof(${name}.${field})`);
        }
    }
});
