/**
 * CowElements: the methods every COW array of one element kind has, the
 * fixed-length {@link CowTypedArray} kinds and the growable {@link CowVector}
 * alike. Elements live densely in an address space from `byteOffset`; every
 * bulk method goes through page spans or the core's bulk operations
 * (bulk.ts, scan.ts), never through one element call per element.
 *
 * Why one module of ~29 KB (about two thirds of it TSDoc): the ~50 methods (with `free`, `embedded` and
 * `address` of the in-space mode) must be methods of this class,
 * and their bodies already live in bulk.ts, scan.ts, set-from.ts, derive.ts
 * and iterators.ts; what stays is their documentation. Splitting the class
 * into a chain of base classes would add a derived-constructor level to every
 * `fork()` (the core measured that path at 2.5x the cost of a plain one).
 *
 * @module
 */
import type {
  AddressSpace,
  InspectFunction,
  InspectOptions,
  PageSpanCursor,
  ProxyView,
  SpaceStats,
} from "@pagefork/core";
import { INSPECT_CUSTOM, InvalidArgumentError, OutOfMemoryError, ProtectionFault, ReleasedError } from "@pagefork/core";
import { brandCowArrayClass, isCowArray } from "./brand.js";
import { copyBetween, copyOut, fillElements, moveElements, reserveElements, writeChanged, writeFrom } from "./bulk.js";
import { elementsToJSON, inspectArray, type JsonElements } from "./debug.js";
import { fillFrom, mapInto, mapToNative } from "./derive.js";
import { trackingView } from "./embedded-view.js";
import { freezeArray } from "./freeze.js";
import { heapCallFrames, requirePoolFrames } from "./in-space.js";
import { relativeIndex, toIntegerOrInfinity } from "./indices.js";
import { EntryIterator, KeyIterator, ValueIterator } from "./iterators.js";
import { type ElementKind, loadElement, type NativeTypedArray, storeElement, toElement } from "./kinds.js";
import { matchNativeArity } from "./native-arity.js";
import { checkLive } from "./reserve.js";
import {
  type AnyCallback,
  backward,
  forward,
  includesElement,
  indexOfElement,
  joinElements,
  lastIndexOfElement,
  reduceElements,
  reduceRightElements,
  requireCallable,
} from "./scan.js";
import { setFromSource } from "./set-from.js";
import { dropView, EMBEDDING, type SpaceOwner, type ViewOwner } from "./space-owner.js";
import { readSpans } from "./view.js";

/**
 * The shared implementation of the COW arrays: reads, searches, iteration,
 * callbacks, bulk writes and the copying methods, with the semantics of
 * `%TypedArray%.prototype` (conversions, relative indices, NaN and -0,
 * errors). Not constructed directly: use a {@link CowTypedArray} kind such as
 * {@link CowFloat64Array}, or {@link CowVector}.
 *
 * Costs: reads never allocate; scans run over page spans; a write copies at
 * most the pages it touches (each page shared with another version is copied
 * once, on its first write). Methods that return a new array (`slice`, `map`,
 * `filter`, `toSorted`, `toReversed`, `with`) return a new COW array in the same
 * frame pool, which the caller releases; `toSorted`, `toReversed` and `with` of
 * a whole array start from an O(1) fork, so they copy only the pages they change.
 *
 * Errors: native error types with native conditions (RangeError for an
 * out-of-range `with` index, a `set` source that does not fit or a negative
 * offset; TypeError for a non-callable callback, BigInt/Number mixing, a
 * non-number element index); {@link ReleasedError} after `release()`;
 * OutOfMemoryError when the pool's byte limit cannot cover a write. A call that
 * throws changes nothing. A callback that releases (or frees) the array
 * mid-call is treated as a native method treats a buffer detached by its
 * callback: the loop goes on to the length it started with, each later
 * element `undefined`, and the method returns its result (`sort` writes
 * nothing back); only an embedded array's `map` and `filter`, which allocate
 * from the freed array's heap after the callbacks, throw ReleasedError then.
 *
 * @example
 * ```ts
 * const a = CowFloat64Array.of(3, -0, NaN, 1);
 * const s = a.toSorted(); // numeric order, -0 first, NaN last
 * s.join(); // "0,1,3,NaN"
 * Object.is(s.get(0), -0); // true
 * a.includes(NaN); // true
 * a.indexOf(NaN); // -1
 * a.indexOf(0); // 1
 * a.reduce((sum, x) => sum + x, 0); // NaN
 * a.release(); s.release();
 * ```
 */
