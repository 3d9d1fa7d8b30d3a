/**
 * Measuring inside a child process: memory after a forced collection,
 * pagefork's own accounting, seeded random inputs, and the budgeted loop that
 * stops a variant at a prefix when it would run out of time or memory.
 *
 * Memory is what a process holds: `heapUsed + arrayBuffers` from
 * `process.memoryUsage()` after two `gc()` calls (the child runs with
 * `--expose-gc`), minus the same figure taken before the structure was built.
 * For pagefork that includes the slabs' whole ArrayBuffers, frames in use or
 * not (`bytesReserved`), so {@link poolAccounting} reports the bytes in use
 * next to it.
 *
 * @module
 */
import type { FramePool } from "@pagefork/core";
import type { Measurement } from "./model.js";

/** Full collections in a row before the heap counts as settled, and at most this many. */
const SETTLE_GCS = { min: 3, max: 12 };
/** Settled: heap and ArrayBuffer bytes moved less than this between the last two collections. */
const SETTLE_BYTES = 16 * 1024;

/**
 * Runs full collections until the bytes held stop moving: at least 3, at most
 * 12, until heap + ArrayBuffer bytes change by under 16 KiB between two. One
 * or two are not enough: V8 frees dead ArrayBuffers' backing stores (a slab
 * that grew into a new buffer, a dropped copy) in a sweeper task, and
 * `process.memoryUsage().arrayBuffers` drops only after it ran, which showed
 * up as a 2.5 MB drop on the collection after next.
 */
export function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") throw new Error("the bench child must run with --expose-gc");
  let last = Number.NaN;
  for (let i = 0; i < SETTLE_GCS.max; i++) {
    gc();
    const held = roughHeld();
    if (i + 1 >= SETTLE_GCS.min && Math.abs(held - last) < SETTLE_BYTES) return;
    last = held;
  }
}

/** `process.memoryUsage()` after {@link settle}, in bytes. */
export interface MemorySnapshot {
  heapUsed: number;
  arrayBuffers: number;
  external: number;
  rss: number;
  /** `heapUsed + arrayBuffers`: what the report calls bytes held. */
  held: number;
}

/** Collects garbage, then reads the process's memory. */
export function memoryNow(): MemorySnapshot {
  settle();
  const m = process.memoryUsage();
  return {
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    external: m.external,
    rss: m.rss,
    held: m.heapUsed + m.arrayBuffers,
  };
}

/** Bytes held now (after a collection) minus at `base`. */
export function heldSince(base: MemorySnapshot): number {
  return memoryNow().held - base.held;
}

