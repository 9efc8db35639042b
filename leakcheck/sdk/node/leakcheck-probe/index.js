'use strict';
// leakcheck's probe SDK for Node: a probe is a loop body; runProbe runs the phases, writes protocol v2
// events on the pipe named by LEAKCHECK_FD and adds the V8 counters to every tick, read once the runtime has
// settled (gc, a turn of the event loop for finalizers, gc again). Run probes with `node --expose-gc`. `leakcheck run` puts this package's parent directory on
// NODE_PATH, so `require('leakcheck-probe')` resolves in any probe. The contract: docs/protocol.md.

const fs = require('fs');

const PROTOCOL_VERSION = 2;
const TICKS_PER_RUN = 200;
const CHECK_OPS = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
};

class ProbeUsageError extends Error {}

function checkedInt(name, value, minimum) {
  if (!Number.isSafeInteger(value)) throw new ProbeUsageError(`${name}=${JSON.stringify(value)} is not an integer`);
  if (value < minimum) throw new ProbeUsageError(`${name}=${value} must be at least ${minimum}`);
  return value;
}

function parseInt10(variable, raw, minimum) {
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) throw new ProbeUsageError(`${variable}=${JSON.stringify(raw)} is not an integer`);
  return checkedInt(variable, Number(text), minimum);
}

function envInt(variable, fallback, minimum) {
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  return parseInt10(variable, raw, minimum);
}

// V8 keeps sizing its heap over a run's first ~2,000 iterations (a clean koffi probe of libfixture grows ~600 KiB
// there, then stays flat): with a tenth as warm-up that growth was measured as ~300 B/iter on top of any leak, and
// a clean 5,000-iteration run was a false LEAK 1 time in 5; with a quarter, 0 in 5 (tests/sdk/test_runtime.py).
const WARMUP_FRACTION = 0.25;

// A quarter of the run, at least one iteration, always leaving one to measure.
function defaultWarmup(iterations) {
  return Math.min(iterations - 1, Math.max(1, Math.floor(iterations * WARMUP_FRACTION)));
}

function readSettings({ iterations: defaultIterations, fixedIterations, tickEvery }) {
  const iterations = fixedIterations !== undefined
    ? checkedInt('fixedIterations', fixedIterations, 1)
    : envInt('LEAKCHECK_ITERATIONS', defaultIterations, 1);
  const warmup = envInt('LEAKCHECK_WARMUP', defaultWarmup(iterations), 0);
  if (warmup >= iterations) {
    throw new ProbeUsageError(`LEAKCHECK_WARMUP=${warmup} must be less than the iterations (${iterations})`);
  }
  if (tickEvery !== undefined) checkedInt('tickEvery', tickEvery, 1);
  return {
    iterations,
    warmup,
    seed: envInt('LEAKCHECK_SEED', 0, 0),
    suite: process.env.LEAKCHECK_SUITE || 'fast',
    tickEvery: tickEvery || Math.max(1, Math.floor(iterations / TICKS_PER_RUN)),
  };
}

// Every tickEvery-th iteration, the first measured one (the counters' baseline) and the last.
function ticksAt(settings, i) {
  return i % settings.tickEvery === 0 || i === settings.warmup || i === settings.iterations - 1;
}

