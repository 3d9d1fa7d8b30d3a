/**
 * The measuring harness: tinybench does the timing (one `hrtime` read either
 * side of each call, hooks outside the timed window); this file only turns a
 * list of task definitions into one tinybench run, reports progress on stderr,
 * and keeps the per-run statistics in nanoseconds per unit of work.
 *
 * One "run" is one tinybench `Bench` holding every task of a group, baseline
 * first, so a baseline and the figures compared with it are measured minutes
 * (not hours) apart on this shared, noisy machine. Groups repeat runs and
 * report the median with min/max (see `stats.ts`).
 *
 * @module
 */
import { Bench, hrtimeNowTimestampProvider, type Task } from "tinybench";
import { subsampleSorted } from "./stats.js";

/** One thing to time. `fn` is called once per sample; hooks run outside the timed window. */
export interface TaskDef {
  /** Stable id, used as key in the JSON (e.g. `fork/1GiB`). */
  id: string;
  /** Human description, shown in progress and the JSON. */
  label: string;
  /** Units of work per call of `fn` (elements read, faults taken); times are reported per unit. */
  unitsPerCall: number;
  fn: () => void;
  beforeAll?: () => void;
  beforeEach?: () => void;
  afterEach?: () => void;
  afterAll?: () => void;
}

/** Statistics of one task in one run, in nanoseconds per unit. */
export interface TaskRun {
  run: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  /** Calls timed (samples) in this run. */
  samplesCount: number;
  /**
   * The samples in ns per unit, ascending. Kept whole up to `maxSamples`;
   * longer sets keep `maxSamples` evenly spaced order statistics.
   */
  samples: number[];
}

/** Time budgets of one run. */
export interface Timing {
  /** tinybench `time` per task and run, ms. */
  timeMs: number;
  /** tinybench `warmupTime` per task and run, ms. */
  warmupMs: number;
  /** tinybench minimum iterations per task and run. */
  iterations: number;
  /** tinybench warmup iterations (default: `iterations`, clamped to 2..16). */
  warmupIterations?: number;
  /** Repeated runs per group. */
  runs: number;
  /** Samples kept per task and run in the JSON. */
  maxSamples: number;
}

/** Writes one progress line to stderr. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Runs the collector if `--expose-gc` gave us one (main.ts is started with it). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/**
 * Times every task once (one tinybench run with warmup), in order.
 * @param group Group name for progress lines.
 * @param run 1-based run number, for progress lines.
 */
export function measureRun(
  group: string,
  tasks: readonly TaskDef[],
  run: number,
  timing: Timing,
): Map<string, TaskRun> {
  const byName = new Map<string, TaskDef>();
  let warmedUp = false;
  const bench = new Bench({
    name: group,
    time: timing.timeMs,
    warmupTime: timing.warmupMs,
    iterations: timing.iterations,
    warmupIterations: timing.warmupIterations ?? Math.max(2, Math.min(16, timing.iterations)),
    timestampProvider: hrtimeNowTimestampProvider,
    retainSamples: true,
    throws: true,
    setup: (task?: Task, mode?: string) => {
      collectGarbage();
      const def = task === undefined ? undefined : byName.get(task.name);
      if (mode === "warmup") {
        if (!warmedUp) progress(`${group}: run ${run} of ${timing.runs}: warming up ${tasks.length} tasks`);
        warmedUp = true;
      } else if (def !== undefined) {
        progress(`${group}: run ${run} of ${timing.runs}: ${def.label}`);
      }
    },
  });
  for (const t of tasks) {
    byName.set(t.id, t);
    // async: false skips tinybench's async detection, which would call fn once
    // outside the hooks (leaking a fork child, or writing to a missing one).
    bench.add(t.id, t.fn, {
      async: false,
      ...(t.beforeAll === undefined ? {} : { beforeAll: t.beforeAll }),
      ...(t.beforeEach === undefined ? {} : { beforeEach: t.beforeEach }),
      ...(t.afterEach === undefined ? {} : { afterEach: t.afterEach }),
      ...(t.afterAll === undefined ? {} : { afterAll: t.afterAll }),
    });
  }
  bench.runSync();
  const out = new Map<string, TaskRun>();
  for (const task of bench.tasks) {
    const def = byName.get(task.name) as TaskDef;
    const r = task.result;
    if (r.state === "errored") throw r.error;
    if (r.state !== "completed") throw new Error(`task ${task.name} ended in state ${r.state}`);
    const k = 1e6 / def.unitsPerCall; // ms per call -> ns per unit
    const lat = r.latency;
    const sorted = (lat.samples ?? []) as readonly number[];
    out.set(def.id, {
      run,
      p50: lat.p50 * k,
      p99: lat.p99 * k,
      mean: lat.mean * k,
      min: lat.min * k,
      max: lat.max * k,
      samplesCount: lat.samplesCount,
      samples: subsampleSorted(sorted, timing.maxSamples).map((x) => Math.round(x * k * 100) / 100),
    });
  }
  bench.reset();
  return out;
}

/** Every run of every task of a group, for figures and for the raw JSON. */
export class RunLog {
  readonly tasks = new Map<string, { label: string; unitsPerCall: number; runs: TaskRun[] }>();

  /** Times `tasks` once and files the results under their ids. */
  measure(group: string, tasks: readonly TaskDef[], run: number, timing: Timing): void {
    const res = measureRun(group, tasks, run, timing);
    for (const t of tasks) {
      let entry = this.tasks.get(t.id);
      if (entry === undefined) {
        entry = { label: t.label, unitsPerCall: t.unitsPerCall, runs: [] };
        this.tasks.set(t.id, entry);
      }
      entry.runs.push(res.get(t.id) as TaskRun);
    }
  }

  /** The per-run values of one statistic of a task, in run order. */
  values(id: string, stat: "p50" | "p99" | "mean" | "min" = "p50"): number[] {
    const entry = this.tasks.get(id);
    if (entry === undefined) throw new Error(`no task ${id} was measured`);
    return entry.runs.map((r) => r[stat]);
  }

  /** Plain object for the JSON file. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.tasks);
  }
}
