/**
 * `--save <dir>` and `--load <dir>`: the replayed history saved to, or
 * loaded from, an `@pagefork/persist` store (LMDB) in `dir`, timed, with the
 * store's size on disk.
 *
 * @module
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { FramePool, History } from "@pagefork/core";
import { openStore } from "@pagefork/persist";
import type { CowText } from "@pagefork/string";

/** The name the demo saves its history under. */
export const HISTORY_NAME = "undo-redo-history";

/** What a save or load of the history cost. Sizes in bytes, times in seconds. */
export interface PersistFigures {
  readonly mode: "save" | "load";
  /** The store's directory, as given. */
  readonly dir: string;
  /** Wall-clock seconds of `saveHistory` (or `loadHistory`), opening and closing the store included. */
  readonly seconds: number;
  /** Size of the LMDB data file (`data.mdb`) on disk. */
  readonly fileBytes: number;
  /** Distinct pages stored, and their bytes. */
  readonly pages: number;
  readonly pageBytes: number;
  /** Page-table nodes stored, and their bytes. */
  readonly nodes: number;
  readonly nodeBytes: number;
  /** Bytes all versions map / stored page bytes. */
  readonly dedupRatio: number;
}

function figures(
  mode: "save" | "load",
  dir: string,
  seconds: number,
  s: { pages: number; pageBytes: number; nodes: number; nodeBytes: number; dedupRatio: number },
): PersistFigures {
  const { pages, pageBytes, nodes, nodeBytes, dedupRatio } = s;
  return {
    mode,
    dir,
    seconds,
    fileBytes: statSync(join(dir, "data.mdb")).size,
    pages,
    pageBytes,
    nodes,
    nodeBytes,
    dedupRatio,
  };
}

/** Saves `history` in the store at `dir` (created if absent; the name is replaced): one transaction, fsynced at its commit. */
export async function saveHistoryTo(dir: string, history: History<CowText>): Promise<PersistFigures> {
  const t0 = performance.now();
  const store = openStore(dir);
  try {
    await store.saveHistory(HISTORY_NAME, history);
    const s = store.stats();
    await store.close();
    return figures("save", dir, (performance.now() - t0) / 1000, s);
  } finally {
    await store.close();
  }
}

/** Loads the history saved by {@link saveHistoryTo} into `pool`. */
export async function loadHistoryFrom(
  dir: string,
  pool: FramePool,
): Promise<{ history: History<CowText>; figures: PersistFigures }> {
  const t0 = performance.now();
  const store = openStore(dir);
  try {
    const history = (await store.loadHistory(HISTORY_NAME, { pool })) as unknown as History<CowText>;
    const s = store.stats();
    await store.close();
    return { history, figures: figures("load", dir, (performance.now() - t0) / 1000, s) };
  } finally {
    await store.close();
  }
}
