'use strict';
// A Node probe of what the runtime does around the loop (tests/sdk/test_runtime.py), through koffi:
// RUNTIME_CASE picks it, RUNTIME_BYTES is the size per call (default 4096), RUNTIME_PAUSE_US the time each call
// takes besides (default 200, so that the outside sampler sees the run).
//   native_leak         libfixture's fixture_leak: RUNTIME_BYTES of C memory lost per call, no counters
//   native_clean        libfixture's fixture_clean: the same call that frees what it allocated
//   finalizer           malloc'd memory owned by a JS object and freed only by its FinalizationRegistry
//                       callback, which runs only when the event loop turns: a plateau
//   finalizer_retained  the same, but every owner is kept in an array: a leak
//   async_count         an async body that counts itself done after a turn of the event loop (bodies_done)
// live_buffers counts the finalizer cases' buffers not yet freed. koffi comes from bindings/nodejs.
const path = require('path');
const { runProbe } = require('leakcheck-probe');

const root = path.resolve(__dirname, '..', '..', '..');
const koffi = require(require.resolve('koffi', { paths: [path.join(root, 'bindings', 'nodejs')] }));
const fixture = koffi.load(process.env.FIXTURE_LIB || path.join(root, 'tests', 'fixtures', 'build', 'libfixture.so'));
const libc = koffi.load('libc.so.6');
const fixtureLeak = fixture.func('int fixture_leak(size_t bytes)');
const fixtureClean = fixture.func('int fixture_clean(size_t bytes)');
const fixturePause = fixture.func('void fixture_pause(unsigned int microseconds)');
const malloc = libc.func('void *malloc(size_t size)');
const memset = libc.func('void *memset(void *block, int value, size_t size)');
const free = libc.func('void free(void *block)');

const bytes = Number(process.env.RUNTIME_BYTES || 4096);
const pause = Number(process.env.RUNTIME_PAUSE_US || 200);
const live = { buffers: 0, bodiesDone: 0 };
const owners = [];
const registry = new FinalizationRegistry((block) => {
  free(block);
  live.buffers -= 1;
});

// A native buffer owned by a JS object: written (so it is resident), freed when the owner is collected.
function ownedBuffer() {
  const block = malloc(bytes);
  memset(block, 0xA5, bytes);
  live.buffers += 1;
  const owner = { block };
  registry.register(owner, block);
  return owner;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const bodies = {
  native_leak: () => { fixtureLeak(bytes); },
  native_clean: () => { fixtureClean(bytes); },
  finalizer: () => { ownedBuffer(); },
  finalizer_retained: () => { owners.push(ownedBuffer()); },
  async_count: async () => { await turn(); live.bodiesDone += 1; },
};
const COUNTERS = {
  finalizer: () => ({ live_buffers: live.buffers }),
  finalizer_retained: () => ({ live_buffers: live.buffers }),
  async_count: () => ({ bodies_done: live.bodiesDone }),
};
const kase = process.env.RUNTIME_CASE || 'native_clean';
if (!bodies[kase]) {
  process.stderr.write(`runtime probe: RUNTIME_CASE=${JSON.stringify(kase)}; allowed: ${Object.keys(bodies).join(', ')}\n`);
  process.exit(2);
}
runProbe({
  name: `node.runtime_${kase}`,
  iterations: 2000,
  body: (ctx, i) => { fixturePause(pause); return bodies[kase](ctx, i); },
  counters: COUNTERS[kase],
});
