/**
 * CowText: a text buffer whose whole structure lives in one address space.
 *
 * @module
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  OutOfMemoryError,
  ReleasedError,
  type SpaceStats,
} from "@pagefork/core";
import { collect, descend, descent, insert, remove, type TreeState } from "./btree.js";
import {
  H_HEIGHT,
  H_MAGIC,
  H_ROOT,
  H_VERSION,
  LEAF_UNITS,
  leafCapacity,
  nodeCapacity,
  TEXT_LAYOUT_VERSION,
  TEXT_MAGIC,
  TEXT_MAX_PAGES,
  TEXT_MAX_PAGES_LIMIT,
  TEXT_MIN_PAGES,
  TEXT_NEVER_BYTES,
} from "./layout.js";

/**
 * Default page size of a CowText: 256 bytes (124 code units per leaf, 31
 * children per inner node). Chosen by the undo-redo demo on the
 * automerge-paper trace, which keeps one version per keystroke: every edit
 * copies its leaf and the inner nodes above it, so smaller pages mean less
 * write amplification (see examples/undo-redo/README.md for the page-size sweep).
 */
export const TEXT_PAGE_SIZE = 256;

/** Options of {@link CowText}. */
export interface CowTextOptions {
  /** Page size in bytes (power of two, 256..65536). Default {@link TEXT_PAGE_SIZE}, or the pool's. */
  pageSize?: number;
  /** Frame pool to share with other structures and versions. Default: a new pool. */
  pool?: FramePool;
  /**
   * Virtual size of each version's address space, in pages: the header page,
   * the heap's header and page map (16 bytes per page, 1/16 of them at
   * 256-byte pages), and the node pages. An edit that needs more node pages
   * than are left throws {@link OutOfMemoryError}. Under the pool's
   * `overcommit: "never"` it is also what every version is charged
   * (`maxPages * pageSize` bytes of commit). An integer from 4 to 2^32.
   * Default {@link TEXT_MAX_PAGES} (2^20: 256 MiB at 256-byte pages, 60 to
   * 120 million code units), or 1 MiB worth of pages
   * ({@link TEXT_NEVER_BYTES} / pageSize) in a pool with
   * `overcommit: "never"`. A larger value costs no memory up front, only a
   * taller page table (see layout.ts).
   */
  maxPages?: number;
}

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
 * {@link InvalidArgumentError} (a RangeError); a non-string text throws a
 * TypeError; any use after `release()` throws {@link ReleasedError}; an edit
 * the pool's byte limit cannot cover throws {@link OutOfMemoryError}. A call
 * that throws changes nothing.
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
export class CowText implements TreeState, Iterable<string> {
  /** The address space holding every node of this version. */
  readonly space: AddressSpace;
  /** @internal Byte address of the root node. */
  root: number;
  /** @internal Tree height (0: the root is a leaf). */
  height: number;
  /** @internal Length in UTF-16 code units (read it through `length`). */
  len: number;
  /** @internal */
  readonly leafCap: number;
  /** @internal */
  readonly nodeCap: number;

