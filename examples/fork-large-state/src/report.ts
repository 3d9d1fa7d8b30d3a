/**
 * The human report and the JSON object.
 *
 * @module
 */
import type { Baseline } from "./baselines.js";
import type { Checks, ForkResults, Timing } from "./experiment.js";
import type { Grid } from "./grid.js";
import { formatBytes } from "./grid.js";
import type { ExampleOptions } from "./options.js";

/** Everything the example measured. */
export interface Report {
  readonly options: ExampleOptions;
  readonly grid: Omit<Grid, "state" | "pool">;
  readonly forks: Omit<ForkResults, "kept" | "index" | "value" | "before">;
  readonly baselines: Baseline[];
  readonly checks: Checks & { readonly framesReturned: boolean };
  readonly node: string;
}

const us = (t: Timing) => `p50 ${t.p50.toFixed(1)} us   p99 ${t.p99.toFixed(1)} us   mean ${t.mean.toFixed(1)} us`;
const int = (n: number) => Math.round(n).toLocaleString("en-US");

/** The report as text lines. */
export function formatReport(r: Report): string {
  const o = r.options;
  const f = r.forks;
  const m = f.memoryPerVersion;
  const lines = [
    `fork-large-state: ${formatBytes(o.size)} of Float64 state, a ${int(r.grid.width)} x ${int(r.grid.height)} grid of ${int(r.grid.cells)} cells, ${int(o.pageSize)}-byte pages`,
    "",
    `build                     ${r.grid.buildSeconds.toFixed(2)} s`,
    `${int(f.versions)} versions, each forked from the previous one, ${f.writesPerVersion} random cells written in each, every version kept:`,
    `  fork                    ${us(f.fork)}`,
    `  fork + first write      ${us(f.forkFirstWrite)}`,
    `  ${`fork + ${f.writesPerVersion} writes`.padEnd(24)}${us(f.forkAllWrites)}`,
    `  whole loop              ${f.loopSeconds.toFixed(3)} s (timing calls included)`,
    `memory per retained version: ${formatBytes(m.total)} (copied pages ${formatBytes(m.frames)}, page tables ${formatBytes(m.pageTables)}, JS heap ${formatBytes(m.jsHeap)})`,
    `  all ${int(f.versions)} versions: ${formatBytes(m.total * f.versions)} on top of the ${formatBytes(o.size)} grid (${int(f.copyFaults)} copy-on-write faults in all)`,
    `  commit charge: ${formatBytes(f.committedBytes)} (each version is charged its ${formatBytes(o.size)} of mapped address space; frames are taken only on write)`,
    "",
    `full copies, measured on ${formatBytes(r.baselines[0]?.bytes ?? 0)} and extrapolated x${(o.size / (r.baselines[0]?.bytes ?? o.size)).toFixed(0)} to ${formatBytes(o.size)} (a copy is linear in bytes):`,
  ];
  for (const b of r.baselines) {
    const e = b.extrapolated;
    lines.push(
      `  ${b.name.padEnd(29)} ${b.msPerCopy.toFixed(2)} ms and ${formatBytes(b.bytesPerCopy)} per copy -> ~${e.msPerVersion.toFixed(0)} ms and ${formatBytes(e.bytesPerVersion)} per version; ${int(f.versions)} versions: ~${e.secondsForVersions.toFixed(0)} s and ${formatBytes(e.bytesForVersions)}`,
    );
  }
  const sc = r.baselines[0];
  if (sc !== undefined)
    lines.push(
      `  a pagefork version: ~${int((sc.extrapolated.msPerVersion * 1000) / f.forkAllWrites.p50)}x less time and ~${int(sc.extrapolated.bytesPerVersion / Math.max(1, m.total))}x less memory than a structuredClone version`,
    );
  const c = r.checks;
  const ok = (b: boolean) => (b ? "ok" : "FAILED");
  lines.push(
    "",
    `checks: own writes ${ok(c.ownWrites)}, parents unchanged ${ok(c.parentUnchanged)}, grid unchanged ${ok(c.baseUnchanged)} (${int(c.cellsChecked)} cells); all frames returned on release ${ok(c.framesReturned)}`,
  );
  return lines.join("\n");
}

/** True when every check passed. */
export function passed(r: Report): boolean {
  const c = r.checks;
  return c.ownWrites && c.parentUnchanged && c.baseUnchanged && c.framesReturned;
}
