'use strict';
// Live malloc bytes of a Node process making optimize() calls through the binding at
// PYJAMAZ_NODE_BINDING, under leakcheck's preload counter: one line "calls blocks bytes" per checkpoint,
// each after a full gc(), a turn of the event loop and another gc() (what V8's finalizers free is freed).
//   LD_PRELOAD=<counter> LEAKCHECK_PRELOAD_DIR=<dir> node --expose-gc node_results.js CALLS IMAGE

const fs = require('node:fs');

const [calls, image] = [Number(process.argv[2]), fs.readFileSync(process.argv[3])];
const pyjamaz = require(process.env.PYJAMAZ_NODE_BINDING);
const turn = () => new Promise((resolve) => setImmediate(resolve));

function live() {
    const data = fs.readFileSync(`${process.env.LEAKCHECK_PRELOAD_DIR}/${process.pid}.counters`);
    const [count, size, offset] = [16, 24, 32].map((at) => Number(data.readBigUInt64LE(at)));
    let [blocks, bytes] = [0n, 0n];
    for (let at = offset; at < offset + count * size; at += size) {
        blocks += data.readBigInt64LE(at);
        bytes += data.readBigInt64LE(at + 8);
    }
    return `${blocks} ${bytes}`;
}

(async () => {
    const options = { formats: ['jpeg'], concurrency: 1 };
    for (let i = 1; i <= calls; i += 1) {
        pyjamaz.optimize(image, options);
        if (i % (calls / 20) === 0) {
            global.gc();
            await turn();
            global.gc();
            process.stdout.write(`${i} ${live()}\n`);
        }
    }
})();
