/**
 * What a version is made of, per kind of structure: the address space whose
 * pages are saved, and the few numbers beside the pages that rebuild the
 * structure's handle on load (its kind, an array's window, a text's root,
 * a state's next stamp). Standalone structures only: an embedded one (in a
 * heap of a space its owner forks) is saved with that space or State.
 *
 * Coupling, on purpose: a standalone CowText keeps its root, height and
 * length in fields of its handle, not in its space; they are read and set
 * here through their (internal) names. `@pagefork/persist` is released in
 * lockstep with `@pagefork/string`; the model test checks texts round-trip.
 *
 * @module
 */

import {
  CowBigInt64Array,
  CowBigUint64Array,
  CowFloat32Array,
  CowFloat64Array,
  CowInt8Array,
  CowInt16Array,
  CowInt32Array,
  CowTypedArray,
  CowUint8Array,
  CowUint8ClampedArray,
  CowUint16Array,
  CowUint32Array,
} from "@pagefork/array";
import { AddressSpace, type FramePool, InvalidArgumentError, isAddressSpace, type Protection } from "@pagefork/core";
import { type AnyType, attachState, nextStampOf, State } from "@pagefork/state";
import { CowText } from "@pagefork/string";

/**
 * A version the store saves and loads: an `AddressSpace`, a standalone
 * `Cow*Array` (any of the 11 kinds, a subarray too), a standalone `CowText`,
 * or a `State` of `@pagefork/state`.
 */
export type Persistable = AddressSpace | CowTypedArray<number> | CowTypedArray<bigint> | CowText | State;

/** A COW typed array class the store rebuilds, by kind name. */
type ArrayClass = new (length: number, options: { pool: FramePool }) => CowTypedArray<number> | CowTypedArray<bigint>;
const ARRAYS: Readonly<Record<string, ArrayClass>> = {
  Int8Array: CowInt8Array,
  Uint8Array: CowUint8Array,
  Uint8ClampedArray: CowUint8ClampedArray,
  Int16Array: CowInt16Array,
  Uint16Array: CowUint16Array,
  Int32Array: CowInt32Array,
  Uint32Array: CowUint32Array,
  Float32Array: CowFloat32Array,
  Float64Array: CowFloat64Array,
  BigInt64Array: CowBigInt64Array,
  BigUint64Array: CowBigUint64Array,
} as unknown as Record<string, ArrayClass>;

/** Numbers saved beside the pages. */
export type KindMeta = Record<string, number | string | boolean | number[][]>;

/** A version taken apart for saving. */
export interface Described {
  /** "space", "text", "state" or "array:<Native kind name>". */
  readonly kind: string;
  readonly space: AddressSpace;
  readonly meta: KindMeta;
}

/** The internal fields of a standalone CowText's handle (see the module notes). */
interface TextFields {
  root: number;
  height: number;
  len: number;
  readonly leafCap: number;
  readonly emb: unknown;
}

const PROTECTIONS: readonly Protection[] = ["read-write", "read-only"];

/**
 * The space and metadata of `v`.
 * @throws {InvalidArgumentError} for anything else, a released version or an embedded structure.
 */
export function describe(v: unknown): Described {
  if (isAddressSpace(v)) {
    if (v.released) throwBad(v, "a version not released");
    const mappings = v.mappings().map((m) => [m.start, m.end, PROTECTIONS.indexOf(m.protection)]);
    return { kind: "space", space: v, meta: { mappings, frozen: v.frozen } };
  }
  if (v instanceof CowTypedArray) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone array (save the space or State that embeds this one)");
    const kind = v[Symbol.toStringTag].slice(3);
    return { kind: `array:${kind}`, space: v.space, meta: { byteOffset: v.byteOffset, length: v.length } };
  }
  if (v instanceof CowText) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone text (save the space or State that embeds this one)");
    const f = v as unknown as TextFields;
    return { kind: "text", space: v.space, meta: { root: f.root, height: f.height, len: f.len, leafCap: f.leafCap } };
  }
  if (v instanceof State) {
    if (v.released) throwBad(v, "a version not released");
    return { kind: "state", space: v.space, meta: { nextStamp: nextStampOf(v) } };
  }
  return throwBad(
    v,
    "an AddressSpace, a standalone Cow*Array, CowText or a State (CowMap, CowSet and CowVector: save the State or space that embeds them)",
  );
}

