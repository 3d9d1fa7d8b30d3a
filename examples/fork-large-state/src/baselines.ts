/**
 * What the same workload costs with full copies: `structuredClone` of a
 * Float64Array and `Float64Array.prototype.slice`, each followed by the same
 * handful of writes. They run on a smaller array (copying the full state a
 * thousand times would need a thousand times its memory), and are
 * extrapolated linearly to the full size: a copy is a memcpy, linear in bytes.
 *
 * @module
 */

import type { SingleBar } from "cli-progress";
import { rng } from "./experiment.js";

/** One baseline's figures. */
export interface Baseline {
  readonly name: "structuredClone" | "Float64Array.prototype.slice";
  /** Bytes of each measured copy. */
  readonly bytes: number;
  /** Copies made and kept alive together. */
  readonly copies: number;
  /** Median milliseconds per copy (plus its writes) at `bytes`. */
  readonly msPerCopy: number;
  /** Bytes each kept copy holds: its buffer's byteLength (a full copy; no sharing). */
  readonly bytesPerCopy: number;
  /** The same at the full size: `msPerCopy * fullSize / bytes`, `bytesPerCopy * fullSize / bytes`. */
  readonly extrapolated: {
    readonly fullSize: number;
    readonly msPerVersion: number;
    readonly bytesPerVersion: number;
    /** For all the example's versions. */
    readonly secondsForVersions: number;
    readonly bytesForVersions: number;
  };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Measures both baselines. */
export function measureBaselines(
  bytes: number,
  copies: number,
  fullSize: number,
  versions: number,
  writes: number,
  seed: number,
  progress?: SingleBar,
): Baseline[] {
  const cells = bytes / 8;
  const src = Float64Array.from({ length: cells }, (_, i) => 20 + (i % 1000) * 0.01);
  const copyOf: [Baseline["name"], (a: Float64Array) => Float64Array][] = [
    ["structuredClone", (a) => structuredClone(a)],
    ["Float64Array.prototype.slice", (a) => a.slice()],
  ];
  const out: Baseline[] = [];
  for (const [name, copy] of copyOf) {
    const random = rng(seed);
    gc?.();
    const kept: Float64Array[] = [];
    const ms: number[] = [];
    progress?.start(copies, 0, { label: name });
    let cur: Float64Array = src;
    for (let c = 0; c < copies; c++) {
      const t0 = performance.now();
      const next = copy(cur);
      for (let j = 0; j < writes; j++) next[Math.floor(random() * cells)] = -1;
      ms.push(performance.now() - t0);
      kept.push(next);
      cur = next;
      progress?.update(c + 1);
    }
    progress?.stop();
    // Each copy owns a buffer of exactly its byteLength (process.memoryUsage().arrayBuffers
    // agrees, but lags behind while the collector frees the previous baseline's copies).
    let held = 0;
    for (const k of kept) held += k.buffer.byteLength;
    const bytesPerCopy = held / copies;
    const msPerCopy = ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)] as number;
    const scale = fullSize / bytes;
    out.push({
      name,
      bytes,
      copies,
      msPerCopy,
      bytesPerCopy,
      extrapolated: {
        fullSize,
        msPerVersion: msPerCopy * scale,
        bytesPerVersion: bytesPerCopy * scale,
        secondsForVersions: (msPerCopy * scale * versions) / 1000,
        bytesForVersions: bytesPerCopy * scale * versions,
      },
    });
    kept.length = 0;
  }
  return out;
}
