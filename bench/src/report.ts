/**
 * RESULTS.md: the environment, the headline table, and per workload its
 * method, charts and one table (every case, median [min – max] over runs,
 * ratios against pagefork), with every case that could not finish marked as
 * such and every extrapolated figure marked ≈.
 *
 * @module
 */
import { formatBytes, formatRatio, formatValue, sig3 } from "./format.js";
import type { CaseSummary, ChartDef, HeadlineRow, MetricDef, Spread, WorkloadSpec } from "./model.js";
import type { Rerun, ResultsFile } from "./results.js";

/** One workload as the report shows it. */
export interface WorkloadReport {
  spec: WorkloadSpec;
  cases: CaseSummary[];
  /** Charts written, with their path relative to the markdown file. */
  charts: { chart: ChartDef; path: string }[];
  headline: HeadlineRow[];
}

function cell(s: Spread, metric: MetricDef, approx: boolean): string {
  const v = `${approx ? "≈" : ""}${formatValue(s.median, metric.unit)}`;
  if (s.n < 2 || s.min === s.max) return v;
  return `${v} [${formatValue(s.min, metric.unit)} – ${formatValue(s.max, metric.unit)}]`;
}

function ratioCell(s: Spread | undefined, isBaseline: boolean, approx: boolean): string {
  if (isBaseline) return "1×";
  if (s === undefined) return "";
  const v = `${approx ? "≈" : ""}${formatRatio(s.median)}`;
  if (s.n < 2 || s.min === s.max) return v;
  return `${v} [${sig3(s.min)}–${sig3(s.max)}]`;
}

const STATUS_TEXT: Record<string, string> = {
  oom: "out of memory",
  timeout: "timed out",
  skipped: "not run",
  error: "error",
  crashed: "crashed",
};

function rowNote(c: CaseSummary): string {
  const parts: string[] = [];
  if (c.status !== "ok") parts.push(`**${STATUS_TEXT[c.status] ?? c.status}**: ${c.message ?? ""}`);
  else if (c.message !== undefined) parts.push(c.message);
  if (c.prefix !== undefined)
    parts.push(
      `prefix: ${c.prefix.done.toLocaleString("en-US")} of ${c.prefix.total.toLocaleString("en-US")} ` +
        `(${c.prefix.stoppedBy} budget)`,
    );
  return parts.join("; ").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The table of one workload: a column per metric that any case measured, and its ratio. */
export function workloadTable(w: WorkloadSpec, cases: readonly CaseSummary[]): string {
  const metrics = w.metrics.filter((m) => cases.some((c) => c.metrics[m.key] !== undefined));
  const header = ["library", w.groupLabel];
  for (const m of metrics) {
    header.push(m.label);
    if (m.ratio) header.push(w.ratioLabel ?? "× pagefork");
  }
  header.push("notes");
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`];
  for (const c of cases) {
    const row = [c.spec.label, c.spec.group];
    for (const m of metrics) {
      const s = c.metrics[m.key];
      const approx = c.extrapolated.includes(m.key);
      row.push(s === undefined ? "" : cell(s, m, approx));
      if (m.ratio)
        row.push(s === undefined ? "" : ratioCell(c.ratios[m.key], c.baselineOf[m.key] === c.spec.key, approx));
    }
    row.push(rowNote(c));
    lines.push(`| ${row.join(" | ")} |`);
  }
  return lines.join("\n");
}

function prefixNotes(cases: readonly CaseSummary[]): string[] {
  const out: string[] = [];
  for (const c of cases) {
    if (c.prefix === undefined) continue;
    out.push(
      `${c.spec.label} @ ${c.spec.group}: ran ${c.prefix.done.toLocaleString("en-US")} of ` +
        `${c.prefix.total.toLocaleString("en-US")} before its ${c.prefix.stoppedBy} budget; ${c.prefix.basis}.`,
    );
  }
  return out;
}

/** The headline table (also what the README quotes). */
export function headlineTable(rows: readonly HeadlineRow[]): string {
  const lines = ["| workload | figure | pagefork | peers (× pagefork) |", "| --- | --- | ---: | --- |"];
  for (const r of rows) lines.push(`| ${r.workload} | ${r.figure} | ${r.pagefork} | ${r.peers} |`);
  return lines.join("\n");
}

function environmentSection(file: ResultsFile, jsonName: string, reruns: readonly Rerun[]): string {
  const e = file.environment;
  const v = file.versions;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  const shared = Math.max(...e.loadAverageAtStart.slice(0, 1), ...file.loadAverageAtEnd.slice(0, 1)) > 0.5;
  const pkgs = Object.entries(v)
    .filter(([k]) => k !== "node" && k !== "tinybench" && k !== "vega" && k !== "vega-lite")
    .map(([k, ver]) => `${k} ${ver}`)
    .join(", ");
  return [
    `Run on ${e.date.slice(0, 10)} on \`${e.hostname}\`: ${e.cpuModel} × ${e.cpuCount}, ` +
      `${formatBytes(e.totalMemoryBytes)} RAM, Node ${e.node} (V8 ${e.v8}), ${e.platform}/${e.arch}. ` +
      `Load average ${load(e.loadAverageAtStart)} at the start and ${load(file.loadAverageAtEnd)} at the end; ` +
      `the whole run took ${(file.durationMs / 60000).toFixed(1)} min.` +
      (shared
        ? " **The machine was doing other work during this run**: absolute speeds are noisier than on an idle " +
          "machine; ratios (both sides measured minutes apart) less so."
        : ""),
    "",
    `Versions: ${pkgs}. Raw samples, per run: [\`${jsonName}\`](${file.jsonPath}).`,
    "",
    ...reruns.flatMap((r) => [rerunLine(r), ""]),
    `Every case runs ${file.config.runs === 1 ? "once" : `${file.config.runs} times`}, each in a fresh process ` +
      "(`node --expose-gc --max-old-space-size=…`, `NODE_ENV=production`), all cases' run k before any run k + 1. " +
      "A figure is the median over runs with [min – max]. **× pagefork** divides a row's figure by pagefork's in " +
      "the same group, run k by run k, then takes the median [min – max]: for times and bytes, 12× means the row " +
      "needs twelve times what pagefork needs; for rates (edits/s), 0.5× means half of pagefork's rate. " +
      "Bytes are JS heap + ArrayBuffer bytes held after `gc()`. ≈ marks a figure extrapolated from a prefix " +
      "(the row says how far it got). A row that ran out of memory or time, or could not run, says so.",
  ].join("\n");
}

