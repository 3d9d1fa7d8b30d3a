/**
 * How CowMap and CowSet show themselves to `JSON.stringify` and
 * `console.log`: their entries, never their table's internals.
 *
 * @module
 */
import { type InspectFunction, type InspectOptions, inspectEntries } from "@pagefork/core";
import { EntryIterator, KeyIterator } from "./iterator.js";
import type { Table } from "./table.js";

/** The first `count` items of `it` (the iterator is closed by `break`, as a `for..of` closes it). */
function take<T>(it: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const x of it) {
    out.push(x);
    if (out.length >= count) break;
  }
  return out;
}

/** Every entry of a map's table as `[key, value]` pairs (values decoded: fresh copies), or every element of a set's. O(n). */
export function tableToJSON(t: Table, kind: "map" | "set"): unknown[] {
  t.check(kind);
  return kind === "map" ? [...new EntryIterator(t, "map")] : [...new KeyIterator(t, "set")];
}

/** `CowMap(2) { 'a' => 1, 'b' => 2 }` / `CowSet(2) { 'a', 'b' }`, as Node shows a Map or a Set; reads only the entries shown. */
export function inspectTable(
  t: Table,
  kind: "map" | "set",
  depth: number,
  options: InspectOptions,
  inspect: InspectFunction | undefined,
): string {
  const name = kind === "map" ? "CowMap" : "CowSet";
  if (t.space.released) return `${name} <released>`;
  const read = (n: number) => take(kind === "map" ? new EntryIterator(t, "map") : new KeyIterator(t, "set"), n);
  return inspectEntries(`${name}(${t.size})`, t.size, read, kind, depth, options, inspect);
}
