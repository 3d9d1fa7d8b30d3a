/**
 * `pnpm bench`: runs the selected groups (fork, read, fault, demo), prints a
 * table per group on stdout, progress on stderr, and writes
 * `bench/results/<date>-<host>.json` and `bench/results/latest.md`
 * (`bench/results/quick/` for `--quick`). Exits 1 if a group failed to run
 * (targets missed are reported, not errors).
 *
 * @module
 */
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./cli.js";
import { runFaultGroup } from "./cow-fault.js";
import { runDemoGroup } from "./demo-workload.js";
import { describeEnvironment, fileSafeHostname, localDate } from "./environment.js";
import { failedFigure, type GroupName, type GroupResult } from "./figures.js";
import { runForkGroup } from "./fork-latency.js";
import { collectGarbage, progress } from "./harness.js";
import { runReadGroup } from "./read-throughput.js";
import { markdownReport, textReport, writeResults } from "./report.js";
import { PAGE_SIZE } from "./sizes.js";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(benchDir, "..");

const TITLES: Record<GroupName, string> = {
  fork: "Fork latency",
  read: "Read throughput (per element)",
  fault: "Write-fault cost",
  demo: "Undo/redo demo (automerge-paper trace)",
};

async function runGroup(name: GroupName, config: ReturnType<typeof parseCli>): Promise<GroupResult> {
  switch (name) {
    case "fork":
      return runForkGroup(config);
    case "read":
      return runReadGroup(config);
    case "fault":
      return runFaultGroup(config);
    case "demo":
      return runDemoGroup(config, repoRoot);
  }
}

async function main(): Promise<void> {
  const config = parseCli(process.argv);
  const env = describeEnvironment();
  if (!env.exposeGc) progress("warning: run with --expose-gc (pnpm bench does) so runs start from a collected heap");
  const t0 = performance.now();
  const groups: GroupResult[] = [];
  for (const name of config.groups) {
    progress(`=== ${name} ===`);
    try {
      groups.push(await runGroup(name, config));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      progress(`${name}: FAILED: ${message}`);
      groups.push({
        name,
        title: TITLES[name],
        method: "",
        figures: [failedFigure(`group ${name}`, message)],
        notes: e instanceof Error && e.stack !== undefined ? [e.stack.split("\n").slice(0, 4).join(" / ")] : [],
        error: message,
      });
    }
    collectGarbage();
  }
  const durationMs = performance.now() - t0;
  process.stdout.write(textReport(groups, env, config));

  const dir = join(benchDir, "results", ...(config.quick ? ["quick"] : []));
  const baseName = `${localDate()}-${fileSafeHostname()}`;
  const json = {
    schema: "pagefork-bench/1",
    environment: { ...env, loadAverageAtEnd: os.loadavg() },
    pageSize: PAGE_SIZE,
    flags: config.flags,
    timing: config.timing,
    forkSizes: config.forkSizes,
    durationMs,
    groups,
  };
  const md = markdownReport(groups, env, config, `${baseName}.json`, durationMs);
  const { jsonPath, mdPath } = writeResults(dir, baseName, json, md);
  progress(
    `wrote ${relative(repoRoot, jsonPath)} and ${relative(repoRoot, mdPath)} in ${(durationMs / 1000).toFixed(0)} s`,
  );
  if (groups.some((g) => g.error !== undefined)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
