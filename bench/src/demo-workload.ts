/**
 * Group "demo": the undo/redo example on the automerge-paper editing trace,
 * run as a child process exactly as a user would run it:
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx \
 *     examples/undo-redo/src/main.ts --json [--limit n]      (cwd: repository root)
 *
 * It prints one JSON object on stdout; the whole object is kept in the results.
 * In the same run, the bench replays the same edits into a plain JS string
 * (no versions kept) as the baseline for edits/s, and sums the document length
 * over every version as the baseline for bytes (a full copy per version).
 *
 * A demo that is missing, exits non-zero, times out or prints no JSON object is
 * recorded as a failure with the reason and the tail of its stderr; it is never
 * silently dropped.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { BenchConfig } from "./cli.js";
import { type Figure, failedFigure, figure, type GroupResult, type Target } from "./figures.js";
import { measureRun, progress, type TaskDef } from "./harness.js";
import { GiB } from "./sizes.js";
import { type FlatTrace, loadTrace, replayString, type StringReplay } from "./string-replay.js";

/** The demo's entry point, relative to the repository root. */
export const DEMO_SCRIPT = "examples/undo-redo/src/main.ts";
const NODE_FLAGS = ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx"];
const STDERR_TAIL = 4000;

/** Versions the full automerge-paper replay keeps: the start plus one per edit. */
const FULL_VERSIONS = 259_779;
const TARGET_EDITS_PER_S: Target = { on: "value", op: ">=", limit: 1_000_000, text: ">= 1,000,000/s" };
const TARGET_BYTES: Target = { on: "value", op: "<=", limit: GiB, text: "<= 1 GiB" };

interface DemoRun {
  ok: boolean;
  command: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  /** The JSON object the demo printed. */
  json?: Record<string, unknown>;
  reason?: string;
  stderrTail?: string;
}

/** Runs the demo once. Never throws: every failure becomes `{ ok: false, reason }`. */
function runDemoOnce(repoRoot: string, limit: number | undefined, timeoutMs: number): Promise<DemoRun> {
  const args = [...NODE_FLAGS, DEMO_SCRIPT, "--json", ...(limit === undefined ? [] : ["--limit", String(limit)])];
  const command = `node ${args.join(" ")}`;
  if (!existsSync(join(repoRoot, DEMO_SCRIPT)))
    return Promise.resolve({
      ok: false,
      command,
      exitCode: null,
      signal: null,
      wallMs: 0,
      reason: `${DEMO_SCRIPT} does not exist`,
    });
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    let partial = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
      partial += d;
      const lines = partial.split(/\r?\n|\r/);
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") process.stderr.write(`[demo] ${line}\n`);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      spawnError = e;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const run: DemoRun = { ok: false, command, exitCode: code, signal, wallMs: performance.now() - t0 };
      const json = parseJsonObject(stdout);
      if (spawnError !== undefined) run.reason = `could not start: ${spawnError.message}`;
      else if (timedOut) run.reason = `killed after ${Math.round(timeoutMs / 1000)} s (timeout)`;
      else if (code !== 0) run.reason = `exited with code ${code}${signal === null ? "" : ` (signal ${signal})`}`;
      else if (json === undefined)
        run.reason = `printed no JSON object on stdout (stdout began: ${JSON.stringify(stdout.slice(0, 200))})`;
      else run.ok = true;
      if (json !== undefined) run.json = json;
      if (!run.ok) run.stderrTail = stderr;
      done(run);
    });
  });
}

/** The whole stdout as one JSON object, else the last line that is one. */
function parseJsonObject(stdout: string): Record<string, unknown> | undefined {
  const tryParse = (s: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(s);
      return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const whole = tryParse(stdout.trim());
  if (whole !== undefined) return whole;
  const lines = stdout.split(/\r?\n/).reverse();
  for (const line of lines) if (line.trim().startsWith("{")) return tryParse(line.trim());
  return undefined;
}

/** Numeric leaves of a JSON object by dotted path (`memory.bytes`). */
function numericLeaves(obj: unknown, prefix = "", out = new Map<string, number>()): Map<string, number> {
  if (obj === null || typeof obj !== "object") return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    if (typeof v === "number" && Number.isFinite(v)) out.set(path, v);
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) numericLeaves(v, path, out);
  }
  return out;
}

/** The first leaf whose last path segment matches one of `patterns` (tried in order). */
function pick(leaves: Map<string, number>, patterns: RegExp[]): { path: string; value: number } | undefined {
  for (const re of patterns)
    for (const [path, value] of leaves) {
      const key = path.slice(path.lastIndexOf(".") + 1);
      if (re.test(key)) return { path, value };
    }
  return undefined;
}

/** The demo's figures, found by key name; `fields` says which key each came from. */
interface DemoFigures {
  editsPerSecond?: number;
  versions?: number;
  bytes?: number;
  /** The library's own memory (frames, page tables, frame metadata), when the demo reports it apart. */
  libraryBytes?: number;
  edits?: number;
  /** Self-checks the demo reports in `checks: [{ passed }]`. */
  checksPassed?: number;
  checksTotal?: number;
  fields: Record<string, string>;
}

