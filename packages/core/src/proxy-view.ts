/**
 * Proxy views: typed-array-like objects over a range of an address space
 * whose element writes go through the fault handler, so copy-on-write happens
 * under ordinary `view[i] = x` syntax. The behaviour lives in
 * `view-handler.ts` (the one handler and the prototype) and `view-target.ts`
 * (the per-view state record and element access).
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { checkRange } from "./bulk.js";
import { elementKindOf, type NativeTypedArray } from "./element-kind.js";
import { throwAlignment, throwInvalid, throwReleased, throwSegv } from "./errors.js";
import type { SpanArrayConstructor } from "./page-span.js";
import { HANDLER } from "./view-handler.js";
import { ViewTarget } from "./view-target.js";

/** The eleven TypedArray constructors a view can present its elements as. */
export type ViewArrayConstructor = SpanArrayConstructor;

/**
 * A typed-array-like view of `length` elements of one kind at byte
 * `byteOffset` of an address space, made by {@link AddressSpace.view}. It has
 * the shape of the native array `A` except that there is no `buffer`, and
 * `subarray` returns another view.
 *
 * What behaves as on the native kind:
 * - integer keys: `view[i]` reads element `i`; `view[i] = x` converts `x` as
 *   the native kind does (ToNumber then ToInt8 / ToUint16 / Float32 rounding /
 *   Uint8Clamped's clamp with round-half-to-even; the BigInt kinds require a
 *   BigInt, a number throws TypeError) and writes it through the space, which
 *   copies the page on the first write after a fork. Keys follow the spec's
 *   CanonicalNumericIndexString: `"1.5"`, `"-0"`, `"-1"`, `"NaN"` and indices
 *   past the end read `undefined` and ignore writes (the value is still
 *   converted first, as native); `"01"` or `"x"` are ordinary property names;
 * - `length`, `byteLength`, `byteOffset` (the byte address in the space),
 *   `BYTES_PER_ELEMENT`, `Symbol.toStringTag` (the native name, so
 *   `Object.prototype.toString` gives `[object Float64Array]`), `constructor`
 *   (the native constructor);
 * - `Symbol.iterator`, `keys`, `values`, `entries` (each step reads the element
 *   live), so spread, `Array.from`, `for...of` and destructuring work;
 *   `Object.keys`, `in`, `hasOwnProperty`, `JSON.stringify` (`{"0":..}`) and
 *   `delete` (false for an index) answer as for a native array;
 * - read-only methods `at`, `indexOf`, `lastIndexOf`, `includes`, `find`,
 *   `findIndex`, `findLast`, `findLastIndex`, `every`, `some`, `forEach`,
 *   `reduce`, `reduceRight`, `join`, `toString`, `toLocaleString`; callbacks
 *   get `(value, index, view)`;
 * - `map`, `filter`, `slice`, `toSorted`, `toReversed` and `with` return a
 *   **native** typed array of the same kind (a copy, not a view; `slice` and
 *   the `to*` methods copy with one bulk read); `subarray` returns a view of
 *   the same space;
 * - mutating methods `fill`, `set(source, offset)`, `copyWithin`, `reverse`,
 *   `sort` write through the space's bulk operations (`spans` in write mode,
 *   `write`, `copyWithin`): the whole range is checked and its frames reserved
 *   first, so one that throws changes nothing. `set` converts an array-like
 *   source into a native array first, so a `valueOf` that throws midway also
 *   changes nothing (native `set` would have written a prefix).
 *
 * What differs, on purpose:
 * - it is not a native typed array: `ArrayBuffer.isView(view)` and
 *   `view instanceof Float64Array` are false, there is no `buffer`, and APIs
 *   that need real typed-array memory (`TextDecoder`, `Buffer.from`,
 *   `postMessage`, `crypto`) refuse it; hand them `view.slice()` (a copy), or
 *   use {@link AddressSpace.spans} for zero-copy slices;
 * - new non-index properties, prototype changes and
 *   `Object.preventExtensions` / `Object.freeze` are refused (TypeError in
 *   strict code); freeze the memory with `space.freeze()` or `space.protect`;
 * - after the space is released every element access and method throws
 *   {@link ReleasedError} (a native array over a detached buffer would read
 *   undefined); `length`, `byteLength` and `byteOffset` still answer;
 * - a write to a read-only mapping or a frozen space throws
 *   {@link ProtectionFault}, one outside every mapping {@link SegmentationFault},
 *   one the pool cannot supply a frame for {@link OutOfMemoryError}; each
 *   changes nothing.
 *
 * Cost: every `view[i]` is a Proxy trap, about 110x a `space.getFloat64`
 * call and 220x-340x a native Float64Array read; a write about 70x-115x
 * `space.setFloat64` and 350x-520x a native write (figures in `createView`).
 * Views are for handing copy-on-write memory to code written for typed
 * arrays, not for hot loops: those should use the typed accessors, the bulk
 * operations (`read`, `write`, `fill`) or {@link AddressSpace.spans} (native
 * speed). The methods that copy (`slice`, `join`, `toSorted`, `set` from an
 * array...) and `indexOf`/`includes` run at bulk speed; the callback methods
 * read one element per step through the space.
 *
 * @example
 * ```ts
 * const space = new AddressSpace({ size: 1 << 20 });
 * const a = space.view(Float64Array, 0, 4); // elements 0..3 at byte 0
 * a[0] = 1.5;
 * a[1] = 2;
 * space.getFloat64(0); // 1.5
 * const b = space.fork().view(Float64Array, 0, 4);
 * b[1] = 7; // copies one page of the fork
 * [a[1], b[1]]; // [2, 7]
 * [...b]; // [1.5, 7, 0, 0]
 * b.map((x) => x * 2); // a native Float64Array: [3, 14, 0, 0]
 * Object.prototype.toString.call(b); // "[object Float64Array]"
 * b instanceof Float64Array; // false: hand `b.slice()` to APIs that need the real thing
 * ```
 */
