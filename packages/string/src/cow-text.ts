/**
 * CowText: a text buffer whose whole structure lives in one address space.
 *
 * @module
 */
import { type AddressSpace, Heap, type SpaceStats } from "@pagefork/core";
import { applyDelete, applyInsert, deleteInLeaf, insertInLeaf } from "./btree.js";

import { throwInvalid, throwNotString, throwReleased, throwTooLong } from "./errors.js";
import { H_HEIGHT, H_ROOT, LEAF_UNITS, leafCapacity, MAX_TEXT_LENGTH } from "./layout.js";
import { type CowTextOptions, newTextHeap } from "./options.js";
import { plan, planDelete, planInsert, type Reservable, reserveEdit } from "./plan.js";
import { collect, descend, descent, type TreeState } from "./tree.js";

/** Set by `fork()` just before it calls the constructor, so forks share one hidden class with new texts. */
let forkOf: CowText | null = null;

/**
 * A copy-on-write text buffer: a counted B-tree of UTF-16 chunks, one node
 * per page, inside an {@link AddressSpace}. `fork()` is O(1) whatever the
 * length; an edit writes O(height) pages, and on a fork's first edit copies
 * just those pages.
 *
 * Positions and lengths are in UTF-16 code units, as JS strings count them.
 * Astral characters and lone surrogates round-trip unchanged. Reads
 * (`slice`, `charAt`, `toString`, iteration) follow `String.prototype`.
 *
 * Errors: a position that is not an integer in range throws
 * {@link InvalidArgumentError} (a RangeError); a non-string text a
 * TypeError; any use after `release()` {@link ReleasedError}; an edit the pool's byte limit
 * cannot cover (after its `onOutOfMemory` hook had its chance) or that needs
 * more pages than the text's heap has left {@link OutOfMemoryError}. A call
 * that throws changes nothing: an edit is planned, and its pages and frames
 * reserved, before it writes.
 *
 * @example
 * ```ts
 * import { CowText } from "@pagefork/string";
 * const v1 = new CowText();
 * v1.insert(0, "hello world");
 * const v2 = v1.fork();       // O(1)
 * v2.delete(5, 6);
 * v2.insert(5, "!");
 * v1.toString();              // "hello world"
 * v2.toString();              // "hello!"
 * v1.release(); v2.release();
 * ```
 */
export class CowText implements TreeState, Reservable, Iterable<string> {
  /** The address space holding every node of this version. */
  readonly space: AddressSpace;
  /** @internal Byte address of the root node; 0 when the text is empty. */
  root: number;
  /** @internal Tree height (0: the root is a leaf). */
  height: number;
  /** @internal Length in UTF-16 code units (read it through `length`). */
  len: number;
  /** @internal Code units per leaf. */
  readonly leafCap: number;

  /**
   * An empty text: a new address space of `maxPages` pages with a
   * heap for its nodes. O(1).
   * @throws {InvalidArgumentError} for an invalid page size, one that differs
   * from the pool's, or a `maxPages` that is not an integer from 4 to 2^32.
   * @throws {OutOfMemoryError} when the pool refuses the space's commit
   * charge (`overcommit: "never"`) or the frames of its two header pages.
   */
  constructor(options: CowTextOptions = {}) {
    const parent = forkOf;
    if (parent !== null) {
      forkOf = null;
      this.space = parent.space.fork();
      this.root = parent.root;
      this.height = parent.height;
      this.len = parent.len;
      this.leafCap = parent.leafCap;
      return;
    }
    const space = newTextHeap(options).space;
    this.space = space;
    this.root = 0;
    this.height = 0;
    this.len = 0;
    this.leafCap = leafCapacity(space.pageSize);
  }

  /**
   * A new text holding `text`. O(text.length).
   * @throws {TypeError} if `text` is not a string; otherwise as the constructor and `insert`.
   * @example
   * ```ts
   * CowText.from("abc").slice(1); // "bc"
   * ```
   */
  static from(text: string, options: CowTextOptions = {}): CowText {
    if (typeof text !== "string") throwNotString("from", text);
    const t = new CowText(options);
    try {
      t.insert(0, text);
    } catch (e) {
      t.release();
      throw e;
    }
    return t;
  }

  /**
   * Length in UTF-16 code units, as `String.prototype.length`. O(1). Read-only.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const t = CowText.from("a😀");
   * t.length; // 3
   * t.release();
   * ```
   */
  get length(): number {
    this.check();
    return this.len;
  }

  /** Page size of the underlying space, in bytes. */
  get pageSize(): number {
    return this.space.pageSize;
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.space.released;
  }

  /**
   * Inserts `text` before code unit `pos` (0 <= pos <= length).
   * O(height + text.length / leafCapacity) pages written; a keystroke into a
   * leaf with room writes only the leaf and the inner nodes above it.
   * @throws {InvalidArgumentError} if `pos` is not an integer in [0, length],
   * or the text would pass 2^32 - 1 code units.
   * @throws {TypeError} if `text` is not a string.
   * @throws {OutOfMemoryError} when the pool (after its hook) or the heap cannot hold the edit.
   * @throws {ReleasedError} after release, or when the pool's hook released this text.
   * @throws {ProtectionFault} when the space is frozen (nothing is written).
   */
  insert(pos: number, text: string): void {
    this.check();
    const len = this.len;
    if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
    if (typeof text !== "string") throwNotString("insert", text);
    const k = text.length;
    if (k === 0) return;
    if (k > MAX_TEXT_LENGTH - len) throwTooLong(k, len);
    if (!insertInLeaf(this, pos, text)) this.insertPlanned(pos, text);
  }

