/**
 * The two encodings of a leaf (layout.ts): narrow, one byte per code unit
 * (every unit <= 0xff: Latin-1, which covers ASCII), and wide, two bytes per
 * UTF-16 code unit. Reads and edits of one leaf go through here, so that the
 * rest of the tree sees only code units.
 *
 * Why narrow leaves: a page of 256 bytes holds 252 narrow units against 126
 * wide ones, so text that is mostly ASCII (the editing traces are) needs half
 * the leaves, and fewer leaves mean fewer inner nodes and a lower tree; each
 * level less is one page fewer to copy on every edit of a forked version.
 * A page is still copied whole, so a narrow leaf does not copy fewer bytes
 * per fault; it makes fewer faults.
 *
 * When a leaf changes encoding: an insert that brings a unit above 0xff into
 * a narrow leaf widens it, in place when the wide form fits, else by the
 * split that follows; a split writes each piece narrow when its units allow
 * it. A leaf is never narrowed in place (only its split pieces are), so a
 * keystroke never rewrites a whole leaf to save space it may need again.
 *
 * Scratch arrays and write spans are module-level and reused: calls are
 * synchronous and never re-entered, so no call allocates.
 *
 * @module
 */
import { type AddressSpace, readU8Span, readU16Span, U8Span, U16Span, writeU8Span, writeU16Span } from "@pagefork/core";
import { LEAF_COUNT, LEAF_NARROW, LEAF_UNITS, N_COUNT } from "./layout.js";

/**
 * Spans over a leaf's units (narrow bytes, wide code units), refilled by
 * every leaf read and write: a leaf lies in one page, so core's one-page
 * spans serve them all, and a refill allocates nothing where a `space.spans`
 * cursor allocated 104 B per keystroke (W4 profile, 2026-12-07). No cursor
 * is made at all: a cursor's hidden classes died with the last text of a
 * round, and with them the optimized split path (shape-keepers.test.ts).
 * Module-level for the same reason as the scratch units below; each is used
 * only between its fill and the next call on the space.
 */
const narrowSpan = new U8Span();
const wideSpan = new U16Span();

/** Scratch code units for leaf splits and widening. */
let units = new Uint16Array(1024);

/** `units`, grown to hold at least `n` code units. */
export function scratchUnits(n: number): Uint16Array {
  if (units.length < n) units = new Uint16Array(Math.max(n, units.length * 2));
  return units;
}

/** True when every code unit of `text` is <= 0xff, so that it can go into a narrow leaf. O(text.length). */
export function isLatin1(text: string): boolean {
  for (let j = 0; j < text.length; j++) if (text.charCodeAt(j) > 0xff) return false;
  return true;
}

/** True when `u[from, to)` are all <= 0xff. */
export function unitsLatin1(u: Uint16Array, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if ((u[j] as number) > 0xff) return false;
  return true;
}

/**
 * Code units an insert of `latin1` (or other) text may fill a leaf with
 * count word `word` to without splitting it: `narrowCap` for Latin-1 text
 * into a narrow leaf, half that (the wide capacity) otherwise. A split of the
 * leaf cuts it into pieces of at most this many units too.
 */
export function insertCap(word: number, latin1: boolean, narrowCap: number): number {
  return latin1 && (word & LEAF_NARROW) !== 0 ? narrowCap : narrowCap >>> 1;
}

/**
 * Inserts `text` at unit `off` of `leaf`, whose count word is `word`, when
 * the result fits in the leaf (see {@link insertCap}): shifts the tail and
 * writes the text, widening a narrow leaf first when `text` is not Latin-1.
 * Returns false, having written nothing, when it does not fit. O(leaf).
 */
export function insertIntoLeaf(
  space: AddressSpace,
  leaf: number,
  word: number,
  off: number,
  text: string,
  latin1: boolean,
  narrowCap: number,
): boolean {
  const count = word & LEAF_COUNT;
  const k = text.length;
  if (count + k > insertCap(word, latin1, narrowCap)) return false;
  if (k === 1 && off === count && (latin1 || (word & LEAF_NARROW) === 0)) {
    // A keystroke at the end of the leaf (where typing after a split at the
    // cursor lands): nothing to shift, so two stores and no span cursor.
    if ((word & LEAF_NARROW) === 0) space.setUint16(leaf + LEAF_UNITS + off * 2, text.charCodeAt(0));
    else space.setUint8(leaf + LEAF_UNITS + off, text.charCodeAt(0));
    space.setUint32(leaf + N_COUNT, word + 1);
    return true;
  }
  if ((word & LEAF_NARROW) === 0) {
    writeU16Span(space, leaf + LEAF_UNITS + off * 2, count - off + k, wideSpan);
    const arr = wideSpan.array;
    const s = wideSpan.start;
    if (count > off) arr.copyWithin(s + k, s, s + (count - off));
    for (let j = 0; j < k; j++) arr[s + j] = text.charCodeAt(j);
    space.setUint32(leaf + N_COUNT, count + k);
  } else if (latin1) {
    writeU8Span(space, leaf + LEAF_UNITS + off, count - off + k, narrowSpan);
    const arr = narrowSpan.array;
    const s = narrowSpan.start;
    if (count > off) arr.copyWithin(s + k, s, s + (count - off));
    for (let j = 0; j < k; j++) arr[s + j] = text.charCodeAt(j);
    space.setUint32(leaf + N_COUNT, (count + k) | LEAF_NARROW);
  } else {
    // Widen: gather the units with the text in place, rewrite the leaf wide.
    const buf = gatherInsert(space, leaf, word, off, text);
    space.write(leaf + LEAF_UNITS, buf.subarray(0, count + k));
    space.setUint32(leaf + N_COUNT, count + k);
  }
  return true;
}

