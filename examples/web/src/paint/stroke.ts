/**
 * One stroke of the brush, from pointer-down to pointer-up, and its commit to
 * the store as one version.
 *
 * While the pointer moves, the dabs go into a native `Float64Array` copy of
 * the grid (the canvas's copy, see `PaintGrid`), so painting never waits for
 * the store: a dab is plain arithmetic on a typed array, and the canvas
 * redraws the rows it touched from the same array. At pointer-up
 * {@link Stroke.commit} writes every cell the stroke touched into the store
 * with ONE `setState`: one version, one undo step, one notification.
 *
 * @module
 */
import type { State } from "@pagefork/state";
import { dabKernel } from "./brush.js";
import { GRID_CELLS, GRID_SIDE, type PaintSchema, type PaintStore } from "./store.js";

/**
 * Cells one version may change at most; a stroke that changed more is
 * committed as several versions (top rows first). It bounds one version's
 * patches: the store keeps a patch and its inverse per changed cell (~282 B
 * of JS heap a cell in Chromium, so ~17 MB at the limit). First a workaround
 * for `Store.undo()` / `redo()`, which passed a step's patches to
 * `Array.prototype.push` as spread arguments and threw a RangeError past
 * V8's ~120,000 arguments; the store no longer spreads them. A stroke across
 * the whole canvas (a 29-cell wide brush over ~2,000 cells of path) stays
 * under it.
 */
export const MAX_CELLS_PER_VERSION = 60_000;

/** Rows `[y0, y1)` of the grid that a dab changed (empty when y0 === y1). */
export interface DirtyRows {
  readonly y0: number;
  readonly y1: number;
}

const NO_ROWS: DirtyRows = { y0: 0, y1: 0 };

/**
 * A stroke in progress over `cells`, a native copy of the store's current
 * grid (`grid.slice()`), which it writes in place. It remembers which cells
 * it touched, row by row, so the commit writes only those: the pages they
 * lie on are the only pages the new version copies.
 */
export class Stroke {
  /** The store the stroke commits to. */
  readonly store: PaintStore;
  /** The version the stroke started from (the store's current version at construction). */
  readonly base: State<PaintSchema>;
  /** The working copy: the base grid plus the dabs so far. */
  readonly cells: Float64Array;
  /** 1 for each cell a dab wrote. */
  private readonly touched: Uint8Array;
  /** Per row, the first and one past the last touched column (rowMin > rowMax-1 when untouched). */
  private readonly rowMin: Int32Array;
  private readonly rowMax: Int32Array;
  private top: number;
  private bottom: number;
  private count: number;
  private done: boolean;

  /**
   * @param store - the store to commit to; its current version is the stroke's base.
   * @param cells - a native copy of that version's grid, `GRID_CELLS` long; written in place.
   * @throws {RangeError} when `cells` is not `GRID_CELLS` long.
   */
  constructor(store: PaintStore, cells: Float64Array) {
    if (cells.length !== GRID_CELLS)
      throw new RangeError(`a stroke needs a copy of the whole grid (${GRID_CELLS} cells), got ${cells.length}`);
    this.store = store;
    this.base = store.getState();
    this.cells = cells;
    this.touched = new Uint8Array(GRID_CELLS);
    this.rowMin = new Int32Array(GRID_SIDE).fill(GRID_SIDE);
    this.rowMax = new Int32Array(GRID_SIDE);
    this.top = GRID_SIDE;
    this.bottom = 0;
    this.count = 0;
    this.done = false;
  }

  /** Cells the stroke has touched so far (each counted once). */
  get cellsTouched(): number {
    return this.count;
  }

  /**
   * Adds a dab of heat (`heat` at the centre, a Gaussian of `radius` cells)
   * at cell (cx, cy) of the working copy. Cells outside the grid are skipped.
   * O(radius²).
   * @returns the rows it changed, for the canvas to redraw.
   * @throws {Error} after {@link commit}.
   */
  dab(cx: number, cy: number, radius: number, heat: number): DirtyRows {
    if (this.done) throw new Error("dab() after the stroke was committed");
    const k = dabKernel(radius);
    const side = 2 * radius + 1;
    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(GRID_SIDE, cy + radius + 1);
    const x0 = Math.max(0, cx - radius);
    const x1 = Math.min(GRID_SIDE, cx + radius + 1);
    if (y0 >= y1 || x0 >= x1) return NO_ROWS;
    const { cells, touched, rowMin, rowMax } = this;
    for (let y = y0; y < y1; y++) {
      const row = y * GRID_SIDE;
      const krow = (y - cy + radius) * side - cx + radius;
      let lo = GRID_SIDE;
      let hi = 0;
      for (let x = x0; x < x1; x++) {
        const w = k[krow + x] as number;
        if (w === 0) continue;
        cells[row + x] = (cells[row + x] as number) + heat * w;
        if (touched[row + x] === 0) {
          touched[row + x] = 1;
          this.count++;
        }
        if (x < lo) lo = x;
        hi = x + 1;
      }
      if (lo < (rowMin[y] as number)) rowMin[y] = lo;
      if (hi > (rowMax[y] as number)) rowMax[y] = hi;
    }
    if (y0 < this.top) this.top = y0;
    if (y1 > this.bottom) this.bottom = y1;
    return { y0, y1 };
  }

  /**
   * Writes the touched cells into the store: one `setState` (one version,
   * labelled `label`) whose recipe copies each run of touched cells of a row
   * with `grid.set(run, offset)`. A stroke that touched more than
   * {@link MAX_CELLS_PER_VERSION} cells becomes several versions (labelled
   * "stroke 1/3", ...). Nothing is written for a stroke that touched nothing.
   * O(rows spanned + cells touched).
   *
   * If the store's current version is no longer {@link base} (something else
   * changed it during the stroke), the cells are written onto that version.
   * @returns the number of versions committed.
   * @throws {Error} when called twice; whatever `setState` throws (the
   *   versions committed before it stay).
   */
  commit(label = "stroke"): number {
    if (this.done) throw new Error("the stroke was already committed");
    this.done = true;
    const chunks = this.runs();
    const cells = this.cells;
    chunks.forEach((runs, i) => {
      this.store.setState(
        (d) => {
          const grid = d.grid;
          for (let r = 0; r < runs.length; r += 2)
            grid.set(cells.subarray(runs[r] as number, runs[r + 1] as number), runs[r] as number);
        },
        chunks.length === 1 ? label : `${label} ${i + 1}/${chunks.length}`,
      );
    });
    return chunks.length;
  }

  /**
   * The runs of touched cells as `[start, end)` cell-index pairs, row by row,
   * grouped so that no group holds more than MAX_CELLS_PER_VERSION cells.
   */
  private runs(): number[][] {
    const { touched, rowMin, rowMax } = this;
    const chunks: number[][] = [];
    let runs: number[] = [];
    let cellsInChunk = 0;
    for (let y = this.top; y < this.bottom; y++) {
      const row = y * GRID_SIDE;
      const end = rowMax[y] as number;
      let x = rowMin[y] as number;
      while (x < end) {
        while (x < end && touched[row + x] === 0) x++;
        const start = x;
        while (x < end && touched[row + x] === 1) x++;
        if (x === start) break;
        if (cellsInChunk + (x - start) > MAX_CELLS_PER_VERSION) {
          chunks.push(runs);
          runs = [];
          cellsInChunk = 0;
        }
        runs.push(row + start, row + x);
        cellsInChunk += x - start;
      }
    }
    if (runs.length > 0) chunks.push(runs);
    return chunks;
  }
}
