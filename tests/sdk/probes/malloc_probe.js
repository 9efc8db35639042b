'use strict';
// A probe whose body keeps a MALLOC_PROBE_LEAK-byte Buffer per iteration (nothing when unset): a slow Buffer's
// memory is malloc'd by Node, outside the V8 heap, so the preload counter's figures in the ticks must grow.
const { runProbe } = require('leakcheck-probe');

const size = Number(process.env.MALLOC_PROBE_LEAK || '0');
const kept = [];
runProbe({ name: 'node.malloc', iterations: 100, body: () => { if (size) kept.push(Buffer.allocUnsafeSlow(size)); } });
