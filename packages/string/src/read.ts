/**
 * Reading a text's code units: a range as strings (one per leaf) or as one
 * string, and the live iterators over its leaves and its code points, which
 * re-read after any edit (see {@link noteEdit}). The descent and the walk
 * from leaf to leaf are tree.ts's.
 *
 * @module
 */
import { throwReleased } from "./errors.js";
import { LEAF_COUNT, N_COUNT } from "./layout.js";
import { leafString } from "./leaf.js";
import { descend, nextLeaf, type Path, type TreeState } from "./tree.js";

/** Pushes the code units of [start, end) as strings onto `out`, one string per leaf (descending with `path`). */
export function collect(t: TreeState, start: number, end: number, out: string[], path: Path): void {
  if (start >= end) return;
  const space = t.space;
  let leaf = descend(t, start, false, path);
  let off = path.offset;
  let left = end - start;
  for (;;) {
    const word = space.getUint32(leaf + N_COUNT);
    const take = Math.min((word & LEAF_COUNT) - off, left);
    if (take > 0) {
      out.push(leafString(space, leaf, word, off, take));
      left -= take;
    }
    if (left === 0) return;
    leaf = nextLeaf(t, path);
    if (leaf === 0) return;
    off = 0;
  }
}

/** Scratch of {@link readUnits}: {@link collect} runs no user code, so it is never re-entered. */
const pieces: string[] = [];

/** The code units of [start, end) of `t` as one string ("" when start >= end). O(height + (end - start)). */
export function readUnits(t: TreeState, start: number, end: number, path: Path): string {
  if (start >= end) return "";
  pieces.length = 0;
  collect(t, start, end, pieces, path);
  const s = pieces.length === 1 ? (pieces[0] as string) : pieces.join("");
  pieces.length = 0;
  return s;
}

/**
 * Edits of any text in this module instance so far: CowText's `insert` and
 * `delete` count every call they let through (see {@link noteEdit}). The
 * iterators below read up to 64 leaves at a time and, before each step,
 * compare this with what it was when they read: unchanged, what they hold
 * is still the text; changed (this text or any other was edited), they
 * read again from the position they reached. One module-wide number rather
 * than a field per handle: a text keeps one handle per version (see
 * CowText.leafCap), and an edit of another text only costs a re-read.
 */
let editCount = 0;

/** Counts an edit (of any text) for the iterators' staleness check. O(1). */
export function noteEdit(): void {
  editCount = (editCount + 1) | 0; // wraps: only equality is compared
}

/** Units one read of an iterator takes: 64 narrow leaves' worth. */
function batchUnits(t: TreeState): number {
  return t.leafCap * 64;
}

/**
 * The text of `t` as strings of at most one leaf each, in order, live by
 * position (as an Array's iterator is by index): each step yields units of
 * the text as it is then, from the position the steps before reached (the
 * units they yielded), and the iteration ends when that position reaches the
 * length. Reads 64 leaves per descent (with `path`, which other calls may
 * use between two steps: each read descends afresh), again after any edit.
 * Throws ReleasedError at the step after `t` was released. O(length) in all
 * without edits.
 */
export function* leafStrings(t: TreeState & { readonly released: boolean }, path: Path): IterableIterator<string> {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    if (t.released) throwReleased();
    const len = t.len;
    if (at >= len) return;
    out.length = 0;
    const stamp = editCount;
    collect(t, at, Math.min(len, at + batchUnits(t)), out, path);
    for (let i = 0; i < out.length; i++) {
      // Code of the caller ran since the last step: it may have edited or released the text.
      if (editCount !== stamp) break;
      if (t.released) throwReleased();
      const c = out[i] as string;
      at += c.length;
      yield c;
    }
  }
}

/**
 * The code points of `t`, as `String.prototype[Symbol.iterator]` yields
 * them (a surrogate pair whole, a lone surrogate alone), live by position as
 * {@link leafStrings} is: each step yields the code point at the position
 * the steps before reached, in the text as it is then. Reads 64 leaves per
 * descent, again after any edit, and when fewer than two units are left of
 * what it read (a pair needs both). Throws ReleasedError at the step after
 * `t` was released. O(length) in all without edits.
 */
export function* codePoints(t: TreeState & { readonly released: boolean }, path: Path): IterableIterator<string> {
  let at = 0;
  let buf = ""; // units [at - i, at - i + buf.length) of the text, as read
  let i = 0;
  let stamp = editCount;
  for (;;) {
    if (t.released) throwReleased();
    const len = t.len;
    if (at >= len) return;
    if (stamp !== editCount || (buf.length - i < 2 && at + (buf.length - i) < len)) {
      buf = readUnits(t, at, Math.min(len, at + batchUnits(t)), path);
      i = 0;
      stamp = editCount;
    }
    const c = buf.charCodeAt(i);
    let n = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < buf.length) {
      const d = buf.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) n = 2;
    }
    const cp = n === 1 ? (buf[i] as string) : buf.slice(i, i + 2);
    i += n;
    at += n;
    yield cp;
  }
}
