/**
 * The checks that decide the exit code: the final text, a random sample of
 * versions against a plain-string replay, an undo/redo walk through the whole
 * history, and that releasing every version returns every frame.
 *
 * @module
 */
import type { FramePool } from "@pagefork/core";
import type { SingleBar } from "cli-progress";
import { digestText, type TextDigest } from "./digest.js";
import { PlainReplay } from "./plain-replay.js";
import type { TextHistory, TextVersion } from "./replay.js";
import { describeEdit, type EditScript, showValue } from "./trace.js";

/** The outcome of one check. */
export interface CheckResult {
  /** Short identifier: `final-text`, `sampled-versions`, `undo-redo`, `release`. */
  readonly name: string;
  /** Whether it passed. */
  readonly passed: boolean;
  /** How many versions (or steps) it looked at. */
  readonly checked: number;
  /** What was checked, or what went wrong. */
  readonly detail: string;
}

/** Names version `v` for messages. */
function describeVersion(script: EditScript, v: number): string {
  return v === 0 ? "version 0 (the start)" : `version ${v} (after ${describeEdit(script, v - 1)})`;
}

/** Where `actual` first differs from `expected`, for a failure message. */
export function describeMismatch(expected: string, actual: string): string {
  let i = 0;
  const n = Math.min(expected.length, actual.length);
  while (i < n && expected.charCodeAt(i) === actual.charCodeAt(i)) i++;
  const around = (s: string) => showValue(s.slice(Math.max(0, i - 10), i + 20));
  return (
    `lengths ${actual.length} (got) vs ${expected.length} (expected), first difference at index ${i}: ` +
    `got ${around(actual)}, expected ${around(expected)}`
  );
}

/**
 * Checks that the newest version equals `expected` (the trace's `endContent`
 * when the whole trace was replayed).
 *
 * @param history - the history.
 * @param newest - version number of the newest version (edits replayed).
 * @param expected - the text the last version must hold.
 * @param what - names `expected` in messages, e.g. `endContent`.
 */
export function checkFinalText(history: TextHistory, newest: number, expected: string, what: string): CheckResult {
  const last = history.at(-1) as TextVersion;
  const actual = last.toString();
  const passed = actual === expected && last.length === expected.length;
  return {
    name: "final-text",
    passed,
    checked: 1,
    detail: passed
      ? `version ${newest} equals ${what} (${expected.length} characters)`
      : `version ${newest} differs from ${what}: ${describeMismatch(expected, actual)}`,
  };
}

/** Result of {@link checkSampledVersions}, with what the undo/redo walk needs. */
export interface SampleCheck {
  readonly result: CheckResult;
  /** Digest of the plain replay's text at each sampled version. */
  readonly digests: Map<number, TextDigest>;
  /** The plain replay, left at the last sampled version (advance it further to get later texts). */
  readonly plain: PlainReplay;
}

/**
 * Compares the sampled versions with a plain-string replay of the same edits.
 * The plain string is replayed once, in order, and compared at each sampled
 * index (sorted ascending); no plain version is kept, only its digest for the
 * undo/redo walk. Every sample is compared; the message names the first mismatch.
 *
 * @param history - the history; `history.at(v - firstVersion)` is the text after `v` edits.
 * @param firstVersion - version number of `history.at(0)`.
 * @param script - the trace the history was replayed from.
 * @param samples - version numbers to check, sorted ascending, all held by the history.
 * @param progress - updated about every 1% of the edits replayed.
 */
export function checkSampledVersions(
  history: TextHistory,
  firstVersion: number,
  script: EditScript,
  samples: Int32Array,
  progress?: SingleBar,
): SampleCheck {
  const plain = new PlainReplay(script);
  const digests = new Map<number, TextDigest>();
  const last = samples.length === 0 ? 0 : (samples[samples.length - 1] as number);
  const step = Math.max(1, Math.ceil(last / 100));
  let nextTick = step;
  progress?.start(last, 0, { label: "check samples" });
  let failure: string | null = null;
  let failures = 0;
  for (const v of samples) {
    const expected = plain.advanceTo(v);
    if (v >= nextTick) {
      progress?.update(v);
      nextTick = v + step;
    }
    const version = history.at(v - firstVersion) as TextVersion;
    const actual = version.toString();
    if (actual !== expected || version.length !== expected.length) {
      failures++;
      failure ??= `${describeVersion(script, v)} differs from the plain replay: ${describeMismatch(expected, actual)}`;
    }
    digests.set(v, digestText(expected));
  }
  progress?.stop();
  return {
    result: {
      name: "sampled-versions",
      passed: failure === null,
      checked: samples.length,
      detail:
        failure === null
          ? `${samples.length} random versions (of ${history.size}) equal the plain-string replay at the same step`
          : `${failures} of ${samples.length} sampled versions differ from the plain replay; the first: ${failure}`,
    },
    digests,
    plain,
  };
}

