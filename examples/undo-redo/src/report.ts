/**
 * The demo's report: one object (printed as JSON with `--json`) and its
 * human-readable rendering. Every field is documented, with units, in
 * examples/undo-redo/README.md.
 *
 * @module
 */
import type { FaultTotals, MemoryFigures } from "./accounting.js";
import type { PersistFigures } from "./persist.js";
import type { CheckResult } from "./verify.js";

/** Everything the demo measured and checked. Sizes in bytes, times in seconds. */
export interface DemoReport {
  /** True when every check passed (the exit code is 0 exactly then). */
  readonly ok: boolean;
  readonly trace: {
    /** The trace file, relative to the repository root when inside it. */
    readonly file: string;
    /** Transactions in the file. */
    readonly txns: number;
    /** Edits (patches) in the file. */
    readonly edits: number;
    /** Edits replayed (`--limit`, else all). */
    readonly editsReplayed: number;
    /** Length of the last replayed version, in UTF-16 code units. */
    readonly finalLength: number;
    /** Characters the replayed edits insert / delete. */
    readonly insertedChars: number;
    readonly deletedChars: number;
    /** Sum of the lengths of all kept versions: characters a history of flat strings would hold. */
    readonly flatHistoryChars: number;
  };
  readonly config: {
    readonly pageSize: number;
    /** Whether the pool registered each version with its FinalizationRegistry (`--reclaim-dropped`). */
    readonly reclaimDropped: boolean;
    readonly seed: number;
    readonly check: number;
    readonly undoSteps: number;
    /** `--max-versions`, or null when every version is kept. */
    readonly maxVersions: number | null;
  };
  /** Versions alive at the end: the start plus one per replayed edit, or `--max-versions`. */
  readonly versionsKept: number;
  /** Version number (edits applied) of the oldest version kept: 0 unless `--max-versions` released older ones. */
  readonly firstVersionKept: number;
  readonly replay: {
    readonly seconds: number;
    /** Edits per second, each edit including its fork. */
    readonly editsPerSecond: number;
    /** Mean microseconds per edit, fork included. */
    readonly microsecondsPerEdit: number;
  };
  readonly memory: MemoryFigures & {
    /** `versionsBytes / versionsKept`. */
    readonly bytesPerVersion: number;
    /** `heapHistoryBytes / versionsKept`: JS objects per version (CowText and AddressSpace). */
    readonly heapBytesPerVersion: number;
    /** `versionsBytes + heapHistoryBytes`: all the history costs. */
    readonly totalHistoryBytes: number;
    /** `2 * flatHistoryChars`: the same history as flat UTF-16 strings. */
    readonly flatHistoryBytes: number;
  };
  readonly faults: FaultTotals & {
    /**
     * Edits whose faults the totals hold: the kept versions' edits (`editsReplayed`, unless
     * `--max-versions` released older versions and their counters with them).
     */
    readonly editsCounted: number;
    /** `bytesCopied / editsCounted`. */
    readonly bytesCopiedPerEdit: number;
    /** `faults / editsCounted`. */
    readonly faultsPerEdit: number;
  };
  /** The newest version's own space statistics (RSS/PSS/USS, Linux smaps style). */
  readonly lastVersion: {
    readonly rss: number;
    readonly pss: number;
    readonly uss: number;
    readonly pageTableNodes: number;
  };
  readonly checks: readonly CheckResult[];
  /** `--save` / `--load`: the store's figures; null otherwise. */
  readonly persist: PersistFigures | null;
  /** Wall-clock seconds of the whole run, loading included. */
  readonly totalSeconds: number;
}

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const dec = (digits: number) =>
  new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `1234567` as `"1.18 MiB"`; binary units. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${int.format(v)} B` : `${dec(2).format(v)} ${units[u]}`;
}

/**
 * Renders a {@link DemoReport} for a terminal: a few aligned sections, then
 * one line per check.
 */
export function formatReport(r: DemoReport): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(28)} ${value}`);
  const m = r.memory;
  const f = r.faults;
  lines.push(`undo/redo history of ${r.trace.file}`);
  row(
    "edits replayed",
    `${int.format(r.trace.editsReplayed)} of ${int.format(r.trace.edits)} (${int.format(r.trace.txns)} txns)`,
  );
  row(
    "versions kept",
    r.firstVersionKept === 0
      ? int.format(r.versionsKept)
      : `${int.format(r.versionsKept)}  (--max-versions ${int.format(r.config.maxVersions ?? 0)}: versions ${int.format(r.firstVersionKept)}..${int.format(r.firstVersionKept + r.versionsKept - 1)}; older ones released)`,
  );
  row(
    "frame pool",
    `${int.format(r.config.pageSize)} B pages, reclaimDropped ${r.config.reclaimDropped ? "on" : "off (every version is released explicitly)"}`,
  );
  row("final length", `${int.format(r.trace.finalLength)} characters`);
  lines.push("speed");
  if (r.persist?.mode === "load") row("edits/s (fork per edit)", "no replay: the history was loaded (see below)");
  else
    row(
      "edits/s (fork per edit)",
      `${int.format(r.replay.editsPerSecond)}  (${dec(2).format(r.replay.microsecondsPerEdit)} µs/edit, ${dec(2).format(r.replay.seconds)} s)`,
    );
  const which = r.firstVersionKept === 0 ? "all versions" : "the kept versions";
  lines.push(`memory of ${which}`);
  row(
    "pool frames in use",
    `${formatBytes(m.poolBytesInUse)}  (${int.format(m.framesInUse)} frames; peak ${formatBytes(m.poolPeakBytesInUse)}, reserved ${formatBytes(m.poolBytesReserved)})`,
  );
  row("page tables", `${formatBytes(m.pageTableBytes)}  (${int.format(m.pageTableNodes)} nodes)`);
  row("frame metadata", formatBytes(m.frameMetadataBytes));
  row("library total", `${formatBytes(m.versionsBytes)}  = ${int.format(r.memory.bytesPerVersion)} B per version`);
  row(
    "JS heap of the history",
    `${formatBytes(m.heapHistoryBytes)}  = ${int.format(r.memory.heapBytesPerVersion)} B per version${m.gcExposed ? "" : " (no --expose-gc: includes garbage)"}`,
  );
  row("JS heap in use (after GC)", formatBytes(m.heapUsedBytes));
  row("process RSS", formatBytes(m.rssBytes));
  row(
    "as flat strings instead",
    `${formatBytes(r.memory.flatHistoryBytes)}  (${int.format(r.trace.flatHistoryChars)} characters × 2 B)`,
  );
  row(
    "newest version alone",
    `RSS ${formatBytes(r.lastVersion.rss)}, PSS ${formatBytes(r.lastVersion.pss)}, USS ${formatBytes(r.lastVersion.uss)}`,
  );
  lines.push(
    r.firstVersionKept === 0
      ? "faults (all versions)"
      : `faults (the kept versions: ${int.format(f.editsCounted)} edits)`,
  );
  row(
    "zero-fill / copy / reuse",
    `${int.format(f.zeroFillFaults)} / ${int.format(f.copyFaults)} / ${int.format(f.reuseFaults)}  (${dec(2).format(f.faultsPerEdit)} per edit)`,
  );
  row("bytes copied", `${formatBytes(f.bytesCopied)}  (${int.format(f.bytesCopiedPerEdit)} B per edit)`);
  row("page-table bytes copied", formatBytes(f.pageTableBytesCopied));
  row("bytes written", formatBytes(f.bytesWritten));
  row("write amplification", `${dec(2).format(f.writeAmplification)}×  (bytes copied / bytes written)`);
  const p = r.persist;
  if (p !== null) {
    lines.push(p.mode === "save" ? `saved to ${p.dir}` : `loaded from ${p.dir} (instead of the replay)`);
    row(p.mode === "save" ? "saveHistory" : "loadHistory", `${dec(2).format(p.seconds)} s`);
    row("size on disk", `${formatBytes(p.fileBytes)}  (data.mdb)`);
    row(
      "stored",
      `${formatBytes(p.pageBytes)} of pages (${int.format(p.pages)}), ${formatBytes(p.nodeBytes)} of page-table nodes (${int.format(p.nodes)}); dedup ${dec(1).format(p.dedupRatio)}×`,
    );
  }
  lines.push("checks");
  for (const c of r.checks) lines.push(`  ${c.passed ? "PASS" : "FAIL"} ${c.name.padEnd(17)} ${c.detail}`);
  lines.push(
    r.ok
      ? "all checks passed"
      : `FAILED: ${r.checks
          .filter((c) => !c.passed)
          .map((c) => c.name)
          .join(", ")}`,
  );
  return lines.join("\n");
}
