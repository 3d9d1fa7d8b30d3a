/**
 * CowText: a text buffer whose whole structure lives in one address space.
 *
 * Why one module this large (~37 KB: 27 KB of TSDoc, ~9 KB of code): the
 * TSDoc of the public members must sit on the members themselves (the
 * published `.d.ts`, editor hovers, the API reference), and CowText stays
 * one class (one hidden class for every handle; see handoff.ts). What is
 * left here is the handle's fields, its constructor (the hand-off of forks,
 * attached and embedded texts) and one-line bodies calling the modules that
 * do the work, one concept each: btree.ts and plan.ts (edits: `insert` and
 * `delete` keep their checks here, the hot path of a keystroke, which W4
 * measured slower behind one more call), string-reads.ts (the `String.prototype`
 * reads: argument conversions, then read.ts and search.ts), read.ts
 * (`chunks` and iteration), embedded.ts (`create`, `attach`, `free`),
 * shared.ts and standalone-text.ts (handles from other threads and from
 * stored states), header.ts (the header and its layout version). Declaring
 * members in other modules (an interface merged with the class, methods put
 * on its prototype there) would move the TSDoc out at the price of members
 * the compiler no longer checks and a lint rule turned off, as in the
 * core's address-space.ts: not done.
 *
 * @module
 */
import {
  type AddressSpace,
  type FramePool,
  Heap,
  INSPECT_CUSTOM,
  type InspectFunction,
  type InspectOptions,
  inspectText,
  isHeap,
  type ShareOptions,
  type SpaceStats,
} from "@pagefork/core";
import { deleteInLeaf, insertInLeaf } from "./btree.js";
import { attachText, createText, Embedding, freeText } from "./embedded.js";
import { throwEmbedded, throwInvalid, throwNotString, throwReleased, throwTooLong } from "./errors.js";
import { handoff } from "./handoff.js";
import { header, inheritStale, isStale, markStale } from "./header.js";
import { H_VERSION, leafCapacity, MAX_TEXT_LENGTH, TEXT_LAYOUT_VERSION } from "./layout.js";
import { type CowTextOptions, newTextHeap } from "./options.js";
import { deletePlanned, insertPlanned } from "./plan.js";
import { codePoints, leafStrings, noteEdit } from "./read.js";
import { keepTextShapes } from "./shape-keeper.js";
import { type AttachedText, attachTextSpace, type SharedTextHandle, textHandle } from "./shared.js";
import {
  atText,
  charCodeText,
  codePointText,
  endsWithText,
  includesText,
  indexOfText,
  lastIndexOfText,
  sliceText,
  startsWithText,
  substringText,
} from "./string-reads.js";
import { type LagPath, NO_LAG, Path, smiAddress, UNKNOWN_LAG } from "./tree.js";

/**
 * The one {@link Path} every call of every text descends with, handed down as
 * an argument: calls are synchronous, and a plan's descent is used by its
 * apply step before anything else descends (the pool's out-of-memory hook,
 * which may, is followed by a new plan; see plan.ts reserveEdit). One object
 * for the module's life, so no edit or read allocates one.
 */
const path = new Path();

