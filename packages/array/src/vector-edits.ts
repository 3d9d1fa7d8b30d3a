/**
 * The bodies of CowVector's edits that shift, resize or remap (extend,
 * insertFrom, removeRange, splice, resize, reserve, shrinkToFit), written
 * as functions of the vector's fields so that cow-vector.ts keeps the class,
 * its hot `push` and the documentation. Each plans its frames (vector-storage.ts)
 * before it changes anything, so a refused call changes nothing.
 *
 * Cost of the split: one call per edit, inlined by V8 where hot; these
 * edits are O(elements shifted) anyway. `push`, the one O(1) hot edit, stays
 * in the class.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { isCowArray } from "./brand.js";
import {
  convertArrayLike,
  copyOut,
  fillElements,
  moveElements,
  reserveZeroFill,
  setFromNative,
  writeFrom,
} from "./bulk.js";
import { relativeIndex, strictIndex, toIntegerOrInfinity } from "./indices.js";
import type { NativeTypedArray } from "./kinds.js";
import { toKindArray } from "./set-from.js";
import { EMBEDDING, type SpaceOwner } from "./space-owner.js";
import {
  ensureCapacity,
  growMapping,
  planResize,
  planWrites,
  reserveZeroFillAndHeader,
  resizeBlock,
  setLength,
  type VectorCore,
} from "./vector-storage.js";

/** `source` as a native array of the vector's kind, converted before anything is written. */
function converted(v: VectorCore, source: unknown): NativeTypedArray {
  return toKindArray(v.kind, isCowArray(source) ? source.toTypedArray() : source);
}

/** @throws {RangeError} when `n` more elements would pass `maxLength`. */
export function requireRoom(v: VectorCore, n: number): void {
  if (v.len + n > v.maxLen) throw new RangeError(`Invalid vector length: ${v.len + n} (maxLength is ${v.maxLen})`);
}

/** Byte end of the page holding element `n - 1` (0 for n = 0). */
function pageEnd(v: VectorCore, n: number): number {
  const ps = v.space.pageSize;
  return Math.ceil((n * v.kind.bytes) / ps) * ps;
}

/** Appends every element of `source` in one bulk write; returns the new length. */
export function extendVector(v: VectorCore, source: unknown): number {
  const src = converted(v, source);
  // The source's getters, iterator or valueOf may have freed the vector (released a standalone
  // one): never write into the freed block, which another heap block may be now.
  v.check();
  const at = v.len;
  const n = at + src.length;
  requireRoom(v, src.length);
  planWrites(v, at, n, n);
  ensureCapacity(v, n);
  setFromNative(v, src, at);
  setLength(v, n);
  return n;
}

/** Inserts every element of `source` before element `index`, with one shift. */
export function insertIntoVector(v: VectorCore, index: unknown, source: unknown): void {
  let at = strictIndex(index, v.len, "index");
  const src = converted(v, source);
  // The source's conversions may have released the vector or shrunk it below
  // `index`: insert at its end then, as splice does, never past it (that lost
  // the items and brought back removed elements, or wrote past an embedded
  // vector's block).
  v.check();
  at = Math.min(at, v.len);
  const n = src.length;
  if (n === 0) return;
  requireRoom(v, n);
  const len = v.len;
  planWrites(v, at, len + n, len + n); // the shift and the write, before either
  ensureCapacity(v, len + n);
  moveElements(v, at + n, at, len - at);
  writeFrom(v, at, src);
  setLength(v, len + n);
}

/** Removes elements `[start, end)`, shifting the later ones down. */
export function removeFromVector(v: VectorCore, start: unknown, end: unknown): void {
  const a = strictIndex(start, v.len, "start");
  const b = strictIndex(end, v.len, "end");
  if (b < a) throw new InvalidArgumentError("end", end, `an integer in [start (${a}), ${v.len}]`);
  if (a === b) return;
  const n = v.len - (b - a);
  planWrites(v, a, n, n);
  moveElements(v, a, b, v.len - b);
  setLength(v, n);
}

