/**
 * CowTypedArray: the fixed-length COW array, constructed, forked, viewed
 * (`subarray`) and released. The eleven kinds (int8-, int16-, int32-, float-
 * and bigint-arrays.ts) add only a typed fast path for `get` and `set`.
 *
 * @module
 */
import { AddressSpace } from "@pagefork/core";
import { CowElements } from "./cow-elements.js";
import { relativeIndex, toLength } from "./indices.js";
import { type ElementKind, kindOfInstance, type NativeTypedArray } from "./kinds.js";
import { type CowArrayOptions, poolFor } from "./options.js";
import { forkSpace } from "./reserve.js";
import { SpaceOwner } from "./space-owner.js";

/** Largest number of pages in one address space (the core's limit: vpns are uint32). */
const MAX_PAGES = 2 ** 32;

/**
 * Set by `fork()` and `subarray()` just before they call the constructor, so
 * that forks and views are made by the kind's own constructor (one hidden
 * class per kind) without an options object or a validation pass.
 */
let adoptOwner: SpaceOwner | null = null;
let adoptOffset = 0;
let adoptLen = 0;

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
    const owner = adoptOwner;
    if (owner !== null) {
      adoptOwner = null;
      super(owner, kind, adoptOffset, adoptLen);
      return;
    }
    const pool = poolFor(options);
    const name = `Cow${kind.name}Array`;
    const max = Math.floor(Math.min(MAX_PAGES * pool.pageSize, Number.MAX_SAFE_INTEGER) / kind.bytes);
    let source: NativeTypedArray | null = null;
    let len: number;
    if ((typeof arg === "object" && arg !== null) || typeof arg === "function") {
      source = sourceArray(kind, arg, name);
      len = source.length;
      if (len > max) throw new RangeError(`Invalid typed array length: ${len} (${name} holds 0 to ${max} elements)`);
    } else {
      len = toLength(arg, max, name);
    }
    const space = new AddressSpace({ size: Math.max(len * kind.bytes, 1), pool });
    if (source !== null && len > 0) {
      try {
        space.write(0, source);
      } catch (e) {
        space.release();
        throw e;
      }
    }
    super(new SpaceOwner(space), kind, 0, len);
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
    const src = source instanceof CowElements ? source.toTypedArray() : source;
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
   * A new version sharing every page with this one, in O(1) whatever the
   * length: the space is forked, nothing is copied. Afterwards each version's
   * first write to a page copies that page (and the page-table path to it).
   * A fork of a subarray forks its whole space (see the class notes).
   * @throws {ReleasedError} after `release()`.
   */
  fork(): this {
    this.check();
    return this.adopt(new SpaceOwner(forkSpace(this)), this.byteOffset, this.len);
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
    this.owner.views++;
    return this.adopt(this.owner, this.byteOffset + b * this.kind.bytes, Math.max(e - b, 0));
  }

  /**
   * Releases this view; the space (and the frames no other version shares)
   * returns to the pool with the last view over it. Idempotent. Any later use
   * of this array throws {@link ReleasedError}.
   */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.len = 0;
    this.owner.drop();
  }

  /** "CowFloat64Array" and so on. */
  get [Symbol.toStringTag](): string {
    return `Cow${this.kind.name}Array`;
  }

  /** @internal */
  protected create(length: number): this {
    return new (this.constructor as new (n: number, o: CowArrayOptions) => this)(length, { pool: this.space.pool });
  }

  /** @internal */
  protected forkIsExact(): boolean {
    return this.byteOffset === 0 && this.space.size - this.len * this.kind.bytes < this.space.pageSize;
  }

  private adopt(owner: SpaceOwner, byteOffset: number, len: number): this {
    adoptOwner = owner;
    adoptOffset = byteOffset;
    adoptLen = len;
    return new (this.constructor as new () => this)();
  }
}

/**
 * The elements a constructor argument that is an object supplies, as a native
 * array of `kind`.
 */
function sourceArray(kind: ElementKind, arg: object, name: string): NativeTypedArray {
  if (arg instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && arg instanceof SharedArrayBuffer))
    throw new TypeError(
      `${name} cannot view an ArrayBuffer: its elements live in an address space. Copy them in with ${name}.from(new ${kind.Native.name}(buffer))`,
    );
  const src = arg instanceof CowElements ? arg.toTypedArray() : arg;
  const k = kindOfInstance(src);
  if (k === kind) return src as NativeTypedArray;
  if (k !== undefined && k.bigint !== kind.bigint)
    throw new TypeError(`Cannot mix BigInt and other types: a ${k.Native.name} cannot initialize a ${name}`);
  return new (kind.Native as new (s: unknown) => NativeTypedArray)(src);
}
