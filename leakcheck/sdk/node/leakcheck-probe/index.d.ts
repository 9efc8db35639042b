// Types of leakcheck's probe SDK for Node (protocol v2; see leakcheck's docs/protocol.md).

/** What every hook sees: the run's parameters, a free-form state object, checks and counters. */
export interface ProbeContext {
  /** The probe's name, as passed to runProbe. */
  readonly name: string;
  /** The count of iterations this run performs (LEAKCHECK_ITERATIONS, the default, or fixedIterations). */
  readonly iterations: number;
  /** The measure phase starts at this iteration; the ones before it are the warm-up (LEAKCHECK_WARMUP, else a
   * quarter of the run: V8 sizes its heap over a run's first iterations). */
  readonly warmup: number;
  /** LEAKCHECK_SEED (default 0). */
  readonly seed: number;
  /** LEAKCHECK_SUITE (default "fast"). */
  readonly suite: string;
  /** Carries the probe's objects across iterations; empty at setup. */
  state: Record<string, unknown>;
  /** Names of the checks that failed so far. */
  readonly failedChecks: string[];
  /** Evaluates `value op limit`, writes a check event and returns whether it held; a failed check makes the
   * probe exit 1 at the end. */
  check(name: string, value: number, op: CheckOp, limit: number): boolean;
  /** The counters a tick would carry now: the probe's own, then v8_heap_used, v8_external, v8_array_buffers, fds
   * and threads (after a full gc(); the loop's own ticks also let the event loop turn first, so finalizers ran). */
  countersNow(): Record<string, number>;
}

export type CheckOp = '<' | '<=' | '>' | '>=' | '==';
export type Hook = (ctx: ProbeContext) => void | Promise<void>;

export interface ProbeOptions {
  /** The probe's name, as in the harness configuration (the harness notes a different one). */
  name: string;
  /** One iteration, i = 0 .. iterations - 1: warm-up first, then the measured iterations. A returned promise is
   * awaited before the next iteration (and before its tick). */
  body: (ctx: ProbeContext, i: number) => void | Promise<void>;
  /** The count when LEAKCHECK_ITERATIONS is unset (a probe run by hand); default 1000. */
  iterations?: number;
  /** Runs exactly this many iterations, whatever LEAKCHECK_ITERATIONS says (the harness notes it). */
  fixedIterations?: number;
  /** Once, before the first iteration (phase setup). */
  setup?: Hook;
  /** Once, after the last iteration (phase teardown): the place for final checks. */
  teardown?: Hook;
  /** The probe's own exact figures, added to every tick. */
  counters?: () => Record<string, number>;
  /** A tick every this many iterations (default: about 200 ticks per run). Before each tick the SDK runs gc(),
   * turns the event loop once (FinalizationRegistry callbacks and other finalizers run) and runs gc() again. */
  tickEvery?: number;
}

/** Runs the probe through its phases, then exits the process: 0 when every check held, 1 when one failed or a
 * hook threw, 2 on bad parameters or without `node --expose-gc`. */
export function runProbe(options: ProbeOptions): Promise<never>;

/** A bad parameter (environment or options); reported on stderr with exit status 2. */
export class ProbeUsageError extends Error {}

export const PROTOCOL_VERSION: 2;
