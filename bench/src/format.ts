/**
 * Byte sizes, times and rates as people read them, for tables, labels and
 * progress lines.
 *
 * @module
 */
import type { MetricUnit } from "./model.js";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** "1 MiB", "256 MiB", "8 GiB", "4 KiB", "123 B": exact binary sizes (parameters). */
export function sizeLabel(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

/** "10M", "1M", "100K", "256": element counts as parameters. */
export function countLabel(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}K`;
  return String(n);
}

/** Three significant digits, without exponent notation, grouped with commas from 1,000 up. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a === 0) return "0";
  return Number(x.toPrecision(3)).toString();
}

/** Measured bytes in the largest binary unit that keeps them >= 1, 3 significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "n/a";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : sig3(v)} ${units[u]}`;
}

/** A duration given in ns, in ns, µs, ms or s. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "n/a";
  const a = Math.abs(ns);
  if (a < 1e3) return `${sig3(ns)} ns`;
  if (a < 1e6) return `${sig3(ns / 1e3)} µs`;
  if (a < 1e9) return `${sig3(ns / 1e6)} ms`;
  return `${sig3(ns / 1e9)} s`;
}

/** A rate per second: "215,000/s", "1.2M/s". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "n/a";
  if (perSecond >= 1e7) return `${sig3(perSecond / 1e6)}M/s`;
  return `${sig3(perSecond)}/s`;
}

/** A ratio: "0.94×", "12.3×", "4,100×". */
export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${sig3(r)}×` : "n/a";
}

/** A value in the given unit. */
export function formatValue(value: number, unit: MetricUnit): string {
  switch (unit) {
    case "ns":
      return formatNs(value);
    case "ms":
      return formatNs(value * 1e6);
    case "bytes":
      return formatBytes(value);
    case "per-second":
      return formatRate(value);
    case "ratio":
      return formatRatio(value);
    case "count":
      return sig3(value);
  }
}
