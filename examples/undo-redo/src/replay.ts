/**
 * Replaying an editing trace into a CowText, keeping one version per edit as
 * the undo history.
 *
 * @module
 */
import type { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { type Progress, progressStep, silentProgress } from "./progress.js";
import { describeEdit, type EditScript } from "./trace.js";

/** One kept version of the document. */
export type TextVersion = CowText;

/** What {@link replayWithHistory} produced and how long it took. */
export interface ReplayResult {
  /** `versions[v]` is the document after `v` edits; `versions[0]` is the start. */
  readonly versions: TextVersion[];
  /** Edits replayed (`versions.length - 1`). */
  readonly edits: number;
  /** Wall-clock seconds of the replay loop: every edit and every fork. */
  readonly seconds: number;
}

/** An edit the library refused while replaying; names the edit. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  /** 0-based index of the edit that failed. */
  readonly edit: number;

  constructor(message: string, edit: number, cause: unknown) {
    super(message, { cause });
    this.edit = edit;
  }
}

/**
 * Replays the first `edits` edits of `script` into a new CowText on `pool`,
 * forking before every edit so that every version stays alive:
 *
 * ```ts
 * versions[0] = text;                      // startContent
 * for each edit i: text = text.fork(); apply edit i to text; versions[i + 1] = text;
 * ```
 *
 * The new fork is the side that is edited: the core moves the TLBs to the
 * child, so the retained parent keeps none, and each version's fault counters
 * hold exactly the faults of its own edit (see `sumFaultCounters`).
 *
 * The timed loop does only what the library needs: one fork, at most one
 * `delete` and one `insert`, one array store. The edits come from typed
 * arrays prepared by `validateTrace`, and progress is reported between
 * chunks of about 1% of the edits, never per edit.
 *
 * @param script - a validated trace.
 * @param edits - how many edits to replay, `0..script.edits`.
 * @param pool - the frame pool every version shares.
 * @param progress - where to report progress (default: nowhere).
 * @returns every version and the time the loop took.
 * @throws {ReplayError} naming the edit, if the library throws (the cause
 *   keeps the library's error).
 */
export function replayWithHistory(
  script: EditScript,
  edits: number,
  pool: FramePool,
  progress: Progress = silentProgress,
): ReplayResult {
  const { pos, del, ins } = script;
  const versions: TextVersion[] = new Array<TextVersion>(edits + 1);
  let text = new CowText({ pool });
  if (script.startContent.length > 0) text.insert(0, script.startContent);
  versions[0] = text;
  const step = progressStep(edits);
  progress.start("replay + fork", edits);
  let i = 0;
  const t0 = performance.now();
  try {
    while (i < edits) {
      const end = Math.min(edits, i + step);
      for (; i < end; i++) {
        text = text.fork();
        const p = pos[i] as number;
        const d = del[i] as number;
        const s = ins[i] as string;
        if (d !== 0) text.delete(p, d);
        if (s.length !== 0) text.insert(p, s);
        versions[i + 1] = text;
      }
      progress.update(i);
    }
  } catch (e) {
    progress.stop();
    // The failed fork is not in `versions`; release it so the pool stays balanced.
    text.release();
    for (let v = 0; v <= i; v++) versions[v]?.release();
    throw new ReplayError(`${describeEdit(script, i)} failed: ${(e as Error).message ?? e}`, i, e);
  }
  const seconds = (performance.now() - t0) / 1000;
  progress.stop();
  return { versions, edits, seconds };
}

/**
 * Releases every version, returning their frames to the pool. O(pages each
 * version maps alone), so O(total pages) in all.
 */
export function releaseAll(versions: readonly TextVersion[]): void {
  for (const v of versions) v.release();
}
