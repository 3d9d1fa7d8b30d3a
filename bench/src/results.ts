/**
 * The results file: `bench/results/<date>-<host>.json` (quick runs under
 * `results/quick/`, runs of a subset under `results/partial/`, both ignored by
 * git). It holds everything the report is rendered from, so `pnpm bench
 * --report <file>` can re-render RESULTS.md and the charts without running.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { Environment } from "./environment.js";
import { type CaseResult, WORKLOAD_IDS, type WorkloadId } from "./model.js";

/** Schema tag of the results file. */
export const RESULTS_SCHEMA = "pagefork-bench/2";

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  environment: Environment;
  loadAverageAtEnd: number[];
  /** `{ package: version }` and `node`. */
  versions: Record<string, string>;
  config: { quick: boolean; runs: number; only: WorkloadId[]; libraries: string[] | null; argv: string[] };
  durationMs: number;
  /** Path of this file relative to the RESULTS.md rendered from it (set when written). */
  jsonPath: string;
  workloads: { id: WorkloadId; cases: CaseResult[] }[];
}

/** Reads a results file, checking its schema. */
export function readResults(path: string): ResultsFile {
  const file = JSON.parse(readFileSync(path, "utf8")) as ResultsFile;
  if (file.schema !== RESULTS_SCHEMA)
    throw new Error(`${path} is not a results file of schema ${RESULTS_SCHEMA} (schema: ${String(file.schema)})`);
  return file;
}

/** A later results file whose workloads replace those of the same id in the file a report is rendered from. */
export interface Rerun {
  file: ResultsFile;
  /** Link to it from the RESULTS.md being rendered. */
  link: string;
  /** Its file name. */
  name: string;
}

/**
 * `base` with each workload that a rerun holds taken from the last rerun
 * that holds it (a workload added to the suite after the base run is added) (`pnpm bench --report base.json,rerun.json`): how a
 * workload measured again after a change goes into a full run's report,
 * which then says so ({@link Rerun}s are listed under the run's environment).
 *
 * @throws {Error} when a rerun is a quick run and the base is not, or the other way round.
 */
export function withReruns(base: ResultsFile, reruns: readonly Rerun[]): ResultsFile {
  for (const r of reruns)
    if (r.file.config.quick !== base.config.quick) throw new Error(`${r.name}: cannot mix quick and full runs`);
  // Workloads the base holds, or that only a rerun holds (added to the suite after the base
  // run), each from the last file that holds it, in the suite's order.
  const byId = new Map(base.workloads.map((w) => [w.id, w]));
  for (const r of reruns) for (const w of r.file.workloads) byId.set(w.id, w);
  const workloads = [...byId.values()].sort((a, b) => WORKLOAD_IDS.indexOf(a.id) - WORKLOAD_IDS.indexOf(b.id));
  return { ...base, workloads };
}
