/**
 * CowTypedArray: the fixed-length COW array, constructed, forked, viewed
 * (`subarray`) and released. The eleven kinds (int8-, int16-, int32-, float-
 * and bigint-arrays.ts) add only a typed fast path for `get` and `set`.
 * Where a new or embedded array's room comes from (reading the constructor
 * argument, making the space or the heap block) is typed-spaces.ts.
 *
 * @module
 */
import type { AddressSpace, Heap, ShareOptions } from "@pagefork/core";
import { type Adoption, adoption } from "./adoption.js";
import { isCowArray } from "./brand.js";
import { CowElements } from "./cow-elements.js";
import { fastClass, fastSubclass } from "./fast-class.js";
import { heapOf, readHeader, TYPED_MAGIC, throwEmbedded } from "./in-space.js";
import { relativeIndex } from "./indices.js";
import { type ElementKind, kindOfInstance, type NativeTypedArray } from "./kinds.js";
import { matchNativeArity } from "./native-arity.js";
import type { CowArrayOptions } from "./options.js";
import { forkSpace } from "./reserve.js";
import { keepTypedShapes, shapesKept } from "./shape-keeper.js";
import { arrayHandle, attachArraySpace, type SharedArrayHandle } from "./shared.js";
import { dropView, EMBEDDING, SpaceOwner, type ViewOwner } from "./space-owner.js";
import { embeddedArray, embedNew, standaloneArray } from "./typed-spaces.js";

/** A CowTypedArray kind's constructor, as the static methods see `this`. */
export interface CowTypedArrayConstructor<T extends CowTypedArray<number> | CowTypedArray<bigint>> {
  // `never` parameters: every kind's constructor (whose first parameter is typed for its elements) fits.
  new (lengthOrSource?: never, options?: never): T;
  /** Bytes per element. */
  readonly BYTES_PER_ELEMENT: number;
}

/** The element kind of a CowTypedArray class (set on each kind's class). */
function kindOfClass(ctor: unknown): ElementKind {
  const k = (ctor as { elementKind?: ElementKind }).elementKind;
  if (k === undefined) throw new TypeError("CowTypedArray is abstract: use a kind such as CowFloat64Array");
  return k;
}

/**
 * Key of a prototype constant naming the kind's own class (set with the
 * kind by {@link kindOnPrototype}): `this.constructor === this[OWN_CLASS]` holds for an array of
 * one of the eleven classes and not for one of a program's subclass, whose
 * constructor and field initializers `fork()` must still run.
 */
const OWN_CLASS: unique symbol = Symbol("ownClass");

/**
 * Puts `kind` on `cls.prototype` as its `kind`: every array of a Cow*Array
 * class has its class's kind, so it is a constant of the prototype rather
 * than a field of each array (8 bytes less per kept version, issue 13;
 * CowVector, whose kind is per vector, keeps a field). Run once by each kind's
 * class, in a static block.
 * @internal
 */
export function kindOnPrototype(cls: { prototype: object }, kind: ElementKind): void {
  Object.defineProperty(cls.prototype, "kind", { value: kind });
  Object.defineProperty(cls.prototype, OWN_CLASS, { value: cls });
  // Each kind declares its own `set` overloads: give them the native length (1).
  matchNativeArity(cls.prototype, Object.getPrototypeOf(Int8Array.prototype) as object);
  fastClass(cls);
}

