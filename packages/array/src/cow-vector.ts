/**
 * CowVector: a growable COW array of one element kind, in an address space
 * sized to its maximum length.
 *
 * @module
 */
import {
  AddressSpace,
  type FramePool,
  InvalidArgumentError,
  OutOfMemoryError,
  type PageSpanCursor,
  type ProxyView,
  type SpanArrayConstructor,
} from "@pagefork/core";
import {
  convertArrayLike,
  copyOut,
  fillElements,
  moveElements,
  reserveZeroFill,
  setFromNative,
  writeFrom,
} from "./bulk.js";
import { CowElements } from "./cow-elements.js";
import { relativeIndex, strictIndex, toIntegerOrInfinity } from "./indices.js";
import { type ElementOf, kindOf, type NativeTypedArray, storeElement, toElement } from "./kinds.js";
import { type CowArrayOptions, poolFor } from "./options.js";
import { checkLive, forkSpace, reserveWrites } from "./reserve.js";
import { toKindArray } from "./set-from.js";
import { SpaceOwner } from "./space-owner.js";

/** Largest number of pages in one address space (the core's limit: vpns are uint32). */
const MAX_PAGES = 2 ** 32;

/**
 * The default `maxLength`: the most the core allows, except under overcommit
 * `"never"`. There a new space is charged its whole size until the vector
 * unmaps all but its capacity (right away, in the constructor), so the
 * default is what the pool's commit limit has room for now: a vector can then
 * grow to as much as the pool could ever give it at this moment, and costs
 * only its capacity once made.
 * @throws {OutOfMemoryError} when the commit limit has no room for one element.
 */
function defaultMaxLength(pool: FramePool, bytes: number, limit: number): number {
  if (pool.overcommit !== "never") return limit;
  const ps = pool.pageSize;
  const roomPages = Math.floor((pool.maxBytes - pool.stats().committedBytes) / ps);
  const n = Math.min(limit, Math.floor((Math.max(roomPages, 0) * ps) / bytes));
  if (n < 1) throwNoRoom(pool, bytes);
  return n;
}

function throwNoRoom(pool: FramePool, bytes: number): never {
  throw new OutOfMemoryError(
    bytes,
    `commit limit: ${pool.stats().committedBytes} of maxBytes=${pool.maxBytes} bytes already committed (overcommit "never")`,
  );
}

/** Options of {@link CowVector}. */
export interface CowVectorOptions extends CowArrayOptions {
  /**
   * Most elements the vector may hold: its address space is sized to this
   * many elements up front. Unwritten pages cost nothing and page-table levels
   * grow with use, so a large value is free. Default: the most the core
   * allows (`2 ** 32` pages); in a pool with overcommit `"never"`, what its
   * commit limit has room for when the vector is made (`maxBytes` less the
   * bytes already committed), since the new space is charged its whole size
   * for that instant (then only its capacity).
   */
  maxLength?: number;
  /** Elements to `reserve` at creation. Default 0. */
  capacity?: number;
}

/** Set by `fork()` just before it calls the constructor (one hidden class for new vectors and forks). */
let adoptOwner: SpaceOwner | null = null;
let adoptFrom: CowVector<SpanArrayConstructor> | null = null;

