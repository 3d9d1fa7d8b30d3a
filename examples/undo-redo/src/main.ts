/**
 * The undo/redo demo: replay a real editing trace into a CowText, fork a new
 * version after every edit, keep them all as the undo history, check them,
 * and report speed and memory. Run it with `pnpm demo [options]` from the
 * repository root (`pnpm demo --help` for options).
 *
 * Exit code 0 when every check passed, 1 otherwise (bad options, a trace
 * that cannot be read or is malformed, an edit the library refused, or a
 * failed check).
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import { Presets, SingleBar } from "cli-progress";
import { editsCounted, heapBaseline, measureMemory, sumFaultCounters, versionStats } from "./accounting.js";
import { parseOptions } from "./options.js";
import { loadHistoryFrom, type PersistFigures, saveHistoryTo } from "./persist.js";
import { ReplayError, replayWithHistory } from "./replay.js";
import { type DemoReport, formatReport } from "./report.js";
import { mulberry32, sampleSorted } from "./sample.js";
import { type EditScript, TraceError, validateTrace } from "./trace.js";
import { displayPath, findRepoRoot, readTraceFile, resolveTracePath, TraceFileError } from "./trace-file.js";
import { type CheckResult, checkFinalText, checkReleaseAll, checkSampledVersions, checkUndoRedo } from "./verify.js";

/** Prints `message` on stderr and sets exit code 1. */
function fail(message: string): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}

