/**
 * Output: a plain-text table per group on stdout, the markdown summary
 * (`latest.md`) and the raw JSON (`<date>-<host>.json`).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchConfig } from "./cli.js";
import type { Environment } from "./environment.js";
import type { Figure, GroupResult, Status, Unit } from "./figures.js";
import { formatBytes, PAGE_SIZE } from "./sizes.js";
import type { Spread } from "./stats.js";

function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "n/a";
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

function formatValue(x: number, unit: Unit): string {
  if (!Number.isFinite(x)) return "n/a";
  switch (unit) {
    case "ns":
      return formatNs(x);
    case "ms":
      return formatNs(x * 1e6);
    case "edits/s":
      return `${Math.round(x).toLocaleString("en-US")}/s`;
    case "bytes":
      return formatBytes(x);
    case "count":
      return Math.round(x).toLocaleString("en-US");
    case "x":
      return `${x.toPrecision(3)}×`;
  }
}

/** "1.23 µs [1.10–1.40]" (the range only when runs differ). */
function formatSpread(s: Spread, unit: Unit): string {
  if (s.n === 0) return "n/a";
  const mid = formatValue(s.median, unit);
  if (s.n === 1 || s.min === s.max) return mid;
  return `${mid} [${formatValue(s.min, unit)} – ${formatValue(s.max, unit)}]`;
}

function ratioText(f: Figure): string {
  if (f.ratio === undefined || f.ratio.n === 0) return "";
  const r = f.ratio;
  const one = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  if (r.n === 1 || r.min === r.max) return `${one(r.median)}×`;
  return `${one(r.median)}× [${one(r.min)}–${one(r.max)}]`;
}

const STATUS_TEXT: Record<Status, string> = { pass: "pass", miss: "MISS", info: "", failed: "FAILED" };

function rows(g: GroupResult): string[][] {
  return g.figures.map((f) => [
    f.name,
    formatSpread(f.value, f.unit),
    f.baseline === undefined ? "" : `${f.baseline.name}: ${formatSpread(f.baseline.value, f.baseline.unit)}`,
    ratioText(f),
    f.target?.text ?? "",
    STATUS_TEXT[f.status] + (f.status === "failed" && f.note !== undefined ? `: ${f.note}` : ""),
  ]);
}

const HEAD = ["figure", "value (median [min – max])", "baseline (same run)", "ratio", "target", "result"];

/** Plain-text tables for stdout. */
export function textReport(groups: readonly GroupResult[], env: Environment, config: BenchConfig): string {
  const out: string[] = [];
  out.push(
    `pagefork bench ${config.quick ? "(quick) " : ""}— ${env.node}, ${env.cpuModel} x${env.cpuCount}, ` +
      `${config.timing.runs} runs, page size ${PAGE_SIZE} B`,
  );
  for (const g of groups) {
    out.push("", `${g.title}${g.error === undefined ? "" : `  [FAILED: ${g.error}]`}`);
    const table = [HEAD, ...rows(g)];
    const widths = HEAD.map((_, c) => Math.max(...table.map((r) => (r[c] as string).length)));
    for (const [i, r] of table.entries()) {
      out.push(
        `  ${r
          .map((cell, c) => cell.padEnd(widths[c] as number))
          .join("  ")
          .trimEnd()}`,
      );
      if (i === 0) out.push(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
    }
    for (const n of g.notes) out.push(`  note: ${n}`);
  }
  return `${out.join("\n")}\n`;
}

/** The markdown summary: one table per group. */
export function markdownReport(
  groups: readonly GroupResult[],
  env: Environment,
  config: BenchConfig,
  jsonName: string,
  durationMs: number,
): string {
  const md: string[] = [];
  md.push(`# pagefork benchmarks${config.quick ? " (quick run)" : ""}`, "");
  md.push(
    `- date: ${env.date}`,
    `- host: ${env.hostname}, ${env.cpuModel} × ${env.cpuCount}, ${formatBytes(env.totalMemoryBytes)} RAM, ` +
      `load average at start ${env.loadAverageAtStart.map((x) => x.toFixed(2)).join(" / ")}`,
    `- runtime: Node ${env.node} (V8 ${env.v8}), ${env.platform}/${env.arch}`,
    `- flags: \`${(config.flags.argv as string[]).join(" ") || "(none)"}\`; ${config.timing.runs} runs per group, ` +
      `tinybench ${config.timing.timeMs} ms per task and run; page size ${PAGE_SIZE} B`,
    `- raw samples: \`${jsonName}\`; whole bench took ${(durationMs / 1000).toFixed(0)} s`,
    "",
    "Values are medians over runs with [min – max]; each ratio is figure / baseline within one run, then summarised " +
      "the same way. Times are per operation (per call, element or fault, as the figure says).",
  );
  for (const g of groups) {
    md.push("", `## ${g.title} (\`--only ${g.name}\`)`, "", g.method, "");
    if (g.error !== undefined) md.push(`**Failed:** ${g.error}`, "");
    md.push(`| ${HEAD.join(" | ")} |`, `| ${HEAD.map(() => "---").join(" | ")} |`);
    for (const [i, r] of rows(g).entries()) {
      const f = g.figures[i] as Figure;
      const cells = r.map((c) => c.replace(/\|/g, "\\|"));
      if (f.status === "pass") cells[5] = "✅ pass";
      else if (f.status === "miss") cells[5] = "❌ **miss**";
      else if (f.status === "failed") cells[5] = `❌ **failed**${f.note === undefined ? "" : `: ${f.note}`}`;
      else cells[5] = "info";
      md.push(`| ${cells.join(" | ")} |`);
    }
    const notes = [
      ...g.figures.filter((f) => f.note !== undefined && f.status !== "failed").map((f) => `${f.name}: ${f.note}`),
      ...g.notes,
    ];
    if (notes.length > 0) md.push("", ...notes.map((n) => `- ${n}`));
  }
  return `${md.join("\n")}\n`;
}

/** Writes `<date>-<host>.json` and `latest.md` into `dir`; returns their paths. */
export function writeResults(
  dir: string,
  baseName: string,
  json: unknown,
  markdown: string,
): { jsonPath: string; mdPath: string } {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${baseName}.json`);
  const mdPath = join(dir, "latest.md");
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 1)}\n`);
  writeFileSync(mdPath, markdown);
  return { jsonPath, mdPath };
}
