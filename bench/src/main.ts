/**
 * `pnpm bench`: plans every case of the selected workloads, runs each case
 * `runs` times, each run in its own child process (run 1 of every case, then
 * run 2, …, so a case and its pagefork baseline are measured close together),
 * shows progress on stderr, and writes
 *
 * - `results/<date>-<host>.json`: every run's raw measurement, library
 *   versions, Node version, CPU model;
 * - `RESULTS.md`: one table per workload with ratios against pagefork, and
 *   the charts it links, `results/charts/*.svg`.
 *
 * `--quick` writes the three under `results/quick/`, a run restricted by
 * `--only`/`--libraries` under `results/partial/` (both ignored by git), so
 * only complete full runs change tracked files.
 *
 * Exit code 1 if a case failed for a reason that is not an outcome worth
 * recording (an `error` or a `crash`), or if a workload produced no result at
 * all. Speeds are never asserted.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeCharts } from "./charts.js";
import { type BenchConfig, parseCli } from "./cli.js";
import { describeEnvironment, fileSafeHostname, localDate } from "./environment.js";
import { LIBRARIES, libraryVersions } from "./libraries.js";
import { type CaseResult, type CaseSpec, RECORDED_STATUSES, type WorkloadId } from "./model.js";
import { createReporter } from "./progress.js";
import { renderMarkdown, type WorkloadReport } from "./report.js";
import { RESULTS_SCHEMA, type Rerun, type ResultsFile, readResults, withReruns } from "./results.js";
import { runCase } from "./runner.js";
import { summarize } from "./summary.js";
import { WORKLOADS } from "./workloads/registry.js";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where a run's files go: RESULTS.md, the JSON and charts/. */
interface OutputPaths {
  markdown: string;
  json: string;
  charts: string;
}

function outputPaths(config: { quick: boolean; partial: boolean; only?: readonly string[] }): OutputPaths {
  // A partial run's JSON is named after its workloads too, so that two subsets run on one day
  // (W9, then W10) do not overwrite each other; RESULTS.md there is the last run's.
  const subset = config.partial && !config.quick && config.only !== undefined ? `-${config.only.join("-")}` : "";
  const name = `${localDate()}-${fileSafeHostname()}${subset}.json`;
  if (!config.quick && !config.partial)
    return {
      markdown: join(benchDir, "RESULTS.md"),
      json: join(benchDir, "results", name),
      charts: join(benchDir, "results", "charts"),
    };
  const dir = join(benchDir, "results", config.quick ? "quick" : "partial");
  return { markdown: join(dir, "RESULTS.md"), json: join(dir, name), charts: join(dir, "charts") };
}

function plan(config: BenchConfig): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const id of config.only)
    for (const c of WORKLOADS[id].cases({ quick: config.quick }))
      if (config.libraries === undefined || config.libraries.includes(c.library)) cases.push(c);
  return cases;
}

async function runAll(config: BenchConfig, cases: CaseSpec[]): Promise<Map<string, CaseResult>> {
  const results = new Map<string, CaseResult>();
  for (const spec of cases) results.set(`${spec.workload}/${spec.key}`, { spec, runs: [] });
  const jobs: { spec: CaseSpec; run: number }[] = [];
  for (let run = 1; run <= config.runs; run++)
    for (const spec of cases) {
      if (spec.skip === undefined) jobs.push({ spec, run });
      else
        results.get(`${spec.workload}/${spec.key}`)?.runs.push({
          run,
          status: "skipped",
          wallMs: 0,
          exitCode: null,
          signal: null,
          message: spec.skip,
        });
    }
  const reporter = createReporter(jobs.length);
  reporter.note(
    `${cases.length} cases × ${config.runs} run(s) = ${jobs.length} processes` +
      `${config.quick ? " (quick)" : ""}; workloads ${config.only.join(", ")}`,
  );
  try {
    for (let j = 0; j < jobs.length; j++) {
      const { spec, run } = jobs[j] as { spec: CaseSpec; run: number };
      reporter.startJob(j, `${spec.workload} ${spec.short} @ ${spec.group}: run ${run} of ${config.runs}`);
      const record = await runCase(benchDir, spec, run, config.quick, (t) => reporter.detail(t));
      reporter.endJob(record);
      results.get(`${spec.workload}/${spec.key}`)?.runs.push(record);
    }
  } finally {
    reporter.stop();
  }
  return results;
}