/**
 * A fixed-length copy-on-write typed array: the native TypedArray's
 * semantics, in pages of an {@link AddressSpace}, with an O(1) `fork()`.
 * The eleven kinds are its subclasses, named as the natives with a `Cow`
 * prefix ({@link CowFloat64Array}, {@link CowUint8ClampedArray},
 * {@link CowBigInt64Array}...), constructed as the natives are:
 * `new CowFloat64Array(length, options?)` (zero-filled, and O(1): unwritten
 * pages cost nothing), `new CowFloat64Array(iterableOrArrayLikeOrTypedArray, options?)`,
 * `CowFloat64Array.from(...)`, `CowFloat64Array.of(...)`.
 *
 * Element `i` lives at byte `byteOffset + i * BYTES_PER_ELEMENT` of `space`,
 * little-endian. `subarray()` returns a view over the same space, as the
 * native one shares its buffer: writes through either are seen by both. The
 * space is released when the last view over it is.
 *
 * Fork of a subarray: `sub.fork()` forks the whole address space (O(1)) and
 * returns a view of the same window in the new space, as `fork()` of a
 * process duplicates its whole address space. The child is independent of
 * the parent and of the parent's other views; the bytes outside the window
 * stay shared (they cost no new memory) until the child is released. To keep
 * only the window, use `sub.slice()` (a copy).
 *
 * Errors: see {@link CowElements}; the constructor throws RangeError for an
 * invalid length (as `new Float64Array(-1)`), TypeError for an ArrayBuffer
 * (a COW array cannot view foreign memory) or for BigInt/Number mixing, and
 * InvalidArgumentError for invalid options.
 *
 * Source of the idea: the TypedArray of ECMAScript (ECMA-262 §23.2) over the
 * copy-on-write `fork()` of Unix.
 *
 * @example
 * ```ts
 * const a = new CowFloat64Array(1_000_000); // 8 MB of zeros, no frame yet
 * a.set(0, 1.5);
 * const b = a.fork(); // O(1)
 * b.set(0, 2.5); // copies one page
 * [a.get(0), b.get(0)]; // [1.5, 2.5]
 * const tail = b.subarray(-2); // a view: shares b's pages
 * tail.set(1, 9);
 * b.at(-1); // 9
 * tail.release(); b.release(); a.release();
 * ```
 */
export abstract class CowTypedArray<E extends number | bigint> extends CowElements<E> {
  /**
   * @param kind - the element kind (given by each kind's constructor).
   * @param arg - a length, or a source to copy (iterable, array-like, native or COW typed array).
   * @param options - page size and pool.
   */
  protected constructor(kind: ElementKind, arg: unknown, options: CowArrayOptions | undefined) {
    // fork(), subarray(), create(), attach() pass a ready hand-off (adoption.ts); a new array makes one (typed-spaces.ts)
    // An identity test, not instanceof: V8 compiles it to one compare (instanceof of an
    // imported class was a generic call: subarray() measured 1.5x slower), and it runs no
    // getPrototypeOf trap of a Proxy passed as the source.
    const a = arg === adoption ? adoption : standaloneArray(kind, arg, options);
    const byteOffset = a.byteOffset;
    const len = a.len;
    const owner = a.owner; // before take(), which clears it
    super(a.take(), owner, byteOffset, len); // `kind` is on the class's prototype (kindOnPrototype)
    // One load per construction; the first array of a class keeps its hidden classes alive (shape-keeper.ts).
    if (shapesKept[kind.code] === 0) keepTypedShapes(kind.code, new.target);
    // A program's own subclass, built with keepNames as ours are, is made fast at its first construction (fast-class.ts).
    if ((this as unknown as { [OWN_CLASS]: unknown })[OWN_CLASS] !== new.target) fastSubclass(new.target);
  }

