/**
 * The paint brush: a Gaussian dab of heat, and the dabs along a mouse
 * segment. Pure arithmetic on grid coordinates; the store applies the dabs.
 *
 * @module
 */

/** Brush radius in cells. */
export const BRUSH_RADIUS = 14;

/** Heat a dab adds at its centre (the colour map saturates at 1). */
export const BRUSH_HEAT = 0.2;

/** Distance between dabs along a stroke, in cells: a third of the radius keeps the line smooth. */
export const DAB_SPACING = BRUSH_RADIUS / 3;

const kernels = new Map<number, Float64Array>();

/**
 * Weights of a dab of `radius` cells: `(2r+1)²` values, row by row, a
 * Gaussian with sigma r/2 cut to the disc (0 outside it). Cached per radius.
 */
export function dabKernel(radius: number): Float64Array {
  let k = kernels.get(radius);
  if (k !== undefined) return k;
  const side = 2 * radius + 1;
  const sigma2 = (radius / 2) ** 2;
  k = new Float64Array(side * side);
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 <= radius * radius) k[(dy + radius) * side + dx + radius] = Math.exp(-d2 / (2 * sigma2));
    }
  kernels.set(radius, k);
  return k;
}

/** A point of a stroke, in grid cells. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Dab centres from `from` (excluded) to `to` (included), `spacing` cells
 * apart, rounded to cells; `to` always ends the list.
 */
export function dabsAlong(from: Point, to: Point, spacing = DAB_SPACING): Point[] {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / spacing));
  const out: Point[] = [];
  for (let k = 1; k <= n; k++) out.push({ x: Math.round(from.x + (dx * k) / n), y: Math.round(from.y + (dy * k) / n) });
  return out;
}
