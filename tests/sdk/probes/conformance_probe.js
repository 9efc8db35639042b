'use strict';
// The conformance probe in Node: the same scenarios as conformance_probe.py, driven by the same variables.
const { runProbe } = require('leakcheck-probe');

const env = process.env;
const live = { items: 0 };

runProbe({
  name: env.CONFORMANCE_NAME || 'node.conformance',
  iterations: 50,
  fixedIterations: env.CONFORMANCE_FIXED ? Number(env.CONFORMANCE_FIXED) : undefined,
  setup: (ctx) => { ctx.state.calls = 0; },
  body: async (ctx, i) => {
    ctx.state.calls += 1;
    if (env.CONFORMANCE_LEAK === '1') live.items += 1;
    await Promise.resolve();
    const pause = Number(env.CONFORMANCE_PAUSE_MS || 0);
    if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
    if (String(i) === env.CONFORMANCE_THROW_AT) throw new Error(`thrown at ${i}`);
  },
  teardown: (ctx) => { ctx.check('calls_made', ctx.state.calls, '>=', Number(env.CONFORMANCE_CHECK_LIMIT || 0)); },
  counters: () => ({ live_items: live.items }),
});
