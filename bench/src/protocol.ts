/**
 * How a child talks to the orchestrator: one result line on stdout, progress
 * lines on stderr. Kept apart from worker.ts so the orchestrator can import it
 * without running a worker.
 *
 * @module
 */
import type { Measurement, RunStatus } from "./model.js";

/** Prefix of the result line on stdout. */
export const RESULT_PREFIX = "@@bench-result ";
/** Prefix of progress lines on stderr. */
export const PROGRESS_PREFIX = "@@bench-progress ";

/** What a child sends back. */
export interface WorkerReply {
  status: RunStatus;
  measurement?: Measurement;
  message?: string;
}