export abstract class CowElements<E extends number | bigint> implements Iterable<E> {
  static {
    brandCowArrayClass(CowElements); // brand.ts: recognised by every copy of the package
    // A standalone array is a ViewOwner with no embedding: a prototype constant, not a field.
    Object.defineProperty(CowElements.prototype, EMBEDDING, { value: null });
    // As %TypedArray%.prototype: [Symbol.iterator] is the same function as
    // values, and each method's `length` counts its required parameters
    // only (TypeScript's optional ones would count: fill's would be 3, not 1).
    Object.defineProperty(CowElements.prototype, Symbol.iterator, {
      value: CowElements.prototype.values,
      writable: true,
      configurable: true,
    });
    matchNativeArity(CowElements.prototype, Object.getPrototypeOf(Int8Array.prototype) as object);
  }
  /** The address space holding the elements (shared with subarrays; read-only: write through the array). */
  readonly space: AddressSpace;
  /**
   * @internal The owner of the views over `space` (space-owner.ts): this
   * array itself when it made or forked a standalone space, the array that
   * did for its subarrays, a SpaceOwner for an embedded array.
   */
  readonly owner: ViewOwner;
  /**
   * @internal The element kind: a constant on each Cow*Array class's
   * prototype (see `kindOnPrototype`), a field of each CowVector.
   */
  declare readonly kind: ElementKind;
  /** Byte address of element 0 in `space` (0 except for subarrays). */
  readonly byteOffset: number;
  /** @internal Number of elements (0 once released). */
  len: number;
  /**
   * @internal Released bit and view count in one Smi rather than a boolean
   * and a number (a field less per kept fork, issue 13): bit 0 is set by
   * `release()`/`free()` (`isReleased`), the bits above count the live views
   * over the space when this array is their owner (`views`, ViewOwner; 1 and
   * unused otherwise).
   */
  state: number;
  /** @internal Write generation of the views over the space, when this array is their owner (ViewOwner). */
  writes: number;
  /** @internal A standalone array's owner has no embedding: null, on the prototype (see the static block). */
  declare readonly [EMBEDDING]: SpaceOwner | null;

  /**
   * @internal `owner` null: this array owns `space` (a new standalone array,
   * a fork, an attached version).
   */
  constructor(space: AddressSpace, owner: ViewOwner | null, byteOffset: number, len: number) {
    this.space = space;
    this.owner = owner === null ? this : owner;
    this.byteOffset = byteOffset;
    this.len = len;
    this.state = 2; // one view, not released
    this.writes = 0;
  }

  /** @internal True once this view was released (bit 0 of `state`). */
  get isReleased(): boolean {
    return (this.state & 1) !== 0;
  }

  /** @internal Only ever set to true. */
  set isReleased(value: boolean) {
    if (value) this.state |= 1;
  }

  /** @internal Live views over the space, when this array is their owner (ViewOwner; see `state`). */
  get views(): number {
    return this.state >> 1;
  }

  /** @internal */
  set views(value: number) {
    this.state = (value << 1) | (this.state & 1);
  }

  /**
   * A new, zero-filled array of the same class, kind and pool (or heap, for an
   * embedded one), of `length` elements, of which the caller then writes the
   * first `written` (reserved up front for an embedded one). @internal
   */
  protected abstract create(length: number, written: number): this;

  /** Whether `fork()` copies exactly this array and no other bytes (false for subarrays). @internal */
  protected abstract forkIsExact(): boolean;

  /**
   * A new version sharing every page with this one: O(1) whatever the length.
   * Afterwards each version's first write to a page copies that page.
   * @throws {ReleasedError} after `release()`.
   */
  abstract fork(): this;

  /** Returns this array's pages to the pool (those no other version shares). Idempotent. */
  abstract release(): void;

  /** Same as `free()` (for a standalone array, `release()`), for `using` declarations. */
  [Symbol.dispose](): void {
    this.free();
  }

  /**
   * Frees the array. Embedded (made by `create` or `attach`): its element and
   * header blocks return to the heap, with its last view (a subarray shares
   * them); the heap discards freed pages and never writes them, so other
   * versions of the space keep their copy. Standalone: the same as
   * `release()`. Idempotent; afterwards any use of this handle throws
   * {@link ReleasedError}. O(pages of the element block).
   * @throws {OutOfMemoryError} when the pool cannot supply the frames of the
   * heap's metadata writes (after a fork of the space, the first free copies
   * the pages it writes), also after the out-of-memory hook grew the array's
   * block; nothing changed then.
   * @throws {ProtectionFault} when the space is frozen (and the blocks would
   * be freed now), or the out-of-memory hook froze it or write-protected a
   * page of the heap's range (SegmentationFault: unmapped one);
   * nothing changed then. A hook that freed this array, released its space
   * or took a subarray of it (which then keeps the blocks) leaves this call
   * nothing to free.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const a = CowInt32Array.create(heap, [1, 2, 3]);
   * const tail = a.subarray(1); // shares a's block
   * a.free();
   * heap.stats().blocks; // 1: the view keeps it
   * tail.free();
   * heap.stats().blocks; // 0
   * space.release();
   * ```
   */
  free(): void {
    const owner = this.owner;
    const blocks = owner[EMBEDDING];
    if (blocks === null) {
      this.release();
      return;
    }
    if (this.isReleased) return;
    if (owner.views === 1 && !this.space.released) {
      // The last view: plan both frees, then free.
      const heap = blocks.heap;
      if (this.space.frozen)
        throw new ProtectionFault(blocks.header, 1, "the address space is frozen: free() writes the heap's metadata");
      const frames = freeFrames(blocks);
      // The out-of-memory hook may run here and free this array itself (done:
      // free() is idempotent), take a subarray (which now keeps the blocks),
      // release the space, grow a vector's block (the frames counted again,
      // the hook not run twice), or freeze or protect the heap's pages
      // (refused by requirePoolFrames before the first free).
      try {
        requirePoolFrames(heap, frames, null);
      } catch (e) {
        if (!(e instanceof ReleasedError)) throw e;
      }
      if (this.isReleased) return;
      if (owner.views === 1 && !this.space.released) {
        const now = freeFrames(blocks);
        if (now > frames && now > this.space.pool.framesAvailable())
          throw new OutOfMemoryError(
            now * this.space.pageSize,
            "the onOutOfMemory hook grew this array while free() waited for frames; nothing changed, call again",
          );
        blocks.freeBlocks();
      }
    }
    this.isReleased = true;
    this.len = 0;
    dropView(owner);
  }