/** Which workloads a later run replaced, when and how it ran. */
function rerunLine(r: Rerun): string {
  const e = r.file.environment;
  const load = (l: number[]) => (l[0] ?? 0).toFixed(2);
  return (
    `**${r.file.config.only.join(", ")} rerun** on ${e.date.slice(0, 10)} on \`${e.hostname}\` ` +
    `(Node ${e.node}; load average ${load(e.loadAverageAtStart)} at the start, ${load(r.file.loadAverageAtEnd)} ` +
    `at the end; ${(r.file.durationMs / 60000).toFixed(1)} min; ${r.file.config.runs} runs per case): ` +
    `those tables, charts and headlines come from [\`${r.name}\`](${r.link}), the rest from the run above.`
  );
}

/** The whole RESULTS.md; `reruns` are the later files whose workloads replaced the run's own. */
export function renderMarkdown(
  file: ResultsFile,
  jsonName: string,
  workloads: readonly WorkloadReport[],
  reruns: readonly Rerun[] = [],
): string {
  const parts: string[] = [
    "# pagefork benchmarks: head to head",
    "",
    `<!-- Generated by \`pnpm bench\`${file.config.quick ? " --quick" : ""} from ${jsonName}; edit bench/src/report.ts, not this file. -->`,
    "",
    environmentSection(file, jsonName, reruns),
    "",
    "## Headlines",
    "",
    headlineTable(workloads.flatMap((w) => w.headline)),
    "",
  ];
  for (const w of workloads) {
    parts.push(`## ${w.spec.id}: ${w.spec.title}`, "", w.spec.method, "");
    for (const { chart, path } of w.charts) parts.push(`![${chart.title}](${path})`, "");
    parts.push(workloadTable(w.spec, w.cases), "");
    const notes = [...prefixNotes(w.cases), ...(w.spec.notes?.(w.cases) ?? [])];
    if (notes.length > 0) parts.push(...notes.map((n) => `- ${n}`), "");
  }
  return `${parts.join("\n").trimEnd()}\n`;
}