// Writes one JSON object per line with a synchronous write, so a crash right after loses nothing.
function makeWriter() {
  const raw = process.env.LEAKCHECK_FD;
  if (raw === undefined || raw === '') return { emit() {} };
  let fd = parseInt10('LEAKCHECK_FD', raw, 0);
  try {
    fs.fstatSync(fd);
  } catch (err) {
    throw new ProbeUsageError(`LEAKCHECK_FD=${raw} is not an open file descriptor (${err.code})`);
  }
  return {
    emit(event, fields) {
      if (fd === null) return;
      try {
        fs.writeSync(fd, JSON.stringify({ event, ...fields }) + '\n');
      } catch (err) {
        if (err.code !== 'EPIPE') throw err;
        fd = null; // the orchestrator went away; keep running, write nowhere
      }
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

// What the runtime holds once it has let go of all it can: a full gc(), one turn of the event loop (the gc
// queues finalizers — FinalizationRegistry callbacks, N-API finalizers, ArrayBuffer backing stores — as tasks
// that run only when the loop turns; setImmediate resolves after the poll phase that runs them), and a second
// gc() for what those finalizers released. The way memlab and leakage force collection before a heap reading.
// Once per tick, not per iteration: its cost (two full gcs and a turn) is then bounded by the ~200 ticks.
async function settle() {
  global.gc();
  await turn();
  global.gc();
}

function v8Counters() {
  const usage = process.memoryUsage();
  return { v8_heap_used: usage.heapUsed, v8_external: usage.external, v8_array_buffers: usage.arrayBuffers };
}

// This process's open file descriptors, threads and anonymous resident memory (RssAnon), read from /proc/self
// with every tick, so that the harness judges them per iteration and not from its poll from outside (which a run
// of a fraction of a second samples too few times); nothing where /proc is not there.
function processCounts() {
  try {
    const fds = fs.readdirSync('/proc/self/fd').length - 1; // less the descriptor of the listing itself
    const counts = { fds };
    for (const line of fs.readFileSync('/proc/self/status', 'ascii').split('\n')) {
      if (line.startsWith('Threads:')) counts.threads = Number(line.split(/\s+/)[1]);
      if (line.startsWith('RssAnon:')) counts.rss = Number(line.split(/\s+/)[1]) * 1024;
    }
    return counts;
  } catch (error) {
    return {};
  }
}

// The preload counter's live blocks and bytes of this process (docs/protocol.md, "The preload counter"): read
// from $LEAKCHECK_PRELOAD_DIR/<pid>.counters (a header, then one slot per thread to sum) when leakcheck
// preloaded its malloc counter; nothing otherwise.
const PRELOAD_MAGIC = 0x314b50434b41454cn; // "LEAKCPK1" as a little-endian word
const PRELOAD_HEADER_BYTES = 48;

function preloadCounts() {
  const directory = process.env.LEAKCHECK_PRELOAD_DIR;
  if (!directory) return {};
  let data;
  try {
    data = fs.readFileSync(`${directory}/${process.pid}.counters`);
  } catch (error) {
    return {};
  }
  if (data.length < PRELOAD_HEADER_BYTES || data.readBigUInt64LE(0) !== PRELOAD_MAGIC
      || data.readBigUInt64LE(8) !== 1n || data.readBigInt64LE(40) !== BigInt(process.pid)) return {};
  const [count, size, offset] = [16, 24, 32].map((at) => Number(data.readBigUInt64LE(at)));
  if (size < 16 || data.length < offset + count * size) return {};
  let blocks = 0n;
  let bytes = 0n;
  for (let at = offset; at < offset + count * size; at += size) {
    blocks += data.readBigInt64LE(at);
    bytes += data.readBigInt64LE(at + 8);
  }
  return { preload_live_blocks: Number(blocks), preload_live_bytes: Number(bytes) };
}

function makeContext(name, settings, writer, counters) {
  const ctx = {
    name,
    iterations: settings.iterations,
    warmup: settings.warmup,
    seed: settings.seed,
    suite: settings.suite,
    state: {},
    failedChecks: [],
    check(checkName, value, op, limit) {
      const compare = CHECK_OPS[op];
      if (!compare) {
        throw new ProbeUsageError(`check ${JSON.stringify(checkName)}: unknown op ${JSON.stringify(op)}; `
          + `allowed: ${Object.keys(CHECK_OPS).join(', ')}`);
      }
      const ok = Boolean(compare(Number(value), Number(limit)));
      writer.emit('check', { name: checkName, value, op, limit, ok });
      if (!ok) ctx.failedChecks.push(checkName);
      return ok;
    },
    countersNow() {
      global.gc();
      return readCounters(counters);
    },
  };
  return ctx;
}

// The probe's own counters, then V8's and the process's, as they are now (the caller has collected).
function readCounters(counters) {
  const own = counters ? counters() : {};
  const values = {};
  for (const [key, value] of Object.entries(own)) values[key] = Number(value);
  return { ...values, ...v8Counters(), ...processCounts(), ...preloadCounts() };
}

async function runPhases(ctx, writer, settings, { setup, body, teardown, counters }) {
  await prewarm(ctx);
  writer.emit('phase', { name: 'setup' });
  if (setup) await setup(ctx);
  await runLoop(ctx, writer, settings, body, counters);
  writer.emit('phase', { name: 'teardown' });
  if (teardown) await teardown(ctx);
}

async function runLoop(ctx, writer, settings, body, counters) {
  for (let i = 0; i < settings.iterations; i += 1) {
    if (i === 0 && settings.warmup > 0) writer.emit('phase', { name: 'warmup' });
    if (i === settings.warmup) writer.emit('phase', { name: 'measure' });
    await body(ctx, i);
    if (ticksAt(settings, i)) {
      await settle();
      writer.emit('tick', { i, counters: readCounters(counters) });
    }
  }
}

// Before setup the loop runs idle, silently and without ticks, each idle iteration one turn of the event loop.
// V8's optimizing compiler compiles runLoop after about a thousand iterations, and the memory the compile used
// stays in RSS: a step of ~4 MiB in every run's measure phase, which inflated a leak's slope and made a small
// one look like "growth levelling off" (koffi probes of libfixture; no step under --no-opt). The event loop's own
// first few hundred turns (each tick takes one) grew RSS by ~640 KiB more, a false RSS LEAK in short clean runs.
// Idle first, both happen before setup in ~50 ms and the real run's compiles reuse the memory.
// PREWARM_ITERATIONS: the step came at iterations 780-1,525.
const PREWARM_ITERATIONS = 3000;
const SILENT = { emit() {} };
async function prewarm(ctx) {
  const idle = { iterations: PREWARM_ITERATIONS, warmup: 0, tickEvery: PREWARM_ITERATIONS };
  await runLoop(ctx, SILENT, idle, turn, undefined);
}

function fail(name, message, status) {
  process.stderr.write(`leakcheck probe ${name}: ${message}\n`);
  process.exit(status);
}

// Runs a probe through its phases and exits: 0 when every check passed, 1 when one failed or a hook
// threw (the stack goes to stderr, no done is written), 2 on bad parameters or without --expose-gc.
async function runProbe(options) {
  const { name, setup, body, teardown, counters } = options || {};
  if (typeof global.gc !== 'function') {
    fail(name, 'needs a full gc() before sampling: run node with --expose-gc', 2);
  }
  if (typeof name !== 'string' || name === '') fail(name, 'runProbe needs a name', 2);
  if (typeof body !== 'function') fail(name, 'runProbe needs a body function', 2);
  let settings;
  let writer;
  try {
    settings = readSettings({ ...options, iterations: options.iterations ?? 1000 });
    writer = makeWriter();
  } catch (err) {
    if (err instanceof ProbeUsageError) fail(name, err.message, 2);
    throw err;
  }
  const ctx = makeContext(name, settings, writer, counters);
  writer.emit('hello', {
    probe: name, lang: 'node', protocol: PROTOCOL_VERSION, pid: process.pid,
    iterations: settings.iterations, warmup: settings.warmup,
  });
  try {
    await runPhases(ctx, writer, settings, { setup, body, teardown, counters });
  } catch (err) {
    process.stderr.write(`leakcheck probe ${name}: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  }
  writer.emit('done', { iterations: settings.iterations });
  process.exit(ctx.failedChecks.length > 0 ? 1 : 0);
}

module.exports = { runProbe, ProbeUsageError, PROTOCOL_VERSION };