/**
 * The units of `leaf` (count word `word`) with `text` inserted at `off`, in
 * the scratch array (indices 0 .. count + text.length). Writes nothing.
 */
export function gatherInsert(space: AddressSpace, leaf: number, word: number, off: number, text: string): Uint16Array {
  const count = word & LEAF_COUNT;
  const k = text.length;
  const buf = scratchUnits(count + k);
  readUnits(space, leaf, word, 0, off, buf, 0);
  for (let j = 0; j < k; j++) buf[off + j] = text.charCodeAt(j);
  readUnits(space, leaf, word, off, count, buf, off + k);
  return buf;
}

/** Copies units [from, to) of `leaf` (count word `word`) into `dst` at `at`. */
export function readUnits(
  space: AddressSpace,
  leaf: number,
  word: number,
  from: number,
  to: number,
  dst: Uint16Array,
  at: number,
): void {
  if (to <= from) return;
  if ((word & LEAF_NARROW) === 0) {
    space.read(leaf + LEAF_UNITS + from * 2, dst.subarray(at, at + (to - from)));
    return;
  }
  readU8Span(space, leaf + LEAF_UNITS + from, to - from, narrowSpan); // a leaf lies in one page
  dst.set(narrowSpan.array.subarray(narrowSpan.start, narrowSpan.end), at);
}

/**
 * Writes `src[at, at + size)` as the whole content of leaf `page`: narrow
 * when `narrow` or when those units allow it, else wide. `size` must fit the
 * encoding chosen (at most the narrow capacity when `narrow`, else the wide one).
 */
export function writeLeaf(
  space: AddressSpace,
  page: number,
  src: Uint16Array,
  at: number,
  size: number,
  narrow: boolean,
): void {
  if (narrow || unitsLatin1(src, at, at + size)) {
    writeU8Span(space, page + LEAF_UNITS, size, narrowSpan);
    narrowSpan.array.set(src.subarray(at, at + size), narrowSpan.start); // every unit <= 0xff: stored as is
    space.setUint32(page + N_COUNT, size | LEAF_NARROW);
  } else {
    space.write(page + LEAF_UNITS, src.subarray(at, at + size));
    space.setUint32(page + N_COUNT, size);
  }
}

/** True when writing `src[at, at + size)` with {@link writeLeaf} would leave a leaf of count word `word` as it is. */
export function sameLeaf(word: number, size: number, narrow: boolean, src: Uint16Array, at: number): boolean {
  if ((word & LEAF_COUNT) !== size) return false;
  return (narrow || unitsLatin1(src, at, at + size)) === ((word & LEAF_NARROW) !== 0);
}

/** Removes units [off, off + r) of `leaf`, whose count word is `word` (off + r <= count). */
export function cutFromLeaf(space: AddressSpace, leaf: number, word: number, off: number, r: number): void {
  const tail = (word & LEAF_COUNT) - off - r;
  if (tail > 0) {
    if ((word & LEAF_NARROW) === 0) {
      writeU16Span(space, leaf + LEAF_UNITS + off * 2, r + tail, wideSpan);
      const s = wideSpan.start;
      wideSpan.array.copyWithin(s, s + r, s + r + tail);
    } else {
      writeU8Span(space, leaf + LEAF_UNITS + off, r + tail, narrowSpan);
      const s = narrowSpan.start;
      narrowSpan.array.copyWithin(s, s + r, s + r + tail);
    }
  }
  space.setUint32(leaf + N_COUNT, word - r); // the flag bit is above the count: kept
}

/** The code unit at `off` of `leaf`. */
export function leafUnit(space: AddressSpace, leaf: number, off: number): number {
  return (space.getUint32(leaf + N_COUNT) & LEAF_NARROW) === 0
    ? space.getUint16(leaf + LEAF_UNITS + off * 2)
    : space.getUint8(leaf + LEAF_UNITS + off);
}

/** Units [off, off + take) of `leaf` (count word `word`) as a string; take > 0. */
export function leafString(space: AddressSpace, leaf: number, word: number, off: number, take: number): string {
  if ((word & LEAF_NARROW) === 0) {
    readU16Span(space, leaf + LEAF_UNITS + off * 2, take, wideSpan);
    return String.fromCharCode.apply(
      null,
      wideSpan.array.subarray(wideSpan.start, wideSpan.end) as unknown as number[],
    );
  }
  readU8Span(space, leaf + LEAF_UNITS + off, take, narrowSpan);
  return String.fromCharCode.apply(
    null,
    narrowSpan.array.subarray(narrowSpan.start, narrowSpan.end) as unknown as number[],
  );
}
