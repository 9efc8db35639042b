// A use of the whole Node SDK API under strict TypeScript, and misuse its types must reject.
import { PROTOCOL_VERSION, ProbeContext, ProbeUsageError, runProbe } from 'leakcheck-probe';

const version: 2 = PROTOCOL_VERSION;
const live = { handles: 0 };

async function main(): Promise<never> {
  return runProbe({
    name: 'node.typed',
    iterations: 100,
    fixedIterations: 10,
    tickEvery: 2,
    setup: (ctx: ProbeContext) => { ctx.state.opened = 0; },
    body: async (ctx, i) => {
      live.handles += i % 2;
      const held: boolean = ctx.check('handles', live.handles, '<=', ctx.iterations - ctx.warmup);
      if (!held) throw new ProbeUsageError(`${ctx.name} in ${ctx.suite} (seed ${ctx.seed})`);
    },
    teardown: async (ctx) => { ctx.countersNow().v8_heap_used.toFixed(); ctx.failedChecks.join(','); },
    counters: () => ({ live_handles: live.handles }),
  });
}

// @ts-expect-error: a body is required
runProbe({ name: 'node.no_body' });
// @ts-expect-error: the ops are the five comparisons
const misuse = (ctx: ProbeContext) => ctx.check('x', 1, '!=', 0);
// @ts-expect-error: counters are numbers
runProbe({ name: 'node.bad_counters', body: () => {}, counters: () => ({ live: 'many' }) });

export { main, misuse, version };