/** Summaries, charts and RESULTS.md from a results file. */
async function render(file: ResultsFile, paths: OutputPaths, reruns: readonly Rerun[] = []): Promise<WorkloadReport[]> {
  const reports: WorkloadReport[] = [];
  for (const w of file.workloads) {
    const spec = WORKLOADS[w.id];
    const cases = summarize(w.cases, spec.metrics);
    const written = await writeCharts(spec.charts(cases), paths.charts);
    const mdDir = dirname(paths.markdown);
    reports.push({
      spec,
      cases,
      charts: written.map((chart) => ({ chart, path: relative(mdDir, join(paths.charts, chart.file)) })),
      headline: spec.headline(cases),
    });
  }
  writeFileSync(paths.markdown, renderMarkdown(file, basename(paths.json), reports, reruns));
  return reports;
}

/** Problems that make the command fail: errors, crashes, workloads with no result. */
function failures(file: ResultsFile): string[] {
  const out: string[] = [];
  for (const w of file.workloads) {
    if (!w.cases.some((c) => c.runs.some((r) => r.status === "ok"))) out.push(`${w.id}: no case produced a result`);
    for (const c of w.cases)
      for (const r of c.runs)
        if (!RECORDED_STATUSES.includes(r.status))
          out.push(`${w.id} ${c.spec.key} run ${r.run}: ${r.status}: ${r.message ?? ""}\n${r.stderrTail ?? ""}`);
  }
  return out;
}

async function main(): Promise<void> {
  const config = parseCli(
    process.argv,
    LIBRARIES.map((l) => l.id),
  );
  if (config.reportFrom !== undefined) {
    const cwd = process.env.INIT_CWD ?? process.cwd();
    const [path, ...rerunPaths] = config.reportFrom.map((p) => resolve(cwd, p)) as [string, ...string[]];
    const base = readResults(path);
    const quick = base.config.quick;
    // A full run is one without --only or --libraries (its argv says so): comparing `only` with
    // today's workloads would call every run made before a workload was added partial.
    const partial =
      base.config.libraries !== null || base.config.argv.some((a) => a === "--only" || a.startsWith("--only="));
    const paths = { ...outputPaths({ quick, partial }), json: path };
    const reruns = rerunPaths.map((p) => ({
      file: readResults(p),
      link: relative(dirname(paths.markdown), p),
      name: basename(p),
    }));
    await render(withReruns(base, reruns), paths, reruns);
    process.stderr.write(
      `[bench] wrote ${relative(benchDir, paths.markdown)} from ${[path, ...rerunPaths].map((p) => relative(benchDir, p)).join(", ")}\n`,
    );
    return;
  }
  const partial = config.libraries !== undefined || config.only.length < Object.keys(WORKLOADS).length;
  const paths = outputPaths({ quick: config.quick, partial, only: config.only });
  const environment = describeEnvironment();
  const t0 = performance.now();
  const cases = plan(config);
  const results = await runAll(config, cases);
  const byWorkload = new Map<WorkloadId, CaseResult[]>();
  for (const r of results.values()) {
    const list = byWorkload.get(r.spec.workload) ?? [];
    list.push(r);
    byWorkload.set(r.spec.workload, list);
  }
  mkdirSync(dirname(paths.json), { recursive: true });
  const file: ResultsFile = {
    schema: RESULTS_SCHEMA,
    environment,
    loadAverageAtEnd: os.loadavg(),
    versions: libraryVersions(benchDir),
    config: {
      quick: config.quick,
      runs: config.runs,
      only: config.only,
      libraries: config.libraries ?? null,
      argv: config.argv,
    },
    durationMs: performance.now() - t0,
    jsonPath: relative(dirname(paths.markdown), paths.json),
    workloads: config.only.map((id) => ({ id, cases: byWorkload.get(id) ?? [] })),
  };
  writeFileSync(paths.json, `${JSON.stringify(file, null, 1)}\n`);
  await render(file, paths);
  process.stderr.write(
    `[bench] wrote ${relative(benchDir, paths.json)}, ${relative(benchDir, paths.markdown)} and charts in ` +
      `${relative(benchDir, paths.charts)}/ (${(file.durationMs / 1000).toFixed(0)} s)\n`,
  );
  const bad = failures(file);
  if (bad.length > 0) {
    process.stderr.write(`[bench] FAILED:\n${bad.map((b) => `  ${b}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
