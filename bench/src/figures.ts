/**
 * The result model: a figure is one reported number (median with min/max over
 * runs), the baseline it is compared with, their in-run ratio, and the target
 * it is judged against.
 *
 * @module
 */
import { ratios, type Spread, spreadOf } from "./stats.js";

/** The benchmark groups, in the order they run. */
export const GROUP_NAMES = ["fork", "read", "fault", "demo"] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** Units of figure values: times are kept in nanoseconds and formatted on output. */
export type Unit = "ns" | "edits/s" | "bytes" | "count" | "ms" | "x";

/** A target: `on` says whether it judges the figure itself or its ratio to the baseline. */
export interface Target {
  on: "value" | "ratio";
  op: "<=" | ">=" | "==";
  limit: number;
  /** As printed, e.g. "p50 <= 2 µs". */
  text: string;
}

export type Status = "pass" | "miss" | "info" | "failed";

export interface Figure {
  name: string;
  unit: Unit;
  value: Spread;
  baseline?: { name: string; unit: Unit; value: Spread };
  /** Per-run `value / baseline`, summarised. */
  ratio?: Spread;
  target?: Target;
  status: Status;
  note?: string;
}

/** Everything one group produced: figures for the tables, raw runs for the JSON. */
export interface GroupResult {
  name: GroupName;
  title: string;
  /** One paragraph: what is measured and how. */
  method: string;
  figures: Figure[];
  notes: string[];
  /** Raw per-run task statistics and samples (see harness.ts). */
  tasks?: Record<string, unknown>;
  /** Group-specific raw data (e.g. the demo's JSON objects). */
  data?: unknown;
  /** Set when the group could not complete; its figures then say what is missing. */
  error?: string;
}

function meets(target: Target, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (target.op === "<=") return x <= target.limit;
  if (target.op === ">=") return x >= target.limit;
  return x === target.limit;
}

/**
 * Builds a figure from per-run values. The ratio is computed run by run
 * against the baseline's values of the same runs.
 */
export function figure(opts: {
  name: string;
  unit: Unit;
  values: readonly number[];
  baseline?: { name: string; unit?: Unit; values: readonly number[] };
  target?: Target;
  note?: string;
}): Figure {
  const f: Figure = { name: opts.name, unit: opts.unit, value: spreadOf(opts.values), status: "info" };
  if (opts.baseline !== undefined) {
    f.baseline = {
      name: opts.baseline.name,
      unit: opts.baseline.unit ?? opts.unit,
      value: spreadOf(opts.baseline.values),
    };
    f.ratio = spreadOf(ratios(opts.values, opts.baseline.values));
  }
  if (opts.target !== undefined) {
    f.target = opts.target;
    const x = opts.target.on === "value" ? f.value.median : (f.ratio?.median ?? Number.NaN);
    f.status = meets(opts.target, x) ? "pass" : "miss";
  }
  if (opts.note !== undefined) f.note = opts.note;
  return f;
}

/** A figure that could not be measured: kept in the tables as "failed", never dropped. */
export function failedFigure(name: string, reason: string, target?: Target): Figure {
  const nan = spreadOf([]);
  const f: Figure = { name, unit: "count", value: nan, status: "failed", note: reason };
  if (target !== undefined) f.target = target;
  return f;
}