/**
 * Walks the history with its own undo and redo: from the newest version,
 * undo `steps` times, then redo back to the newest. At every step the
 * current version's length must match the trace's length at that step; at
 * every sampled step its text must match the plain replay's digest. The walk
 * must end where it started, with nothing left to redo.
 *
 * @param history - the history, its cursor on the newest version.
 * @param firstVersion - version number of `history.at(0)`.
 * @param script - the trace it was replayed from (for lengths and messages).
 * @param digests - plain-replay digests at sampled versions ({@link checkSampledVersions}).
 * @param steps - how many undos (then redos); at most `history.size - 1`.
 * @param progress - updated about every 1% of the steps.
 */
export function checkUndoRedo(
  history: TextHistory,
  firstVersion: number,
  script: EditScript,
  digests: ReadonlyMap<number, TextDigest>,
  steps: number,
  progress?: SingleBar,
): CheckResult {
  const newest = firstVersion + history.position;
  const lengths = script.lengths;
  const total = 2 * steps;
  const step = Math.max(1, Math.ceil(total / 100));
  let done = 0;
  let compared = 0;
  progress?.start(total, 0, { label: "undo/redo walk" });
  const fail = (what: string): CheckResult => {
    progress?.stop();
    return { name: "undo-redo", passed: false, checked: done, detail: what };
  };
  const look = (direction: string): CheckResult | null => {
    const v = firstVersion + history.position;
    const version = history.current;
    if (version.length !== lengths[v])
      return fail(
        `after ${direction} to ${describeVersion(script, v)}: length ${version.length}, expected ${lengths[v]}`,
      );
    const want = digests.get(v);
    if (want !== undefined) {
      const got = digestText(version.toString());
      if (got.length !== want.length || got.hash !== want.hash)
        return fail(`after ${direction} to ${describeVersion(script, v)}: text differs from the plain replay`);
      compared++;
    }
    if (++done % step === 0) progress?.update(done);
    return null;
  };
  for (let k = 0; k < steps; k++) {
    if (history.undo() === undefined)
      return fail(`cannot undo at version ${firstVersion + history.position} after ${k} undos`);
    const bad = look("undo");
    if (bad !== null) return bad;
  }
  const oldest = firstVersion + history.position;
  for (let k = 0; k < steps; k++) {
    if (history.redo() === undefined)
      return fail(`cannot redo at version ${firstVersion + history.position} after ${k} redos`);
    const bad = look("redo");
    if (bad !== null) return bad;
  }
  progress?.stop();
  const end = firstVersion + history.position;
  if (end !== newest || history.canRedo)
    return fail(`the walk ended at version ${end}, expected ${newest} with nothing to redo`);
  return {
    name: "undo-redo",
    passed: true,
    checked: done,
    detail:
      `undid ${steps} steps (version ${newest} → ${oldest}) and redid them: every step's length matched, ` +
      `${compared} sampled steps matched the plain replay's text`,
  };
}

/**
 * Releases the history (every version) and checks that the pool got every
 * frame and page-table node back (no leaks). Run it last: the history is
 * unusable afterwards.
 */
export function checkReleaseAll(history: TextHistory, pool: FramePool): CheckResult {
  const n = history.size;
  history.release();
  const s = pool.stats();
  const passed = s.framesInUse === 0 && s.pageTableNodes === 0;
  return {
    name: "release",
    passed,
    checked: n,
    detail: passed
      ? `releasing all ${n} versions returned every frame and page-table node to the pool`
      : `after releasing all ${n} versions the pool still has ${s.framesInUse} frames and ` +
        `${s.pageTableNodes} page-table nodes in use (a leak)`,
  };
}
