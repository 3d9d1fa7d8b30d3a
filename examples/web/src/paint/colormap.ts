/**
 * The heat map's colours: a 256-entry lookup table of RGBA pixels packed in
 * 32-bit words for `ImageData`, from dark blue (0) through red to pale yellow (1).
 *
 * @module
 */

/** Entries in the table: values are quantised to 8 bits. */
export const COLOURS = 256;

/** Colour stops (position 0..1, r, g, b), in the spirit of matplotlib's "inferno". */
const STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 12, 10, 36],
  [0.25, 87, 16, 110],
  [0.5, 188, 55, 84],
  [0.75, 249, 142, 9],
  [1, 252, 255, 164],
];

/** Whether the platform stores 32-bit words little-endian (every browser in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function pack(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN
    ? ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
}

/** The lookup table: `LUT[Math.round(v * 255)]` is the pixel of heat `v` in [0, 1]. */
export const LUT: Uint32Array = (() => {
  const lut = new Uint32Array(COLOURS);
  for (let i = 0; i < COLOURS; i++) {
    const t = i / (COLOURS - 1);
    let s = 1;
    while (s < STOPS.length - 1 && (STOPS[s] as readonly number[])[0]! < t) s++;
    const [t0, r0, g0, b0] = STOPS[s - 1]!;
    const [t1, r1, g1, b1] = STOPS[s]!;
    const f = (t - t0) / (t1 - t0);
    lut[i] = pack(Math.round(r0 + (r1 - r0) * f), Math.round(g0 + (g1 - g0) * f), Math.round(b0 + (b1 - b0) * f));
  }
  return lut;
})();
