/**
 * The part W1, W5 and W9 measure the same way: the initial state built and
 * timed between memory snapshots, then versions made and kept under the
 * case's budget, and what follows from those figures (time and bytes per
 * version, the history's total, the state itself), with
 * {@link finishKeptVersions} at the end. Each workload keeps its own inputs,
 * adapters, checks and extra metrics.
 *
 * @module
 */
import {
  type BudgetedRun,
  defaultBudget,
  finishKeptVersions,
  type MemorySnapshot,
  memoryNow,
  nowNs,
  runBudgeted,
} from "../measure.js";
import type { Measurement, RunContext } from "../model.js";

/** What a kept-versions workload's adapter gives this module. */
export interface KeptAdapter {
  /** The library's own accounting of its bytes in use (pagefork's pool), if it has one. */
  readonly accounting?: (() => number) | undefined;
}

/** The figures of one build and versions loop ({@link buildAndKeepVersions}). */
export interface KeptRun {
  /** Memory before the build, after it, and after the versions. */
  readonly m0: MemorySnapshot;
  readonly m1: MemorySnapshot;
  readonly m2: MemorySnapshot;
  /** The adapter's accounting before and after the build (0 without one). */
  readonly pf0: number;
  readonly pf1: number;
  /** Milliseconds the build took. */
  readonly buildMs: number;
  /** The budgeted loop: versions done, timed ns, what stopped it. */
  readonly loop: BudgetedRun;
  /** Versions made (`loop.done`). */
  readonly done: number;
  /** Versions asked for. */
  readonly total: number;
  /** JS heap + ArrayBuffer bytes the versions hold, per version. */
  readonly bytesPerVersion: number;
}

/**
 * Builds the initial state (`build`, timed, between memory snapshots and the
 * adapter's accounting), reports `built <what> in N ms` (`what` names the
 * state, e.g. "1M elements", or is empty), then makes `total` versions with `step(from,
 * to)` under the case's budget (see runBudgeted: `step` must call a
 * top-level loop function that takes its inputs as parameters), reporting
 * progress, and takes the memory snapshot after them.
 */
export function buildAndKeepVersions(
  ctx: RunContext,
  adapter: KeptAdapter,
  total: number,
  what: string,
  build: () => void,
  step: (from: number, to: number) => void,
): KeptRun {
  const m0 = memoryNow();
  const pf0 = adapter.accounting?.() ?? 0;
  const t0 = nowNs();
  build();
  const buildMs = (nowNs() - t0) / 1e6;
  const m1 = memoryNow();
  const pf1 = adapter.accounting?.() ?? 0;
  ctx.progress(`built ${what === "" ? "" : `${what} `}in ${buildMs.toFixed(0)} ms`);

  const loop = runBudgeted(total, defaultBudget(ctx.quick), step, (done) =>
    ctx.progress(`${done} of ${total} versions`),
  );
  const done = loop.done;
  const m2 = memoryNow();
  return { m0, m1, m2, pf0, pf1, buildMs, loop, done, total, bytesPerVersion: (m2.held - m1.held) / done };
}

/**
 * The metrics every kept-versions workload reports from its run: time and
 * bytes per version, the history's bytes at `total` versions, the initial
 * state's bytes and its build time.
 */
export function keptMetrics(r: KeptRun): Record<string, number> {
  return {
    nsPerVersion: r.loop.ns / r.done,
    bytesPerVersion: r.bytesPerVersion,
    historyBytes: r.bytesPerVersion * r.total,
    baseBytes: r.m1.held - r.m0.held,
    buildMs: r.buildMs,
  };
}

/** {@link finishKeptVersions} with the figures of `r`; `basis` says how a prefix extrapolates. */
export function finishKept(out: Measurement, adapter: KeptAdapter, r: KeptRun, basis: string): Measurement {
  return finishKeptVersions(out, {
    accounting: adapter.accounting,
    pf0: r.pf0,
    pf1: r.pf1,
    m1: r.m1,
    m2: r.m2,
    done: r.done,
    total: r.total,
    stoppedBy: r.loop.stoppedBy,
    basis,
  });
}