/**
 * A growable copy-on-write vector of one element kind (`Float64Array`,
 * `Int32Array`, `BigInt64Array`...): `push`, `pop`, `insert`, `removeRange`,
 * `splice`, `swapRemove`, `resize`, plus every method of {@link CowElements},
 * with the native conversions of the kind. `fork()` is O(1) whatever the length.
 *
 * Growth copies nothing: the address space is reserved for `maxLength`
 * elements and only `capacity` of them are mapped (no frames, no commit charge
 * for the rest, like an `mmap(PROT_NONE)` reservation). Growing maps more of
 * the reservation (doubling, as a `Vec` doubles its buffer), never reallocates,
 * so growth never copies a page shared with another version; a push writes
 * only the page it lands on. `reserve(n)` maps room now (refused now under
 * overcommit `"never"`), `shrinkToFit()` unmaps the pages past the end.
 *
 * A middle insert or removal shifts the later elements: it writes every page
 * from the position to the end, and after a fork copies each of them (at 1 KiB
 * pages, ~3,900 pages for the middle of 1,000,000 Float64 elements, where a
 * `push` copies one). To avoid it: append and keep the order in a separate
 * index, `swapRemove` when order does not matter, batch inserts at one
 * position into one `insert`/`insertFrom`, or use a tree of pages (`CowText`).
 * The package README has the measurements.
 *
 * Errors: {@link InvalidArgumentError} (a RangeError) for a position that is
 * not an integer in range (`insert`, `removeRange`, `swapRemove`, `resize`,
 * `reserve`) or invalid options; RangeError past `maxLength`; TypeError for an
 * invalid kind or BigInt/Number mixing; the rest as {@link CowElements}. A
 * call that throws changes nothing.
 *
 * @example
 * ```ts
 * const v = new CowVector(Float64Array);
 * v.push(1, 2, 3);
 * const w = v.fork(); // O(1)
 * w.insert(1, 1.5);
 * w.pop(); // 3
 * [...v]; // [1, 2, 3]
 * [...w]; // [1, 1.5, 2]
 * w.splice(0, 2); // [1, 1.5]
 * v.release(); w.release();
 * ```
 */
export class CowVector<K extends SpanArrayConstructor = Float64ArrayConstructor> extends CowElements<ElementOf<K>> {
  /** @internal Most elements the space holds. */
  readonly maxLen: number;
  /** @internal Bytes mapped from address 0: the capacity, page-rounded. */
  capBytes: number;

