/**
 * The paint grid's state, and the only module that knows how it is stored.
 *
 * Today: one `CowFloat64Array` of 1024 x 1024 cells (8 MiB, 1 KiB pages) per
 * version, kept in a core `History`; a stroke is one `fork()` at pointer-down,
 * the dabs written into the fork, and one `commit()` at pointer-up, so undo
 * and redo move by whole strokes and a version costs only the pages its
 * stroke touched. Components use {@link usePaintSnapshot} and the store's
 * methods, and read cells only through {@link PaintStore.spans}, so the
 * storage can move to `@pagefork/state` (`createStore(t.struct({ grid:
 * t.float64Array(GRID_CELLS) }))` with its `useStore` hook) by changing this
 * module alone.
 *
 * @module
 */
import { CowFloat64Array } from "@pagefork/array";
import { FramePool, History, type PageSpanCursor } from "@pagefork/core";
import { useSyncExternalStore } from "react";
import { dabKernel } from "./brush.js";

/** Cells per side of the grid. */
export const GRID_SIDE = 1024;
/** Cells in the grid: 1,048,576 Float64 values, 8 MiB. */
export const GRID_CELLS = GRID_SIDE * GRID_SIDE;
/** Page size of the grid's pool: the arrays' default (`ARRAY_PAGE_SIZE`), 128 cells per page. */
export const GRID_PAGE_SIZE = 1024;

/** What the paint UI renders from; a new object whenever something changes. */
export interface PaintSnapshot {
  /** Identity of the grid shown (a new one per stroke): the canvas redraws when it changes. */
  readonly gridId: number;
  /** Index of the shown version in the history: 0 is the blank grid. */
  readonly position: number;
  /** Versions kept (strokes + 1, less those a new stroke dropped after an undo). */
  readonly versions: number;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** A stroke is in progress (pointer down): undo and redo wait for it. */
  readonly stroking: boolean;
  /** Bytes of frames all versions hold together (`pool.stats().bytesInUse`). */
  readonly bytesInUse: number;
}

/** Rows `[y0, y1)` of the grid that a write changed (empty when y0 === y1). */
export interface DirtyRows {
  readonly y0: number;
  readonly y1: number;
}

/** Memory of the shown version (see `SpaceStats`): bytes, and the pages its stroke copied. */
export interface PaintVersionStats {
  readonly rss: number;
  readonly pss: number;
  readonly uss: number;
  readonly copyFaults: number;
  readonly zeroFillFaults: number;
}

/** The paint grid's versions, a stroke in progress, and the listeners of the UI. */
export class PaintStore {
  private readonly pool: FramePool;
  private readonly history: History<CowFloat64Array>;
  private draft: CowFloat64Array | null = null;
  private readonly ids = new WeakMap<CowFloat64Array, number>();
  private nextId = 0;
  private snapshot: PaintSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor() {
    this.pool = new FramePool({ pageSize: GRID_PAGE_SIZE, reclaimDropped: false });
    const blank = new CowFloat64Array(GRID_CELLS, { pool: this.pool }); // every page the zero frame
    this.ids.set(blank, this.nextId++);
    this.history = new History(blank);
    this.snapshot = this.makeSnapshot();
  }

  /** Subscribes to changes; returns the unsubscribe function (for `useSyncExternalStore`). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current {@link PaintSnapshot} (for `useSyncExternalStore`). */
  readonly getSnapshot = (): PaintSnapshot => this.snapshot;

  /** Starts a stroke: forks the current version (O(1)). @throws {Error} when a stroke is already in progress. */
  beginStroke(): void {
    if (this.draft !== null) throw new Error("a stroke is already in progress");
    this.draft = this.history.fork();
    this.ids.set(this.draft, this.nextId++);
    this.changed();
  }

  /**
   * Adds a dab of heat (`heat` at the centre, a Gaussian of `radius` cells)
   * at cell (cx, cy) of the stroke's draft. Cells outside the grid are
   * skipped. The first write to each page copies it (a COW fault).
   * @returns the rows it changed.
   * @throws {Error} outside a stroke.
   */
  dab(cx: number, cy: number, radius: number, heat: number): DirtyRows {
    const grid = this.draft;
    if (grid === null) throw new Error("dab() outside a stroke: call beginStroke() first");
    const k = dabKernel(radius);
    const side = 2 * radius + 1;
    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(GRID_SIDE, cy + radius + 1);
    const x0 = Math.max(0, cx - radius);
    const x1 = Math.min(GRID_SIDE, cx + radius + 1);
    for (let y = y0; y < y1; y++) {
      const row = y * GRID_SIDE;
      const krow = (y - cy + radius) * side - cx + radius;
      for (let x = x0; x < x1; x++) {
        const w = k[krow + x] as number;
        if (w !== 0) grid.set(row + x, (grid.get(row + x) as number) + heat * w);
      }
    }
    return y0 < y1 && x0 < x1 ? { y0, y1 } : { y0: 0, y1: 0 };
  }

  /** Ends the stroke: the draft becomes the newest version (dropping the redo branch). No-op outside a stroke. */
  endStroke(): void {
    const draft = this.draft;
    if (draft === null) return;
    this.draft = null;
    this.history.commit(draft);
    this.changed();
  }

  /** Steps back one stroke. Returns false when there is nothing to undo or a stroke is in progress. */
  undo(): boolean {
    if (this.draft !== null || this.history.undo() === undefined) return false;
    this.changed();
    return true;
  }

  /** Steps forward one stroke. Returns false when there is nothing to redo or a stroke is in progress. */
  redo(): boolean {
    if (this.draft !== null || this.history.redo() === undefined) return false;
    this.changed();
    return true;
  }

  /**
   * A read-only page-span cursor over cells `[start, end)` of the grid shown
   * (the draft during a stroke): the way to scan it at native speed. Valid
   * until the next write.
   */
  spans(start = 0, end = GRID_CELLS): PageSpanCursor<Float64Array> {
    return this.shown().spans(start, end);
  }

  /** Memory of the shown version. O(its page-table nodes). */
  versionStats(): PaintVersionStats {
    const s = this.shown().stats();
    return { rss: s.rss, pss: s.pss, uss: s.uss, copyFaults: s.copyFaults, zeroFillFaults: s.zeroFillFaults };
  }

  /** A position-weighted sum of every cell of the shown grid, read through page spans (for tests). */
  checksum(): number {
    const grid = this.shown();
    let sum = 0;
    for (const c = grid.spans(); c.next(); ) {
      const a = c.array;
      const base = (c.address - grid.byteOffset) / 8 - c.start; // cell index of a[0]
      for (let i = c.start; i < c.end; i++) sum += (a[i] as number) * (((base + i) % 7919) + 1);
    }
    return sum;
  }

  /** Releases every version: the pool then holds no frames. */
  release(): void {
    this.draft?.release();
    this.draft = null;
    this.history.release();
  }

  private shown(): CowFloat64Array {
    return this.draft ?? this.history.current;
  }

  private makeSnapshot(): PaintSnapshot {
    const h = this.history;
    return {
      gridId: this.ids.get(this.shown()) as number,
      position: h.position,
      versions: h.size,
      canUndo: this.draft === null && h.canUndo,
      canRedo: this.draft === null && h.canRedo,
      stroking: this.draft !== null,
      bytesInUse: this.pool.stats().bytesInUse,
    };
  }

  private changed(): void {
    this.snapshot = this.makeSnapshot();
    for (const l of this.listeners) l();
  }
}

/** The store's current snapshot, re-rendering the component when it changes. */
export function usePaintSnapshot(store: PaintStore): PaintSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
