/**
 * One small CowMap and one CowSet, each with an entry, a fork and its
 * finished iterators, kept for the module's life, so that V8 keeps the hidden
 * classes of the maps, their tables and iterators alive. When every map of a
 * program had been dropped and collected (a warm-up round, a closed
 * document, a finished test), V8 deoptimized `fork`, `set`, `get`, the table
 * and iterator functions at the next GC ("weak objects" in `--trace-deopt`,
 * 2026-12-06) and re-optimized them only thousands of calls later. Same
 * mechanism as core's `shapeKeeper` (address-space.ts, which has the
 * measurements). Made with the first standalone map or set (importing the
 * module allocates nothing); its own pool of 1 KiB pages, a few KB. Never
 * throws: without it only the optimization is lost.
 *
 * @module
 */
import { FramePool } from "@pagefork/core";

interface Forkable {
  fork(): object;
  [Symbol.iterator](): Iterator<unknown>;
  keys(): Iterator<unknown>;
  values(): Iterator<unknown>;
  entries(): Iterator<unknown>;
}

/** Which collections are kept, by index: {@link KEEP_MAP}, {@link KEEP_SET}. */
const kept = new Uint8Array(2);
export const KEEP_MAP = 0;
export const KEEP_SET = 1;
const keepers: object[] = [];

/**
 * Keeps what `make(pool)` builds (a map or a set with an entry), a fork of it
 * and its iterators of every kind, each run to its end, once per process for
 * each `which`.
 *
 * Why the iterators too (session 33, `--trace-deopt` and
 * `--trace-generalization` of W5's `for..of` timing): an iterator's
 * `Cursor` and `PageReader` reach their hidden classes through field stores
 * that V8 holds only while some iterator lives. Dropped after each
 * iteration, those classes died at every full GC ("weak objects": `next`,
 * `step`, `stepSlow`, `key`, `value`, `at`, `room` and the caller's loop),
 * and the next iteration rebuilt them with every field constant, so its
 * first page load and its end (`table = null`) generalized them again and
 * threw the fresh code away ("code dependencies"; compiles of the loop
 * aborted with "dependency change"). Kept run to the end, the classes stay,
 * with the fields already general.
 */
export function keepCollectionShapes(which: number, make: (pool: FramePool) => Forkable): void {
  if (kept[which] !== 0) return;
  kept[which] = 1; // first: the constructor below calls back here
  try {
    const m = make(new FramePool({ pageSize: 1024, reclaimDropped: false }));
    const f = m.fork() as Forkable;
    keepers.push(m, f);
    for (const it of [f[Symbol.iterator](), f.keys(), f.values(), f.entries()]) {
      while (it.next().done !== true);
      keepers.push(it);
    }
  } catch {
    // An engine out of memory for a few KB: the caller's own allocation will say so.
  }
}