  /**
   * Deletes `count` code units starting at `pos` (pos + count <= length).
   * O(height * leaves touched) pages written.
   * @throws {InvalidArgumentError} if `pos` or `count` is not an integer or the range leaves the text.
   * @throws {OutOfMemoryError} when the pool (after its hook) cannot supply the pages it copies.
   * @throws {ReleasedError} after release, or when the pool's hook released this text.
   * @throws {ProtectionFault} when the space is frozen (nothing is written).
   */
  delete(pos: number, count: number): void {
    this.check();
    const len = this.len;
    if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
    if (!Number.isInteger(count) || count < 0 || pos + count > len)
      throwInvalid("count", count, `an integer in [0, ${len - pos}]`);
    if (count === 0) return;
    if (!deleteInLeaf(this, pos, count)) this.deletePlanned(pos, count);
  }

  /**
   * The code units in [start, end), with `String.prototype.slice` semantics
   * (negative indices count from the end; out-of-range ones clamp).
   * O(height + (end - start)).
   */
  slice(start?: number, end?: number): string {
    this.check();
    const len = this.len;
    const a = clampIndex(start, 0, len);
    const b = clampIndex(end, len, len);
    if (a >= b) return "";
    const out: string[] = [];
    collect(this, a, b, out);
    return out.length === 1 ? (out[0] as string) : out.join("");
  }

  /** The code unit at `index` as a string, or "" out of range (as `String.prototype.charAt`). O(height). */
  charAt(index: number): string {
    const c = this.charCodeAt(index);
    return Number.isNaN(c) ? "" : String.fromCharCode(c);
  }

  /** The code unit at `index`, or NaN out of range (as `String.prototype.charCodeAt`). O(height). */
  charCodeAt(index: number): number {
    this.check();
    const i = Math.trunc(Number(index)) || 0;
    if (i < 0 || i >= this.len) return Number.NaN;
    const leaf = descend(this, i, false);
    return this.space.getUint16(leaf + LEAF_UNITS + descent.offset * 2);
  }

  /** The whole text. O(length). */
  toString(): string {
    return this.slice(0, this.len);
  }

  /** The text as strings of at most one leaf each, in order. O(length) in all. */
  *chunks(): IterableIterator<string> {
    this.check();
    const out: string[] = [];
    const step = this.leafCap * 64;
    for (let at = 0; at < this.len; at += step) {
      this.check();
      out.length = 0;
      collect(this, at, Math.min(this.len, at + step), out);
      yield* out;
    }
  }

  /** Iterates code points, as `String.prototype[Symbol.iterator]` does (surrogate pairs stay whole). */
  *[Symbol.iterator](): IterableIterator<string> {
    let carry = "";
    for (const chunk of this.chunks()) {
      const s = carry + chunk;
      const last = s.charCodeAt(s.length - 1);
      const cut = last >= 0xd800 && last <= 0xdbff ? s.length - 1 : s.length;
      carry = s.slice(cut);
      yield* s.slice(0, cut);
    }
    if (carry !== "") yield carry;
  }

  /**
   * A new version sharing every page with this one. O(1) whatever the length;
   * afterwards each version's first edit to a page copies that page.
   * @throws {ReleasedError} after `release()`.
   * @throws {OutOfMemoryError} when the pool's overcommit policy refuses the fork's charge.
   */
  fork(): CowText {
    this.check();
    forkOf = this;
    return new CowText();
  }

  /** Returns this version's pages to the pool (those no other version shares). Idempotent. */
  release(): void {
    this.space.release();
  }

  /** Same as `release()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Memory and fault counters of this version's space (see {@link SpaceStats}). O(page-table nodes).
   */
  stats(): SpaceStats {
    this.check();
    return this.space.stats();
  }

  /** @internal The heap that hands out this text's node pages: at page 1 of its space, attached per need (O(1)). */
  nodeHeap(): Heap {
    return Heap.attach(this.space, this.space.pageSize);
  }

  /** An insert that may split leaves or find the pool short: plan, reserve, then write (plan.ts). */
  private insertPlanned(pos: number, text: string): void {
    const k = text.length;
    planInsert(this, pos, k);
    if (plan.allocs !== 0 || plan.writes > this.space.pool.framesAvailable()) reserveEdit(this, pos, k, 0);
    const h = this.height;
    const r = this.root;
    applyInsert(this, text);
    if (h !== this.height || r !== this.root) this.writeHeader();
  }

  /** A delete that may free leaves or find the pool short: plan, reserve, then write (plan.ts). */
  private deletePlanned(pos: number, count: number): void {
    planDelete(this, pos, count);
    if (plan.frees !== 0 || plan.writes > this.space.pool.framesAvailable()) reserveEdit(this, pos, -count, 0);
    const h = this.height;
    const r = this.root;
    applyDelete(this, pos, count);
    if (h !== this.height || r !== this.root) this.writeHeader();
  }

  private check(): void {
    if (this.space.released) throwReleased();
  }

  private writeHeader(): void {
    const ps = this.space.pageSize;
    this.space.setUint32(H_ROOT, this.root / ps);
    this.space.setUint32(H_HEIGHT, this.height);
  }
}

/** `String.prototype.slice` index conversion: ToIntegerOrInfinity, negatives from the end, clamp. */
function clampIndex(v: number | undefined, dflt: number, len: number): number {
  if (v === undefined) return dflt;
  const n = Math.trunc(Number(v)) || 0;
  if (n < 0) return Math.max(len + n, 0);
  return Math.min(n, len);
}
