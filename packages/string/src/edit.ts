/**
 * The entry of CowText's `insert` and `delete`: the argument checks, then
 * the edit by the shortest path that can do it whole. A keystroke in a leaf
 * with room (nearly every edit of a typing trace) is done in one descent, or
 * none at the finger (btree.ts `insertInLeaf`, `deleteInLeaf`); any other
 * edit is planned, its pages and frames reserved, and then written (plan.ts),
 * as is the first edit of a handle whose header must first be raised to the
 * layout its edits write (header.ts `isStale`).
 *
 * @module
 */
import { deleteInLeaf, insertInLeaf } from "./btree.js";
import { checkLive, throwInvalid, throwNotString, throwTooLong } from "./errors.js";
import { isStale } from "./header.js";
import { MAX_TEXT_LENGTH } from "./layout.js";
import { deletePlanned, insertPlanned, type Reservable } from "./plan.js";
import { noteEdit } from "./read.js";
import type { Path } from "./tree.js";

/** `CowText.insert`: inserts `text` before code unit `pos` of `t` (descending with `path`); see its TSDoc. */
export function insertText(t: Reservable, pos: number, text: string, path: Path): void {
  checkLive(t);
  const len = t.len;
  if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
  if (typeof text !== "string") throwNotString("insert", text);
  const k = text.length;
  if (k === 0) return;
  if (k > MAX_TEXT_LENGTH - len) throwTooLong(k, len);
  noteEdit(); // iterators over any text re-read before their next step (read.ts)
  // A stale header is raised by the planned path, once the edit is sure to be done.
  if (isStale(t)) insertPlanned(t, pos, text, path, true);
  else if (!insertInLeaf(t, pos, text, path)) insertPlanned(t, pos, text, path);
}

/** `CowText.delete`: deletes `count` code units of `t` from `pos` (descending with `path`); see its TSDoc. */
export function deleteText(t: Reservable, pos: number, count: number, path: Path): void {
  checkLive(t);
  const len = t.len;
  if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
  if (!Number.isInteger(count) || count < 0 || pos + count > len)
    throwInvalid("count", count, `an integer in [0, ${len - pos}]`);
  if (count === 0) return;
  noteEdit();
  if (isStale(t)) deletePlanned(t, pos, count, path, true);
  else if (!deleteInLeaf(t, pos, count, path)) deletePlanned(t, pos, count, path);
}
