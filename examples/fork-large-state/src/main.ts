/**
 * Fork a gigabyte: builds 1 GiB of Float64 state (a 2-D simulation grid) in a
 * CowFloat64Array, then 1,000 times forks it, writes a handful of cells and
 * keeps every version; reports time per fork, per fork plus first write, the
 * memory per retained version, and the same figures for structuredClone and
 * Float64Array.prototype.slice (measured smaller, extrapolated).
 *
 * Run: `node --expose-gc --max-old-space-size=8192 --import tsx src/main.ts [--size 1GiB]
 * [--versions 1000] [--writes 8] [--page-size 1024] [--json]`. Exit code 0 when every check passes.
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Presets, SingleBar } from "cli-progress";
import { measureBaselines } from "./baselines.js";
import { checkVersions, forkVersions } from "./experiment.js";
import { buildGrid } from "./grid.js";
import { parseOptions } from "./options.js";
import { formatReport, passed, type Report } from "./report.js";

/** Runs the example with `argv`; returns the report. */
export function run(argv: readonly string[]): Report {
  const options = parseOptions(argv);
  // Progress bars on stderr, none with --json or when stderr is not a terminal: stdout stays clean.
  const bar = { stream: process.stderr, format: "{label} {bar} {percentage}% | {value}/{total}", hideCursor: true };
  const progress =
    options.json || process.stderr.isTTY !== true ? undefined : new SingleBar(bar, Presets.shades_classic);
  const grid = buildGrid(options.size, options.pageSize, progress);
  const forks = forkVersions(grid, options.versions, options.writes, options.seed, progress);
  const checks = checkVersions(grid, forks);
  for (const v of forks.kept) v.release();
  grid.state.release();
  const s = grid.pool.stats();
  const framesReturned = s.framesInUse === 0 && s.pageTableNodes === 0;
  const baselines = measureBaselines(
    options.baselineSize,
    options.baselineCopies,
    options.size,
    options.versions,
    options.writes,
    options.seed,
    progress,
  );
  const { kept, index, value, before, ...forkFigures } = forks;
  const { state, pool, ...gridFigures } = grid;
  return {
    options,
    grid: gridFigures,
    forks: forkFigures,
    baselines,
    checks: { ...checks, framesReturned },
    node: process.version,
  };
}

// Run when started as a program, not when a test imports `run`.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const report = run(process.argv);
  console.log(report.options.json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exitCode = passed(report) ? 0 : 1;
}
