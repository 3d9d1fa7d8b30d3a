/**
 * The result model shared by the orchestrator (main.ts), the child processes
 * (worker.ts) and the report: what one case is, what one run of it measured,
 * and how a workload describes its metrics, tables and charts.
 *
 * A **workload** (W1 … W11, W1b, W5b) asks one question of every library. A **case** is
 * one library's variant at one parameter point (say Immer with auto-freeze on,
 * 10,000,000 elements); it is run `runs` times, each run in a fresh child
 * process. A **group** collects the cases that answer the same question at the
 * same point (same size, same trace), so that each can be divided by
 * pagefork's case in that group: the ratios in every table.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** The workloads, in report order. */
export const WORKLOAD_IDS = ["W1", "W1b", "W2", "W3", "W4", "W5", "W5b", "W6", "W7", "W8", "W9", "W10", "W11"] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** Values a case's parameters may take (they travel to the child as JSON). */
export type ParamValue = number | string | boolean;

/**
 * What became of one run:
 * - `ok`: it measured (perhaps a prefix; see {@link Measurement.prefix});
 * - `oom`: it ran out of memory (JS heap limit, an ArrayBuffer allocation that
 *   failed, pagefork's `OutOfMemoryError`, or the kernel's OOM killer);
 * - `timeout`: the orchestrator killed it at the case's time limit;
 * - `skipped`: not run, for the reason given (e.g. it would need 16 GiB);
 * - `error`: it threw; a bug in the bench or the library (fails the command);
 * - `crashed`: it exited without a result for another reason (fails the command).
 */
export type RunStatus = "ok" | "oom" | "timeout" | "skipped" | "error" | "crashed";

/** Statuses that are an outcome worth recording, not a failure of the bench. */
export const RECORDED_STATUSES: readonly RunStatus[] = ["ok", "oom", "timeout", "skipped"];

/** One library's variant at one parameter point. Plain data: it is sent to the child. */
export interface CaseSpec {
  workload: WorkloadId;
  /** Unique within the workload, e.g. `immer-freeze@10M`. */
  key: string;
  /** Variant id inside the workload module, e.g. `immer-freeze`. */
  variant: string;
  /** Library id (see libraries.ts), for its version and colour. */
  library: string;
  /** Row label, e.g. `Immer (auto-freeze on), plain Array`. */
  label: string;
  /** Short name for charts and headlines, e.g. `Immer`. */
  short: string;
  /** Group key (same question, same point), e.g. `10M`; also the table's point column. */
  group: string;
  /** True for the pagefork case(s) every other case in the group is divided by. */
  baseline: boolean;
  params: Record<string, ParamValue>;
  /** `--max-old-space-size` of the child, MiB. */
  heapMiB: number;
  /** The orchestrator kills the child after this long and records a timeout. */
  timeoutMs: number;
  /** When set, the case is not run and every run is recorded as skipped with this reason. */
  skip?: string;
}

/** A run that measured only the first `done` of `total` units (versions, edits). */
export interface Prefix {
  done: number;
  total: number;
  /** What stopped it: its time or memory budget. */
  stoppedBy: "time" | "memory";
  /** How the totals were extrapolated to the whole workload, in words. */
  basis: string;
}

/** What a child reports for one run. Metrics are keyed by the workload's {@link MetricDef} keys. */
export interface Measurement {
  metrics: Record<string, number>;
  /** Present when the run covered a prefix; extrapolated metrics are listed in `extrapolated`. */
  prefix?: Prefix;
  /** Keys of metrics that were extrapolated from the prefix rather than measured whole. */
  extrapolated?: string[];
  /** Per-sample values (ns, bytes) behind the metrics, kept in the JSON. */
  samples?: Record<string, number[]>;
  /** Library-specific accounting (pagefork pool and space stats), kept in the JSON. */
  info?: Record<string, unknown>;
  /** Correctness checks the run made on its results (all must hold, else it throws). */
  checks?: string[];
}

/** One run of one case as the orchestrator recorded it. */
export interface RunRecord {
  run: number;
  status: RunStatus;
  /** Wall-clock time of the child process, ms. */
  wallMs: number;
  exitCode: number | null;
  signal: string | null;
  /** Why, for every status but `ok`. */
  message?: string;
  /** Last lines of the child's stderr when it failed. */
  stderrTail?: string;
  measurement?: Measurement;
}

/** Every run of one case. */
export interface CaseResult {
  spec: CaseSpec;
  runs: RunRecord[];
}

/** Units a metric is formatted in. */
export type MetricUnit = "ns" | "bytes" | "per-second" | "ms" | "count" | "ratio";

/** One column of a workload's table. */
export interface MetricDef {
  key: string;
  /** Column header, e.g. `time / version`. */
  label: string;
  unit: MetricUnit;
  /** Whether to add a "× pagefork" column (this case ÷ the group's baseline, per run). */
  ratio: boolean;
}

/** A rendered chart's source: a Vega-Lite spec and where its SVG goes. */
export interface ChartDef {
  /** File name under `charts/`, e.g. `w1-time-per-version.svg`. */
  file: string;
  /** Alt text and caption. */
  title: string;
  spec: TopLevelSpec;
}

/** A metric of one case summarised over its runs: median, min and max. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Runs summarised. */
  n: number;
}

/** One case summarised for tables and charts. */
export interface CaseSummary {
  spec: CaseSpec;
  /** `ok` if any run measured; else the status of the first run. */
  status: RunStatus;
  /** Why it did not measure (status other than ok), or what went wrong in some runs. */
  message?: string;
  okRuns: number;
  metrics: Record<string, Spread>;
  /** Per-run ratio to the group's baseline, summarised, for metrics with `ratio`. */
  ratios: Record<string, Spread>;
  /** The widest prefix any ok run measured, if runs were cut short. */
  prefix?: Prefix;
  extrapolated: string[];
  /** The case this one's ratios divide by, per metric. */
  baselineOf: Record<string, string>;
}

/** One line of the headline table (RESULTS.md top, README quote). */
export interface HeadlineRow {
  workload: WorkloadId;
  figure: string;
  pagefork: string;
  /** "Immer 5,100×, Immutable.js 1.4×, …": peers as multiples of pagefork. */
  peers: string;
}

/** Parent-side settings every workload plans its cases from. */
export interface PlanConfig {
  quick: boolean;
}

/** What a workload module exports for the orchestrator and the report. */
export interface WorkloadSpec {
  id: WorkloadId;
  title: string;
  /** What is measured and how, for RESULTS.md (markdown). */
  method: string;
  /** Header of the group column, e.g. `state` or `trace`. */
  groupLabel: string;
  /** Header of the ratio columns (default `× pagefork`), when the baseline is not simply "pagefork". */
  ratioLabel?: string;
  metrics: MetricDef[];
  /** The cases to run, in table order. */
  cases(config: PlanConfig): CaseSpec[];
  /** Charts from the summarised cases. */
  charts(cases: readonly CaseSummary[]): ChartDef[];
  /** Headline rows (the first is quoted in the README). */
  headline(cases: readonly CaseSummary[]): HeadlineRow[];
  /** Extra markdown lines under the table (derived observations). */
  notes?(cases: readonly CaseSummary[]): string[];
}

/** What the child needs to run one case. */
export interface RunContext {
  params: Record<string, ParamValue>;
  quick: boolean;
  /** Reports progress to the orchestrator (shown beside the bar on a terminal). */
  progress(message: string): void;
}

/** Runs one variant in the child and returns what it measured. */
export type VariantRunner = (ctx: RunContext) => Promise<Measurement> | Measurement;