  /**
   * A new array of this kind from an iterable or array-like, as the native
   * `from`, each value mapped by `mapFn(value, index)` when given. `options`
   * may come fourth, or second in place of `mapFn`. O(n).
   * @throws {TypeError} when `mapFn` is neither a function nor undefined (nor options).
   * @example
   * ```ts
   * CowInt8Array.from([127, 128, 255]).join(); // "127,-128,-1"
   * CowUint8ClampedArray.from([1.5, 2.5, 300]).join(); // "2,2,255"
   * ```
   */
  static from<T extends CowTypedArray<number> | CowTypedArray<bigint>>(
    this: CowTypedArrayConstructor<T>,
    source: Iterable<unknown> | ArrayLike<unknown>,
    mapFn?: ((value: never, index: number) => unknown) | CowArrayOptions,
    thisArg?: unknown,
    options?: CowArrayOptions,
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the kind's class (CowFloat64Array.from...)
    const Ctor = this as new (s: unknown, o?: CowArrayOptions) => T;
    const kind = kindOfClass(Ctor);
    let map = mapFn;
    let opts = options;
    if (map !== undefined && typeof map !== "function") {
      if (typeof map === "object" && map !== null && thisArg === undefined && options === undefined) {
        opts = map;
        map = undefined;
      } else throw new TypeError(`${String(map)} is not a function (the mapFn of from)`);
    }
    const src = isCowArray(source) ? source.toTypedArray() : source;
    const native =
      map === undefined && kindOfInstance(src) === kind
        ? (src as NativeTypedArray)
        : (kind.Native.from as (s: unknown, f?: unknown, t?: unknown) => NativeTypedArray)(src, map, thisArg);
    return new Ctor(native, opts);
  }

  /**
   * A new array of this kind holding `items`, as the native `of`, in the default pool.
   * @example
   * ```ts
   * CowBigUint64Array.of(1n, -1n).join(); // "1,18446744073709551615"
   * ```
   */
  static of<T extends CowTypedArray<number> | CowTypedArray<bigint>>(
    this: CowTypedArrayConstructor<T>,
    ...items: unknown[]
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the kind's class (CowFloat64Array.of...)
    const Ctor = this as new (s: unknown) => T;
    return new Ctor((kindOfClass(Ctor).Native.of as (...xs: unknown[]) => NativeTypedArray)(...items));
  }

  /**
   * A new array of this kind embedded in `heap` (a core {@link Heap} in an
   * address space the caller owns, as `@pagefork/state` keeps a whole app
   * state in one space): `create(heap, length)` is `length` zeros,
   * `create(heap, source)` a copy of an iterable, array-like, native or COW
   * typed array. It is one heap block at `address`, calloc'd: a 24-byte
   * header (kind, length, address of element 0), then the elements. A large
   * block is fresh pages that read as zeros and take no frame until written
   * (a million zero Float64 elements cost one page and the heap's page-map
   * entries, not 8 MB). Forking the space forks it; `attach(heap, address)`
   * in the fork gives a handle to that version. `fork()` and `release()`
   * throw (the embedder forks or releases the space); `free()` frees both
   * blocks. Every other method works as on a standalone array, and methods
   * that return a new array (`slice`, `map`, `with`...) embed it in the same
   * heap. O(1) for zeros, else O(length).
   * @throws {InvalidArgumentError} when `heap` is not a Heap.
   * @throws {RangeError} for an invalid length, as the constructor.
   * @throws {OutOfMemoryError} when the heap's range or the pool has no room; nothing changed then.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 32, pageSize: 1024 });
   * const heap = Heap.create(space, { base: 1024 });
   * const a = CowFloat64Array.create(heap, 1_000_000); // zeros: no frame for the elements
   * a.set(7, 1.5);
   * const child = space.fork(); // forks every structure in the space, O(1)
   * const b = CowFloat64Array.attach(Heap.attach(child, 1024), a.address);
   * b.set(7, 2.5); // copies one page, in the child only
   * [a.get(7), b.get(7), b.embedded]; // [1.5, 2.5, true]
   * child.release();
   * a.free();
   * space.release();
   * ```
   */
  static create<T extends CowTypedArray<number> | CowTypedArray<bigint>>(
    this: CowTypedArrayConstructor<T>,
    heap: Heap,
    lengthOrSource?: number | Iterable<unknown> | ArrayLike<unknown> | CowElements<number> | CowElements<bigint>,
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the kind's class (CowFloat64Array.create...)
    const Ctor = this as unknown as new () => T;
    const kind = kindOfClass(Ctor);
    return construct(Ctor, embeddedArray(kind, heapOf(heap), lengthOrSource));
  }

