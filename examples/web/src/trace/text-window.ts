/**
 * What the text view shows of one version: a window of the text around the
 * position of the edit that made the version, with the inserted text and the
 * deleted text apart. Only the window is read (`CowText.slice`, O(log n +
 * window)), never the whole ~100 KB document.
 *
 * @module
 */
import type { CowText } from "@pagefork/string";
import type { Edit } from "./trace-session.js";

/** UTF-16 code units shown on each side of the edit. */
export const WINDOW_RADIUS = 1200;

/** Most code units of an inserted or deleted run shown (a paste can be long). */
export const MAX_RUN = 4000;

/** A window of one version's text. `before + inserted + after` is `text.slice(start, end)`. */
export interface TextWindow {
  /** The version: edits applied. */
  readonly version: number;
  /** Length of the whole version, in UTF-16 code units. */
  readonly length: number;
  /** First code unit of the window. */
  readonly start: number;
  /** One past the last code unit of the window. */
  readonly end: number;
  /** Text from `start` to the edit position. */
  readonly before: string;
  /** Text the edit inserted (clipped to the window), highlighted. */
  readonly inserted: string;
  /** Text after the insertion, up to `end`. */
  readonly after: string;
  /** Text the edit deleted, read from the previous version (at most {@link MAX_RUN} code units). */
  readonly deleted: string;
  /** Number of code units the edit deleted. */
  readonly deletedCount: number;
}

/**
 * The window of `text` (version `version`) around `edit`, the edit that made
 * it from `previous`. Version 0 has no edit: its window starts at 0.
 */
export function textWindow(
  version: number,
  text: CowText,
  edit: Edit | null,
  previous: CowText | null,
  radius = WINDOW_RADIUS,
): TextWindow {
  const length = text.length;
  if (edit === null) {
    const end = Math.min(length, 2 * radius);
    return {
      version,
      length,
      start: 0,
      end,
      before: text.slice(0, end),
      inserted: "",
      after: "",
      deleted: "",
      deletedCount: 0,
    };
  }
  const p = edit.pos;
  const insEnd = p + Math.min(edit.ins.length, MAX_RUN);
  const start = Math.max(0, p - radius);
  const end = Math.min(length, insEnd + radius);
  const deleted = edit.del > 0 && previous !== null ? previous.slice(p, p + Math.min(edit.del, MAX_RUN)) : "";
  return {
    version,
    length,
    start,
    end,
    before: text.slice(start, p),
    inserted: text.slice(p, insEnd),
    after: text.slice(insEnd, end),
    deleted,
    deletedCount: edit.del,
  };
}
