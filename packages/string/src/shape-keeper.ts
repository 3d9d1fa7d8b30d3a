/**
 * One small CowText and a fork of it with an insert and a delete, kept for
 * the module's life, so that V8 keeps the hidden classes of texts and of the
 * B-tree's cursors alive. When every text of a program had been dropped and
 * collected (a warm-up round, a closed document, a finished test), V8
 * deoptimized `fork`, `insert`, the descent and leaf edits at the next GC
 * ("weak objects" in `--trace-deopt`, 2026-12-06) and re-optimized them only
 * thousands of edits later. Same mechanism as core's `shapeKeeper`
 * (address-space.ts, which has the measurements). Made with the first
 * standalone text (importing the module allocates nothing); its own pool of
 * 256-byte pages, a few KB. Never throws: without it only the optimization
 * is lost.
 *
 * @module
 */
import { type AddressSpace, FramePool, type Heap } from "@pagefork/core";

interface Editable {
  readonly space: AddressSpace;
  fork(): Editable;
  insert(pos: number, text: string): void;
  delete(pos: number, count: number): void;
  nodeHeap(): Heap;
}

/** Code units inserted to split the kept fork's leaf (more than a 256-byte leaf holds), then deleted. */
const SPLIT_UNITS = 600;

let kept = false;
const keepers: object[] = [];

/** Keeps what `make(pool)` builds, and a fork of it that was edited, once per process. */
export function keepTextShapes(make: (pool: FramePool) => Editable): void {
  if (kept) return;
  kept = true; // first: the constructor below calls back here
  try {
    const t = make(new FramePool({ pageSize: 256, reclaimDropped: false }));
    const f = t.fork();
    f.insert(1, "x");
    f.delete(0, 1);
    // Splits, merges and widening too (leaf pages allocated and freed through
    // the node heap's plans), and one node heap kept with the plans it used:
    // a standalone text attaches a new heap handle per split, so nothing else
    // keeps the heap's classes (Heap, AllocPlan, TakePlan, RunPlan, ...) and
    // the text's split path (applyInsert, replaceChildren, ...) alive.
    f.insert(1, `${"y".repeat(SPLIT_UNITS)}\u20ac`);
    f.delete(1, SPLIT_UNITS + 1);
    const h = f.nodeHeap();
    h.freePage(h.allocPage());
    // No span cursor: the leaves read and write through core's one-page
    // spans (leaf.ts), whose two objects live as long as the module.
    keepers.push(t, f, h);
  } catch {
    // An engine out of memory for a few KB: the caller's own allocation will say so.
  }
}