/** A fresh space of `size` bytes for `kind`, and how to make the version once its pages are written. */
export interface Rebuild {
  readonly space: AddressSpace;
  /** True when `space` is a fork of the given previous version's (it holds that version's pages), false when empty. */
  readonly forked: boolean;
  /** Makes the version (owning `space`). */
  finish(): Persistable;
  /** Releases what `space` belongs to, after a failed load. */
  abort(): void;
}

/**
 * Starts rebuilding a version of `kind` in `pool`: an empty space of the
 * saved size for the pages, and the step that wraps it afterwards.
 * @throws {InvalidArgumentError} when a state has no `schema`, or `kind` is unknown (a newer format).
 */
export function rebuild(
  kind: string,
  size: number,
  meta: KindMeta,
  pool: FramePool,
  schema: AnyType | undefined,
  from: Persistable | null = null,
): Rebuild {
  if (kind === "space") {
    // A fork is writable unless a mapping is read-only or missing: then start empty.
    const whole = (m: { start: number; end: number; protection: Protection }[]) =>
      m.length === 1 && m[0]?.start === 0 && m[0]?.end === size && m[0]?.protection === "read-write";
    const forked = isAddressSpace(from) && from.pool === pool && whole(from.mappings());
    const space = forked ? (from as AddressSpace).fork() : new AddressSpace({ size, pool });
    return {
      space,
      forked,
      finish() {
        for (const [start, end, prot] of meta.mappings as number[][]) {
          const p = PROTECTIONS[prot as number] as Protection;
          if (p !== "read-write") space.protect(start as number, (end as number) - (start as number), p);
        }
        const mapped = meta.mappings as number[][];
        let at = 0;
        for (const [start, end] of mapped) {
          if ((start as number) > at) space.unmap(at, (start as number) - at);
          at = end as number;
        }
        if (at < size) space.unmap(at, size - at);
        if (meta.frozen === true) space.freeze();
        return space;
      },
      abort: () => space.release(),
    };
  }
  if (kind.startsWith("array:")) {
    const Ctor = ARRAYS[kind.slice(6)];
    if (Ctor === undefined) throw new InvalidArgumentError("kind", kind, "a kind this version of the store knows");
    const bytes = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (
      from instanceof CowTypedArray &&
      from.space.pool === pool &&
      from.byteOffset === meta.byteOffset &&
      from.length === meta.length
    ) {
      const f = from.fork();
      return { space: f.space, forked: true, finish: () => f, abort: () => f.release() };
    }
    const full = new Ctor(size / bytes, { pool });
    return {
      space: full.space,
      forked: false,
      finish() {
        const off = (meta.byteOffset as number) / bytes;
        const len = meta.length as number;
        if (off === 0 && len === full.length) return full;
        const view = full.subarray(off, off + len);
        full.release(); // the view keeps the space
        return view;
      },
      abort: () => full.release(),
    };
  }
  if (kind === "text") {
    const forked = from instanceof CowText && from.space.pool === pool;
    const text = forked ? (from as CowText).fork() : new CowText({ pool, maxPages: size / pool.pageSize });
    if (!forked) text.space.discard(0, size); // the pages come from the store, header page included
    return {
      space: text.space,
      forked,
      finish() {
        const f = text as unknown as TextFields;
        if (f.leafCap !== meta.leafCap)
          throw new InvalidArgumentError("text", meta.leafCap, `a leaf capacity of ${f.leafCap} at this page size`);
        f.root = meta.root as number;
        f.height = meta.height as number;
        f.len = meta.len as number;
        return text;
      },
      abort: () => text.release(),
    };
  }
  if (kind === "state") {
    if (schema === undefined) throw new InvalidArgumentError("schema", schema, "the schema of the saved State");
    const forked = from instanceof State && from.space.pool === pool;
    const space = forked ? (from as State).space.fork() : new AddressSpace({ size, pool });
    return {
      space,
      forked,
      finish: () => attachState(schema, space, { nextStamp: meta.nextStamp as number }),
      abort: () => space.release(),
    };
  }
  throw new InvalidArgumentError("kind", kind, "a kind this version of the store knows");
}

function throwBad(v: unknown, expected: string): never {
  throw new InvalidArgumentError("version", v, expected);
}