export function extractDemoFigures(json: Record<string, unknown>): DemoFigures {
  const leaves = numericLeaves(json);
  const fields: Record<string, string> = {};
  const out: DemoFigures = { fields };
  const eps = pick(leaves, [/^edits?_?per_?s(ec(ond)?)?$/i, /^edits?Per/i, /^(throughput|opsPerSecond)$/i]);
  const edits = pick(leaves, [/^edits?(Replayed|Applied)?$/i, /^(edit|patch)Count$/i]);
  const secs = pick(leaves, [/^(seconds|replaySeconds|elapsedSeconds)$/i]);
  if (edits !== undefined) {
    out.edits = edits.value;
    fields.edits = edits.path;
  }
  if (eps !== undefined) {
    out.editsPerSecond = eps.value;
    fields.editsPerSecond = eps.path;
  } else if (edits !== undefined && secs !== undefined && secs.value > 0) {
    out.editsPerSecond = edits.value / secs.value;
    fields.editsPerSecond = `${edits.path} / ${secs.path}`;
  }
  const versions = pick(leaves, [
    /^versions?(Kept|Retained|Alive|Count)?$/i,
    /^(kept|retained|live)Versions$/i,
    /^version(s)?Total$/i,
  ]);
  if (versions !== undefined) {
    out.versions = versions.value;
    fields.versions = versions.path;
  }
  const bytes = pick(leaves, [
    /^totalHistoryBytes$/i,
    /^(bytes)?(For)?AllVersions(Bytes)?$/i,
    /^(history|total|versions?|memory)Bytes$/i,
    /^bytes(Total|InUse|History)?$/i,
    /^(pool)?BytesInUse$/i,
  ]);
  if (bytes !== undefined) {
    out.bytes = bytes.value;
    fields.bytes = bytes.path;
  }
  const lib = pick(leaves, [/^versionsBytes$/i, /^libraryBytes$/i]);
  if (lib !== undefined && lib.path !== fields.bytes) {
    out.libraryBytes = lib.value;
    fields.libraryBytes = lib.path;
  }
  const checks = (json as { checks?: unknown }).checks;
  if (Array.isArray(checks)) {
    out.checksTotal = checks.length;
    out.checksPassed = checks.filter((c) => (c as { passed?: unknown } | null)?.passed === true).length;
    fields.checks = "checks[].passed";
  }
  return out;
}

/** The baseline for one run: ns per edit of the plain-string replay. */
function measureBaseline(
  trace: FlatTrace,
  edits: number,
  run: number,
  runs: number,
): { nsPerEdit: number; result: StringReplay } {
  const held: { r: StringReplay | null } = { r: null };
  const task: TaskDef = {
    id: "plain-string",
    label: `plain JS string replay of ${edits.toLocaleString("en-US")} edits (no versions kept)`,
    unitsPerCall: edits,
    fn: () => {
      held.r = replayString(trace.startContent, trace.pos, trace.del, trace.ins, edits);
    },
  };
  const res = measureRun("demo", [task], run, {
    runs,
    timeMs: 1,
    warmupMs: 1,
    iterations: edits > 50_000 ? 1 : 5,
    warmupIterations: 1,
    maxSamples: 10,
  });
  return { nsPerEdit: (res.get("plain-string") as { p50: number }).p50, result: held.r as StringReplay };
}