export type ProxyView<A extends NativeTypedArray = NativeTypedArray> = Omit<A, "buffer" | "subarray"> & {
  /** A view of elements `[begin, end)` (relative indices as native `subarray`) of the same space. O(1). */
  subarray(begin?: number, end?: number): ProxyView<A>;
};

/**
 * Makes a proxy view of `length` elements of kind `type` starting at byte
 * `byteOffset` of `space`: the implementation of `AddressSpace.view`. O(1);
 * the view holds no copy, only a small state record and the Proxy. See
 * {@link ProxyView} for its semantics.
 *
 * Measured cost (Node 20.20, 2-core VM while other work ran; one process,
 * interleaved rounds, medians over 30 rounds; `s += x[i]` and `x[i] = i + 0.5`
 * over 2^16 float64 already faulted in), as ratios in the same run:
 *
 * | access | vs `space.getFloat64` / `setFloat64` | vs native Float64Array |
 * | --- | ---: | ---: |
 * | `view[i]` read | 110x-126x | 220x-340x |
 * | `view[i] = x` write | 72x-115x | 350x-520x |
 *
 * About 160-390 ns per access. Most of it is the Proxy itself, before and
 * after the trap runs: with an integer key, a `get` trap that only returns a
 * constant cost 78x-94x a `getFloat64` call (266-325 ns) in the run where this
 * handler's whole read cost 101x-104x (344-361 ns); the same constant trap
 * read through one fixed string key cost 5x (issue 13, 2026-12-06, one
 * process, medians of 25 rounds, load average 7.7). V8 hands an integer key
 * to a trap as a string, on a slower path than a named key's; no handler can
 * shorten it, so a view read stays near 80x `getFloat64` at best.
 *
 * @param byteOffset - byte address of element 0; a multiple of `type.BYTES_PER_ELEMENT`. Default 0.
 * @param length - number of elements. Default: to the end of the space.
 * @throws {ReleasedError} when `space` was released.
 * @throws {InvalidArgumentError} when `type` is not one of the eleven TypedArray constructors, or
 *   `byteOffset` / `length` is not a non-negative safe integer.
 * @throws {SegmentationFault} when the range leaves the space or is not wholly mapped.
 * @throws {AlignmentFault} when `byteOffset` is not a multiple of the element size.
 */
export function createView<C extends ViewArrayConstructor>(
  space: AddressSpace,
  type: C,
  byteOffset = 0,
  length?: number,
): ProxyView<InstanceType<C>> {
  if (space.released) throwReleased("address space");
  const kind = elementKindOf(type);
  if (kind === undefined) throwInvalid("type", type, "one of the 11 TypedArray constructors");
  if (typeof byteOffset !== "number" || !Number.isSafeInteger(byteOffset) || byteOffset < 0)
    throwInvalid("byteOffset", byteOffset, "a non-negative integer byte address");
  if (byteOffset > space.size) throwSegv(byteOffset, 0, space.size);
  const w = kind.bytes;
  const n = length === undefined ? Math.floor((space.size - byteOffset) / w) : length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throwInvalid("length", length, "a non-negative integer number of elements");
  checkRange(space, byteOffset, n * w, false); // bounds, then every byte mapped
  if (byteOffset % w !== 0) throwAlignment(byteOffset, w);
  return new Proxy(new ViewTarget(space, kind, byteOffset, n), HANDLER) as unknown as ProxyView<InstanceType<C>>;
}
