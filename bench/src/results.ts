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
import type { CaseResult, WorkloadId } from "./model.js";

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