  /**
   * An empty vector of elements of `kind`.
   * @param kind - a native TypedArray constructor: `Float64Array`, `Int32Array`, `BigInt64Array`...
   * @throws {TypeError} when `kind` is not a TypedArray constructor.
   * @throws {InvalidArgumentError} for invalid options.
   */
  constructor(kind: K, options?: CowVectorOptions) {
    const owner = adoptOwner;
    if (owner !== null) {
      const from = adoptFrom as CowVector<SpanArrayConstructor>;
      adoptOwner = null;
      adoptFrom = null;
      super(owner, from.kind, 0, from.len);
      this.maxLen = from.maxLen;
      this.capBytes = from.capBytes;
      return;
    }
    const k = kindOf(kind);
    const pool = poolFor(options);
    const limit = Math.floor(Math.min(MAX_PAGES * pool.pageSize, Number.MAX_SAFE_INTEGER) / k.bytes);
    const maxLen = options?.maxLength ?? defaultMaxLength(pool, k.bytes, limit);
    if (typeof maxLen !== "number" || !Number.isInteger(maxLen) || maxLen < 1 || maxLen > limit)
      throw new InvalidArgumentError("maxLength", maxLen, `an integer from 1 to ${limit} elements`);
    const capacity = options?.capacity ?? 0;
    if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0)
      throw new InvalidArgumentError("capacity", capacity, `an integer from 0 to maxLength (${maxLen})`);
    if (capacity > maxLen) {
      if (options?.maxLength === undefined && capacity <= limit) throwNoRoom(pool, capacity * k.bytes);
      throw new InvalidArgumentError("capacity", capacity, `an integer from 0 to maxLength (${maxLen})`);
    }
    const space = new AddressSpace({ size: maxLen * k.bytes, pool });
    const ps = pool.pageSize;
    const capBytes = Math.ceil((capacity * k.bytes) / ps) * ps;
    try {
      if (capBytes < space.size) space.unmap(capBytes, space.size - capBytes); // reserved, not mapped
    } catch (e) {
      space.release();
      throw e;
    }
    super(new SpaceOwner(space), k, 0, 0);
    this.maxLen = maxLen;
    this.capBytes = capBytes;
  }

  /**
   * A new vector of `kind` holding the elements of `source` (iterable,
   * array-like, native or COW typed array), converted as natively. O(n).
   * @example
   * ```ts
   * CowVector.from(Int8Array, [1, 200, -1]).join(); // "1,-56,-1"
   * ```
   */
  static from<K extends SpanArrayConstructor>(
    kind: K,
    source: Iterable<unknown> | ArrayLike<unknown>,
    options?: CowVectorOptions,
  ): CowVector<K> {
    const v = new CowVector(kind, options);
    try {
      v.extend(source);
    } catch (e) {
      v.release();
      throw e;
    }
    return v;
  }

  /**
   * A new vector of `kind` holding `items`.
   * @example
   * ```ts
   * CowVector.of(BigInt64Array, 1n, 2n).at(-1); // 2n
   * ```
   */
  static of<K extends SpanArrayConstructor>(kind: K, ...items: ElementOf<K>[]): CowVector<K> {
    return CowVector.from(kind, items);
  }

  /** Most elements this vector can hold (its address space's size in elements). */
  get maxLength(): number {
    return this.maxLen;
  }

  /**
   * Elements the mapped part of the space holds (>= length, <= maxLength):
   * growing within it maps nothing. Grows with pushes (doubling) and
   * `reserve`, shrinks with `shrinkToFit`.
   */
  get capacity(): number {
    this.check();
    return Math.min(this.maxLen, Math.floor(this.capBytes / this.kind.bytes));
  }

  /**
   * Appends `items`, converted to the kind, and returns the new length.
   * O(items), amortized O(1) per item; writes only the last page(s).
   * @throws {RangeError} past `maxLength`.
   */
  push(...items: ElementOf<K>[]): number {
    this.check();
    const n = items.length;
    if (n === 1) {
      const v = toElement(this.kind, items[0]);
      this.requireRoom(1);
      const at = this.len;
      const w = this.kind.bytes;
      if ((at + 1) * w > this.capBytes) {
        reserveWrites(this, at * w, (at + 1) * w); // the store's frame, before the mapping grows
        this.mapFor(at + 1);
      }
      storeElement(this.space, this.kind, at * w, v); // one write: refused (OutOfMemoryError) before it changes anything
      this.len = at + 1;
      this.owner.writes++;
      return this.len;
    }
    return this.extend(items);
  }

  /**
   * Appends every element of `source` (iterable, array-like, native or COW
   * typed array) in one bulk write, and returns the new length. O(n).
   * @throws {RangeError} past `maxLength`; TypeError for BigInt/Number mixing.
   */
  extend(source: Iterable<unknown> | ArrayLike<unknown>): number {
    this.check();
    const src = this.converted(source);
    const at = this.len;
    const n = at + src.length;
    this.requireRoom(src.length);
    reserveWrites(this, at * this.kind.bytes, n * this.kind.bytes);
    this.ensureCapacity(n);
    setFromNative(this, src, at);
    this.setLength(n);
    return n;
  }

  /** Removes and returns the last element, or `undefined` when empty. O(1), writes nothing. */
  pop(): ElementOf<K> | undefined {
    this.check();
    if (this.len === 0) return undefined;
    const v = this.get(this.len - 1);
    this.setLength(this.len - 1);
    return v;
  }

  /**
   * Inserts `items` before element `index` (0 <= index <= length), shifting
   * the later elements: O(length - index), and after a fork every page from
   * `index` to the end is copied (see the class notes).
   * @throws {InvalidArgumentError} when `index` is not an integer in [0, length].
   */
  insert(index: number, ...items: ElementOf<K>[]): void {
    this.check();
    strictIndex(index, this.len, "index");
    this.insertFrom(index, items);
  }

  /** Inserts every element of `source` before element `index`, with one shift. See `insert`. */
  insertFrom(index: number, source: Iterable<unknown> | ArrayLike<unknown>): void {
    this.check();
    const at = strictIndex(index, this.len, "index");
    const src = this.converted(source);
    const n = src.length;
    if (n === 0) return;
    this.requireRoom(n);
    const w = this.kind.bytes;
    const len = this.len;
    reserveWrites(this, at * w, (len + n) * w); // the shift and the write, before either
    this.ensureCapacity(len + n);
    moveElements(this, at + n, at, len - at);
    writeFrom(this, at, src);
    this.setLength(len + n);
  }

  /**
   * Removes elements `[start, end)` (0 <= start <= end <= length), shifting
   * the later ones down: O(length - end); see `insert` for the page cost.
   * @throws {InvalidArgumentError} when the range is not integers inside [0, length].
   */
  removeRange(start: number, end: number): void {
    this.check();
    const a = strictIndex(start, this.len, "start");
    const b = strictIndex(end, this.len, "end");
    if (b < a) throw new InvalidArgumentError("end", end, `an integer in [start (${a}), ${this.len}]`);
    if (a === b) return;
    moveElements(this, a, b, this.len - b); // one write: refused before it changes anything
    this.setLength(this.len - (b - a));
  }

  /**
   * Removes element `index` by moving the last element into its place, and
   * returns it: O(1), writes one page, but does not keep the order (Rust's
   * `Vec::swap_remove`).
   * @throws {InvalidArgumentError} when `index` is not an integer in [0, length).
   */
  swapRemove(index: number): ElementOf<K> {
    this.check();
    const i = strictIndex(index, this.len - 1, "index");
    const v = this.get(i) as ElementOf<K>;
    const last = this.len - 1;
    if (i !== last) this.setElement(i, this.get(last));
    this.setLength(last);
    return v;
  }

  /**
   * `Array.prototype.splice`: removes `deleteCount` elements from `start`
   * (relative, clamped; all to the end when `deleteCount` is absent), inserts
   * `items` there, and returns the removed elements as a plain Array. One
   * shift of the later elements (see `insert` for its page cost).
   * @throws {RangeError} when the result would exceed `maxLength`.
   */
  splice(start?: number, deleteCount?: number, ...items: ElementOf<K>[]): ElementOf<K>[] {
    this.check();
    const len = this.len;
    const at = relativeIndex(start, len, 0);
    // biome-ignore lint/complexity/noArguments: Array.prototype.splice tells an absent deleteCount from undefined
    const argc = arguments.length;
    const del =
      argc === 0 ? 0 : argc === 1 ? len - at : Math.min(Math.max(toIntegerOrInfinity(deleteCount), 0), len - at);
    const src = convertArrayLike(this.kind, items, items.length);
    const n = src.length;
    if (n > del) this.requireRoom(n - del);
    const w = this.kind.bytes;
    const newLen = len - del + n;
    // Written: the items at [at, at + n), and the shifted tail up to the new end.
    reserveWrites(this, at * w, (n === del ? at + n : newLen) * w);
    const removed = Array.from(copyOut(this, at, at + del) as unknown as ArrayLike<ElementOf<K>>);
    if (newLen > len) this.ensureCapacity(newLen);
    if (n !== del) moveElements(this, at + n, at + del, len - at - del);
    writeFrom(this, at, src);
    if (newLen !== len) this.setLength(newLen);
    return removed;
  }

  /**
   * Sets the length: a longer vector gets zeros (O(new elements) only where
   * old pages may hold removed elements; fresh pages are already zero), a
   * shorter one drops its tail. Writes nothing when shrinking.
   * @throws {InvalidArgumentError} when `length` is not an integer in [0, maxLength].
   */
  resize(length: number): void {
    this.check();
    const n = strictIndex(length, this.maxLen, "length");
    const len = this.len;
    if (n <= len) {
      if (n < len) this.setLength(n);
      return;
    }
    // Mapped elements past the length may hold removed values; newly mapped pages are zero.
    const dirty = Math.min(n, Math.floor(this.capBytes / this.kind.bytes));
    if (dirty > len) reserveZeroFill(this, len, dirty); // before the mapping grows
    this.ensureCapacity(n);
    if (dirty > len) fillElements(this, this.kind.bigint ? 0n : 0, len, dirty);
    this.setLength(n);
  }

  /**
   * Maps room for `capacity` elements now (whole pages; no frame is taken
   * until a page is written), so that growing up to it maps nothing more.
   * O(mappings).
   * @throws {InvalidArgumentError} when `capacity` is not an integer in [0, maxLength].
   * @throws {OutOfMemoryError} when the pool's commit limit refuses the charge (overcommit `"never"`).
   */
  reserve(capacity: number): void {
    this.check();
    const n = strictIndex(capacity, this.maxLen, "capacity");
    const to = this.pageEnd(n);
    if (to > this.capBytes) {
      this.space.map(this.capBytes, to - this.capBytes);
      checkLive(this); // the out-of-memory hook may have released this vector
      this.capBytes = to;
    }
  }

  /**
   * Unmaps the pages past the last element: their frames (when no other
   * version shares them) and their commit charge return to the pool, and
   * `capacity` drops to the length rounded up to a page. O(pages unmapped).
   */
  shrinkToFit(): void {
    this.check();
    const end = this.pageEnd(this.len);
    if (this.capBytes > end) {
      this.space.unmap(end, this.capBytes - end);
      this.capBytes = end;
      this.owner.writes++;
    }
  }

  /** A new version sharing every page with this one: O(1). @throws {ReleasedError} after `release()`. */
  fork(): this {
    this.check();
    adoptOwner = new SpaceOwner(forkSpace(this));
    adoptFrom = this as unknown as CowVector<SpanArrayConstructor>;
    return new (this.constructor as new (k: unknown) => this)(undefined);
  }

  /** Returns the vector's pages to the pool (those no other version shares). Idempotent. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.len = 0;
    this.owner.drop();
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed for the kind (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<InstanceType<K>> {
    return super.spans(start, end) as PageSpanCursor<InstanceType<K>>;
  }

  /** The trap-on-write proxy view, typed `InstanceType<K>` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<InstanceType<K>> {
    return super.proxy() as ProxyView<InstanceType<K>>;
  }

  /** The elements as a new native typed array of the kind: one bulk copy out. O(n). */
  override toTypedArray(): InstanceType<K> {
    return super.toTypedArray() as InstanceType<K>;
  }

  /** "CowVector". */
  get [Symbol.toStringTag](): string {
    return "CowVector";
  }

  /** @internal */
  protected create(length: number): this {
    const pool = this.space.pool;
    // Under overcommit "never" the default maxLength is the commit limit's room (see defaultMaxLength).
    const options: CowVectorOptions =
      pool.overcommit === "never"
        ? { pool, capacity: length }
        : { pool, maxLength: Math.max(this.maxLen, length, 1), capacity: length };
    const v = new (this.constructor as new (k: unknown, o: CowVectorOptions) => this)(this.kind.Native, options);
    v.len = length; // a new space reads as zeros
    return v;
  }

  /** @internal */
  protected forkIsExact(): boolean {
    return true;
  }

  /** `source` as a native array of the kind, converted before anything is written. */
  private converted(source: unknown): NativeTypedArray {
    return toKindArray(this.kind, source instanceof CowElements ? source.toTypedArray() : source);
  }

  private requireRoom(n: number): void {
    if (this.len + n > this.maxLen)
      throw new RangeError(`Invalid vector length: ${this.len + n} (maxLength is ${this.maxLen})`);
  }

  /** Byte end of the page holding element `n - 1` (0 for n = 0). */
  private pageEnd(n: number): number {
    const ps = this.space.pageSize;
    return Math.ceil((n * this.kind.bytes) / ps) * ps;
  }

  /** Maps more of the reservation when `n` elements do not fit the capacity. */
  private ensureCapacity(n: number): void {
    if (n * this.kind.bytes > this.capBytes) this.mapFor(n);
  }

  /**
   * Maps room for `n` elements: doubling the mapping (so pushes map O(log n)
   * times), at least one page, at most the whole space. A refused charge
   * throws before anything changes; ReleasedError when the out-of-memory hook
   * released this vector's space while the charge was refused.
   */
  private mapFor(n: number): void {
    const size = this.space.size;
    const to = Math.min(size, Math.max(this.pageEnd(n), 2 * this.capBytes, this.space.pageSize));
    this.space.map(this.capBytes, to - this.capBytes);
    checkLive(this);
    this.capBytes = to;
  }

  /** Sets the length (the elements are in place) and bumps the write generation. */
  private setLength(n: number): void {
    this.len = n;
    this.owner.writes++;
  }
}
