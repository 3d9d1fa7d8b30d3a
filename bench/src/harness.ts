/**
 * Micro-timings inside a child: tinybench does the timing (one `hrtime` read
 * either side of each call, hooks outside the timed window); this file turns
 * a list of task definitions into one tinybench run and returns each task's
 * statistics in nanoseconds per unit of work (per element read, per fault).
 *
 * @module
 */
import { Bench, hrtimeNowTimestampProvider } from "tinybench";
import { subsampleSorted } from "./stats.js";

/** One thing to time. `fn` is called once per sample; hooks run outside the timed window. */
export interface TaskDef {
  id: string;
  /** Units of work per call of `fn` (elements read, faults taken); times are reported per unit. */
  unitsPerCall: number;
  fn: () => void;
  beforeEach?: () => void;
  afterEach?: () => void;
}

/** One task's statistics, ns per unit. */
export interface TaskStats {
  p50: number;
  p99: number;
  mean: number;
  min: number;
  /** Calls timed. */
  samplesCount: number;
  /** Up to 200 evenly spaced order statistics of the samples, ns per unit, ascending. */
  samples: number[];
}

/** Time budgets of a tinybench run. */
export interface Timing {
  /** tinybench `time` per task, ms. */
  timeMs: number;
  /** tinybench `warmupTime` per task, ms. */
  warmupMs: number;
  /** Minimum timed calls per task. */
  iterations: number;
}

/** Timing of a full run and of `--quick`. */
export function timingFor(quick: boolean): Timing {
  return quick ? { timeMs: 80, warmupMs: 30, iterations: 5 } : { timeMs: 500, warmupMs: 150, iterations: 10 };
}

const KEPT_SAMPLES = 200;

/** Times every task (warm-up first), in order; `onTask` is told which task starts. */
export function timeTasks(
  tasks: readonly TaskDef[],
  timing: Timing,
  onTask: (id: string) => void = () => {},
): Map<string, TaskStats> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const bench = new Bench({
    time: timing.timeMs,
    warmupTime: timing.warmupMs,
    iterations: timing.iterations,
    warmupIterations: Math.max(2, Math.min(16, timing.iterations)),
    timestampProvider: hrtimeNowTimestampProvider,
    retainSamples: true,
    throws: true,
    setup: (task, mode) => {
      (globalThis as { gc?: () => void }).gc?.();
      if (task !== undefined && mode === "run") onTask(task.name);
    },
  });
  for (const t of tasks) {
    // async: false skips tinybench's async detection, which would call fn once outside the hooks.
    bench.add(t.id, t.fn, {
      async: false,
      ...(t.beforeEach === undefined ? {} : { beforeEach: t.beforeEach }),
      ...(t.afterEach === undefined ? {} : { afterEach: t.afterEach }),
    });
  }
  bench.runSync();
  const out = new Map<string, TaskStats>();
  for (const task of bench.tasks) {
    const def = byId.get(task.name) as TaskDef;
    const r = task.result;
    if (r.state === "errored") throw r.error;
    if (r.state !== "completed") throw new Error(`task ${task.name} ended in state ${r.state}`);
    const k = 1e6 / def.unitsPerCall; // ms per call -> ns per unit
    const lat = r.latency;
    out.set(def.id, {
      p50: lat.p50 * k,
      p99: lat.p99 * k,
      mean: lat.mean * k,
      min: lat.min * k,
      samplesCount: lat.samplesCount,
      samples: subsampleSorted((lat.samples ?? []) as readonly number[], KEPT_SAMPLES).map(
        (x) => Math.round(x * k * 1000) / 1000,
      ),
    });
  }
  return out;
}
