'use strict';
// A leak probe for your own library, in Node: here the "library" is a buffer cache that must evict.
// Run with `node --expose-gc`. EXAMPLE_LEAK=1 turns eviction off, so the probe shows a leak.
const { runProbe } = require('leakcheck-probe'); // leakcheck run puts the SDK on NODE_PATH

const LEAK = process.env.EXAMPLE_LEAK === '1';
const cache = new Map();

function remember(key, buffer) { // the code under test
  cache.set(key, buffer);
  if (!LEAK && cache.size > 8) cache.delete(cache.keys().next().value);
}

runProbe({
  name: 'node.buffer_cache',
  iterations: 300,
  body: (ctx, i) => remember(i, Buffer.alloc(64 * 1024, i & 0xff)),
  counters: () => ({ cache_entries: cache.size }),
});