  /**
   * True for an array embedded in a heap (made by `create` or `attach`, or a
   * subarray or copy of one), false for a standalone one (which owns its
   * address space).
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const standalone = new CowFloat32Array(2);
   * [CowFloat32Array.create(heap, 2).embedded, standalone.embedded]; // [true, false]
   * standalone.release();
   * space.release();
   * ```
   */
  get embedded(): boolean {
    return this.owner[EMBEDDING] !== null;
  }

  /**
   * Byte address of the header block of an embedded array in its heap's
   * space: what `attach(heap, address)` takes, in this space or a fork of it.
   * Stable for the array's life (a subarray reports its parent's).
   * @throws {InvalidArgumentError} for a standalone array (it has no header).
   * @throws {ReleasedError} after `free()`.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const a = CowUint8Array.create(heap, [7, 8]);
   * CowUint8Array.attach(heap, a.address).at(-1); // 8
   * space.release();
   * ```
   */
  get address(): number {
    this.check();
    const blocks = this.owner[EMBEDDING];
    if (blocks === null)
      throw new InvalidArgumentError(
        "this",
        `standalone ${this.constructor.name}`,
        "an embedded array (create(heap, ...) or attach(heap, address)): a standalone one has no header address",
      );
    return blocks.header;
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.isReleased;
  }

  /** Number of elements. @throws {ReleasedError} after `release()`. */
  get length(): number {
    if (this.isReleased) this.check();
    return this.len;
  }

  /** Bytes of the elements: `length * BYTES_PER_ELEMENT`. */
  get byteLength(): number {
    return this.length * this.kind.bytes;
  }

  /** Bytes per element, as the native kind's. */
  get BYTES_PER_ELEMENT(): number {
    return this.kind.bytes;
  }

  /** Page size of the underlying space, in bytes. */
  get pageSize(): number {
    return this.space.pageSize;
  }

  /** @internal Throws ReleasedError once released. */
  check(): void {
    if (this.isReleased) throw new ReleasedError(this.constructor.name);
  }

