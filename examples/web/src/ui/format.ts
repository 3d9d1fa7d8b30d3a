/**
 * Number formatting for the stats panels.
 *
 * @module
 */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const twoDigits = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 });

/** `1234567` -> `"1,234,567"`. */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** Bytes in B, KiB, MiB or GiB (binary units, as the library's READMEs). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${twoDigits.format(bytes).replace(/\.00$/, "")} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${twoDigits.format(v)} ${units[u]}`;
}

/** A ratio such as write amplification: `14.8×`, or `–` when undefined (nothing written). */
export function formatRatio(r: number, defined = true): string {
  return defined ? `${twoDigits.format(r)}×` : "–";
}
