/**
 * Drawing the grid into an `ImageData`: each cell quantised to 8 bits and
 * looked up in the colour table. The cells come from a native
 * `Float64Array`: the canvas's copy of the version it shows (one
 * `grid.slice()` per version, see `PaintGrid`), into which a stroke also
 * paints, so drawing never goes through the store's views cell by cell.
 *
 * @module
 */
import { LUT } from "./colormap.js";
import { GRID_SIDE } from "./store.js";

/** Highest LUT index (values at or above 1 saturate). */
const TOP = LUT.length - 1;

/**
 * Paints rows `[y0, y1)` of `cells` (the grid, `GRID_SIDE` cells a row) into
 * `pixels` (the `ImageData` of the canvas as 32-bit words, same layout).
 * O(cells in the rows).
 */
export function renderRows(cells: Float64Array, pixels: Uint32Array, y0: number, y1: number): void {
  const end = y1 * GRID_SIDE;
  for (let i = y0 * GRID_SIDE; i < end; i++) {
    const v = cells[i] as number;
    // v * TOP + 0.5, truncated: round to the nearest entry; NaN and negatives go to 0.
    const q = v >= 1 ? TOP : v > 0 ? (v * TOP + 0.5) | 0 : 0;
    pixels[i] = LUT[q] as number;
  }
}
