/**
 * The measured loops of W5, one top-level function per library, each taking
 * everything it touches as parameters and seeing one receiver class (see
 * read-loops.ts for why that matters in V8): the versions loops (version
 * `v + 1` is version `v` with `keys[v]` set to `val[v]`, over versions
 * `from` … `to - 1`), and the reads (`get` of every key in `keys`, and
 * `for..of` over the entries), which return their sums for the caller to check.
 *
 * @module
 */
import type { CowMap } from "@pagefork/map";
import type { Map as ImmutableMap } from "immutable";

/** The map under test in pagefork's variant. */
export type StrMap = CowMap<string, number>;

export function cowLoop(vs: StrMap[], keys: string[], val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as StrMap;
  for (let v = from; v < to; v++) {
    const next = cur.fork();
    next.set(keys[v] as string, val[v] as number);
    vs[v + 1] = next;
    cur = next;
  }
}

export function copyLoop(vs: Map<string, number>[], keys: string[], val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as Map<string, number>;
  for (let v = from; v < to; v++) {
    const next = new Map(cur);
    next.set(keys[v] as string, val[v] as number);
    vs[v + 1] = next;
    cur = next;
  }
}

export type MapProduce = (base: Map<string, number>, recipe: (d: Map<string, number>) => void) => Map<string, number>;

export function draftLoop(
  produce: MapProduce,
  vs: Map<string, number>[],
  keys: string[],
  val: Float64Array,
  a: number,
  b: number,
) {
  let cur = vs[a] as Map<string, number>;
  for (let v = a; v < b; v++) {
    const k = keys[v] as string;
    const x = val[v] as number;
    cur = produce(cur, (d) => {
      d.set(k, x);
    });
    vs[v + 1] = cur;
  }
}

export function immutableLoop(
  vs: ImmutableMap<string, number>[],
  keys: string[],
  val: Float64Array,
  a: number,
  b: number,
) {
  let cur = vs[a] as ImmutableMap<string, number>;
  for (let v = a; v < b; v++) {
    cur = cur.set(keys[v] as string, val[v] as number);
    vs[v + 1] = cur;
  }
}

/** `get` of each key in `keys` from a native Map (also the Map that Immer and Mutative produce). */
export function sumMapGet(m: Map<string, number>, keys: readonly string[]): number {
  let s = 0;
  const n = keys.length;
  for (let i = 0; i < n; i++) s += m.get(keys[i] as string) as number;
  return s;
}

/** `for (const [, v] of m)` over a native Map, summing the values. */
export function sumMapIterate(m: Map<string, number>): number {
  let s = 0;
  for (const [, v] of m) s += v;
  return s;
}

/** `get` of each key in `keys` from a CowMap. */
export function sumCowMapGet(m: StrMap, keys: readonly string[]): number {
  let s = 0;
  const n = keys.length;
  for (let i = 0; i < n; i++) s += m.get(keys[i] as string) as number;
  return s;
}

/** `for (const [, v] of m)` over a CowMap, summing the values. */
export function sumCowMapIterate(m: StrMap): number {
  let s = 0;
  for (const [, v] of m) s += v;
  return s;
}

/** `get` of each key in `keys` from an Immutable.js Map. */
export function sumImmutableMapGet(m: ImmutableMap<string, number>, keys: readonly string[]): number {
  let s = 0;
  const n = keys.length;
  for (let i = 0; i < n; i++) s += m.get(keys[i] as string) as number;
  return s;
}

/** `for (const [, v] of m)` over an Immutable.js Map, summing the values. */
export function sumImmutableMapIterate(m: ImmutableMap<string, number>): number {
  let s = 0;
  for (const [, v] of m) s += v;
  return s;
}