/** Loads and validates the trace; undefined (after printing why) when it cannot. */
function loadScript(traceArg: string | undefined, repoRoot: string): { script: EditScript; file: string } | undefined {
  let path: string | undefined;
  try {
    path = resolveTracePath(traceArg, repoRoot);
    const script = validateTrace(readTraceFile(path));
    return { script, file: displayPath(path, repoRoot) };
  } catch (e) {
    if (e instanceof TraceFileError) fail(e.message);
    else if (e instanceof TraceError)
      fail(`malformed trace ${path === undefined ? "" : displayPath(path, repoRoot)}: ${e.message}`);
    else throw e;
    return undefined;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const opts = parseOptions(process.argv);
  const repoRoot = findRepoRoot();
  // Progress bars on stderr, none with --json or when stderr is not a terminal: stdout stays clean.
  const bar = { stream: process.stderr, format: "{label} {bar} {percentage}% | {value}/{total}", hideCursor: true };
  const progress = opts.json || process.stderr.isTTY !== true ? undefined : new SingleBar(bar, Presets.shades_classic);

  // 1. Load and validate, before the library is touched.
  const loaded = loadScript(opts.trace, repoRoot);
  if (loaded === undefined) return;
  const { script, file } = loaded;
  const n = Math.min(opts.limit ?? script.edits, script.edits);
  // With --max-versions only the newest versions stay: `first` is the oldest kept.
  const kept = Math.min(n + 1, opts.maxVersions ?? n + 1);
  const first = n + 1 - kept;
  const undoSteps = Math.min(opts.undo ?? kept - 1, kept - 1);
  const samples = sampleSorted(opts.check, n - first, mulberry32(opts.seed)).map((v) => v + first);
  let flatHistoryChars = 0;
  let insertedChars = script.insertedChars;
  let deletedChars = script.deletedChars;
  if (n < script.edits) {
    insertedChars = 0;
    deletedChars = 0;
    for (let i = 0; i < n; i++) {
      insertedChars += (script.ins[i] as string).length;
      deletedChars += script.del[i] as number;
    }
  }
  for (let v = first; v <= n; v++) flatHistoryChars += script.lengths[v] as number;

  // 2. Replay, one fork per edit, every version kept.
  const baseline = heapBaseline();
  // The history releases every version itself (and the demo checks that all
  // frames come back), so the FinalizationRegistry safety net is off unless
  // asked for: registering 259,779 versions costs ~72 B of JS heap each and
  // made the replay ~10% slower and noisier (README, "What it costs").
  const pool = new FramePool({ pageSize: opts.pageSize, reclaimDropped: opts.reclaimDropped });
  let replayed: ReturnType<typeof replayWithHistory>;
  let persist: PersistFigures | null = null;
  if (opts.load !== undefined) {
    // --load: the history comes from the store; the checks below run on it as on a replay.
    const loadedHistory = await loadHistoryFrom(opts.load, pool);
    persist = loadedHistory.figures;
    if (loadedHistory.history.size !== kept) {
      loadedHistory.history.release();
      fail(
        `the store holds ${loadedHistory.history.size} versions, the options ask for ${kept}: give --load the --limit and --max-versions given to --save`,
      );
      return;
    }
    replayed = { history: loadedHistory.history, firstVersion: first, edits: n, seconds: 0 };
  } else {
    try {
      replayed = replayWithHistory(script, n, pool, progress, opts.maxVersions);
    } catch (e) {
      if (!(e instanceof ReplayError)) throw e;
      fail(`replay failed: ${e.message}`);
      return;
    }
  }
  const { history, firstVersion, seconds } = replayed;
  if (opts.save !== undefined) persist = await saveHistoryTo(opts.save, history);

  // 3. Measure: memory right after the replay (after a full GC), then the fault counters.
  const memory = measureMemory(pool, baseline);
  const faults = sumFaultCounters(history, progress);
  const last = versionStats(history.current);

  // 4. Check.
  const sampled = checkSampledVersions(history, firstVersion, script, samples, progress);
  let finalCheck: CheckResult;
  if (n === script.edits) {
    finalCheck = checkFinalText(history, n, script.endContent, "endContent");
    if (!finalCheck.passed && sampled.plain.advanceTo(n) !== script.endContent)
      finalCheck = {
        ...finalCheck,
        detail: `${finalCheck.detail} (the plain-string replay does not give endContent either: the trace is inconsistent)`,
      };
  } else {
    finalCheck = checkFinalText(history, n, sampled.plain.advanceTo(n), `the plain-string replay of ${n} edits`);
  }
  const undoRedo = checkUndoRedo(history, firstVersion, script, sampled.digests, undoSteps, progress);
  const versionsKept = history.size;
  const counted = editsCounted(n, firstVersion); // the per-edit fault figures divide by this
  const release = checkReleaseAll(history, pool);
  const checks = [finalCheck, sampled.result, undoRedo, release];
  const ok = checks.every((c) => c.passed);

  // 5. Report.
  const report: DemoReport = {
    ok,
    trace: {
      file,
      txns: script.txns,
      edits: script.edits,
      editsReplayed: n,
      finalLength: script.lengths[n] as number,
      insertedChars,
      deletedChars,
      flatHistoryChars,
    },
    config: {
      pageSize: opts.pageSize,
      reclaimDropped: opts.reclaimDropped,
      seed: opts.seed,
      check: samples.length,
      undoSteps,
      maxVersions: opts.maxVersions ?? null,
    },
    versionsKept,
    firstVersionKept: firstVersion,
    replay: {
      seconds,
      editsPerSecond: seconds > 0 ? n / seconds : 0,
      microsecondsPerEdit: n > 0 ? (seconds * 1e6) / n : 0,
    },
    memory: {
      ...memory,
      bytesPerVersion: memory.versionsBytes / versionsKept,
      heapBytesPerVersion: memory.heapHistoryBytes / versionsKept,
      totalHistoryBytes: memory.versionsBytes + memory.heapHistoryBytes,
      flatHistoryBytes: 2 * flatHistoryChars,
    },
    faults: {
      ...faults,
      editsCounted: counted,
      bytesCopiedPerEdit: counted > 0 ? faults.bytesCopied / counted : 0,
      faultsPerEdit: counted > 0 ? faults.faults / counted : 0,
    },
    lastVersion: { rss: last.rss, pss: last.pss, uss: last.uss, pageTableNodes: last.pageTableNodes },
    checks,
    persist,
    totalSeconds: (performance.now() - started) / 1000,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    for (const c of checks) if (!c.passed) process.stderr.write(`check failed: ${c.name}: ${c.detail}\n`);
  } else {
    process.stdout.write(`${formatReport(report)}\n`);
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
