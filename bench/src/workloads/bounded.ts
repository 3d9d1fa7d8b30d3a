/**
 * The run shared by W1b and W5b, bounded history: an undo stack that keeps
 * the newest 100 versions, 100,000 commits, so the oldest version is dropped
 * on every commit and (for pagefork) its frames and page-table nodes return
 * to the pool and are reused by the next commits. This is the usual undo
 * stack; W1 and W5 keep every version instead, so every version there takes
 * memory that was never used before.
 *
 * What a commit is, per library:
 * - pagefork: `draft = history.fork(); draft.set(…); history.commit(draft)` on
 *   the core `History` with `maxVersions: 100`, which releases the version it
 *   evicts;
 * - Immutable.js: `next = current.set(…); stack.push(next); if
 *   (stack.length > 100) stack.shift()`, the undo stack an Immutable.js user
 *   writes (dropping the oldest version leaves it to the garbage collector).
 *
 * Measured: time per commit over all commits (the loop timed in chunks of
 * ~5 ms, after a warm-up round on a throwaway state of the same size), the
 * bytes the 100 versions hold beyond the initial state after `gc()`, and the
 * growth of the resident set over the commits (which for a bounded history
 * should stay near zero once the stack is full).
 *
 * @module
 */
import { memoryNow, nowNs, runBudgeted } from "../measure.js";
import type { Measurement, MetricDef, RunContext } from "../model.js";
import { check, numParam } from "./cases.js";

/** Versions the undo stack keeps (the issue's `maxVersions: 100`). */
export const MAX_VERSIONS = 100;
/** Commits in a full run; `--quick` makes 10,000. */
export const COMMITS = 100_000;
export const QUICK_COMMITS = 10_000;
/** Commits of the warm-up round (on a throwaway state of the same size). */
const WARMUP_COMMITS = { full: 20_000, quick: 2_000 };
/** Budgets: bounded memory, so only time can stop a run (each run makes all its commits well within it). */
const BUDGET = { full: { seconds: 30, bytes: 4 * 1024 ** 3 }, quick: { seconds: 5, bytes: 1024 ** 3 } };

export const METRICS: MetricDef[] = [
  { key: "nsPerCommit", label: "time / commit", unit: "ns", ratio: true },
  { key: "heldBytes", label: "100 versions hold (beyond the state)", unit: "bytes", ratio: true },
  { key: "inUseBytes", label: "in use (pool + JS heap)", unit: "bytes", ratio: false },
  { key: "rssGrowth", label: "resident set growth over the commits", unit: "bytes", ratio: false },
  { key: "baseBytes", label: "the state itself", unit: "bytes", ratio: true },
  { key: "buildMs", label: "build the state", unit: "ms", ratio: false },
];

/**
 * One library's undo stack. `S` is the library's state, `H` its history.
 * `commits(h, from, to)` makes commits `from … to - 1` (commit k writes input
 * k); it must be a call into a top-level loop (see read-loops.ts).
 */
export interface BoundedAdapter<H> {
  /** Builds the initial state of `n` elements or keys and the history holding it. */
  build(n: number): H;
  commits(h: H, from: number, to: number): void;
  /** Versions held. */
  size(h: H): number;
  /** Checks the newest and the oldest version held after `done` commits; returns what it checked. */
  verify(h: H, done: number): string;
  /** Drops the history (pagefork: releases it and checks that every frame returned). */
  dispose(h: H): string;
  /** pagefork only: the pool's bytes in use. */
  accounting?(): number;
}

/**
 * Runs one variant: warm-up on a throwaway history, build, the timed commits,
 * checks, memory. `make` returns a fresh adapter (with its own pool, for pagefork).
 */
export function runBounded<H>(make: () => BoundedAdapter<H>, ctx: RunContext): Measurement {
  const n = numParam(ctx.params, "size");
  const total = numParam(ctx.params, "commits");
  ctx.progress("warm-up");
  warmUp(make, n, ctx.quick);
  const adapter = make();

  const m0 = memoryNow();
  const pf0 = adapter.accounting?.() ?? 0;
  const t0 = nowNs();
  const h = adapter.build(n);
  const buildMs = (nowNs() - t0) / 1e6;
  const m1 = memoryNow();
  const pf1 = adapter.accounting?.() ?? 0;
  ctx.progress(`built in ${buildMs.toFixed(0)} ms`);

  const loop = runBudgeted(
    total,
    ctx.quick ? BUDGET.quick : BUDGET.full,
    (from, to) => adapter.commits(h, from, to),
    (done) => ctx.progress(`${done} of ${total} commits`),
  );
  const done = loop.done;
  const m2 = memoryNow();
  check(adapter.size(h) === Math.min(MAX_VERSIONS, done + 1), `the history holds ${MAX_VERSIONS} versions`);
  const checks = [adapter.verify(h, done)];
  const metrics: Record<string, number> = {
    nsPerCommit: loop.ns / done,
    heldBytes: m2.held - m1.held,
    rssGrowth: m2.rss - m1.rss,
    baseBytes: m1.held - m0.held,
    buildMs,
  };
  if (adapter.accounting !== undefined) metrics.inUseBytes = adapter.accounting() - pf1 + (m2.heapUsed - m1.heapUsed);
  checks.push(adapter.dispose(h));
  const out: Measurement = { metrics, checks, info: { commitsDone: done, pageforkInUseBase: pf1 - pf0 } };
  if (loop.stoppedBy !== undefined)
    out.prefix = {
      done,
      total,
      stoppedBy: loop.stoppedBy,
      basis: "every commit costs the same once the stack is full: time per commit is from the prefix",
    };
  return out;
}

/** The same loop on a throwaway history, in its own function so nothing of it stays reachable. */
function warmUp<H>(make: () => BoundedAdapter<H>, n: number, quick: boolean): void {
  const a = make();
  const h = a.build(n);
  const commits = quick ? WARMUP_COMMITS.quick : WARMUP_COMMITS.full;
  runBudgeted(commits, { seconds: quick ? 0.5 : 2, bytes: 1024 ** 3 }, (from, to) => a.commits(h, from, to));
  a.dispose(h);
}

/**
 * A bounded undo stack of immutable values for peers without one: the
 * newest `MAX_VERSIONS` values, oldest first. What an Immutable.js user
 * writes: push the new value, shift the oldest out.
 */
export class UndoStack<S> {
  readonly versions: S[];
  constructor(initial: S) {
    this.versions = [initial];
  }
  get current(): S {
    return this.versions[this.versions.length - 1] as S;
  }
  commit(next: S): void {
    const v = this.versions;
    v.push(next);
    if (v.length > MAX_VERSIONS) v.shift();
  }
}
