/**
 * A standalone CowVector taken apart and put back together: its space holds
 * the elements (mapped from address 0 up to its capacity, the rest of the
 * reservation unmapped), and three numbers live outside it (element kind,
 * length, maxLength). `vectorStateOf` gives those; `adoptVector` rebuilds
 * the vector over a space holding the same pages and mappings (one a store
 * such as `@pagefork/persist` rebuilt from disk).
 *
 * @module
 */
import {
  type AddressSpace,
  InvalidArgumentError,
  isAddressSpace,
  ReleasedError,
  type SpanArrayConstructor,
} from "@pagefork/core";
import { CowVector, vectorOverSpace } from "./cow-vector.js";
import { elementKinds } from "./kinds.js";

/**
 * What a standalone CowVector keeps outside its space: plain data
 * (JSON-safe), from {@link vectorStateOf}, for {@link adoptVector}.
 */
export interface VectorState {
  /** The native constructor's name: `"Float64Array"`, `"BigInt64Array"`... */
  readonly kind: string;
  /** Length in elements. */
  readonly length: number;
  /** `maxLength` in elements (the reservation of the space). */
  readonly maxLength: number;
}

/**
 * The numbers of the standalone vector `v` that live outside its space (its
 * `space` holds the elements, and its mappings the capacity). Save them with
 * the space's pages and mappings; give both to {@link adoptVector}. O(1).
 * @throws {TypeError} when `v` is not a CowVector.
 * @throws {InvalidArgumentError} for an embedded vector (it lives in its heap: keep the space that holds it).
 * @throws {ReleasedError} after `release()`.
 * @example
 * ```ts
 * const v = CowVector.from(Int16Array, [1, 2, 3], { maxLength: 1000 });
 * vectorStateOf(v); // { kind: "Int16Array", length: 3, maxLength: 1000 }
 * v.release();
 * ```
 */
export function vectorStateOf(v: CowVector<SpanArrayConstructor>): VectorState {
  if (!(v instanceof CowVector)) throw new TypeError(`vectorStateOf: ${String(v)} is not a CowVector`);
  if (v.released) throw new ReleasedError("vector");
  if (v.embedded)
    throw new InvalidArgumentError(
      "vector",
      v,
      "a standalone CowVector (an embedded one lives in its heap: keep its space)",
    );
  return { kind: `${v.kind.name}Array`, length: v.length, maxLength: v.maxLength };
}

/**
 * A standalone CowVector over `space`, which must hold the pages and
 * mappings of the vector `state` was taken from (its own space, a fork of
 * it, or a copy of its pages in a space of the same size, page size and
 * mappings, e.g. one a store rebuilt): the mapped range `[0, capacity)`
 * gives its capacity. The vector owns `space` from then on: its `release()`
 * releases it. O(mappings): nothing is read or written; the elements are
 * the bytes the pages hold.
 * @throws {InvalidArgumentError} when `space` is not an AddressSpace, or
 *   `state` is not a vector's state that fits `space` (kind, length within
 *   the mapped range, maxLength within the space), or the space's mappings
 *   are not one read-write range from address 0; nothing changed then.
 * @throws {ReleasedError} when `space` was released.
 * @example
 * ```ts
 * const v = CowVector.from(Float64Array, [1.5, 2.5]);
 * const state = JSON.parse(JSON.stringify(vectorStateOf(v)));
 * const back = adoptVector(v.space.fork(), state);
 * back.push(3.5);
 * [back.join(), v.length]; // ["1.5,2.5,3.5", 2]
 * back.release(); v.release();
 * ```
 */
export function adoptVector(space: AddressSpace, state: VectorState): CowVector<SpanArrayConstructor> {
  if (!isAddressSpace(space)) throw new InvalidArgumentError("space", space, "an AddressSpace");
  if (space.released) throw new ReleasedError("address space");
  const s = state as Partial<VectorState> | null;
  const kind = typeof s === "object" && s !== null ? elementKinds.find((k) => `${k.name}Array` === s.kind) : undefined;
  if (kind === undefined)
    return throwState(state, "an object { kind, length, maxLength } whose kind names a TypedArray");
  const { length, maxLength } = s as VectorState;
  const m = space.mappings();
  const capBytes = m.length === 0 ? 0 : (m[0]?.end ?? 0);
  const mapped = m.length === 0 || (m.length === 1 && m[0]?.start === 0 && m[0].protection === "read-write");
  if (!mapped)
    throw new InvalidArgumentError("space", space, "a vector's space: one read-write mapping from address 0, or none");
  const ok =
    Number.isSafeInteger(length) &&
    Number.isSafeInteger(maxLength) &&
    maxLength >= 1 &&
    maxLength * kind.bytes <= space.size &&
    length >= 0 &&
    length <= maxLength &&
    length * kind.bytes <= capBytes;
  if (!ok) throwState(state, `a vector's state that fits a space of ${space.size} bytes with ${capBytes} mapped`);
  return vectorOverSpace(space, kind, length, maxLength, capBytes);
}

function throwState(state: unknown, expected: string): never {
  throw new InvalidArgumentError("state", state, expected);
}
