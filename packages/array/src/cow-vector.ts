/**
 * CowVector: a growable COW array of one element kind, standalone in an
 * address space sized to its maximum length, or embedded in a caller's heap.
 * Where the elements live and how that room grows is vector-storage.ts; how
 * a new, embedded or attached vector gets its room vector-spaces.ts; the
 * bodies of the shifting and resizing edits vector-edits.ts; the options and
 * their defaults vector-options.ts. What stays here (~19 KB) are the
 * methods, which must be members of the class, the hot `push`, and their
 * documentation.
 *
 * @module
 */

import {
  type AddressSpace,
  type FramePool,
  type Heap,
  InvalidArgumentError,
  type PageSpanCursor,
  type ProxyView,
  type ShareOptions,
  type SpanArrayConstructor,
} from "@pagefork/core";
import { adoption } from "./adoption.js";
import { CowElements } from "./cow-elements.js";
import { fastClass } from "./fast-class.js";
import { heapOf, throwEmbedded } from "./in-space.js";
import { strictIndex } from "./indices.js";
import { type ElementKind, type ElementOf, kindOf, storeElement, toElement } from "./kinds.js";
import { matchNativeArity } from "./native-arity.js";
import { forkSpace } from "./reserve.js";
import { keepVectorShapes, shapesKept, VECTOR_SHAPES } from "./shape-keeper.js";
import { dropView, EMBEDDING, type SpaceOwner } from "./space-owner.js";
import {
  extendVector,
  insertIntoVector,
  removeFromVector,
  requireRoom,
  reserveVector,
  resizeVector,
  shrinkVector,
  spliceVector,
} from "./vector-edits.js";
import { type CowVectorCreateOptions, type CowVectorOptions, heapMaxLength } from "./vector-options.js";
import { attachVectorSpace, type SharedVectorHandle, vectorHandle } from "./vector-shared.js";
import { attachedVector, embeddedVector, standaloneVector } from "./vector-spaces.js";
import { ensureCapacity, planWrites, setLength } from "./vector-storage.js";

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
 * (An embedded vector, made by {@link CowVector.create} in a caller's heap,
 * grows by `realloc` instead: see there for what a grow that moves costs.)
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
  static {
    // push(...items) would have length 0; Array.prototype.push's is 1 (native-arity.ts).
    matchNativeArity(CowVector.prototype, Array.prototype);
    fastClass(CowVector);
  }
  /** @internal The element kind: a field here (a vector's kind is its own; the fixed-length kinds keep theirs on the prototype). */
  override readonly kind: ElementKind;
  /** @internal Most elements the space holds. */
  readonly maxLen: number;
  /**
   * @internal Bytes of room for elements: mapped from address 0, page-rounded
   * (standalone), or the element block's usable size (embedded).
   */
  capBytes: number;

  /**
   * An empty vector of elements of `kind`.
   * @param kind - a native TypedArray constructor: `Float64Array`, `Int32Array`, `BigInt64Array`...
   * @throws {TypeError} when `kind` is not a TypedArray constructor.
   * @throws {InvalidArgumentError} for invalid options.
   */
  constructor(kind: K, options?: CowVectorOptions) {
    // fork(), create(), attach() pass a ready hand-off (adoption.ts); a new vector makes one (vector-spaces.ts)
    // An identity test, not instanceof (see CowTypedArray's constructor).
    const a = (kind as unknown) === adoption ? adoption : standaloneVector(kind, options);
    const k = a.kind as ElementKind;
    const len = a.len;
    const maxLen = a.maxLen;
    const capBytes = a.capBytes;
    const owner = a.owner; // before take(), which clears it
    super(a.take(), owner, owner === null ? 0 : (owner[EMBEDDING] as SpaceOwner).data, len);
    this.kind = k;
    this.maxLen = maxLen;
    this.capBytes = capBytes;
    // One load per construction; the first vector keeps CowVector's hidden classes alive (shape-keeper.ts).
    if (shapesKept[VECTOR_SHAPES] === 0) keepVectorShapes(makeKeptVector);
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

  /**
   * A new, empty vector of `kind` embedded in `heap` (a core {@link Heap} in
   * an address space the caller owns): its elements live in one heap block,
   * allocated at the first element (or now, for `capacity`), that grows by
   * `heap.realloc`, doubling. A grow stays in place when the block ends at
   * the heap's break; otherwise it moves the block, copying its bytes, so it
   * writes every page of the vector (after a fork of the space: copies them
   * into this version), amortised O(1) per element as any doubling vector.
   * Its header (kind, length, block address) is a 24-byte block at
   * `address`, rewritten by every call that changes them, so the space can
   * be forked (or frozen) between any two calls and the vector attached in
   * the fork with `attach(heap, address)`. An empty vector costs its header
   * only. `fork()` and `release()` throw (the embedder forks or releases the
   * space); `free()` frees both blocks. `maxLength` is what the heap's range
   * can hold. O(capacity) at most.
   * @throws {InvalidArgumentError} when `heap` is not a Heap or `capacity` is not an integer in [0, maxLength].
   * @throws {TypeError} when `kind` is not a TypedArray constructor.
   * @throws {OutOfMemoryError} when the heap's range or the pool has no room;
   * nothing changed then, but for one corner: with a `capacity`, the element
   * block is allocated first, then the header; if the heap's range runs out
   * exactly between the two, the element block is freed again, and the heap's
   * counters are as before but pages of heap metadata the two calls wrote may
   * stay materialized (a few frames).
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const v = CowVector.create(heap, Float64Array);
   * v.push(1, 2, 3);
   * const child = space.fork();
   * const w = CowVector.attach(Heap.attach(child, 256), v.address, Float64Array);
   * w.push(4);
   * [v.length, w.length, w.join()]; // [3, 4, "1,2,3,4"]
   * child.release();
   * v.free();
   * heap.stats().blocks; // 0
   * space.release();
   * ```
   */
  static create<K extends SpanArrayConstructor>(heap: Heap, kind: K, options?: CowVectorCreateOptions): CowVector<K> {
    const h = heapOf(heap);
    const k = kindOf(kind);
    if (options !== undefined && (options === null || typeof options !== "object"))
      throw new InvalidArgumentError("options", options, "an object { capacity? }");
    const maxLen = heapMaxLength(h, k);
    const capacity = options?.capacity ?? 0;
    if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0 || capacity > maxLen)
      throw new InvalidArgumentError("capacity", capacity, `an integer from 0 to ${maxLen} elements`);
    return new CowVector(embeddedVector(h, k, capacity, 0, false, 0, null) as unknown as K);
  }

  /**
   * A handle to the embedded vector whose header is at `address` in `heap`
   * (its `address`, in the space it was made in or in a fork of that space).
   * O(1); reads only (the space may be frozen). Pass `kind` to check the
   * element kind (and type the handle). One handle per vector per space at a
   * time: two handles of one vector in one space do not see each other's changes of length.
   * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
   * not the header block of a vector (of `kind`, when given).
   * @throws {TypeError} when `kind` is given and is not a TypedArray constructor.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const v = CowVector.create(heap, Int16Array);
   * v.push(1, 70000);
   * const frozen = space.fork();
   * frozen.freeze();
   * CowVector.attach(Heap.attach(frozen, 256), v.address, Int16Array).join(); // "1,4464"
   * frozen.release();
   * space.release();
   * ```
   */
  static attach<K extends SpanArrayConstructor = SpanArrayConstructor>(
    heap: Heap,
    address: number,
    kind?: K,
  ): CowVector<K> {
    return new CowVector(attachedVector(heap, address, kind) as unknown as K);
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * `CowVector.attachShared(handle)` reads it in place, without a copy: see
   * {@link @pagefork/core!AddressSpace.share | AddressSpace.share}, whose
   * pinning, lifetimes and errors apply. O(1) in the length. The vector's
   * pool must be shared: `new CowVector(Float64Array, { pool: new
   * FramePool({ shared: true }) })`. Later pushes, writes and removals on
   * this vector never change what the handle reads.
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded vector: share its space.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const v = CowVector.from(Float64Array, [1, 2, 3], { pool });
   * const handle = v.share(); // worker.postMessage(handle)
   * v.push(4);
   * const seen = CowVector.attachShared(handle, Float64Array); // in the worker
   * [seen.join(), v.join()]; // ["1,2,3", "1,2,3,4"]
   * seen.release();
   * v.release();
   * ```
   */
  share(options?: ShareOptions): SharedVectorHandle {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded("CowVector", "share");
    return vectorHandle(this.sharedFields(), this.space, false, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it, and `CowVector.attachShared(h)` rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded vector.
   * @example
   * ```ts
   * const v = CowVector.of(Int32Array, 4, 5, 6);
   * const copy = v.transferCopy();
   * CowVector.attachShared(copy, Int32Array).join(); // "4,5,6"
   * v.release();
   * ```
   */
  transferCopy(): SharedVectorHandle {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded("CowVector", "transferCopy");
    return vectorHandle(this.sharedFields(), this.space, true, undefined);
  }

  /**
   * The vector a handle from `share()` or `transferCopy()` names, in this
   * thread: read-only (every write, push included, throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault}), reading the
   * owner's pages in place; `fork()` gives a private, growable copy;
   * `release()` unpins the version (see
   * {@link @pagefork/core!AddressSpace.attach | AddressSpace.attach}). Pass
   * `kind` to check the element kind (and type the vector). Named
   * `attachShared` because `attach(heap, address)` is the in-space mode's.
   * O(1) in the length.
   * @throws {InvalidHandleError} when `handle` is not one (`"forged"`), is
   *   another structure's or of another kind than `kind` (`"type"`), or was
   *   attached or released already. A refused handle stays attachable.
   * @throws {TypeError} when `kind` is given and is not a TypedArray constructor.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const v = CowVector.from(Int16Array, [1, 2], { pool });
   * const seen = CowVector.attachShared(v.share(), Int16Array);
   * let caught: unknown;
   * try { seen.push(3); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * const mine = seen.fork();
   * mine.push(3);
   * [seen.length, mine.join()]; // [2, "1,2,3"]
   * mine.release(); seen.release(); v.release();
   * ```
   */
  static attachShared<K extends SpanArrayConstructor = SpanArrayConstructor>(
    handle: SharedVectorHandle,
    kind?: K,
  ): CowVector<K> {
    const expected = kind === undefined ? undefined : kindOf(kind);
    const { space, fields } = attachVectorSpace(handle, expected);
    return new CowVector(
      adoption.of(space, null, fields.kind, 0, fields.length, fields.maxLength, fields.capacityBytes) as unknown as K,
    );
  }

  /**
   * Most elements this vector can hold: its address space's size in elements
   * (standalone), or what its heap's range can hold (embedded).
   */
  get maxLength(): number {
    return this.maxLen;
  }

  /**
   * Elements the vector holds without growing (>= length, <= maxLength): the
   * mapped part of its space (standalone), or its element block's usable
   * size (embedded). Grows with pushes (doubling) and `reserve`, shrinks
   * with `shrinkToFit`.
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
      const kind = this.kind;
      const v = toElement(kind, items[0]);
      // Its valueOf may have freed this vector (released a standalone one): never store into
      // the freed block (another heap block may live there now).
      this.check();
      requireRoom(this, 1);
      const at = this.len;
      const owner = this.owner;
      if (
        owner[EMBEDDING] === null &&
        (at + 1) * kind.bytes <= this.capBytes &&
        this.space.pool.framesAvailable() > 0
      ) {
        // The hot case, standalone within capacity: one store, refused before it changes
        // anything (element 0 at address 0). Measured: the general path below costs ~5% more per push.
        // With a frame to spare, the store's fault cannot run the out-of-memory hook: a hook
        // that popped this vector would have the length set past its end (the popped
        // elements back), one that pushed would lose its element under this store. Without
        // one, the general path plans first and refuses after such a hook (planWrites).
        storeElement(this.space, kind, at * kind.bytes, v);
        this.len = at + 1;
        owner.writes++;
        return at + 1;
      }
      // Growth first, or (embedded) the header written after the store: plan both.
      if ((at + 1) * kind.bytes > this.capBytes || this.space.pool.framesAvailable() < 2)
        planWrites(this, at, at + 1, at + 1);
      ensureCapacity(this, at + 1);
      storeElement(this.space, kind, this.byteOffset + at * kind.bytes, v);
      setLength(this, at + 1);
      return at + 1;
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
    return extendVector(this, source);
  }

  /** Removes and returns the last element, or `undefined` when empty. O(1), writes no element. */
  pop(): ElementOf<K> | undefined {
    this.check();
    if (this.len === 0) return undefined;
    const v = this.get(this.len - 1);
    setLength(this, this.len - 1); // one write at most (an embedded vector's header)
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

  /**
   * Inserts every element of `source` before element `index`, with one shift.
   * See `insert`. If converting the elements shrinks the vector below
   * `index` (a valueOf that pops), they go at its new end, as `splice` does.
   */
  insertFrom(index: number, source: Iterable<unknown> | ArrayLike<unknown>): void {
    this.check();
    insertIntoVector(this, index, source);
  }

  /**
   * Removes elements `[start, end)` (0 <= start <= end <= length), shifting
   * the later ones down: O(length - end); see `insert` for the page cost.
   * @throws {InvalidArgumentError} when the range is not integers inside [0, length].
   */
  removeRange(start: number, end: number): void {
    this.check();
    removeFromVector(this, start, end);
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
    if (i !== last) {
      planWrites(this, i, i + 1, last);
      this.setElement(i, this.get(last));
    }
    setLength(this, last);
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
    // biome-ignore lint/complexity/noArguments: Array.prototype.splice tells an absent deleteCount from undefined
    const removed = spliceVector(this, arguments.length, start, deleteCount, items);
    return Array.from(removed as ArrayLike<ElementOf<K>>);
  }

  /**
   * Sets the length: a longer vector gets zeros (O(new elements) only where
   * old pages may hold removed elements; fresh pages are already zero, and
   * whole pages are zeroed by discarding them), a shorter one drops its
   * tail. Writes no element when shrinking.
   * @throws {InvalidArgumentError} when `length` is not an integer in [0, maxLength].
   */
  resize(length: number): void {
    this.check();
    resizeVector(this, length);
  }

  /**
   * Makes room for `capacity` elements now, so that growing up to it
   * allocates nothing more. Standalone: maps whole pages of the reservation
   * (no frame is taken until a page is written), O(mappings). Embedded:
   * reallocs the element block to exactly that size (a move copies it, see
   * `create`).
   * @throws {InvalidArgumentError} when `capacity` is not an integer in [0, maxLength].
   * @throws {OutOfMemoryError} when the pool's commit limit refuses the charge
   * (overcommit `"never"`), or (embedded) the heap's range or the pool has no room.
   */
  reserve(capacity: number): void {
    this.check();
    reserveVector(this, capacity);
  }

  /**
   * Gives back the room past the last element. Standalone: unmaps those
   * pages, so their frames (when no other version shares them) and their
   * commit charge return to the pool, and `capacity` drops to the length
   * rounded up to a page; O(pages unmapped). Embedded: reallocs the element
   * block to the length (in place for a large block: its tail pages are
   * freed; a small one may move), or frees it when empty.
   * @throws {OutOfMemoryError} (embedded) when the pool cannot supply the frames of the heap's writes.
   */
  shrinkToFit(): void {
    this.check();
    shrinkVector(this);
  }

  /**
   * A new version sharing every page with this one: O(1).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded vector (fork its space, then `attach`).
   */
  fork(): this {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded("CowVector", "fork");
    const a = adoption.of(forkSpace(this), null, this.kind, 0, this.len, this.maxLen, this.capBytes);
    return new (this.constructor as new (k: unknown) => this)(a);
  }

  /**
   * Returns the vector's pages to the pool (those no other version shares).
   * Idempotent.
   * @throws {InvalidArgumentError} for an embedded vector (`free()` it, or release its space).
   */
  release(): void {
    if (this.isReleased) return;
    if (this.owner[EMBEDDING] !== null) throwEmbedded("CowVector", "release");
    this.isReleased = true;
    this.len = 0;
    dropView(this.owner);
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

  /** @internal `console.log` shows the kind too: "CowVector<Float64Array>(3) [ 1, 2, 3 ]". */
  protected override inspectName(): string {
    return `CowVector<${this.kind.name}Array>`;
  }

  /** @internal */
  protected create(length: number, written: number): this {
    const blocks = this.owner[EMBEDDING];
    if (blocks !== null)
      return new CowVector(
        embeddedVector(
          blocks.heap,
          this.kind,
          length,
          length,
          written < length,
          written,
          this,
        ) as unknown as SpanArrayConstructor,
      ) as unknown as this;
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
    return this.owner[EMBEDDING] === null;
  }

  /** What a handle carries besides the space (see vector-shared.ts). */
  private sharedFields(): { kind: ElementKind; length: number; maxLength: number; capacityBytes: number } {
    return { kind: this.kind, length: this.len, maxLength: this.maxLen, capacityBytes: this.capBytes };
  }
}

/**
 * @internal A standalone vector of `kind` owning `space` (its `release()`
 * releases it), holding `length` elements, `maxLength` at most, with
 * `capBytes` bytes mapped from address 0: for standalone-vector.ts, which
 * checks them first.
 */
export function vectorOverSpace(
  space: AddressSpace,
  kind: ElementKind,
  length: number,
  maxLength: number,
  capBytes: number,
): CowVector<SpanArrayConstructor> {
  return new CowVector(
    adoption.of(space, null, kind, 0, length, maxLength, capBytes) as unknown as SpanArrayConstructor,
  );
}

/** The vector shape-keeper.ts keeps: one element in `pool`. */
function makeKeptVector(pool: FramePool): CowVector {
  const v = new CowVector(Float64Array, { pool });
  v.push(0);
  return v;
}