  /**
   * An empty text: a new address space of `maxPages` pages with a heap for its nodes. O(1).
   * @throws {InvalidArgumentError} for an invalid page size, one that differs
   * from the pool's, or a `maxPages` that is not an integer from 4 to 2^32.
   * @throws {OutOfMemoryError} when the pool refuses the space's commit
   * charge (`overcommit: "never"`) or the frames of its first pages.
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
      this.nodeCap = parent.nodeCap;
      return;
    }
    const space = newSpace(options);
    const ps = space.pageSize;
    try {
      const heap = Heap.create(space, { base: ps, limit: space.size });
      this.root = heap.allocPage(); // all zero: an empty leaf
      space.setUint32(H_MAGIC, TEXT_MAGIC);
      space.setUint32(H_VERSION, TEXT_LAYOUT_VERSION);
      space.setUint32(H_HEIGHT, 0);
      space.setUint32(H_ROOT, this.root / ps);
    } catch (e) {
      space.release();
      throw e;
    }
    this.space = space;
    this.height = 0;
    this.len = 0;
    this.leafCap = leafCapacity(ps);
    this.nodeCap = nodeCapacity(ps);
  }

  /**
   * A new text holding `text`. O(text.length).
   * @example
   * ```ts
   * CowText.from("abc").slice(1); // "bc"
   * ```
   */
  static from(text: string, options: CowTextOptions = {}): CowText {
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
   * O(height + text.length / leafCapacity) pages written.
   * @throws {InvalidArgumentError} if `pos` is not an integer in [0, length].
   * @throws {TypeError} if `text` is not a string.
   */
  insert(pos: number, text: string): void {
    this.check();
    if (!Number.isInteger(pos) || pos < 0 || pos > this.len)
      throw new InvalidArgumentError("pos", pos, `an integer in [0, ${this.len}]`);
    if (typeof text !== "string") throw new TypeError(`CowText.insert: text must be a string, got ${typeof text}`);
    if (text.length === 0) return;
    this.reserve(text.length);
    const h = this.height;
    const r = this.root;
    insert(this, heapOf, pos, text);
    if (h !== this.height || r !== this.root) this.writeHeader();
  }

  /**
   * Deletes `count` code units starting at `pos` (pos + count <= length).
   * O(height * leaves touched) pages written.
   * @throws {InvalidArgumentError} if `pos` or `count` is not an integer or the range leaves the text.
   */
  delete(pos: number, count: number): void {
    this.check();
    if (!Number.isInteger(pos) || pos < 0 || pos > this.len)
      throw new InvalidArgumentError("pos", pos, `an integer in [0, ${this.len}]`);
    if (!Number.isInteger(count) || count < 0 || pos + count > this.len)
      throw new InvalidArgumentError("count", count, `an integer in [0, ${this.len - pos}]`);
    if (count === 0) return;
    this.reserve(count);
    const h = this.height;
    const r = this.root;
    remove(this, heapOf, pos, count);
    if (h !== this.height || r !== this.root) this.writeHeader();
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

  /** Memory and fault counters of this version's space (see {@link SpaceStats}). O(page-table nodes). */
  stats(): SpaceStats {
    this.check();
    return this.space.stats();
  }

  private check(): void {
    if (this.space.released) throw new ReleasedError("text");
  }

  /**
   * Refuses an edit of `units` code units that the pool's limit might not
   * cover, before anything changes: a bound on the pages it could copy or take
   * (every node on the path, each leaf it creates or touches, and the heap's
   * metadata), against the frames still available.
   */
  private reserve(units: number): void {
    const pool = this.space.pool;
    if (pool.maxBytes === Number.POSITIVE_INFINITY) return;
    const leaves = Math.ceil(units / Math.max(1, this.leafCap >>> 1)) + 2;
    const bound = (this.height + 2) * (leaves + 2) + 8;
    if (bound > pool.framesAvailable())
      throw new OutOfMemoryError(
        bound * pool.pageSize,
        `the pool's limit may not cover this edit (maxBytes ${pool.maxBytes})`,
      );
  }

  private writeHeader(): void {
    const ps = this.space.pageSize;
    this.space.setUint32(H_ROOT, this.root / ps);
    this.space.setUint32(H_HEIGHT, this.height);
  }
}

/** The address space of a new text, sized by the `maxPages` option. */
function newSpace(options: CowTextOptions): AddressSpace {
  const pool = options.pool ?? new FramePool({ pageSize: options.pageSize ?? TEXT_PAGE_SIZE });
  const ps = options.pageSize ?? pool.pageSize;
  const maxPages =
    options.maxPages ??
    (pool.overcommit === "never" ? Math.max(TEXT_MIN_PAGES, TEXT_NEVER_BYTES / ps) : TEXT_MAX_PAGES);
  if (!Number.isInteger(maxPages) || maxPages < TEXT_MIN_PAGES || maxPages > TEXT_MAX_PAGES_LIMIT)
    throw new InvalidArgumentError("maxPages", maxPages, `an integer number of pages from ${TEXT_MIN_PAGES} to 2^32`);
  const size = maxPages * ps;
  return new AddressSpace(options.pageSize === undefined ? { size, pool } : { size, pool, pageSize: options.pageSize });
}

/** The heap of a version, attached on demand (only splits and merges need it). */
function heapOf(t: TreeState): Heap {
  return Heap.attach(t.space, t.space.pageSize);
}

/** `String.prototype.slice` index conversion: ToIntegerOrInfinity, negatives from the end, clamp. */
function clampIndex(v: number | undefined, dflt: number, len: number): number {
  if (v === undefined) return dflt;
  const n = Math.trunc(Number(v)) || 0;
  if (n < 0) return Math.max(len + n, 0);
  return Math.min(n, len);
}