/**
 * `Array.prototype.splice` on the vector, `argc` being the call's argument
 * count (an absent `deleteCount` is not an undefined one); returns the
 * removed elements as native values.
 */
export function spliceVector(
  v: VectorCore,
  argc: number,
  start: unknown,
  deleteCount: unknown,
  items: ArrayLike<unknown>,
): ArrayLike<unknown> {
  let len = v.len;
  let at = relativeIndex(start, len, 0);
  let del = argc === 0 ? 0 : argc === 1 ? len - at : Math.min(Math.max(toIntegerOrInfinity(deleteCount), 0), len - at);
  const src = convertArrayLike(v.kind, items, items.length);
  // An argument's valueOf may have freed the vector (released a standalone one): write nothing.
  v.check();
  if (v.len !== len) {
    // An argument's valueOf changed the length (resize, pop, push): splice
    // what the vector holds now, never elements past its end.
    len = v.len;
    at = Math.min(at, len);
    del = Math.min(del, len - at);
  }
  const n = src.length;
  if (n > del) requireRoom(v, n - del);
  const newLen = len - del + n;
  // Written: the items at [at, at + n), and the shifted tail up to the new end.
  planWrites(v, at, n === del ? at + n : newLen, newLen);
  const removed = copyOut(v, at, at + del) as unknown as ArrayLike<unknown>;
  ensureCapacity(v, newLen);
  if (n !== del) moveElements(v, at + n, at + del, len - at - del);
  writeFrom(v, at, src);
  if (newLen !== len) setLength(v, newLen);
  return removed;
}

/** Sets the length: zeros past the old end where old pages may hold removed elements; a shorter one drops its tail. */
export function resizeVector(v: VectorCore, length: unknown): void {
  const n = strictIndex(length, v.maxLen, "length");
  const len = v.len;
  if (n <= len) {
    if (n < len) setLength(v, n);
    return;
  }
  const zero = v.kind.bigint ? 0n : 0;
  if (v.owner[EMBEDDING] !== null) {
    // Embedded: the block past the length may hold anything (removed elements, a reused
    // slot): zero all of it. Whole pages are discarded, so only the two partial pages take frames.
    if (n * v.kind.bytes > v.capBytes) planWrites(v, len, Math.min(n, len + 2), n);
    else reserveZeroFillAndHeader(v, len, n);
    ensureCapacity(v, n);
    fillElements(v, zero, len, n);
    setLength(v, n);
    return;
  }
  // Mapped elements past the length may hold removed values; newly mapped pages are zero.
  const dirty = Math.min(n, Math.floor(v.capBytes / v.kind.bytes));
  if (dirty > len) reserveZeroFill(v, len, dirty); // before the mapping grows
  const w = v.kind.bytes;
  if (n * w > v.capBytes) growMapping(v, n, len * w, Math.max(dirty, len) * w, true); // checks the plan again
  if (dirty > len) fillElements(v, zero, len, dirty);
  setLength(v, n);
}

/** Makes room for `capacity` elements now (maps pages, or reallocs the embedded block). */
export function reserveVector(v: VectorCore, capacity: unknown): void {
  const n = strictIndex(capacity, v.maxLen, "capacity");
  const bytes = n * v.kind.bytes;
  if (bytes <= v.capBytes) return;
  if (v.owner[EMBEDDING] === null) growMapping(v, n, 0, 0, false);
  else {
    planResize(v, bytes);
    resizeBlock(v, bytes);
  }
}

/** Gives back the room past the last element (unmaps those pages, or shrinks the embedded block). */
export function shrinkVector(v: VectorCore): void {
  if (v.owner[EMBEDDING] !== null) {
    const bytes = v.len * v.kind.bytes;
    if ((v.owner[EMBEDDING] as SpaceOwner).data === 0 || v.capBytes === bytes) return;
    planResize(v, bytes);
    resizeBlock(v, bytes);
    return;
  }
  const end = pageEnd(v, v.len);
  if (v.capBytes > end) {
    v.space.unmap(end, v.capBytes - end);
    v.capBytes = end;
    v.owner.writes++;
  }
}
