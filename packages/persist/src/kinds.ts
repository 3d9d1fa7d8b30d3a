/**
 * What a version is made of, per kind of structure: the address space whose
 * pages are saved, and the few numbers beside the pages that rebuild the
 * structure's handle on load (its kind, an array's window, a text's root,
 * a state's next stamp). Standalone structures only: an embedded one (in a
 * heap of a space its owner forks) is saved with that space or State.
 *
 * A standalone CowText, CowMap, CowSet or CowVector keeps a few numbers
 * outside its space (a text's root, height and length; a table's counters;
 * a vector's kind, length and maxLength): their packages give them
 * (`textStateOf`, `collectionStateOf`, `vectorStateOf`) and rebuild the
 * structure over a space holding its pages (`adoptText`, `adoptCollection`,
 * `adoptVector`), checking them against the space; a record whose numbers
 * do not fit its pages is a CorruptionError.
 *
 * This module takes a version apart for saving; rebuild.ts puts one together
 * on load.
 *
 * @module
 */

import { CowTypedArray, CowVector, vectorStateOf } from "@pagefork/array";
import { type AddressSpace, InvalidArgumentError, isAddressSpace, type Protection } from "@pagefork/core";
import { CowMap, CowSet, collectionStateOf } from "@pagefork/map";
import { nextStampOf, State, schemaFingerprint } from "@pagefork/state";
import { CowText, textStateOf } from "@pagefork/string";

/**
 * A version the store saves and loads: an `AddressSpace`, a standalone
 * `Cow*Array` (any of the 11 kinds, a subarray too), a standalone `CowVector`,
 * `CowText`, `CowMap` or `CowSet`, or a `State` of `@pagefork/state`.
 */
export type Persistable =
  | AddressSpace
  | CowTypedArray<number>
  | CowTypedArray<bigint>
  // biome-ignore lint/suspicious/noExplicitAny: any element kind
  | CowVector<any>
  | CowText
  // biome-ignore lint/suspicious/noExplicitAny: any key and value types
  | CowMap<any, any>
  // biome-ignore lint/suspicious/noExplicitAny: any key type
  | CowSet<any>
  | State;

/** Numbers saved beside the pages. */
export type KindMeta = Record<string, number | string | boolean | number[][]>;

/** A version taken apart for saving. */
export interface Described {
  /** "space", "text", "state", "map", "set", "vector" or "array:<Native kind name>". */
  readonly kind: string;
  readonly space: AddressSpace;
  readonly meta: KindMeta;
}

/** The protections a saved mapping names, by index. */
export const PROTECTIONS: readonly Protection[] = ["read-write", "read-only"];

/**
 * The space and metadata of `v`.
 * @throws {InvalidArgumentError} for anything else, a released version or an embedded structure.
 */
export function describe(v: unknown): Described {
  if (isAddressSpace(v)) {
    if (v.released) throwBad(v, "a version not released");
    return { kind: "space", space: v, meta: { mappings: mappingsOf(v), frozen: v.frozen } };
  }
  if (v instanceof CowVector) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone vector (save the space or State that embeds this one)");
    const st = vectorStateOf(v);
    return {
      kind: "vector",
      space: v.space,
      meta: {
        type: st.kind,
        length: st.length,
        maxLength: st.maxLength,
        mappings: mappingsOf(v.space),
        frozen: v.space.frozen,
      },
    };
  }
  if (v instanceof CowTypedArray) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone array (save the space or State that embeds this one)");
    const kind = v[Symbol.toStringTag].slice(3);
    return {
      kind: `array:${kind}`,
      space: v.space,
      meta: { byteOffset: v.byteOffset, length: v.length, frozen: v.space.frozen },
    };
  }
  if (v instanceof CowText) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone text (save the space or State that embeds this one)");
    const st = textStateOf(v);
    // Records of the first release also held "leafCap", which follows from the page size.
    return {
      kind: "text",
      space: v.space,
      meta: { root: st.root, height: st.height, len: st.length, frozen: v.space.frozen },
    };
  }
  if (v instanceof CowMap || v instanceof CowSet) {
    if (v.released) throwBad(v, "a version not released");
    if (v.embedded) throwBad(v, "a standalone collection (save the space or State that embeds this one)");
    const st = collectionStateOf(v);
    return {
      kind: st.type === "CowMap" ? "map" : "set",
      space: v.space,
      meta: {
        mask: st.mask,
        used: st.used,
        garbage: st.garbage,
        size: st.size,
        layout: st.layout ?? 1,
        frozen: v.space.frozen,
      },
    };
  }
  if (v instanceof State) {
    if (v.released) throwBad(v, "a version not released");
    return { kind: "state", space: v.space, meta: { nextStamp: nextStampOf(v), schema: schemaFingerprint(v.schema) } };
  }
  return throwBad(v, "an AddressSpace, a standalone Cow*Array, CowVector, CowText, CowMap or CowSet, or a State");
}

/** The mappings of `space` as saved: [start, end, index in PROTECTIONS]. */
function mappingsOf(space: AddressSpace): number[][] {
  return space.mappings().map((m) => [m.start, m.end, PROTECTIONS.indexOf(m.protection)]);
}

function throwBad(v: unknown, expected: string): never {
  throw new InvalidArgumentError("version", v, expected);
}