export async function runDemoGroup(config: BenchConfig, repoRoot: string): Promise<GroupResult> {
  const notes: string[] = [];
  const runs = config.timing.runs;
  let trace: FlatTrace | undefined;
  let traceError: string | undefined;
  try {
    progress("demo: loading the automerge-paper trace for the plain-string baseline");
    trace = loadTrace(repoRoot);
  } catch (e) {
    traceError = (e as Error).message;
  }
  const edits = Math.min(config.demoLimit ?? Number.POSITIVE_INFINITY, trace?.edits ?? Number.POSITIVE_INFINITY);
  const expectVersions =
    config.demoLimit === undefined ? FULL_VERSIONS : Math.min(config.demoLimit, FULL_VERSIONS - 1) + 1;

  const baselineEps: number[] = [];
  const fullCopyBytes: number[] = [];
  const demoRuns: DemoRun[] = [];
  const demo: DemoFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    if (trace !== undefined) {
      progress(`demo: run ${run} of ${runs}: plain-string baseline`);
      const b = measureBaseline(trace, edits, run, runs);
      baselineEps.push(1e9 / b.nsPerEdit);
      fullCopyBytes.push(b.result.fullCopyChars);
      if (edits === trace.edits && b.result.text !== trace.endContent)
        notes.push("WARNING: the plain-string replay did not reproduce endContent");
    }
    const shown = config.demoLimit === undefined ? "" : ` --limit ${config.demoLimit}`;
    progress(`demo: run ${run} of ${runs}: ${DEMO_SCRIPT} --json${shown}`);
    const r = await runDemoOnce(repoRoot, config.demoLimit, config.demoTimeoutMs);
    demoRuns.push(r);
    if (!r.ok) {
      progress(`demo: FAILED: ${r.reason}`);
      if (r.stderrTail) notes.push(`demo stderr (tail): ${r.stderrTail.trim().split("\n").slice(-5).join(" / ")}`);
      break; // a failing demo is recorded once, not retried
    }
    demo.push(extractDemoFigures(r.json as Record<string, unknown>));
  }

  const figures: Figure[] = [];
  if (trace !== undefined)
    figures.push(
      figure({
        name: `plain JS string replay, no versions (${edits.toLocaleString("en-US")} edits)`,
        unit: "edits/s",
        values: baselineEps,
      }),
    );
  else figures.push(failedFigure("plain JS string replay (baseline)", traceError ?? "trace not loaded"));

  const failed = demoRuns.find((r) => !r.ok);
  if (failed !== undefined) {
    const why = `demo failed: ${failed.reason}`;
    figures.push(
      failedFigure("demo edits/s including the fork per edit", why, TARGET_EDITS_PER_S),
      failedFigure("versions kept", why, {
        on: "value",
        op: "==",
        limit: expectVersions,
        text: `= ${expectVersions.toLocaleString("en-US")}`,
      }),
      failedFigure("bytes for all versions", why, TARGET_BYTES),
    );
  } else {
    const col = (k: "editsPerSecond" | "versions" | "bytes" | "libraryBytes" | "checksPassed"): number[] | undefined =>
      demo.every((d) => d[k] !== undefined) ? demo.map((d) => d[k] as number) : undefined;
    const fields = demo[0]?.fields ?? {};
    const eps = col("editsPerSecond");
    const versions = col("versions");
    const bytes = col("bytes");
    const missing = "not found in the demo's JSON (see results JSON for the object)";
    figures.push(
      eps === undefined
        ? failedFigure("demo edits/s including the fork per edit", missing, TARGET_EDITS_PER_S)
        : figure({
            name: "demo edits/s including the fork per edit",
            unit: "edits/s",
            values: eps,
            ...(baselineEps.length === eps.length
              ? { baseline: { name: "plain string edits/s", values: baselineEps } }
              : {}),
            target: TARGET_EDITS_PER_S,
            note: `from "${fields.editsPerSecond}"; ratio > 1 means faster than the plain string`,
          }),
      versions === undefined
        ? failedFigure("versions kept", missing)
        : figure({
            name: "versions kept",
            unit: "count",
            values: versions,
            target: {
              on: "value",
              op: "==",
              limit: expectVersions,
              text: `= ${expectVersions.toLocaleString("en-US")}`,
            },
            note: `from "${fields.versions}"`,
          }),
      bytes === undefined
        ? failedFigure("bytes for all versions", missing, TARGET_BYTES)
        : figure({
            name: "bytes for all versions",
            unit: "bytes",
            values: bytes,
            ...(fullCopyBytes.length === bytes.length
              ? { baseline: { name: "a full copy per version", values: fullCopyBytes } }
              : {}),
            target: TARGET_BYTES,
            note: `from "${fields.bytes}"; baseline counts one byte per character`,
          }),
    );
    const lib = col("libraryBytes");
    if (lib !== undefined)
      figures.push(
        figure({
          name: "of which the library's pages and page tables",
          unit: "bytes",
          values: lib,
          note: `from "${fields.libraryBytes}"`,
        }),
      );
    const passed = col("checksPassed");
    const total = demo[0]?.checksTotal;
    if (passed !== undefined && total !== undefined)
      figures.push(
        figure({
          name: "demo self-checks passed",
          unit: "count",
          values: passed,
          target: { on: "value", op: "==", limit: total, text: `= ${total} (all)` },
        }),
      );
  }
  if (trace !== undefined)
    notes.push(`trace: ${relative(repoRoot, trace.path)} (${trace.edits.toLocaleString("en-US")} edits)`);
  const result: GroupResult = {
    name: "demo",
    title: "Undo/redo demo (automerge-paper trace)",
    method:
      `Runs \`node ${NODE_FLAGS.join(" ")} ${DEMO_SCRIPT} --json\`${config.demoLimit === undefined ? "" : ` --limit ${config.demoLimit}`} ` +
      "from the repository root and keeps its JSON object. Baselines, measured in the same run: the same edits " +
      "applied to a plain JS string keeping no versions (edits/s), and the sum of the document length over every " +
      "version (bytes a full copy per version would take).",
    figures,
    notes,
    data: { runs: demoRuns, extracted: demo, baselineEditsPerSecond: baselineEps, fullCopyBytes },
  };
  if (failed !== undefined) result.error = `demo failed: ${failed.reason}`;
  return result;
}
