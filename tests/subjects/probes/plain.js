'use strict';
// A Node probe with no SDK: an async loop over the subject, as a service would call it (the event loop turns
// every 100 calls, so finalizers run). It exits explicitly: a natural exit lets koffi unload the library while
// the threads of the `thread` kind still run in it (a SIGSEGV at exit).
const { callFor } = require('./subject');

const call = callFor(process.env.SUBJECT_KIND);
const iterations = Number(process.env.LEAKCHECK_ITERATIONS || 1000);

(async () => {
  for (let i = 0; i < iterations; i++) {
    call(i);
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  process.exit(0);
})();
