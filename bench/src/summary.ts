/**
 * From raw runs to what tables, charts and headlines show: each case's
 * metrics as median [min – max] over its ok runs, and each ratio to the
 * group's pagefork baseline taken run by run (run k ÷ baseline's run k; the
 * orchestrator runs every case's run k before any run k + 1, so the two were
 * measured minutes apart at most), then summarised the same way.
 *
 * @module
 */
import { formatRatio, formatValue } from "./format.js";
import type {
  CaseResult,
  CaseSummary,
  HeadlineRow,
  MetricDef,
  Prefix,
  RunRecord,
  Spread,
  WorkloadId,
} from "./model.js";
import { spreadOf } from "./stats.js";

function okRuns(c: CaseResult): RunRecord[] {
  return c.runs.filter((r) => r.status === "ok" && r.measurement !== undefined);
}

function metricByRun(c: CaseResult, key: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of okRuns(c)) {
    const v = r.measurement?.metrics[key];
    if (v !== undefined && Number.isFinite(v)) out.set(r.run, v);
  }
  return out;
}

function firstMessage(c: CaseResult): string | undefined {
  if (c.spec.skip !== undefined) return c.spec.skip;
  const failed = c.runs.find((r) => r.status !== "ok");
  if (failed === undefined) return undefined;
  const n = c.runs.filter((r) => r.status === failed.status).length;
  const why = failed.message?.split("\n")[0] ?? failed.status;
  return n === c.runs.length ? why : `${n} of ${c.runs.length} runs: ${failed.status}: ${why}`;
}

/** Summarises every case of one workload (ratios are taken within each group). */
export function summarize(results: readonly CaseResult[], metrics: readonly MetricDef[]): CaseSummary[] {
  const out: CaseSummary[] = [];
  for (const c of results) {
    const ok = okRuns(c);
    const summary: CaseSummary = {
      spec: c.spec,
      status: ok.length > 0 ? "ok" : c.spec.skip !== undefined ? "skipped" : (c.runs[0]?.status ?? "skipped"),
      okRuns: ok.length,
      metrics: {},
      ratios: {},
      extrapolated: [],
      baselineOf: {},
    };
    const message = firstMessage(c);
    if (message !== undefined) summary.message = message;
    let prefix: Prefix | undefined;
    const extrapolated = new Set<string>();
    for (const r of ok) {
      const m = r.measurement;
      if (m?.prefix !== undefined && (prefix === undefined || m.prefix.done > prefix.done)) prefix = m.prefix;
      for (const k of m?.extrapolated ?? []) extrapolated.add(k);
    }
    if (prefix !== undefined) summary.prefix = prefix;
    summary.extrapolated = [...extrapolated];
    for (const def of metrics) {
      const values = [...metricByRun(c, def.key).values()];
      if (values.length > 0) summary.metrics[def.key] = spreadOf(values);
    }
    out.push(summary);
  }
  for (const def of metrics.filter((m) => m.ratio)) {
    for (const s of out) {
      if (s.metrics[def.key] === undefined) continue;
      const base = results.find(
        (b) => b.spec.group === s.spec.group && b.spec.baseline && metricByRun(b, def.key).size > 0,
      );
      if (base === undefined) continue;
      const mine = metricByRun(results.find((r) => r.spec.key === s.spec.key) as CaseResult, def.key);
      const theirs = metricByRun(base, def.key);
      const perRun: number[] = [];
      for (const [run, v] of mine) {
        const b = theirs.get(run);
        if (b !== undefined && b !== 0) perRun.push(v / b);
      }
      // Runs that failed on one side leave no pair; fall back to the ratio of medians.
      const ratio =
        perRun.length > 0
          ? spreadOf(perRun)
          : ratioOfMedians(s.metrics[def.key] as Spread, spreadOf([...theirs.values()]));
      s.ratios[def.key] = ratio;
      s.baselineOf[def.key] = base.spec.key;
    }
  }
  return out;
}

function ratioOfMedians(a: Spread, b: Spread): Spread {
  const r = a.median / b.median;
  return { median: r, min: r, max: r, n: 1 };
}

/** The median of `key` in case `c`, or undefined. */
export function medianOf(c: CaseSummary | undefined, key: string): number | undefined {
  return c?.metrics[key]?.median;
}

/**
 * A headline row: pagefork's figure for `metric` in `group` and every peer
 * there as a multiple of it ("Immer 5,100×"), best peer first, with failed
 * peers named by their status. `beside` adds another of pagefork's figures in
 * parentheses (its own accounting next to the bytes measured for everyone).
 */
export function ratioHeadline(
  workload: WorkloadId,
  cases: readonly CaseSummary[],
  group: string,
  metric: MetricDef,
  figure: string,
  beside?: { key: string; label: string },
): HeadlineRow | undefined {
  const inGroup = cases.filter((c) => c.spec.group === group);
  const base = inGroup.find((c) => c.spec.baseline && c.metrics[metric.key] !== undefined);
  if (base === undefined) {
    const pf = inGroup.find((c) => c.spec.baseline);
    if (pf === undefined) return undefined;
    return { workload, figure, pagefork: `${pf.status}${pf.message ? `: ${pf.message}` : ""}`, peers: "" };
  }
  const value = base.metrics[metric.key] as Spread;
  const peers = inGroup
    // Other pagefork variants are not peers; peers that ran but lack the metric (no history) have nothing to show.
    .filter((c) => c.spec.library !== "pagefork" && !(c.status === "ok" && c.metrics[metric.key] === undefined))
    .map((c) => {
      const r = c.ratios[metric.key];
      const approx = c.extrapolated.includes(metric.key) ? "≈" : "";
      if (r !== undefined) return { r: r.median, text: `${c.spec.short} ${approx}${formatRatio(r.median)}` };
      return { r: Number.POSITIVE_INFINITY, text: `${c.spec.short}: ${c.status === "ok" ? "n/a" : c.status}` };
    });
  const higherIsBetter = metric.unit === "per-second";
  peers.sort((a, b) => (higherIsBetter ? b.r - a.r : a.r - b.r));
  return {
    workload,
    figure,
    pagefork:
      formatValue(value.median, metric.unit) +
      (beside !== undefined && base.metrics[beside.key] !== undefined
        ? ` (${beside.label} ${formatValue((base.metrics[beside.key] as Spread).median, metric.unit)})`
        : ""),
    peers: peers.map((p) => p.text).join(", "),
  };
}

/** The largest group (by a numeric parameter) that has a pagefork case: the headline's point. */
export function largestGroup(cases: readonly CaseSummary[], param: string): string | undefined {
  let best: CaseSummary | undefined;
  for (const c of cases) {
    if (!c.spec.baseline || c.status !== "ok") continue;
    const v = c.spec.params[param];
    if (typeof v !== "number") continue;
    if (best === undefined || v > (best.spec.params[param] as number)) best = c;
  }
  return best?.spec.group;
}