/** Bytes held without collecting (garbage included): cheap, for budget checks only. */
export function roughHeld(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** pagefork's own view of a pool, in bytes. */
export interface PoolAccounting {
  /** Frames in use + page-table nodes + per-frame metadata: what the versions use. */
  inUse: number;
  /** ArrayBuffer bytes the slabs hold (in use, free and never used). */
  reserved: number;
  framesInUse: number;
  pageTableBytes: number;
}

export function poolAccounting(pool: FramePool): PoolAccounting {
  const s = pool.stats();
  return {
    inUse: s.bytesInUse + s.pageTableBytes + s.framesInUse * s.metadataBytesPerFrame,
    reserved: s.bytesReserved,
    framesInUse: s.framesInUse,
    pageTableBytes: s.pageTableBytes,
  };
}

/** Nanoseconds from a monotonic clock, as a number (precise to ~1 ns for spans under 100 days). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * xorshift32 (Marsaglia 2003): a tiny seeded generator, so every library
 * sees the same random indices and values.
 */
export class Xorshift32 {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** Integer in [0, n) for n <= 2^32, by scaling (bias under n / 2^32: negligible for the sizes used here). */
  below(n: number): number {
    return Math.floor((this.nextU32() / 4294967296) * n);
  }
}

/** `count` random indices in [0, n), seeded. */
export function randomIndices(n: number, count: number, seed: number): Int32Array {
  const rng = new Xorshift32(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.below(n);
  return out;
}

/** `count` random non-integer doubles in [0, 1000), seeded (non-integers: no Smi shortcut for peers). */
export function randomDoubles(count: number, seed: number): Float64Array {
  const rng = new Xorshift32(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.nextU32() / 4294967.296 + 0.5;
  return out;
}

/** How far a variant may go before it is stopped at a prefix. */
export interface Budget {
  /** Seconds of timed work. */
  seconds: number;
  /** Bytes held above the start (garbage included; see {@link roughHeld}). */
  bytes: number;
}

/** What {@link runBudgeted} did. */
export interface BudgetedRun {
  /** Units completed (versions, edits). */
  done: number;
  /** Timed nanoseconds over all completed units (the budget checks are outside). */
  ns: number;
  /** Set when the budget stopped it before `total`. */
  stoppedBy?: "time" | "memory";
}

/** A chunk of units is timed as one span of about this long, so a clock read per unit never biases fast variants. */
const TARGET_CHUNK_NS = 5e6;
/** Chunks never exceed this many units, so the budget is checked often enough. */
const MAX_CHUNK = 4096;
/** One chunk's predicted bytes stay under this share of the memory budget. */
const CHUNK_BYTES_SHARE = 1 / 32;

/**
 * Calls `step(from, to)` for consecutive chunks of `[0, total)`, timing each
 * chunk as a whole, until done or until the next chunk would pass the time or
 * memory budget. The first chunk is one unit; later chunks are sized to take
 * about 5 ms and to add at most 1/32 of the memory budget, as predicted from
 * the units so far. `step` must be a call into a top-level loop function that
 * takes its inputs as parameters (see read-loops.ts for why).
 */
export function runBudgeted(
  total: number,
  budget: Budget,
  step: (from: number, to: number) => void,
  onProgress?: (done: number) => void,
): BudgetedRun {
  const startBytes = roughHeld();
  let done = 0;
  let ns = 0;
  let chunk = 1;
  let lastReport = nowNs();
  while (done < total) {
    const to = Math.min(total, done + chunk);
    const t0 = nowNs();
    step(done, to);
    ns += nowNs() - t0;
    done = to;
    if (done >= total) break;
    const bytes = Math.max(0, roughHeld() - startBytes);
    const nsPerUnit = ns / done;
    const bytesPerUnit = bytes / done;
    if (ns >= budget.seconds * 1e9) return { done, ns, stoppedBy: "time" };
    chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor(TARGET_CHUNK_NS / Math.max(1, nsPerUnit))));
    if (bytesPerUnit > 0)
      chunk = Math.max(1, Math.min(chunk, Math.floor((budget.bytes * CHUNK_BYTES_SHARE) / bytesPerUnit)));
    if (bytes + bytesPerUnit * Math.min(chunk, total - done) > budget.bytes) return { done, ns, stoppedBy: "memory" };
    if (onProgress !== undefined && t0 - lastReport > 5e8) {
      lastReport = t0;
      onProgress(done);
    }
  }
  return { done, ns };
}

/**
 * Units of a warm-up timed on their own as the cold start of a process: the
 * first versions a fresh process makes, before V8 has optimised the code that
 * makes them (reported beside the warm figure, never instead of it).
 */
export const COLD_UNITS = 1000;

/**
 * The warm-up of the kept-versions workloads (W1, W5; W4 replays edits), the same for every
 * library: 2 rounds, each on its own throwaway state of the measured size,
 * of up to 10,000 versions within 1.5 s and 256 MiB (`--quick`: 1,000 within
 * 0.25 s and 32 MiB). Why: V8 optimises a function after a budget of bytecode
 * executed in it, and a function called once per version (pagefork's `fork`,
 * its `AddressSpace` constructor, the write-fault path) reached TurboFan only
 * after 4,000-8,000 versions of a fresh process (`--trace-opt`, 2026-12-06);
 * and code optimised on one state was deoptimized once by the next state's
 * first versions (paths a young pool takes: --trace-deopt, "insufficient type
 * feedback"), so the first 1,000-2,000 versions of a second state ran
 * unoptimised again. Measured on pagefork, 100K elements, then 5 rounds of
 * 1,000 versions on new states: after one warm-up round of 20,000 the first
 * round took 9-21 us per version, after two rounds of 10,000 it took 1.0-2.0 us
 * (3 runs each; later rounds 1.2-4 us in both). W1b and W5b warm up with
 * 20,000 commits in one History, whose pool is never young again.
 */
export const KEPT_VERSIONS_WARMUP = {
  full: { rounds: 2, versions: 10_000, budget: { seconds: 1.5, bytes: 256 * 1024 * 1024 } },
  quick: { rounds: 2, versions: 1_000, budget: { seconds: 0.25, bytes: 32 * 1024 * 1024 } },
} as const;

/**
 * Runs the {@link KEPT_VERSIONS_WARMUP} rounds: `round(r, versions, budget)`
 * builds round `r`'s throwaway state, runs {@link runWarmUp} on it and drops
 * it. Returns the versions of all rounds and round 0's cold start.
 */
export function warmUpRounds(
  quick: boolean,
  round: (r: number, versions: number, budget: Budget) => WarmUpRun,
): WarmUpRun {
  const plan = quick ? KEPT_VERSIONS_WARMUP.quick : KEPT_VERSIONS_WARMUP.full;
  const first = round(0, plan.versions, plan.budget);
  let done = first.done;
  for (let r = 1; r < plan.rounds; r++) done += round(r, plan.versions, plan.budget).done;
  return { done, coldDone: first.coldDone, coldNsPerUnit: first.coldNsPerUnit };
}

/** What {@link runWarmUp} did. */
export interface WarmUpRun {
  /** Units completed in all. */
  done: number;
  /** Units of the cold part (the first {@link COLD_UNITS}, fewer if the budget stopped it). */
  coldDone: number;
  /** Timed nanoseconds per unit of the cold part. */
  coldNsPerUnit: number;
}

/**
 * A warm-up by {@link runBudgeted} whose first {@link COLD_UNITS} units are
 * timed on their own (the process's cold start), then the rest within what
 * is left of the time budget. The memory budget applies to each part.
 */
export function runWarmUp(total: number, budget: Budget, step: (from: number, to: number) => void): WarmUpRun {
  const cold = runBudgeted(Math.min(COLD_UNITS, total), budget, step);
  let done = cold.done;
  if (cold.stoppedBy === undefined && total > done) {
    const offset = cold.done;
    const left = { seconds: Math.max(0, budget.seconds - cold.ns / 1e9), bytes: budget.bytes };
    done += runBudgeted(total - offset, left, (from, to) => step(from + offset, to + offset)).done;
  }
  return { done, coldDone: cold.done, coldNsPerUnit: cold.ns / cold.done };
}

/** The budget of one case: generous in a full run, small in `--quick`. */
export function defaultBudget(quick: boolean, fullSeconds = 10): Budget {
  return quick ? { seconds: 0.5, bytes: 128 * 1024 * 1024 } : { seconds: fullSeconds, bytes: 2 * 1024 ** 3 };
}

/** What a run that keeps every version (W1, W5, W9) measured, for {@link finishKeptVersions}. */
export interface KeptVersions {
  /** The library's own accounting of its bytes in use (pagefork's pool), if it has one. */
  accounting: (() => number) | undefined;
  /** `accounting()` before and after the initial state was built (0 without accounting). */
  pf0: number;
  pf1: number;
  /** Memory after the build and after the versions. */
  m1: MemorySnapshot;
  m2: MemorySnapshot;
  /** Versions made, and the versions asked for. */
  done: number;
  total: number;
  /** The loop's {@link BudgetedRun.stoppedBy}. */
  stoppedBy: "time" | "memory" | undefined;
  /** How a prefix's totals extrapolate, in words (see {@link Prefix}). */
  basis: string;
}

/**
 * Adds to `out` what every kept-versions workload reports the same way: the
 * library's bytes in use per version (its accounting plus the JS heap the
 * versions hold) when it has an accounting, and, when a budget stopped the
 * loop, the prefix and the extrapolated `historyBytes`.
 */
export function finishKeptVersions(out: Measurement, k: KeptVersions): Measurement {
  if (k.accounting !== undefined) {
    const pf2 = k.accounting();
    out.metrics.inUsePerVersion = (pf2 - k.pf1 + (k.m2.heapUsed - k.m1.heapUsed)) / k.done;
    out.info = { ...out.info, pageforkInUseBase: k.pf1 - k.pf0, pageforkInUseVersions: pf2 - k.pf1 };
  }
  if (k.stoppedBy !== undefined) {
    out.prefix = { done: k.done, total: k.total, stoppedBy: k.stoppedBy, basis: k.basis };
    out.extrapolated = ["historyBytes"];
  }
  return out;
}
