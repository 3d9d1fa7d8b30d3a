/**
 * Drawing the grid into an `ImageData`, page span by page span: the cells
 * are read straight from the frames (no per-cell `get`), each quantised to
 * 8 bits and looked up in the colour table.
 *
 * @module
 */
import { LUT } from "./colormap.js";
import { GRID_SIDE, type PaintStore } from "./store.js";

/** Highest LUT index (values at or above 1 saturate). */
const TOP = LUT.length - 1;

/**
 * Paints rows `[y0, y1)` of the shown grid into `pixels` (the `ImageData`
 * of the canvas as 32-bit words, `GRID_SIDE` per row). O(cells in the rows).
 */
export function renderRows(store: PaintStore, pixels: Uint32Array, y0: number, y1: number): void {
  let k = y0 * GRID_SIDE;
  for (const c = store.spans(y0 * GRID_SIDE, y1 * GRID_SIDE); c.next(); ) {
    const a = c.array;
    for (let i = c.start; i < c.end; i++) {
      const v = a[i] as number;
      // v * TOP + 0.5, truncated: round to the nearest entry; NaN and negatives go to 0.
      const q = v >= 1 ? TOP : v > 0 ? (v * TOP + 0.5) | 0 : 0;
      pixels[k++] = LUT[q] as number;
    }
  }
}