  /**
   * The element at `index`, as `array[index]` reads it: an integer index in
   * `[0, length)` reads the element; any other number (negative, fractional,
   * NaN, past the end) reads `undefined`. O(1), no allocation.
   * @throws {TypeError} when `index` is not a number.
   */
  get(index: number): E | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len)
      return loadElement(this.space, this.kind.code, this.byteOffset + i * this.kind.bytes) as E;
    return this.getSlow(index);
  }

  /** @internal The rare cases of `get`: released, not a number, indices past 2^32 - 1, out of range. */
  protected getSlow(index: number): E | undefined {
    this.check();
    if (typeof index !== "number") throw new TypeError(`index must be a number, got ${typeof index}`);
    if (Number.isInteger(index) && index >= 0 && index < this.len)
      return loadElement(this.space, this.kind.code, this.byteOffset + index * this.kind.bytes) as E;
    return undefined;
  }

  /**
   * `set(index, value)` writes one element as `array[index] = value` does:
   * the value is converted first (ToNumber, or ToBigInt for the BigInt kinds,
   * then wrapped, clamped or rounded to the kind), and an index outside
   * `[0, length)` or not an integer is ignored.
   *
   * `set(source, offset = 0)` is the native bulk form: it stores every element
   * of `source` (an array-like, a native TypedArray or a COW array) from
   * `offset`, converting each; the two forms are told apart by the type of the
   * first argument. O(source length), one page span or bulk copy at a time.
   *
   * @throws {TypeError} for a bigint into a number kind or a number into a
   * BigInt kind, or a symbol; for a null or undefined source.
   * @throws {RangeError} when `offset` is negative or the source does not fit.
   */
  set(index: number, value: E): void;
  set(source: ArrayLike<E> | CowElements<E> | Iterable<E>, offset?: number): void;
  set(a: unknown, b?: unknown): void {
    if (typeof a === "number") this.setElement(a, b);
    else this.setFrom(a, b);
  }

  /** @internal The element form of `set`, kind-generic (the kinds override `set` with a typed fast path). */
  protected setElement(index: number, value: unknown): void {
    const v = toElement(this.kind, value);
    const i = index >>> 0;
    // With a frame to spare the store's fault cannot run the out-of-memory hook (see setSlow).
    if (i === index && i < this.len && this.space.pool.framesAvailable() > 0) {
      storeElement(this.space, this.kind, this.byteOffset + i * this.kind.bytes, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(index, v);
  }

  /**
   * @internal The rare cases of the element `set`: released, indices past
   * 2^32 - 1, out of range (ignored), and a store near the pool's limit.
   * There the store's fault would run the out-of-memory hook inside the
   * core's write, which then stores at the address computed before it: a
   * hook that shrank a vector (an embedded one's block shrunk, its tail
   * perhaps another heap block now), freed the array or pushed onto it would
   * have the store land in the freed block, past the end, or over the hook's
   * own write. So the array reserves the page first (bulk.ts
   * `reserveElements`): the hook runs under the array's checks, and the set
   * is refused (ReleasedError, or OutOfMemoryError "call again", the hook's
   * change kept) before it stores.
   */
  protected setSlow(index: number, v: number | bigint): void {
    this.check();
    if (Number.isInteger(index) && index >= 0 && index < this.len) {
      if (this.space.pool.framesAvailable() < 1) reserveElements(this, index, 1);
      storeElement(this.space, this.kind, this.byteOffset + index * this.kind.bytes, v);
      this.owner.writes++;
    }
  }

  /** @internal The bulk form of `set`. */
  protected setFrom(source: unknown, offset: unknown): void {
    this.check();
    setFromSource(this, source, offset, isCowArray(source) ? source : null);
  }

  /** The element at `index`, negative counting from the end; `undefined` out of range. O(1). */
  at(index: number): E | undefined {
    this.check();
    // The length before converting `index`, as the native `at`: an index
    // whose valueOf shrinks a vector counts from the old end, and an element
    // past the new end reads as `undefined`.
    const len = this.len;
    const rel = toIntegerOrInfinity(index);
    const k = rel >= 0 ? rel : len + rel;
    if (k < 0 || k >= len || k >= this.len) return undefined;
    return loadElement(this.space, this.kind.code, this.byteOffset + k * this.kind.bytes) as E;
  }

  /**
   * Sets elements `[start, end)` (relative, clamped) to `value`, converted
   * once. O(end - start) as a memset or one native `fill` per page; zeros over
   * whole pages return them to the zero frame instead (they then cost nothing).
   * `start` and `end` are read as the specification says (an undefined
   * `start` is 0, an undefined `end` the length), as `Array.prototype.fill`
   * does. Deliberately different from V8's typed arrays up to at least Node
   * 20, whose `fill(value, undefined, end)` ignores `end` and fills to the end.
   * @returns this array.
   * @example
   * ```ts
   * const a = CowInt8Array.of(0, 0, 0, 0);
   * a.fill(7, undefined, 2).join(); // "7,7,0,0" (new Int8Array(4).fill(7, undefined, 2) gives "7,7,7,7" on Node 20)
   * a.release();
   * ```
   */
  fill(value: E, start?: number, end?: number): this {
    this.check();
    const v = toElement(this.kind, value);
    const len = this.len;
    const a = relativeIndex(start, len, 0);
    const b = relativeIndex(end, len, len);
    // A conversion may have released this view (a subarray's space lives on:
    // never write through a released view) or shrunk a vector: fill only up
    // to its current end, as a native fill clamps to a shrunk buffer (past
    // it, an embedded vector's freed block may be another heap block now).
    this.check();
    fillElements(this, v, a, Math.min(b, this.len));
    return this;
  }

  /**
   * Copies elements `[start, end)` to `target` (all relative, clamped), as a
   * memmove. O(end - start), through the core's `copyWithin`.
   * @returns this array.
   */
  copyWithin(target: number, start: number, end?: number): this {
    this.check();
    const len = this.len;
    const to = relativeIndex(target, len, 0);
    const from = relativeIndex(start, len, 0);
    const final = relativeIndex(end, len, len);
    // An argument's valueOf may have released this view (ReleasedError, as
    // every call on it) or shrunk a vector: copy only within its current
    // end, as a native copyWithin does within a shrunk buffer.
    this.check();
    const cur = this.len;
    const count = Math.min(final - from, len - to, cur - from, cur - to);
    if (count > 0) moveElements(this, to, from, count);
    return this;
  }

  /** First index of `search` from `fromIndex` (strict equality: NaN never found), or -1. O(n). */
  indexOf(search: E, fromIndex?: number): number {
    this.check();
    return indexOfElement(this, search, fromIndex);
  }

  /** Last index of `search` at or before `fromIndex` (default `length - 1`), or -1. O(n). */
  lastIndexOf(search: E, fromIndex?: number): number {
    this.check();
    // biome-ignore lint/complexity/noArguments: an explicit undefined fromIndex means 0, an absent one length - 1
    return lastIndexOfElement(this, search, fromIndex, arguments.length > 1);
  }

  /** Whether `search` occurs from `fromIndex` on (SameValueZero: NaN is found). O(n). */
  includes(search: E, fromIndex?: number): boolean {
    this.check();
    return includesElement(this, search, fromIndex);
  }

  /** First element for which `predicate` is truthy, or `undefined`. */
  find(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): E | undefined {
    this.check();
    requireCallable(predicate, "find");
    let found: E | undefined;
    forward(this, 0, this.len, (v, k) => {
      if (!predicate.call(thisArg, v as E, k, this)) return false;
      found = v as E; // the value the predicate saw, as natively, even if it then wrote the element
      return true;
    });
    return found;
  }

  /** Index of the first element for which `predicate` is truthy, or -1. */
  findIndex(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): number {
    this.check();
    requireCallable(predicate, "findIndex");
    return forward(this, 0, this.len, (v, k) => !!predicate.call(thisArg, v as E, k, this));
  }

  /** Last element for which `predicate` is truthy, or `undefined`. */
  findLast(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): E | undefined {
    this.check();
    requireCallable(predicate, "findLast");
    let found: E | undefined;
    backward(this, this.len - 1, (v, k) => {
      if (!predicate.call(thisArg, v as E, k, this)) return false;
      found = v as E;
      return true;
    });
    return found;
  }

  /** Index of the last element for which `predicate` is truthy, or -1. */
  findLastIndex(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): number {
    this.check();
    requireCallable(predicate, "findLastIndex");
    return backward(this, this.len - 1, (v, k) => !!predicate.call(thisArg, v as E, k, this));
  }

  /** Whether `predicate` is truthy for every element (true when empty). */
  every(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): boolean {
    this.check();
    requireCallable(predicate, "every");
    return forward(this, 0, this.len, (v, k) => !predicate.call(thisArg, v as E, k, this)) < 0;
  }

  /** Whether `predicate` is truthy for some element (false when empty). */
  some(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): boolean {
    this.check();
    requireCallable(predicate, "some");
    return forward(this, 0, this.len, (v, k) => !!predicate.call(thisArg, v as E, k, this)) >= 0;
  }

  /** Calls `fn(value, index, array)` for every element in order. */
  forEach(fn: (value: E, index: number, array: this) => void, thisArg?: unknown): void {
    this.check();
    requireCallable(fn, "forEach");
    forward(this, 0, this.len, (v, k) => {
      fn.call(thisArg, v as E, k, this);
      return false;
    });
  }

  /**
   * A new array of the same kind holding `fn(value, index, array)` for each
   * element, converted to the kind. O(n), written one chunk at a time.
   */
  map(fn: (value: E, index: number, array: this) => E, thisArg?: unknown): this {
    this.check();
    requireCallable(fn, "map");
    if (this.owner[EMBEDDING] !== null) {
      // Embedded: every value first, then one reserved allocation and write (callbacks may use the heap).
      const src = mapToNative(this, fn, thisArg);
      const out = this.createLive(src.length, src.length);
      return fillFrom(out, () => writeFrom(out, 0, src));
    }
    const out = this.createLive(this.len, 0);
    return fillFrom(out, () => mapInto(this, out, fn, thisArg));
  }

  /** A new array of the same kind holding the elements for which `predicate` is truthy. O(n). */
  filter(predicate: (value: E, index: number, array: this) => unknown, thisArg?: unknown): this {
    this.check();
    requireCallable(predicate, "filter");
    const kept: E[] = [];
    forward(this, 0, this.len, (v, k) => {
      if (predicate.call(thisArg, v as E, k, this)) kept.push(v as E);
      return false;
    });
    const src = new this.kind.Native(kept as never) as NativeTypedArray;
    // A callback that released a standalone array left its pool: the kept values are the native result.
    const out =
      this.isReleased && this.owner[EMBEDDING] === null
        ? this.create(src.length, src.length)
        : this.createLive(src.length, src.length);
    return fillFrom(out, () => writeFrom(out, 0, src));
  }

  /**
   * Folds the elements from the first, as `Array.prototype.reduce`: a tight
   * loop over page spans, the fast way to scan.
   * @throws {TypeError} when the array is empty and no initial value is given.
   */
  reduce(fn: (acc: E, value: E, index: number, array: this) => E): E;
  reduce<U>(fn: (acc: U, value: E, index: number, array: this) => U, initial: U): U;
  reduce(fn: AnyCallback, initial?: unknown): unknown {
    this.check();
    requireCallable(fn, "reduce");
    // biome-ignore lint/complexity/noArguments: an explicit undefined initial value is an initial value
    return reduceElements(this, fn, initial, arguments.length > 1, this);
  }

  /** Folds the elements from the last, as `Array.prototype.reduceRight`. */
  reduceRight(fn: (acc: E, value: E, index: number, array: this) => E): E;
  reduceRight<U>(fn: (acc: U, value: E, index: number, array: this) => U, initial: U): U;
  reduceRight(fn: AnyCallback, initial?: unknown): unknown {
    this.check();
    requireCallable(fn, "reduceRight");
    // biome-ignore lint/complexity/noArguments: as in reduce
    return reduceRightElements(this, fn, initial, arguments.length > 1, this);
  }

  /** The elements as strings joined by `separator` (default ","). O(n), joined natively per chunk. */
  join(separator?: string): string {
    this.check();
    return joinElements(this, this.len, separator);
  }

  /** Same as `join()`. */
  toString(): string {
    return this.join();
  }

  /** The elements' `toLocaleString(locales, options)` joined by ",", as the native method. */
  toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    return this.toTypedArray().toLocaleString(locales, options);
  }

  /** Reverses the elements in place. O(n): one read out, one write back. @returns this array. */
  reverse(): this {
    this.check();
    const a = copyOut(this, 0, this.len);
    writeFrom(this, 0, a.reverse() as NativeTypedArray);
    return this;
  }

  /**
   * Sorts in place, as the native `sort`: numeric order by default (-0 before
   * +0, NaN last), or by `comparator`. Sorts a native copy, then writes back
   * only the pages that changed, so sorting sorted data copies nothing.
   * O(n log n) time, O(n) temporary memory.
   * @throws {TypeError} when `comparator` is neither a function nor undefined.
   * @returns this array.
   */
  sort(comparator?: (a: E, b: E) => number): this {
    this.check();
    if (comparator !== undefined && typeof comparator !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    const a = copyOut(this, 0, this.len) as Float64Array;
    a.sort(comparator as ((x: number, y: number) => number) | undefined);
    // The comparator may have released this view (then nothing is written,
    // as a native sort writes nothing to a detached buffer) or shrunk a
    // vector: write back only the sorted elements that still fit, as the
    // native sort sets only the indices a shrunk buffer still holds.
    if (this.isReleased) return this;
    writeChanged(this, 0, this.len < a.length ? a.subarray(0, this.len) : a);
    return this;
  }

  /** A sorted copy (see `sort`): an O(1) fork of a whole array plus the pages the sort changes. */
  toSorted(comparator?: (a: E, b: E) => number): this {
    this.check();
    if (comparator !== undefined && typeof comparator !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    return this.derive((out) => out.sort(comparator));
  }

  /** A reversed copy. */
  toReversed(): this {
    this.check();
    return this.derive((out) => out.reverse());
  }

  /**
   * A copy with element `index` (negative from the end) set to `value`: for a
   * whole array an O(1) fork plus one page, the cheapest way to make a new
   * version that differs in one element.
   * As the native `with`, `index` is relative to the length before the
   * conversions; if converting them shrank a vector, the copy still has that
   * length and its elements past the new end are those a native typed array
   * stores for `undefined` (NaN for floats, 0 for integers; a BigInt kind
   * throws TypeError); if they grew it, the copy has that length too (the
   * elements added meanwhile are not in it).
   * @throws {RangeError} "Invalid typed array index" when `index` is out of range, checked against the
   * length after converting `value` (a conversion that shrinks a vector below `index` makes it out of range).
   */
  with(index: number, value: E): this {
    this.check();
    const len = this.len;
    const rel = toIntegerOrInfinity(index);
    const k = rel >= 0 ? rel : len + rel;
    const v = toElement(this.kind, value);
    const cur = this.len;
    if (!(k >= 0 && k < len && k < cur)) throw new RangeError(`Invalid typed array index: ${index} (length ${cur})`);
    if (cur < len) {
      // A conversion shrank this vector: the native copy keeps the old length
      // and stores `undefined` converted past the new end.
      const tail = toElement(this.kind, undefined);
      const out = this.createLive(len, len);
      return fillFrom(out, () => {
        copyBetween(this, 0, out, 0, cur);
        fillElements(out, tail, cur, len);
        storeElement(out.space, out.kind, out.byteOffset + k * out.kind.bytes, v);
        out.owner.writes++;
      });
    }
    // A conversion that grew a vector: the copy still has the old length, as natively.
    const out = cur === len ? this.slice() : this.slice(0, len);
    return fillFrom(out, () => {
      storeElement(out.space, out.kind, out.byteOffset + k * out.kind.bytes, v);
      out.owner.writes++;
    });
  }

  /**
   * A new array holding elements `[start, end)` (relative, clamped). A copy
   * of a whole array is an O(1) fork; otherwise O(end - start), one page at a time.
   */
  slice(start?: number, end?: number): this {
    this.check();
    const len = this.len;
    const k = relativeIndex(start, len, 0);
    const final = relativeIndex(end, len, len);
    const count = Math.max(final - k, 0);
    if (k === 0 && count === len && this.len === len && this.forkIsExact()) return this.fork();
    // An argument's valueOf may have shrunk a vector: copy only what is left
    // (the rest reads zero, as a native slice of a shrunk buffer gives).
    const n = Math.min(count, Math.max(this.len - k, 0));
    // `written` n: an embedded vector's block is malloc'd (not zeroed) only when
    // every element is written; with fewer, calloc. (It was `count`: the rest
    // of the copy read whatever a freed block had left there.)
    const out = this.createLive(count, n);
    // The out-of-memory hook, run by createLive, may have shrunk this further:
    // what it cut off must read zero too, and a malloc'd block is not.
    const m = Math.min(n, Math.max(this.len - k, 0));
    return fillFrom(out, () => {
      copyBetween(this, k, out, 0, m);
      fillElements(out, this.kind.bigint ? 0n : 0, m, n);
    });
  }

  /** Iterator over `[index, value]` pairs. */
  entries(): IterableIterator<[number, E]> {
    return new EntryIterator<E>(this);
  }

  /** Iterator over the indices. */
  keys(): IterableIterator<number> {
    return new KeyIterator(this);
  }

  /** Iterator over the values, read straight from page spans (the fast way to `for..of`). */
  values(): IterableIterator<E> {
    return new ValueIterator<E>(this);
  }

  /** Same function as `values` (set in the static block), as for native typed arrays. */
  declare [Symbol.iterator]: () => IterableIterator<E>;

  /**
   * A read-only page-span cursor over elements `[start, end)` (relative,
   * clamped, as `slice`): after each `next()` that returns true, `array[start]`
   * .. `array[end - 1]` are the elements on one page, read straight from the
   * frame. The fastest scan, a native loop per page written at the call site:
   * `for (const c = a.spans(); c.next(); ) for (let i = c.start; i < c.end; i++) sum += c.array[i]`.
   * Never write through `array` (it may be shared with other versions, or be
   * the zero frame); a span is valid until the next write to the pool.
   * @example
   * ```ts
   * const a = CowFloat64Array.from([1, 2, 3, 4]);
   * let sum = 0;
   * for (const c = a.spans(1); c.next(); ) for (let i = c.start; i < c.end; i++) sum += c.array[i];
   * sum; // 9
   * a.release();
   * ```
   */
  spans(start?: number, end?: number): PageSpanCursor<NativeTypedArray> {
    this.check();
    const len = this.len;
    const a = relativeIndex(start, len, 0);
    const b = relativeIndex(end, len, len);
    // A conversion may have released this view or shrunk a vector: never read past its end.
    this.check();
    return readSpans(this, a, Math.max(Math.min(b, this.len) - a, 0));
  }

  /**
   * The core's trap-on-write proxy view over this array's elements
   * (`space.view(Native, byteOffset, length)`): `p[i]`, `p[i] = x`,
   * `p.length`, iteration and the TypedArray methods, for code written for a
   * native typed array; writes go through the fault handler (the first write
   * to a shared page copies it). Standalone, it covers the `length` elements
   * there are when it is made (a vector that grows needs a new one) and throws
   * {@link ReleasedError} once the space is released. Embedded (in a heap), it
   * tracks the array as a length-tracking typed array tracks a resizable
   * ArrayBuffer (its block may move, shrink or be freed, and other blocks then
   * live there): its `length` is the array's, an index past it reads
   * `undefined` and ignores writes, element writes and `fill`, `set`,
   * `copyWithin`, `reverse`, `sort` are the array's own, and after `free()`
   * every access throws {@link ReleasedError}. Each call makes a new
   * view, O(1). A Proxy trap costs ~110x `get(i)` and 220x-520x a native
   * access: use `get`/`set`, the bulk methods or `spans` in hot code.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = new CowInt16Array(4);
   * const p = a.proxy();
   * p[1] = 70000; // wraps as Int16Array does
   * [a.get(1), p.length, [...p].join()]; // [4464, 4, "0,4464,0,0"]
   * a.release();
   * ```
   */
  proxy(): ProxyView {
    this.check();
    if (this.owner[EMBEDDING] !== null) return trackingView(this);
    return this.space.view(this.kind.Native, this.byteOffset, this.len);
  }

  /** The elements as a new native TypedArray of the kind: one bulk copy out. O(n). */
  toTypedArray(): NativeTypedArray {
    this.check();
    return copyOut(this, 0, this.len);
  }

  /**
   * What `JSON.stringify` writes: the elements as a plain array, numbers for
   * the number kinds (NaN and ±Infinity become `null` in the JSON text, as
   * for any array) and decimal strings for the BigInt kinds (JSON has no
   * BigInt). `Kind.from(JSON.parse(text))` reads it back (with
   * `.map(BigInt)` for the BigInt kinds). O(n): one bulk copy out.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = CowFloat64Array.of(1, 2.5);
   * JSON.stringify({ a }); // '{"a":[1,2.5]}'
   * const b = CowBigUint64Array.of(2n ** 64n - 1n);
   * JSON.stringify(b); // '["18446744073709551615"]'
   * CowBigUint64Array.from(JSON.parse(JSON.stringify(b)).map(BigInt)).at(0); // 18446744073709551615n
   * a.release(); b.release();
   * ```
   */
  toJSON(): JsonElements<E> {
    return elementsToJSON(this);
  }

  /**
   * How `console.log` / `util.inspect` show the array: as Node shows a typed
   * array, with the class name, e.g. `CowFloat64Array(3) [ 1, 2, 3 ]`; at most
   * `maxArrayLength` elements (Node's default 100) then "... N more items",
   * read from the pages as needed; `CowFloat64Array <released>` once released.
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    return inspectArray(this, this.inspectName(), depth, options, inspect);
  }

  /** @internal The name `console.log` shows: the class's ("CowFloat64Array"...). */
  protected inspectName(): string {
    return `Cow${this.kind.name}Array`;
  }

  /**
   * Memory and fault counters of the address space behind this array
   * ({@link SpaceStats}: RSS, PSS, USS, faults, bytes copied). A subarray
   * reports its parent's space, which it shares. O(page-table nodes).
   */
  stats(): SpaceStats {
    this.check();
    return this.space.stats();
  }

  /**
   * Makes this array read-only for good: a copy-on-write snapshot freeze,
   * like the kernel's read-only mapping (`mprotect(PROT_READ)`) of a
   * snapshot, not `Object.freeze` (which throws TypeError on a typed array
   * with elements: they cannot be made non-writable). Every later write
   * (`set`, `fill`, `copyWithin`, `reverse`, `sort`, a write through
   * `proxy()`; a vector's `push`, `extend`, `pop`, `insert`, `insertFrom`,
   * `removeRange`, `swapRemove`, `splice`, `resize`, `reserve`,
   * `shrinkToFit`) throws {@link @pagefork/core!ProtectionFault | ProtectionFault}
   * and changes nothing: elements, length, pages and frames are as they
   * were. A call that writes nothing (a `fill` of an empty range, a `set` of
   * an index past the end, a `pop` of an empty vector) returns as it does on
   * a writable array, as a zero-length write to a frozen `AddressSpace` does.
   * Reads, iteration, the copying methods (`slice`, `map`, `filter`, `with`,
   * `toSorted`, `toReversed`: new, writable arrays), `fork()`, `release()` and
   * `free()` still work. A fork of a frozen array is an ordinary writable
   * array, as a fork of a frozen `AddressSpace` is, so code handed a frozen
   * snapshot forks it to work on a copy; `new History(a, { freeze: true })`
   * freezes each version it keeps so.
   *
   * The freeze is the space's (`a.space.freeze()`): a subarray shares its
   * space with the array it came from, so freezing either freezes both, as
   * protection belongs to the mapping, not to one view of it. Idempotent.
   * O(1): no page is touched, and writes pay no extra test (the core's
   * write fault tests the frozen bit it always tests).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded array (made by `create`
   *   or `attach`): it shares its heap's space with the embedder's other
   *   structures, so freeze that space instead (`space.freeze()`, which
   *   freezes all of them); nothing changes.
   * @example
   * ```ts
   * const snapshot = CowFloat64Array.of(1, 2, 3);
   * snapshot.freeze();
   * let caught: unknown;
   * try { snapshot.set(0, 9); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * snapshot.join(); // "1,2,3"
   * const work = snapshot.fork(); // writable
   * work.set(0, 9);
   * [snapshot.frozen, work.frozen, work.join()]; // [true, false, "9,2,3"]
   * snapshot.release(); work.release();
   * ```
   */
  freeze(): void {
    freezeArray(this, this.constructor.name);
  }

  /**
   * True once this array's space is frozen: by `freeze()` of this array or
   * of a view sharing its space, or otherwise (an array from
   * `attachShared`, an embedded array in a space its embedder froze).
   * Every write then throws ProtectionFault. O(1); readable after `release()`.
   */
  get frozen(): boolean {
    return this.space.frozen;
  }

  /**
   * `create(length, written)`, then ReleasedError (the new array released) if making
   * it ran the out-of-memory hook and the hook released this array (a refused
   * commit charge under overcommit "never"). Embedded, the reservation before
   * the heap calls checks this array itself once the hook ran (ReleasedError,
   * or OutOfMemoryError when the hook wrote it), before it allocates.
   */
  private createLive(length: number, written: number): this {
    const out = this.create(length, written);
    if (this.isReleased || this.space.released) {
      out.free();
      checkLive(this);
    }
    return out;
  }

  /** A copy (`slice()`: a fork when that is exact) changed by `edit`; released if `edit` throws. */
  private derive(edit: (out: this) => void): this {
    const out = this.slice();
    return fillFrom(out, () => edit(out));
  }
}

/** Frames the two frees of an embedded array's blocks may take (its element block, then its header block). */
function freeFrames(blocks: SpaceOwner): number {
  const heap = blocks.heap;
  const data = blocks.data === 0 ? 0 : heap.usableSize(blocks.data);
  return heapCallFrames(heap, data) + heapCallFrames(heap, heap.usableSize(blocks.header));
}
