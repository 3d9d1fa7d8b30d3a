/**
 * CowText's reads as `String.prototype` has them (`slice`, `substring`,
 * `charCodeAt`, `at`, `codePointAt`, `indexOf`, `lastIndexOf`, `includes`,
 * `startsWith`, `endsWith`): the arguments converted in its order and with
 * its conversions (ToIntegerOrInfinity, ToString, IsRegExp), the length read
 * only after them (a conversion may run user code that edits or releases the
 * text: the handle is checked again), then clamped as natively; the reads
 * themselves are read.ts's and search.ts's.
 *
 * @module
 */
import { relativeIndex, toIntegerOrInfinity } from "@pagefork/core";
import { checkLive } from "./errors.js";
import { LEAF_COUNT, N_COUNT } from "./layout.js";
import { leafUnit } from "./leaf.js";
import { readUnits } from "./read.js";
import { indexIn, lastIndexIn, matchesAt, searchStringArg, toStringArg } from "./search.js";
import { descend, type Path, type TreeState } from "./tree.js";

/** A text as these reads see it. */
export type ReadText = TreeState & { readonly released: boolean };

/** `CowText.slice` (see its TSDoc). */
export function sliceText(t: ReadText, start: number | undefined, end: number | undefined, path: Path): string {
  checkLive(t);
  // Both indices are converted before the length is read: converting an
  // object runs its valueOf, user code that may edit (or release) this
  // text. Read first, the length was stale, and a valueOf that emptied the
  // text made collect read the header page as text.
  const s = start === undefined ? 0 : toIntegerOrInfinity(start);
  const e = end === undefined ? Number.POSITIVE_INFINITY : toIntegerOrInfinity(end);
  checkLive(t);
  const len = t.len;
  const a = relativeIndex(s, len, 0);
  const b = relativeIndex(e, len, len);
  return readUnits(t, a, b, path);
}

/** `CowText.substring` (see its TSDoc). */
export function substringText(t: ReadText, start: number, end: number | undefined, path: Path): string {
  checkLive(t);
  const s = toIntegerOrInfinity(start);
  const e = end === undefined ? Number.POSITIVE_INFINITY : toIntegerOrInfinity(end);
  checkLive(t); // a valueOf (user code) may have edited or released this text: read the length now
  const len = t.len;
  const a = Math.min(Math.max(s, 0), len);
  const b = Math.min(Math.max(e, 0), len);
  return a <= b ? readUnits(t, a, b, path) : readUnits(t, b, a, path);
}

/** `CowText.charCodeAt` (see its TSDoc). */
export function charCodeText(t: ReadText, index: number, path: Path): number {
  checkLive(t);
  const i = toIntegerOrInfinity(index); // as native: a bigint or a symbol throws TypeError
  checkLive(t); // an object's valueOf (user code) may have released this text
  if (i < 0 || i >= t.len) return Number.NaN;
  const leaf = descend(t, i, false, path);
  return leafUnit(t.space, leaf, path.offset);
}

/** `CowText.at` (see its TSDoc). */
export function atText(t: ReadText, index: number, path: Path): string | undefined {
  checkLive(t);
  const rel = toIntegerOrInfinity(index);
  checkLive(t); // an object's valueOf (user code) may have edited or released this text
  const len = t.len;
  const k = rel >= 0 ? rel : len + rel;
  if (k < 0 || k >= len) return undefined;
  const leaf = descend(t, k, false, path);
  return String.fromCharCode(leafUnit(t.space, leaf, path.offset));
}

/** `CowText.codePointAt` (see its TSDoc). */
export function codePointText(t: ReadText, pos: number, path: Path): number | undefined {
  checkLive(t);
  const i = toIntegerOrInfinity(pos);
  checkLive(t); // an object's valueOf (user code) may have edited or released this text
  const len = t.len;
  if (i < 0 || i >= len) return undefined;
  const space = t.space;
  const leaf = descend(t, i, false, path);
  const off = path.offset;
  const first = leafUnit(space, leaf, off);
  if (first < 0xd800 || first > 0xdbff || i + 1 === len) return first;
  // The unit after a lead surrogate: in this leaf, or the first of the next.
  const second =
    off + 1 < (space.getUint32(leaf + N_COUNT) & LEAF_COUNT)
      ? leafUnit(space, leaf, off + 1)
      : leafUnit(space, descend(t, i + 1, false, path), path.offset);
  if (second < 0xdc00 || second > 0xdfff) return first;
  return (first - 0xd800) * 0x400 + (second - 0xdc00) + 0x10000;
}

/** `CowText.indexOf` (see its TSDoc). */
export function indexOfText(t: ReadText, searchString: string, position: number | undefined, path: Path): number {
  checkLive(t);
  const needle = toStringArg(searchString);
  const pos = toIntegerOrInfinity(position);
  checkLive(t); // a conversion (user code) may have edited or released this text
  const from = Math.min(Math.max(pos, 0), t.len);
  return needle.length === 0 ? from : indexIn(t, needle, from, path);
}

/** `CowText.lastIndexOf` (see its TSDoc). */
export function lastIndexOfText(t: ReadText, searchString: string, position: number | undefined, path: Path): number {
  checkLive(t);
  const needle = toStringArg(searchString);
  const n = typeof position === "number" ? position : +(position as unknown as number); // ToNumber: a bigint or symbol throws
  const pos = Number.isNaN(n) ? Number.POSITIVE_INFINITY : toIntegerOrInfinity(n);
  checkLive(t); // a conversion (user code) may have edited or released this text
  const m = needle.length;
  const len = t.len;
  if (m > len) return -1;
  const last = Math.min(Math.max(pos, 0), len - m);
  return m === 0 ? last : lastIndexIn(t, needle, last, path);
}

/** `CowText.includes` (see its TSDoc). */
export function includesText(t: ReadText, searchString: string, position: number | undefined, path: Path): boolean {
  checkLive(t);
  const needle = searchStringArg("includes", searchString);
  const pos = toIntegerOrInfinity(position);
  checkLive(t); // a conversion (user code) may have edited or released this text
  const from = Math.min(Math.max(pos, 0), t.len);
  return needle.length === 0 || indexIn(t, needle, from, path) >= 0;
}

/** `CowText.startsWith` (see its TSDoc). */
export function startsWithText(t: ReadText, searchString: string, position: number | undefined, path: Path): boolean {
  checkLive(t);
  const needle = searchStringArg("startsWith", searchString);
  const pos = toIntegerOrInfinity(position);
  checkLive(t); // a conversion (user code) may have edited or released this text
  const m = needle.length;
  const start = Math.min(Math.max(pos, 0), t.len);
  if (m === 0) return true;
  return start + m <= t.len && matchesAt(t, needle, start, path);
}

/** `CowText.endsWith` (see its TSDoc). */
export function endsWithText(t: ReadText, searchString: string, endPosition: number | undefined, path: Path): boolean {
  checkLive(t);
  const needle = searchStringArg("endsWith", searchString);
  const pos = endPosition === undefined ? Number.POSITIVE_INFINITY : toIntegerOrInfinity(endPosition);
  checkLive(t); // a conversion (user code) may have edited or released this text
  const m = needle.length;
  const end = Math.min(Math.max(pos, 0), t.len);
  if (m === 0) return true;
  return end >= m && matchesAt(t, needle, end - m, path);
}
