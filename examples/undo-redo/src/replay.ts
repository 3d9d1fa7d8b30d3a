/**
 * Replaying an editing trace into a CowText, keeping one version per edit as
 * the undo history.
 *
 * @module
 */
import { type FramePool, History } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import type { SingleBar } from "cli-progress";
import { describeEdit, type EditScript } from "./trace.js";

/** One kept version of the document. */
export type TextVersion = CowText;

/** The undo history of the replay: one version per edit, owned by a core {@link History}. */
export type TextHistory = History<TextVersion>;

/** What {@link replayWithHistory} produced and how long it took. */
export interface ReplayResult {
  /**
   * The versions, oldest first, with the cursor on the newest. Without
   * `maxVersions`, `history.at(v)` is the document after `v` edits; with it,
   * the oldest versions were released and `history.at(0)` is version
   * `firstVersion`.
   */
  readonly history: TextHistory;
  /** Version number (edits applied) of `history.at(0)`: 0 unless `maxVersions` evicted older ones. */
  readonly firstVersion: number;
  /** Edits replayed. */
  readonly edits: number;
  /** Wall-clock seconds of the replay loop: every edit, every fork and every commit. */
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
 * forking before every edit and committing every version to a
 * {@link History}:
 *
 * ```ts
 * history = new History(text);             // version 0: startContent
 * for each edit i: text = text.fork(); apply edit i to text; history.commit(text);
 * ```
 *
 * The new fork is the side that is edited: the core moves the TLBs to the
 * child, so the retained parent keeps none, and each version's fault counters
 * hold exactly the faults of its own edit (see `sumFaultCounters`). Forking
 * the version just committed only reads it, as the history requires.
 *
 * The timed loop does only what the library needs: one fork, at most one
 * `delete` and one `insert`, one commit. The edits come from typed arrays
 * prepared by `validateTrace`, and progress is reported between chunks of
 * about 1% of the edits, never per edit.
 *
 * @param script - a validated trace.
 * @param edits - how many edits to replay, `0..script.edits`.
 * @param pool - the frame pool every version shares.
 * @param progress - where to report progress (default: nowhere).
 * @param maxVersions - versions the history keeps (default: all); older ones are released as the replay goes.
 * @returns the history and the time the loop took.
 * @throws {ReplayError} naming the edit, if the library throws (the cause
 *   keeps the library's error); every version is released first.
 */
export function replayWithHistory(
  script: EditScript,
  edits: number,
  pool: FramePool,
  progress?: SingleBar,
  maxVersions = Number.POSITIVE_INFINITY,
): ReplayResult {
  const { pos, del, ins } = script;
  let text = new CowText({ pool });
  if (script.startContent.length > 0) text.insert(0, script.startContent);
  const history = new History(text, { maxVersions });
  const step = Math.max(1, Math.ceil(edits / 100));
  progress?.start(edits, 0, { label: "replay + fork" });
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
        history.commit(text);
      }
      progress?.update(i);
    }
  } catch (e) {
    progress?.stop();
    // The failed fork was not committed; release it so the pool stays balanced.
    if (text !== history.current) text.release();
    history.release();
    throw new ReplayError(`${describeEdit(script, i)} failed: ${(e as Error).message ?? e}`, i, e);
  }
  const seconds = (performance.now() - t0) / 1000;
  progress?.stop();
  return { history, firstVersion: edits + 1 - history.size, edits, seconds };
}
