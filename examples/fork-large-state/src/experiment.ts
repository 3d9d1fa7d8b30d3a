/**
 * The experiment: fork the grid N times, each new version from the previous
 * one, write a handful of cells in each, keep every version; time each fork
 * and its writes; measure what the retained versions cost; check that every
 * version holds exactly its own writes.
 *
 * @module
 */
import type { CowFloat64Array } from "@pagefork/array";
import type { SingleBar } from "cli-progress";
import type { Grid } from "./grid.js";
import { initialValue } from "./grid.js";

/** Percentiles of a sample, in microseconds. */
export interface Timing {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** What the retained versions cost, in bytes per version (averages over all versions). */
export interface VersionMemory {
  /** Frames the versions took (copied pages). */
  readonly frames: number;
  /** Page-table nodes they took. */
  readonly pageTables: number;
  /** JS heap of their objects (after a full GC; needs --expose-gc, else 0). */
  readonly jsHeap: number;
  /** The three together. */
  readonly total: number;
}

/** Results of {@link forkVersions}. */
export interface ForkResults {
  readonly versions: number;
  readonly writesPerVersion: number;
  /** `fork()` alone. */
  readonly fork: Timing;
  /** `fork()` and the first `set` on the new version (which copies one page). */
  readonly forkFirstWrite: Timing;
  /** `fork()` and all of the version's writes. */
  readonly forkAllWrites: Timing;
  /** Wall time of the whole loop, seconds (timing calls included). */
  readonly loopSeconds: number;
  readonly memoryPerVersion: VersionMemory;
  /** Copy-on-write faults summed over the versions (each fork starts at 0). */
  readonly copyFaults: number;
  /** The pool's commit charge after the loop (each version is charged its mapped bytes). */
  readonly committedBytes: number;
  /** The kept versions, oldest first (the grid itself is not among them). */
  readonly kept: CowFloat64Array[];
  /** Cell written by write j of version v: `index[v * writes + j]`; value and the value before. */
  readonly index: Float64Array;
  readonly value: Float64Array;
  readonly before: Float64Array;
}

/** xorshift32: a small seeded generator, so runs are repeatable. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function timing(us: Float64Array): Timing {
  const s = Float64Array.from(us).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  let sum = 0;
  for (const x of s) sum += x;
  return { p50: at(0.5), p99: at(0.99), mean: sum / s.length, max: s[s.length - 1] as number };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs the fork loop on `grid`. */
export function forkVersions(
  grid: Grid,
  versions: number,
  writes: number,
  seed: number,
  progress?: SingleBar,
): ForkResults {
  const random = rng(seed);
  const total = versions * writes;
  const index = new Float64Array(total);
  const value = new Float64Array(total);
  const before = new Float64Array(total);
  for (let k = 0; k < total; k++) {
    index[k] = Math.floor(random() * grid.cells);
    value[k] = -1000 - k; // never an initial value (those are near 20)
  }
  const forkUs = new Float64Array(versions);
  const firstUs = new Float64Array(versions);
  const allUs = new Float64Array(versions);
  const kept: CowFloat64Array[] = [];
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const s0 = grid.pool.stats();
  const step = Math.max(1, Math.ceil(versions / 100));
  progress?.start(versions, 0, { label: `fork ${versions} versions` });
  let cur = grid.state;
  const tLoop = performance.now();
  for (let v = 0; v < versions; v++) {
    const base = v * writes;
    for (let j = 0; j < writes; j++) before[base + j] = cur.get(index[base + j] as number) as number; // untimed
    const t0 = performance.now();
    const next = cur.fork();
    const t1 = performance.now();
    next.set(index[base] as number, value[base] as number);
    const t2 = performance.now();
    for (let j = 1; j < writes; j++) next.set(index[base + j] as number, value[base + j] as number);
    const t3 = performance.now();
    forkUs[v] = (t1 - t0) * 1000;
    firstUs[v] = (t2 - t0) * 1000;
    allUs[v] = (t3 - t0) * 1000;
    kept.push(next);
    cur = next;
    if (v % step === 0) progress?.update(v + 1);
  }
  const loopSeconds = (performance.now() - tLoop) / 1000;
  progress?.stop();
  gc?.();
  const s1 = grid.pool.stats();
  const heap = gc === undefined ? 0 : (process.memoryUsage().heapUsed - heap0) / versions;
  const frames = (s1.bytesInUse - s0.bytesInUse) / versions;
  const pageTables = (s1.pageTableBytes - s0.pageTableBytes) / versions;
  let copyFaults = 0;
  for (const k of kept) copyFaults += k.stats().copyFaults;
  return {
    versions,
    writesPerVersion: writes,
    fork: timing(forkUs),
    forkFirstWrite: timing(firstUs),
    forkAllWrites: timing(allUs),
    loopSeconds,
    memoryPerVersion: { frames, pageTables, jsHeap: Math.max(0, heap), total: frames + pageTables + Math.max(0, heap) },
    copyFaults,
    committedBytes: s1.committedBytes,
    kept,
    index,
    value,
    before,
  };
}

/** Results of {@link checkVersions}. */
export interface Checks {
  /** Every version reads its own writes (or a later write of its own to the same cell). */
  readonly ownWrites: boolean;
  /** Every version's parent reads the value from before the write. */
  readonly parentUnchanged: boolean;
  /** The grid itself still reads its initial values at every written cell. */
  readonly baseUnchanged: boolean;
  /** Cells checked. */
  readonly cellsChecked: number;
}

/** Checks every version against the write log. */
export function checkVersions(grid: Grid, r: ForkResults): Checks {
  let own = true;
  let parent = true;
  let base = true;
  const w = r.writesPerVersion;
  for (let v = 0; v < r.versions; v++) {
    const ver = r.kept[v] as CowFloat64Array;
    const par = v === 0 ? grid.state : (r.kept[v - 1] as CowFloat64Array);
    for (let j = 0; j < w; j++) {
      const k = v * w + j;
      const i = r.index[k] as number;
      // A later write of this version to the same cell wins.
      let expected = r.value[k] as number;
      for (let jj = j + 1; jj < w; jj++) if (r.index[v * w + jj] === i) expected = r.value[v * w + jj] as number;
      if (!Object.is(ver.get(i), expected)) own = false;
      let first = true;
      for (let jj = 0; jj < j; jj++) if (r.index[v * w + jj] === i) first = false;
      if (first && !Object.is(par.get(i), r.before[k])) parent = false;
      const x = i % grid.width;
      const y = Math.floor(i / grid.width);
      if (Math.abs((grid.state.get(i) as number) - initialValue(x, y, grid.width, grid.height)) > 1e-9) base = false;
    }
  }
  return { ownWrites: own, parentUnchanged: parent, baseUnchanged: base, cellsChecked: r.versions * w };
}
