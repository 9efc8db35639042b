'use strict';
// The pressure corpus, streamed: `pyjamaz-corpus --pressure --stream` renders distinct images of >= 1 MB
// (1-6 MP; JPEG, PNG, WebP; photo-like and graphic, some with alpha) in its own process and writes each as
// a JSON header line followed by its bytes. The stream is read in paused mode, so the pipe keeps the
// generator about one image ahead: 10,000 inputs need neither disk nor memory beyond the current one.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { CORPUS_TOOL } = require('./corpus');

const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
const NEWLINE = 0x0a;

class PressureStream {
    constructor({ seed, count, start = 0 }) {
        if (!fs.existsSync(CORPUS_TOOL)) throw new Error(`${CORPUS_TOOL} is missing: build it with \`scripts/zig build\``);
        const args = ['--pressure', '--stream', '--seed', String(seed), '--start', String(start), '--count', String(count)];
        // One libvips worker: the generator shares the machine with the probe it feeds.
        this.child = spawn(CORPUS_TOOL, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VIPS_CONCURRENCY: '1' } });
        this.stream = this.child.stdout;
    }

    /** Resolves once more data is buffered or the stream ended. */
    readable() {
        return new Promise((resolve) => {
            const done = () => {
                this.stream.off('readable', done);
                this.stream.off('end', done);
                resolve();
            };
            this.stream.on('readable', done);
            this.stream.on('end', done);
        });
    }

    ended(what) {
        return new Error(`the pressure stream ended ${what} (generator exit ${this.child.exitCode})`);
    }

    async line() {
        const parts = [];
        for (;;) {
            const chunk = this.stream.read();
            if (chunk === null) {
                if (this.stream.readableEnded) throw this.ended('early');
                await this.readable();
                continue;
            }
            const at = chunk.indexOf(NEWLINE);
            if (at < 0) {
                parts.push(chunk);
                continue;
            }
            parts.push(chunk.subarray(0, at));
            if (at + 1 < chunk.length) this.stream.unshift(chunk.subarray(at + 1));
            return Buffer.concat(parts).toString('utf8');
        }
    }

    async bytes(size) {
        // Whole buffered chunks only (read() without a size): read(size) beyond the high-water mark
        // re-emits 'readable' on every tick and starves the event loop of the pipe's data.
        const parts = [];
        let have = 0;
        while (have < size) {
            const chunk = this.stream.read();
            if (chunk === null) {
                if (this.stream.readableEnded) throw this.ended('inside an image');
                await this.readable();
                continue;
            }
            const need = size - have;
            if (chunk.length > need) {
                parts.push(chunk.subarray(0, need));
                this.stream.unshift(chunk.subarray(need));
                have = size;
            } else {
                parts.push(chunk);
                have += chunk.length;
            }
        }
        return parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    }

    /** The next image: { index, format, kind, alpha, width, height, bytes, data: Buffer }. */
    async next() {
        const meta = JSON.parse(await this.line());
        if (!(meta.bytes > 0 && meta.bytes <= MAX_IMAGE_BYTES)) throw new Error(`bad pressure stream header: ${JSON.stringify(meta)}`);
        return { ...meta, data: await this.bytes(meta.bytes) };
    }

    /** Stops the generator (it ends at its next write) and waits for it. */
    async close() {
        const exited = this.child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => this.child.once('exit', resolve));
        this.stream.destroy();
        await exited;
    }
}

module.exports = { PressureStream };
