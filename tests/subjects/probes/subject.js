'use strict';
// The foreign subject from Node (koffi), as a user binds it. `finalizer`: each call takes a 4 KiB native
// buffer that a FinalizationRegistry callback gives back when its wrapper is collected.
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
const koffi = require(require.resolve('koffi', { paths: [path.join(root, 'bindings', 'nodejs')] }));
const lib = koffi.load(process.env.SUBJECT_LIB || path.join(__dirname, '..', 'build', 'libsubject.so'));
const fn = (signature) => lib.func(signature);

const release = fn('void subject_release(void *buffer)');
const acquire = fn('void *subject_acquire(int size)');
const registry = new FinalizationRegistry((buffer) => release(buffer));

function wrapped() {
  const handle = { buffer: acquire(4096) };
  registry.register(handle, handle.buffer);
  return handle;
}

function callFor(kind) {
  const leak = fn('int subject_leak(int i, int size)');
  const calls = {
    clean: fn('int subject_clean(int i)'),
    leak_1k: (i) => leak(i, 1024),
    leak_64: (i) => leak(i, 64),
    leak_16: (i) => leak(i, 16),
    leak_every_100: fn('int subject_leak_every_100(int i)'),
    cache: fn('int subject_cache(int i)'),
    fd: fn('int subject_fd(int i)'),
    thread: fn('int subject_thread(int i)'),
    finalizer: () => wrapped(),
  };
  if (!(kind in calls)) throw new Error(`unknown kind ${kind}`);
  return calls[kind];
}

module.exports = { callFor };