  /**
   * A handle to the embedded array whose header is at `address` in `heap`
   * (its `address`, in the space it was made in or in a fork of that space).
   * O(1); reads only (the space may be frozen). One handle per array per
   * space at a time: two handles of one array in one space do not see each
   * other's `free()`.
   * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
   * not the header block of an array of this kind.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const a = CowInt32Array.create(heap, [1, 2, 3]);
   * CowInt32Array.attach(heap, a.address).join(); // "1,2,3"
   * let caught: unknown;
   * try { CowFloat64Array.attach(heap, a.address); } catch (e) { caught = e; }
   * caught instanceof InvalidArgumentError; // true
   * space.release();
   * ```
   */
  static attach<T extends CowTypedArray<number> | CowTypedArray<bigint>>(
    this: CowTypedArrayConstructor<T>,
    heap: Heap,
    address: number,
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the kind's class (CowFloat64Array.attach...)
    const Ctor = this as unknown as new () => T;
    const kind = kindOfClass(Ctor);
    const h = heapOf(heap);
    const f = readHeader(h, address, TYPED_MAGIC, "fixed-length array", kind);
    // one block: the header's
    return adoptInto(Ctor, h.space, new SpaceOwner(h, address, 0), f.data, f.length);
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * the kind's `attachShared(handle)` reads it in place, without a copy: see
   * {@link @pagefork/core!AddressSpace.share | AddressSpace.share}, whose
   * pinning, lifetimes and errors apply. O(1) in the length. The array's
   * pool must be shared: `new CowFloat64Array(n, { pool: new FramePool({
   * shared: true }) })`. Later writes to this array never change what the
   * handle reads.
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded array: share its space.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const a = CowFloat64Array.from([1, 2, 3], { pool });
   * const handle = a.share(); // worker.postMessage(handle)
   * a.set(0, 10);
   * const seen = CowFloat64Array.attachShared(handle); // in the worker
   * [seen.join(), a.join()]; // ["1,2,3", "10,2,3"]
   * seen.release();
   * a.release();
   * ```
   */
  share(options?: ShareOptions): SharedArrayHandle {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded(this.constructor.name, "share");
    return arrayHandle(this.kind.name, this.space, this.byteOffset, this.len, false, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it, and `attachShared(h)` rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded array.
   * @example
   * ```ts
   * const a = CowInt32Array.of(4, 5, 6);
   * const copy = a.transferCopy();
   * CowInt32Array.attachShared(copy).join(); // "4,5,6"
   * a.release();
   * ```
   */
  transferCopy(): SharedArrayHandle {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded(this.constructor.name, "transferCopy");
    return arrayHandle(this.kind.name, this.space, this.byteOffset, this.len, true, undefined);
  }

  /**
   * The array a handle from `share()` or `transferCopy()` names, in this
   * thread: read-only (every write throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault}), reading the
   * owner's pages in place at the speed of any array; `fork()` gives a
   * private, writable copy; `release()` unpins the version (see
   * {@link @pagefork/core!AddressSpace.attach | AddressSpace.attach}).
   * Named `attachShared` because `attach(heap, address)` is the in-space
   * mode's. O(1) in the length.
   * @throws {InvalidHandleError} when `handle` is not one (`"forged"`), is of
   *   another kind (`"type"`), or was attached or released already.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const a = CowFloat64Array.from([1, 2], { pool });
   * const seen = CowFloat64Array.attachShared(a.share());
   * let caught: unknown;
   * try { seen.set(0, 5); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * const mine = seen.fork();
   * mine.set(0, 5);
   * [seen.get(0), mine.get(0)]; // [1, 5]
   * mine.release(); seen.release(); a.release();
   * ```
   */
  static attachShared<T extends CowTypedArray<number> | CowTypedArray<bigint>>(
    this: CowTypedArrayConstructor<T>,
    handle: SharedArrayHandle,
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the kind's class (CowFloat64Array.attachShared...)
    const Ctor = this as unknown as new () => T;
    const kind = kindOfClass(Ctor);
    const { space, h } = attachArraySpace(handle, kind.name, kind.bytes);
    return adoptInto(Ctor, space, null, h.byteOffset, h.length);
  }

  /**
   * A new version sharing every page with this one, in O(1) whatever the
   * length: the space is forked, nothing is copied. Afterwards each version's
   * first write to a page copies that page (and the page-table path to it).
   * A fork of a subarray forks its whole space (see the class notes).
   * @throws {ReleasedError} after `release()`.
   */
  fork(): this {
    this.check();
    if (this.owner[EMBEDDING] !== null) throwEmbedded(this.constructor.name, "fork");
    const space = forkSpace(this);
    const Ctor = this.constructor as new () => this;
    // One of the eleven classes: only the base constructor sets fields (the
    // kind's and CowTypedArray's run no code for a fork but the hand-off), so
    // it is built by that one constructor with the class as new.target: the
    // same hidden class, without two derived-constructor frames per fork.
    if (Ctor === (this as unknown as { [OWN_CLASS]: unknown })[OWN_CLASS])
      return Reflect.construct(CowElements, [space, null, this.byteOffset, this.len], Ctor) as this;
    return this.adopt(space, null, this.byteOffset, this.len);
  }

  /**
   * A view of elements `[begin, end)` (relative, clamped) over the same
   * space: O(1), writes through either are seen by both, as natively. The
   * space stays alive until every view over it is released.
   */
  subarray(begin?: number, end?: number): this {
    this.check();
    const len = this.len;
    const b = relativeIndex(begin, len, 0);
    const e = relativeIndex(end, len, len);
    this.check(); // a conversion may have released this view (and its space with it)
    this.owner.views++;
    return this.adopt(this.space, this.owner, this.byteOffset + b * this.kind.bytes, Math.max(e - b, 0));
  }

  /**
   * Releases this view; the space (and the frames no other version shares)
   * returns to the pool with the last view over it. Idempotent. Any later use
   * of this array throws {@link @pagefork/core!ReleasedError | ReleasedError}.
   */
  release(): void {
    if (this.isReleased) return;
    if (this.owner[EMBEDDING] !== null) throwEmbedded(this.constructor.name, "release");
    this.isReleased = true;
    this.len = 0;
    dropView(this.owner);
  }

  /** "CowFloat64Array" and so on. */
  get [Symbol.toStringTag](): string {
    return `Cow${this.kind.name}Array`;
  }

  /** @internal */
  protected create(length: number, written: number): this {
    const blocks = this.owner[EMBEDDING];
    if (blocks !== null)
      return construct(
        this.constructor as new () => this,
        embedNew(this.kind, blocks.heap, length, null, written, this),
      );
    return new (this.constructor as new (n: number, o: CowArrayOptions) => this)(length, { pool: this.space.pool });
  }

  /** @internal */
  protected forkIsExact(): boolean {
    return (
      this.owner[EMBEDDING] === null &&
      this.byteOffset === 0 &&
      this.space.size - this.len * this.kind.bytes < this.space.pageSize
    );
  }

  private adopt(space: AddressSpace, owner: ViewOwner | null, byteOffset: number, len: number): this {
    return adoptInto(this.constructor as new () => this, space, owner, byteOffset, len);
  }
}

/**
 * A new array of class `Ctor` over `space`, elements `[byteOffset,
 * byteOffset + len * BYTES_PER_ELEMENT)`: the constructor adopts them
 * (adoption.ts) instead of making a space. `owner` null: the new array owns
 * the space (space-owner.ts).
 */
function adoptInto<T>(
  Ctor: new () => T,
  space: AddressSpace,
  owner: ViewOwner | null,
  byteOffset: number,
  len: number,
): T {
  return construct(Ctor, adoption.window(space, owner, byteOffset, len));
}

/** A new array of class `Ctor` that adopts `a` (filled by typed-spaces.ts or {@link adoptInto}). */
function construct<T>(Ctor: new () => T, a: Adoption): T {
  return new (Ctor as unknown as new (a: Adoption) => T)(a);
}
