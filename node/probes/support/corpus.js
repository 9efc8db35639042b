'use strict';
// Test images from the project's seeded corpus generator (zig-out/bin/pyjamaz-corpus), cached per
// parameter set in the temp directory: the generator is deterministic, so a second run reuses the files.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CORPUS_TOOL = path.join(REPO_ROOT, 'zig-out', 'bin', 'pyjamaz-corpus');

function toolArguments({ seed = 1, count = 8, minBytes, maxBytes, kinds, formats, malformed = false }) {
    const args = ['--seed', String(seed), '--count', String(count)];
    if (minBytes !== undefined) args.push('--min-bytes', String(minBytes));
    if (maxBytes !== undefined) args.push('--max-bytes', String(maxBytes));
    if (kinds) args.push('--kinds', kinds.join(','));
    if (formats) args.push('--formats', formats.join(','));
    if (malformed) args.push('--malformed');
    return args;
}

function generate(args, dir) {
    if (!fs.existsSync(CORPUS_TOOL)) {
        throw new Error(`${CORPUS_TOOL} is missing: build it with \`scripts/zig build\``);
    }
    const staging = fs.mkdtempSync(`${dir}.tmp-`);
    execFileSync(CORPUS_TOOL, ['--out', staging, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
        fs.renameSync(staging, dir);
    } catch (error) {
        // Another process made the same corpus first; theirs is identical.
        fs.rmSync(staging, { recursive: true, force: true });
        if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw error;
    }
}

/**
 * The corpus for these parameters: { dir, seed, images: [{file, path, kind, format, width, height, bytes}],
 * malformed: [{file, path, expect}] }.
 */
function corpus(params = {}) {
    const args = toolArguments(params);
    const key = crypto.createHash('sha256').update(args.join(' ')).digest('hex').slice(0, 16);
    const dir = path.join(os.tmpdir(), `pyjamaz-corpus-${key}`);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) generate(args, dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const withPath = (entry) => ({ ...entry, path: path.join(dir, entry.file) });
    return {
        dir,
        seed: manifest.seed,
        images: manifest.images.map(withPath),
        malformed: (manifest.malformed ?? []).map(withPath),
    };
}

/** The corpus's images with their bytes loaded: [{...entry, data: Buffer}]. */
function loadImages(params = {}) {
    return corpus(params).images.map((entry) => ({ ...entry, data: fs.readFileSync(entry.path) }));
}

module.exports = { corpus, loadImages, CORPUS_TOOL, REPO_ROOT };
