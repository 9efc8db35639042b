'use strict';
// A probe of the SDK tests: counts calls and fails a check when SAMPLE_CHECK_LIMIT is above them.
const { runProbe } = require('leakcheck-probe');

runProbe({
  name: 'node.sample',
  iterations: 50,
  setup: async (ctx) => { ctx.state.calls = 0; },
  body: async (ctx, i) => {
    ctx.state.calls += 1;
    await Promise.resolve();
    if (String(i) === process.env.SAMPLE_THROW_AT) throw new Error(`thrown at ${i}`);
  },
  teardown: (ctx) => { ctx.check('calls_made', ctx.state.calls, '>=', Number(process.env.SAMPLE_CHECK_LIMIT || 0)); },
  counters: () => ({ calls: 0 }),
});
