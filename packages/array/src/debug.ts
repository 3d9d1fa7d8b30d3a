/**
 * How the COW arrays show themselves to `JSON.stringify` and `console.log`:
 * their elements, never their space's internals (which print as megabytes
 * of slab bytes and throw in JSON on the space's BigInt fields).
 *
 * @module
 */
import { type InspectFunction, type InspectOptions, inspectElements } from "@pagefork/core";
import { copyOut } from "./bulk.js";
import type { CowElements } from "./cow-elements.js";

/** What `toJSON()` of an array of element type `E` gives: numbers, or decimal strings for the BigInt kinds. */
export type JsonElements<E extends number | bigint> = E extends bigint ? string[] : number[];

/**
 * The elements as a plain array: numbers (NaN and ±Infinity then become
 * `null` in JSON text, as in any array), BigInts as decimal strings (JSON has
 * no BigInt; `BigInt(s)` reads one back). One bulk copy out: O(n).
 */
export function elementsToJSON<E extends number | bigint>(a: CowElements<E>): JsonElements<E> {
  a.check();
  const native = copyOut(a, 0, a.len) as ArrayLike<number | bigint>;
  return (a.kind.bigint ? Array.from(native, String) : Array.from(native)) as JsonElements<E>;
}

/** `head(length) [ ...elements ]` as Node shows a typed array; `head <released>` once released. */
export function inspectArray(
  a: CowElements<number | bigint>,
  name: string,
  depth: number,
  options: InspectOptions,
  inspect: InspectFunction | undefined,
): string {
  if (a.released || a.space.released) return `${name} <released>`;
  return inspectElements(`${name}(${a.len})`, a.len, (n) => copyOut(a, 0, n), depth, options, inspect);
}