/**
 * A copy-on-write text buffer: a counted B-tree of UTF-16 chunks (stored one
 * byte per code unit in leaves whose units are all Latin-1), one node
 * per page, inside an {@link AddressSpace}. `fork()` is O(1) whatever the
 * length; an edit writes O(height) pages, and on a fork's first edit copies
 * just those pages.
 *
 * Two modes. A standalone text (`new CowText()`, `CowText.from`) owns its
 * space, and `fork()`/`release()` fork and release it. An embedded text
 * (`CowText.create(heap)`, `CowText.attach(heap, address)`) lives in a
 * {@link Heap} of an address space that others own along with many other
 * structures: forking that space forks the text, and `free()` gives its
 * pages back to the heap. Keep one handle per text per space at a time: a
 * handle caches the root, height and length, so a second handle on the same
 * text in the same space would not see the first one's edits.
 *
 * Positions and lengths are in UTF-16 code units, as JS strings count them.
 * Astral characters and lone surrogates round-trip unchanged. Reads
 * (`slice`, `substring`, `charAt`, `charCodeAt`, `at`, `codePointAt`,
 * `indexOf`, `lastIndexOf`, `includes`, `startsWith`, `endsWith`,
 * `toString`, iteration) follow `String.prototype`, arguments converted in
 * its order; the length is read after the conversions (an object's
 * `valueOf` may edit the text), and searches read the leaves in windows,
 * never the whole text into one string.
 *
 * Errors: a position that is not an integer in range throws
 * {@link @pagefork/core!InvalidArgumentError | InvalidArgumentError} (a RangeError); a non-string text a
 * TypeError; any use after `release()` or `free()` (or after the embedder
 * released the space) {@link @pagefork/core!ReleasedError | ReleasedError}; an edit the pool's byte limit
 * cannot cover (after its `onOutOfMemory` hook had its chance) or that needs
 * more pages than the text's heap has left {@link @pagefork/core!OutOfMemoryError | OutOfMemoryError}. A call
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
export class CowText implements Iterable<string> {
  /** The address space holding every node of this version (for an embedded text: the heap's space). */
  readonly space: AddressSpace;
  /** @internal Byte address of the root node; 0 when the text is empty. */
  root: number;
  /** @internal Tree height (0: the root is a leaf). */
  height: number;
  /** @internal Length in UTF-16 code units (read it through `length`). */
  len: number;
  /** @internal Null for a standalone text; the heap and header address of an embedded one. */
  readonly emb: Embedding | null;
  /**
   * @internal The lagging path of a standalone text and its finger (tree.ts
   * `LagPath`, shared with forks: immutable). Kept here because its pages are not written.
   */
  lp: LagPath;

  /**
   * An empty standalone text: a new address space of `maxPages` pages with a
   * heap for its nodes. O(1).
   * @throws {InvalidArgumentError} for `options` that are not an object
   * (`undefined` gives the defaults), an invalid page size, one that differs
   * from the pool's, or a `maxPages` that is not an integer from 4 to 2^32.
   * @throws {OutOfMemoryError} when the pool refuses the space's commit
   * charge (`overcommit: "never"`) or the frames of its two header pages.
   */
  constructor(options: CowTextOptions = {}) {
    let space: AddressSpace;
    let root = 0;
    let height = 0;
    let len = 0;
    let lp = NO_LAG;
    let emb: Embedding | null = null;
    if ((options as unknown) !== handoff) {
      space = newTextHeap(options).space;
    } else if (handoff.attached !== null) {
      const attached = handoff.attached;
      handoff.attached = null;
      space = attached.space;
      root = attached.root;
      height = attached.height;
      len = attached.len;
      lp = UNKNOWN_LAG; // root, height and length only: the pages say which path lags
    } else if (handoff.parent !== null) {
      const parent = handoff.parent;
      handoff.parent = null;
      space = parent.space.fork();
      root = parent.root;
      height = parent.height;
      len = parent.len;
      lp = parent.lp;
    } else {
      const heap = handoff.heap as Heap;
      handoff.heap = null;
      space = heap.space;
      emb = new Embedding(heap, handoff.at);
      root = header.root;
      height = header.height;
      len = header.len;
    }
    this.space = space;
    this.root = smiAddress(root); // keeps the field a Smi (tree.ts)
    this.height = height;
    this.len = len;
    this.emb = emb;
    this.lp = lp;
    // A new standalone text (not a fork): once, keeps the hidden classes alive (shape-keeper.ts).
    if ((options as unknown) !== handoff && new.target === CowText) keepTextShapes(makeKeptText);
  }

  /**
   * A new standalone text holding `text`. O(text.length).
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
   * A new embedded text in `heap`, holding `text` (default empty): a
   * 16-byte header block malloc'd from the heap (32 bytes with the heap's
   * block header), and node pages from `heap.allocPage()` once it has text.
   * O(text.length). Fork and release it with `heap.space`; `free()` it to
   * give its memory back to the heap.
   * @throws {InvalidArgumentError} if `heap` is not a Heap.
   * @throws {TypeError} if `text` is not a string.
   * @throws {OutOfMemoryError} when the heap's range or the pool cannot hold it; nothing changes then.
   * @throws {ReleasedError} when the heap's space was released.
   * @throws {ProtectionFault} when the space is frozen, or part of the heap's range is mapped read-only
   * (`space.protect`); {@link @pagefork/core!SegmentationFault | SegmentationFault} when part is unmapped.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 30, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const title = CowText.create(heap, "Draft");
   * const body = CowText.create(heap); // 32 bytes of heap, no page yet
   * [title.toString(), body.length, title.embedded]; // ["Draft", 0, true]
   * space.release();
   * ```
   */
  static create(heap: Heap, text = ""): CowText {
    return createText(heap, text, newHandle, isHeap(heap), path);
  }

  /**
   * A handle to the embedded text whose header is at `address` in `heap`'s
   * space, typically in a fork of the space it was created in. O(1) (reads
   * the header and the root node); writes nothing, so the space may be
   * frozen (except that a text of an older layout version, 2 or 3, gets its
   * header's version word set to 4, the layout its edits write: narrow leaves,
   * inner nodes with totals; when the space is frozen or the header's page is
   * read-only, the handle's first edit sets it, or throws ProtectionFault).
   * Keep one handle per text per space.
   * @throws {InvalidArgumentError} if `heap` is not a Heap, or `address` is
   * not the header block of a text in it.
   * @throws {ReleasedError} when the heap's space was released.
   * @throws {OutOfMemoryError} when an older header's page must be copied and the pool has no frame.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 30, pageSize: 256 });
   * const text = CowText.create(Heap.create(space, { base: 256 }), "v1");
   * const child = space.fork(); // forks the text, O(1)
   * const t2 = CowText.attach(Heap.attach(child, 256), text.address);
   * t2.insert(2, " and v2");
   * [text.toString(), t2.toString()]; // ["v1", "v1 and v2"]
   * child.release(); space.release();
   * ```
   */
  static attach(heap: Heap, address: number): CowText {
    return attachText(heap, address, newHandle, isHeap(heap));
  }

  /**
   * Length in UTF-16 code units, as `String.prototype.length`. O(1). Read-only.
   * @throws {ReleasedError} after `release()` or `free()`.
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

  /**
   * @internal Code units per narrow leaf (twice those of a wide one). A
   * getter, not a field: a text keeps one handle per version (259,779 in the
   * W4 trace replay), and each field costs every one of them 8 bytes.
   */
  get leafCap(): number {
    return leafCapacity(this.space.pool.pageSize);
  }

  /**
   * @internal True for a standalone text, whose inner nodes may lag down one
   * path (see layout.ts); an embedded text's space is complete after every call.
   */
  get lazyRoot(): boolean {
    return this.emb === null;
  }

  /** Page size of the underlying space, in bytes. */
  get pageSize(): number {
    return this.space.pageSize;
  }

  /**
   * Byte address of this text's header in `space`: stable for the text's
   * life, and the same in every fork of the space (pass it to `attach`).
   * 0 for a standalone text, whose header is page 0 of its own space.
   * See {@link CowText.attach} for an example.
   */
  get address(): number {
    const e = this.emb;
    return e === null ? 0 : e.at;
  }

  /** True for texts from `create`/`attach` (they live in a heap they do not own), false for standalone ones. */
  get embedded(): boolean {
    return this.emb !== null;
  }

  /** True once `release()` or `free()` has run, or the embedder released the space. */
  get released(): boolean {
    return this.space.released || this.emb?.freed === true;
  }

  /**
   * Inserts `text` before code unit `pos` (0 <= pos <= length).
   * O(height + text.length / leafCapacity) pages written; a keystroke into a
   * leaf with room writes only the leaf and the inner nodes above it.
   * @throws {InvalidArgumentError} if `pos` is not an integer in [0, length],
   * or the text would pass 2^32 - 1 code units.
   * @throws {TypeError} if `text` is not a string.
   * @throws {OutOfMemoryError} when the pool (after its hook) or the heap cannot hold the edit,
   * or the pool's hook edited this text meanwhile (then only the hook's edit is done: call again).
   * @throws {ReleasedError} after release, or when the pool's hook released this text.
   * @throws {ProtectionFault} when the space is frozen, or a page the edit may write is mapped read-only
   * (`space.protect`; an edit that takes or frees node pages needs the text's whole range writable: its
   * space, or its heap's range; and the header's page for a text attached under an older layout version
   * that attach could not raise, whose first edit writes it), checked before anything is written and before
   * the pool's hook could run; {@link @pagefork/core!SegmentationFault | SegmentationFault} for an unmapped
   * page, the same way.
   */
  insert(pos: number, text: string): void {
    this.check();
    const len = this.len;
    if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
    if (typeof text !== "string") throwNotString("insert", text);
    const k = text.length;
    if (k === 0) return;
    if (k > MAX_TEXT_LENGTH - len) throwTooLong(k, len);
    noteEdit(); // iterators over any text re-read before their next step (read.ts)
    // A stale header (header.ts) is raised by the planned path, once the edit is sure to be done.
    if (isStale(this)) insertPlanned(this, pos, text, path, true);
    else if (!insertInLeaf(this, pos, text, path)) insertPlanned(this, pos, text, path);
  }

  /**
   * Deletes `count` code units starting at `pos` (pos + count <= length).
   * O(height * leaves touched) pages written.
   * @throws {InvalidArgumentError} if `pos` or `count` is not an integer or the range leaves the text.
   * @throws {OutOfMemoryError} when the pool (after its hook) cannot supply the pages it copies,
   * or the pool's hook edited this text meanwhile (then only the hook's edit is done: call again).
   * @throws {ReleasedError} after release, or when the pool's hook released this text.
   * @throws {ProtectionFault} when the space is frozen, or a page the edit may write is mapped read-only
   * (`space.protect`; an edit that takes or frees node pages needs the text's whole range writable: its
   * space, or its heap's range; and the header's page for a text attached under an older layout version
   * that attach could not raise, whose first edit writes it), checked before anything is written and before
   * the pool's hook could run; {@link @pagefork/core!SegmentationFault | SegmentationFault} for an unmapped
   * page, the same way.
   */
  delete(pos: number, count: number): void {
    this.check();
    const len = this.len;
    if (!Number.isInteger(pos) || pos < 0 || pos > len) throwInvalid("pos", pos, `an integer in [0, ${len}]`);
    if (!Number.isInteger(count) || count < 0 || pos + count > len)
      throwInvalid("count", count, `an integer in [0, ${len - pos}]`);
    if (count === 0) return;
    noteEdit();
    if (isStale(this)) deletePlanned(this, pos, count, path, true);
    else if (!deleteInLeaf(this, pos, count, path)) deletePlanned(this, pos, count, path);
  }

  /**
   * The code units in [start, end), with `String.prototype.slice` semantics
   * (negative indices count from the end; out-of-range ones clamp).
   * O(height + (end - start)).
   * @throws {TypeError} for a bigint or symbol index (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`.
   * @example
   * ```ts
   * const t = CowText.from("hello world");
   * [t.slice(6), t.slice(-5, -1), t.slice(4, 2)]; // ["world", "worl", ""]
   * t.release();
   * ```
   */
  slice(start?: number, end?: number): string {
    return sliceText(this, start, end, path);
  }

  /**
   * The code units between `start` and `end`, with
   * `String.prototype.substring` semantics: each index is clamped to
   * [0, length] (negative and NaN are 0; no counting from the end), and the
   * two are swapped when `start` is the greater; `end` defaults to the
   * length. Both are converted (ToIntegerOrInfinity, which may run an
   * object's `valueOf`) before the length is read. O(height + (end - start)).
   * @throws {TypeError} for a bigint or symbol index (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when converting an index released the text.
   * @example
   * ```ts
   * const t = CowText.from("hello world");
   * [t.substring(6), t.substring(5, 0), t.substring(-3, 2), t.substring(NaN, 99)]; // ["world", "hello", "he", "hello world"]
   * t.release();
   * ```
   */
  substring(start: number, end?: number): string {
    return substringText(this, start, end, path);
  }

  /**
   * The code unit at `index` as a string, or "" out of range (as `String.prototype.charAt`). O(height).
   * @throws {TypeError} for a bigint or symbol `index` (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when converting `index` released the text.
   * @example
   * ```ts
   * const t = CowText.from("abc");
   * [t.charAt(1), t.charAt(-1), t.charAt(NaN)]; // ["b", "", "a"]
   * t.release();
   * ```
   */
  charAt(index: number): string {
    const c = this.charCodeAt(index);
    return Number.isNaN(c) ? "" : String.fromCharCode(c);
  }

  /**
   * The code unit at `index`, or NaN out of range (as `String.prototype.charCodeAt`). O(height).
   * @throws {TypeError} for a bigint or symbol `index` (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when converting `index` released the text.
   * @example
   * ```ts
   * const t = CowText.from("a😀");
   * [t.charCodeAt(0), t.charCodeAt(1), t.charCodeAt(3)]; // [97, 55357, NaN]
   * t.release();
   * ```
   */
  charCodeAt(index: number): number {
    return charCodeText(this, index, path);
  }

  /**
   * The code unit at `index` as a string, counting back from the end for a
   * negative `index`, or undefined out of range: `String.prototype.at`.
   * `index` is converted as natively (ToIntegerOrInfinity: fractions
   * truncate toward 0, NaN is 0) before the length is read. O(height).
   * @throws {TypeError} for a bigint or symbol `index` (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when converting `index` released the text.
   * @example
   * ```ts
   * const t = CowText.from("abc");
   * [t.at(0), t.at(-1), t.at(1.9), t.at(3), t.at(-4)]; // ["a", "c", "b", undefined, undefined]
   * t.release();
   * ```
   */
  at(index: number): string | undefined {
    return atText(this, index, path);
  }

  /**
   * The code point starting at code unit `pos`, or undefined out of range:
   * `String.prototype.codePointAt`. A lead surrogate followed by a trail
   * surrogate (in the same leaf or the next) gives the pair's code point;
   * any other unit, a lone surrogate included, gives itself. `pos` is
   * converted as natively (ToIntegerOrInfinity) before the length is read;
   * no counting from the end. O(height) (twice that when the pair spans two leaves).
   * @throws {TypeError} for a bigint or symbol `pos` (ToNumber), as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when converting `pos` released the text.
   * @example
   * ```ts
   * const t = CowText.from("a😀");
   * [t.codePointAt(1), t.codePointAt(2), t.codePointAt(3), t.codePointAt(-1)]; // [128512, 56832, undefined, undefined]
   * t.release();
   * ```
   */
  codePointAt(pos: number): number | undefined {
    return codePointText(this, pos, path);
  }

  /**
   * The first index at or after `position` where `searchString` occurs, or
   * -1: `String.prototype.indexOf`. `searchString` is converted to a string
   * (ToString: a RegExp searches for its source text, as natively; a symbol
   * throws), then `position` (ToIntegerOrInfinity; clamped to [0, length]),
   * then the length is read. An empty `searchString` is found at the clamped
   * position. Matches may span leaves; the text is read in windows of
   * leaves, never whole: O(height + d + m) for d units scanned (from
   * `position` to the match, or to the end) and a needle of m units.
   * @throws {TypeError} for a symbol `searchString`, or a bigint or symbol `position`, as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when a conversion released the text.
   * @example
   * ```ts
   * const t = CowText.from("a rope of ropes");
   * [t.indexOf("rope"), t.indexOf("rope", 3), t.indexOf("cord"), t.indexOf("", 99)]; // [2, 10, -1, 15]
   * t.release();
   * ```
   */
  indexOf(searchString: string, position: number | undefined = undefined): number {
    // `= undefined` (here and in the search methods below) keeps the position
    // out of the method's `length`, which is then 1 as String.prototype's.
    return indexOfText(this, searchString, position, path);
  }

  /**
   * The last index at or before `position` where `searchString` occurs, or
   * -1: `String.prototype.lastIndexOf`. `searchString` is converted to a
   * string (ToString), then `position` (ToNumber: NaN and undefined search
   * from the end; else ToIntegerOrInfinity), then the length is read; the
   * start is clamped to [0, length - searchString.length]. An empty
   * `searchString` is found at the clamped position. Matches may span
   * leaves; the text is read backwards in windows of leaves, never whole:
   * O(height + d + m) for d units scanned (from `position` back to the
   * match, or to the start) and a needle of m units.
   * @throws {TypeError} for a symbol `searchString`, or a bigint or symbol `position`, as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when a conversion released the text.
   * @example
   * ```ts
   * const t = CowText.from("a rope of ropes");
   * [t.lastIndexOf("rope"), t.lastIndexOf("rope", 9), t.lastIndexOf("rope", NaN), t.lastIndexOf("")]; // [10, 2, 10, 15]
   * t.release();
   * ```
   */
  lastIndexOf(searchString: string, position: number | undefined = undefined): number {
    return lastIndexOfText(this, searchString, position, path);
  }

  /**
   * Whether `searchString` occurs at or after `position`:
   * `String.prototype.includes`. A regular expression (IsRegExp: a
   * `Symbol.match` property, else a RegExp's internal slots) throws
   * TypeError; otherwise `searchString` is converted to a string, then
   * `position` (ToIntegerOrInfinity; clamped to [0, length]), then the
   * length is read. O(height + d + m), as {@link CowText.indexOf}.
   * @throws {TypeError} for a regular expression or a symbol `searchString`, or a bigint or symbol `position`, as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when a conversion released the text.
   * @example
   * ```ts
   * const t = CowText.from("copy on write");
   * [t.includes("on"), t.includes("on", 6), t.includes("")]; // [true, false, true]
   * t.release();
   * ```
   */
  includes(searchString: string, position: number | undefined = undefined): boolean {
    return includesText(this, searchString, position, path);
  }

  /**
   * Whether the text holds `searchString` starting at `position` (default
   * 0): `String.prototype.startsWith`. A regular expression throws
   * TypeError; otherwise `searchString` is converted to a string, then
   * `position` (ToIntegerOrInfinity; clamped to [0, length]), then the
   * length is read. O(height + m) for a needle of m units.
   * @throws {TypeError} for a regular expression or a symbol `searchString`, or a bigint or symbol `position`, as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when a conversion released the text.
   * @example
   * ```ts
   * const t = CowText.from("copy on write");
   * [t.startsWith("copy"), t.startsWith("on", 5), t.startsWith("write", 99), t.startsWith("", 99)]; // [true, true, false, true]
   * t.release();
   * ```
   */
  startsWith(searchString: string, position: number | undefined = undefined): boolean {
    return startsWithText(this, searchString, position, path);
  }

  /**
   * Whether the text holds `searchString` ending just before `endPosition`
   * (default: the length): `String.prototype.endsWith`. A regular
   * expression throws TypeError; otherwise `searchString` is converted to a
   * string, then `endPosition` (ToIntegerOrInfinity; clamped to [0,
   * length]), then the length is read. O(height + m) for a needle of m units.
   * @throws {TypeError} for a regular expression or a symbol `searchString`, or a bigint or symbol `endPosition`, as natively.
   * @throws {ReleasedError} after `release()` or `free()`, also when a conversion released the text.
   * @example
   * ```ts
   * const t = CowText.from("copy on write");
   * [t.endsWith("write"), t.endsWith("on", 7), t.endsWith("copy", -1), t.endsWith("", 0)]; // [true, true, false, true]
   * t.release();
   * ```
   */
  endsWith(searchString: string, endPosition: number | undefined = undefined): boolean {
    return endsWithText(this, searchString, endPosition, path);
  }

  /** The whole text. O(length). */
  toString(): string {
    return this.slice(0, this.len);
  }

  /**
   * What `JSON.stringify` writes: the text as a JSON string, so that
   * `CowText.from(JSON.parse(text))` reads it back. O(length).
   * @throws {ReleasedError} after `release()` or `free()`.
   * @example
   * ```ts
   * const t = CowText.from('say "hi"');
   * JSON.stringify({ t }); // '{"t":"say \\"hi\\""}'
   * t.release();
   * ```
   */
  toJSON(): string {
    return this.toString();
  }

  /**
   * How `console.log` / `util.inspect` show the text: its length in UTF-16
   * code units and the text as Node shows a string, e.g. `CowText(5) 'hello'`;
   * at most `maxStringLength` code units (Node's default 10,000) then
   * "... N more characters", read from the pages as needed;
   * `CowText <released>` once released.
   */
  [INSPECT_CUSTOM](_depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    if (this.released) return "CowText <released>";
    return inspectText(`CowText(${this.len})`, this.len, (n) => this.slice(0, n), options, inspect);
  }

  /**
   * The text as strings of at most one leaf each, in order (their
   * concatenation is `toString()`). O(length) in all; reads 64 leaves per
   * descent.
   *
   * Live by position, as an Array's iterator is by index: each step yields
   * units of the text as it is at that step, from the position the steps
   * before reached (the units they yielded), and the iteration ends when that
   * position reaches the length. So an edit between two steps shows from the
   * next step on if it lies at or after that position, and shifts what
   * follows if it lies before. To read one version while editing, iterate a
   * `fork()` (and release it after).
   * @throws {ReleasedError} at the first step, or the step after the text was released or freed.
   * @example
   * ```ts
   * const t = CowText.from("ab".repeat(300)); // 3 leaves of 252, 252 and 96 units
   * const seen: number[] = [];
   * for (const c of t.chunks()) {
   *   seen.push(c.length);
   *   if (seen.length === 1) t.delete(252, t.length - 262); // leaves 10 units after the first chunk
   * }
   * seen; // [252, 10]
   * t.release();
   * ```
   */
  *chunks(): IterableIterator<string> {
    this.check();
    yield* leafStrings(this, path);
  }

  /**
   * Iterates code points, as `String.prototype[Symbol.iterator]` does
   * (surrogate pairs stay whole, a lone surrogate comes alone). Live by
   * position as {@link CowText.chunks} is: each step yields the code point
   * at the position the steps before reached, in the text as it is then.
   * O(1) per step without edits (it reads 64 leaves per descent).
   * @throws {ReleasedError} at the first step, or the step after the text was released or freed.
   * @example
   * ```ts
   * const t = CowText.from("a😀b");
   * [...t]; // ["a", "😀", "b"]
   * t.release();
   * ```
   */
  [Symbol.iterator](): IterableIterator<string> {
    return codePoints(this, path);
  }

  /**
   * A new version sharing every page with this one. O(1) whatever the length;
   * afterwards each version's first edit to a page copies that page.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded text: fork its space instead.
   * @throws {OutOfMemoryError} when the pool's overcommit policy refuses the fork's charge.
   */
  fork(): CowText {
    this.check();
    if (this.emb !== null) throwEmbedded("fork");
    const child = new CowText(handoff.fork(this) as CowTextOptions);
    inheritStale(this, child);
    return child;
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * `CowText.attachShared(handle)` reads it in place, without a copy; see
   * {@link @pagefork/core!AddressSpace.share | AddressSpace.share}, whose
   * pinning, lifetimes and errors apply. O(1) in the length. The pool must
   * be shared (`{ pool: new FramePool({ shared: true }) }`). Later edits of
   * this version never change what the handle reads.
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded text: share its space.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const doc = CowText.from("hello world", { pool });
   * const handle = doc.share(); // worker.postMessage(handle)
   * doc.insert(5, ",");
   * const seen = CowText.attachShared(handle); // in the worker
   * [seen.toString(), doc.toString()]; // ["hello world", "hello, world"]
   * seen.release(); doc.release();
   * ```
   */
  share(options?: ShareOptions): SharedTextHandle {
    this.check();
    if (this.emb !== null) throwEmbedded("share");
    return textHandle(this.space, this.root, this.height, this.len, false, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it; `CowText.attachShared(h)` rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded text.
   */
  transferCopy(): SharedTextHandle {
    this.check();
    if (this.emb !== null) throwEmbedded("transferCopy");
    return textHandle(this.space, this.root, this.height, this.len, true, undefined);
  }

  /**
   * The text a handle from `share()` or `transferCopy()` names, in this
   * thread: read-only (every edit throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault}), reading the
   * owner's pages in place; `fork()` gives a private, editable copy;
   * `release()` unpins the version (see
   * {@link @pagefork/core!AddressSpace.attach | AddressSpace.attach}).
   * Named `attachShared` because `attach(heap, address)` is the in-space
   * mode's. O(1) in the length; the first read or edit then finds the
   * version's lagging path (layout.ts) from the pages, O(node pages) once.
   * @throws {InvalidHandleError} when `handle` is not one (`"forged"`), is
   *   another structure's (`"type"`), or was attached or released already.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const doc = CowText.from("abc", { pool });
   * const seen = CowText.attachShared(doc.share());
   * let caught: unknown;
   * try { seen.insert(0, "x"); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * const mine = seen.fork();
   * mine.insert(0, "x");
   * [seen.toString(), mine.toString()]; // ["abc", "xabc"]
   * mine.release(); seen.release(); doc.release();
   * ```
   */
  static attachShared(handle: SharedTextHandle): CowText {
    const text = new CowText(handoff.adopt(attachTextSpace(handle)) as CowTextOptions);
    // A shared version of a stale text (adopted under a header it could not raise): its forks raise it.
    if (text.space.getUint32(H_VERSION) < TEXT_LAYOUT_VERSION) markStale(text, TEXT_LAYOUT_VERSION);
    return text;
  }

  /**
   * Returns this version's pages to the pool (those no other version shares). Idempotent.
   * @throws {InvalidArgumentError} on an embedded text: release its space, or `free()` the text.
   */
  release(): void {
    if (this.emb !== null) throwEmbedded("release");
    this.space.release();
  }

  /**
   * Frees the text. Standalone: the same as `release()`. Embedded: gives
   * every node page and the header block back to the heap (freed pages are
   * discarded, never written, so other versions of the space keep theirs),
   * after which this handle throws {@link @pagefork/core!ReleasedError | ReleasedError}; the text in other
   * forks of the space is untouched. Idempotent. O(node pages).
   * @throws {OutOfMemoryError} when the pool cannot supply the frames of the
   * heap's bookkeeping (after its hook); nothing changes then.
   * @throws {ProtectionFault} when the space is frozen, or part of the heap's range is mapped read-only
   * (nothing is freed); {@link @pagefork/core!SegmentationFault | SegmentationFault} when part is unmapped.
   * @example
   * ```ts
   * import { AddressSpace, Heap } from "@pagefork/core";
   * import { CowText } from "@pagefork/string";
   * const space = new AddressSpace({ size: 2 ** 30, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const t = CowText.create(heap, "x".repeat(1000));
   * t.free();
   * heap.stats().pagesAllocated; // 0
   * space.release();
   * ```
   */
  free(): void {
    if (this.emb !== null) freeText(this);
    else this.space.release();
  }

  /** Same as `free()` (so `release()` for a standalone text), for `using` declarations. */
  [Symbol.dispose](): void {
    this.free();
  }

  /**
   * Memory and fault counters of this version's space (see {@link SpaceStats});
   * for an embedded text, those of the whole space it shares. O(page-table nodes).
   */
  stats(): SpaceStats {
    this.check();
    return this.space.stats();
  }

  /**
   * Makes this text read-only for good: a copy-on-write snapshot freeze, like
   * the kernel's read-only mapping (`mprotect(PROT_READ)`) of a snapshot
   * (a JS string is immutable already; this is for the version a CowText
   * keeps). Every later `insert` or `delete` throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault}, checked before
   * anything is written, and changes nothing: text, length, pages and frames
   * are as they were. A call that writes nothing (an empty insert, a
   * delete of 0 code units) returns as on a writable text, as a zero-length
   * write to a frozen `AddressSpace` does. Reads, iteration, `fork()` and
   * `release()` still work. A fork of a frozen text is an ordinary writable
   * one, as a fork of a frozen `AddressSpace` is, so code handed a frozen
   * snapshot forks it to work on a copy; `new History(text, { freeze: true })`
   * freezes each version it keeps so. The freeze is the space's
   * (`text.space.frozen`). Idempotent. O(1): no page is touched, and edits
   * pay no extra test (the core's write fault, and an edit's check of the
   * pages it plans to write, refuse them).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded text (made by `create` or
   *   `attach`): it shares its heap's space with the embedder's other
   *   structures, so freeze that space instead (`space.freeze()`, which
   *   freezes all of them); nothing changes.
   * @example
   * ```ts
   * const snapshot = CowText.from("hello");
   * snapshot.freeze();
   * let caught: unknown;
   * try { snapshot.insert(5, "!"); } catch (e) { caught = e; }
   * [caught instanceof ProtectionFault, snapshot.toString()]; // [true, "hello"]
   * const work = snapshot.fork(); // writable
   * work.insert(5, "!");
   * [snapshot.frozen, work.frozen, work.toString()]; // [true, false, "hello!"]
   * snapshot.release(); work.release();
   * ```
   */
  freeze(): void {
    this.check();
    if (this.emb !== null) throwEmbedded("freeze");
    this.space.freeze();
  }

  /**
   * True once this text's space is frozen: by `freeze()`, or otherwise (a
   * text from `attachShared`; an embedded text in a space its embedder
   * froze). Every edit then throws ProtectionFault. O(1); readable after
   * `release()`.
   */
  get frozen(): boolean {
    return this.space.frozen;
  }

  /** @internal The heap that hands out this text's node pages. */
  nodeHeap(): Heap {
    // A standalone text's heap is at page 1 of its space: attached per need
    // (O(1)), so a version does not pay a field for it.
    const e = this.emb;
    return e !== null ? e.heap : Heap.attach(this.space, this.space.pageSize);
  }

  private check(): void {
    if (this.space.released || this.emb?.freed === true) throwReleased();
  }
}

/** An embedded text's handle over the header block at `at` in `heap` (for `create`). */
function newHandle(heap: Heap, at: number): CowText {
  return new CowText(handoff.embed(heap, at) as CowTextOptions);
}

/**
 * @internal A standalone text over `a.space` (which it then owns), with
 * `a`'s root, height and length: for standalone-text.ts, which checks them
 * first (as `attachShared` does, without a handle).
 */
export function textOver(a: AttachedText): CowText {
  return new CowText(handoff.adopt(a) as CowTextOptions);
}

/** The text shape-keeper.ts keeps: a few characters, in `pool`. */
function makeKeptText(pool: FramePool): CowText {
  return CowText.from("ab", { pool });
}
