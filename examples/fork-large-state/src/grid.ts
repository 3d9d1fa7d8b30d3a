/**
 * The state: a 2-D simulation grid of Float64 cells (a temperature field) in
 * one CowFloat64Array, row-major, built one row at a time with the native
 * bulk form of `set` (one copy per row, no per-cell call).
 *
 * @module
 */
import { CowFloat64Array } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import type { SingleBar } from "cli-progress";

/** The grid and the pool its pages come from. */
export interface Grid {
  readonly state: CowFloat64Array;
  readonly pool: FramePool;
  /** Cells per row (a power of two). */
  readonly width: number;
  /** Rows (the last one may be partial when the size is not a multiple of a row). */
  readonly height: number;
  /** Cells in all. */
  readonly cells: number;
  /** Seconds the build took. */
  readonly buildSeconds: number;
}

/** Width of a grid of `cells`: the largest power of two not above its square root, so rows are whole pages. */
export function gridWidth(cells: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, Math.sqrt(cells))));
}

/** The initial temperature of cell (x, y): a smooth field, so each cell is a distinct, checkable value. */
export function initialValue(x: number, y: number, width: number, height: number): number {
  return 20 + 10 * Math.sin((2 * Math.PI * x) / width) * Math.cos((2 * Math.PI * y) / height) + x * 1e-6;
}

/**
 * Builds the grid of `bytes` bytes (`bytes / 8` cells) in a new pool of
 * `pageSize`-byte pages.
 */
export function buildGrid(bytes: number, pageSize: number, progress?: SingleBar): Grid {
  const cells = bytes / 8;
  const width = gridWidth(cells);
  const height = Math.ceil(cells / width);
  const pool = new FramePool({ pageSize });
  const t0 = performance.now();
  const state = new CowFloat64Array(cells, { pool });
  const row = new Float64Array(width);
  const sx = Float64Array.from({ length: width }, (_, x) => Math.sin((2 * Math.PI * x) / width));
  const step = Math.max(1, Math.ceil(height / 100));
  progress?.start(height, 0, { label: `build ${formatBytes(bytes)}` });
  for (let y = 0; y < height; y++) {
    const cy = 10 * Math.cos((2 * Math.PI * y) / height);
    for (let x = 0; x < width; x++) row[x] = 20 + (sx[x] as number) * cy + x * 1e-6;
    const n = Math.min(width, cells - y * width);
    state.set(n === width ? row : row.subarray(0, n), y * width);
    if (y % step === 0) progress?.update(y + 1);
  }
  progress?.stop();
  return { state, pool, width, height, cells, buildSeconds: (performance.now() - t0) / 1000 };
}

/** "1 GiB", "64 MiB", "12.5 KiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
