/**
 * Finding a string in a CowText, and the argument conversions of
 * String.prototype's search methods (`indexOf`, `lastIndexOf`, `includes`,
 * `startsWith`, `endsWith`).
 *
 * A search never reads the whole text into one string: it reads windows of
 * leaves (read.ts `readUnits`, one descent each) and runs the engine's own
 * `indexOf`/`lastIndexOf` on each. Consecutive windows overlap by the
 * needle's length minus one, so a match that spans two leaves (or two
 * windows) is found; every window holds at least twice the needle, so each
 * advances by more than the needle's length. Windows start at one leaf's
 * worth of units and double up to 64 leaves, so a match near the starting
 * position reads little, and a long scan pays one descent per 64 leaves.
 * Cost: O(height + d + m) units read and compared, where d is the distance
 * scanned (from the position to the match, or to the end of the text) and
 * m the needle's length; O(height + m) memory for the window.
 *
 * No user code runs during a search: the arguments are converted (which may
 * run `valueOf`, `toString` or a `Symbol.match` getter that edits or
 * releases the text) before it starts, and the caller reads the length after
 * that.
 *
 * @module
 */
import { throwRegExp } from "./errors.js";
import { readUnits } from "./read.js";
import type { Path, TreeState } from "./tree.js";

/** Longest window, in units: 64 leaves (or twice the needle, when that is more). */
function maxWindow(t: TreeState, m: number): number {
  return Math.max(t.leafCap * 64, 2 * m);
}

/**
 * The first index `i >= from` at which `needle` (non-empty) occurs in `t`,
 * or -1 (the loop of ECMA-262 StringIndexOf). `from` is in [0, t.len].
 * O(height + d + m), see the module comment.
 */
export function indexIn(t: TreeState, needle: string, from: number, path: Path): number {
  const m = needle.length;
  const len = t.len;
  if (m > len - from) return -1;
  const cap = maxWindow(t, m);
  let size = Math.max(t.leafCap, 2 * m);
  let a = from;
  for (;;) {
    const b = Math.min(len, a + size);
    const i = readUnits(t, a, b, path).indexOf(needle);
    if (i >= 0) return a + i;
    if (b === len) return -1;
    a = b - (m - 1); // a match starting in the last m - 1 units was not whole in this window
    size = Math.min(size * 2, cap);
  }
}

/**
 * The last index `i <= last` at which `needle` (non-empty) occurs in `t`,
 * or -1 (as String.prototype.lastIndexOf steps 11-12). `last` is in
 * [0, t.len - needle.length]. O(height + d + m), see the module comment.
 */
export function lastIndexIn(t: TreeState, needle: string, last: number, path: Path): number {
  const m = needle.length;
  const cap = maxWindow(t, m);
  let size = Math.max(t.leafCap, 2 * m);
  let b = last + m;
  for (;;) {
    const a = Math.max(0, b - size);
    const i = readUnits(t, a, b, path).lastIndexOf(needle);
    if (i >= 0) return a + i;
    if (a === 0) return -1;
    b = a + m - 1; // a match ending in the first m - 1 units was not whole in this window
    size = Math.min(size * 2, cap);
  }
}

/** True when units [at, at + needle.length) of `t` are `needle` (non-empty; the range lies in the text). O(height + m). */
export function matchesAt(t: TreeState, needle: string, at: number, path: Path): boolean {
  return readUnits(t, at, at + needle.length, path) === needle;
}

/**
 * ECMA-262 ToString: what `String(v)` gives, except that a symbol throws
 * TypeError (as `String.prototype.indexOf(Symbol())` does) where `String`
 * would describe it. May run user code (an object's `toString`/`valueOf`).
 */
export function toStringArg(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
  return String(v);
}

/**
 * The getter of `RegExp.prototype.global`: it returns a boolean for an
 * object with a RegExp's internal slots (from any realm) and throws
 * TypeError for any other object but `RegExp.prototype`, so it tells a
 * regular expression apart without running it or reading user properties.
 */
const regExpGlobal = Object.getOwnPropertyDescriptor(RegExp.prototype, "global")?.get as (this: unknown) => unknown;

/**
 * ECMA-262 IsRegExp: `v[Symbol.match]` when defined (a getter of user code
 * may run), else whether `v` has a RegExp's internal slots.
 */
function isRegExp(v: unknown): boolean {
  if ((typeof v !== "object" || v === null) && typeof v !== "function") return false;
  const matcher = (v as { [Symbol.match]?: unknown })[Symbol.match];
  if (matcher !== undefined) return Boolean(matcher);
  try {
    return typeof regExpGlobal.call(v) === "boolean";
  } catch {
    return false;
  }
}

/**
 * The search string of `includes`, `startsWith` or `endsWith` (`method`):
 * TypeError for a regular expression (IsRegExp), else ToString of it, in
 * that order, as natively.
 */
export function searchStringArg(method: string, v: unknown): string {
  if (isRegExp(v)) throwRegExp(method);
  return toStringArg(v);
}
