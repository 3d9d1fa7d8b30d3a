/**
 * Patches between two versions of one lineage, found from the stamps: a
 * subtree whose node has the same stamp at the same address in both is
 * equal and skipped whole, so the cost follows what changed, not the size
 * of the state. Records are compared field by field; a list, map, set, text
 * or typed array that changed is reported as one `replace` of its value
 * (a map inside it whose order a JSON object would lose, as `{}` followed
 * by one `add` per entry: see `valuePatches`).
 * For the exact, finer patches of an edit (list splices, text splices), use
 * `produceWithPatches`; this is what a version made elsewhere gets.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import type { Ctx } from "./containers.js";
import type { Patch, PathKey } from "./patch-types.js";
import { valuePatches } from "./patch-values.js";
import { type AnyType, isComposite, type StructType } from "./schema.js";
import { readField, unwrapNullable } from "./slots.js";
import { State } from "./state.js";

/**
 * Patches that turn version `a` into version `b` (of the same lineage).
 * O(changed nodes x their fields) plus the size of each value replaced.
 * @throws {InvalidArgumentError} when `a` or `b` is not a State, or they are
 *   of two lineages (two `createState` calls, or a version loaded apart: see
 *   `attachState`'s `lineageOf`): their stamps say nothing about each other,
 *   and a diff by them would miss changes.
 * @example
 * ```ts
 * const S = t.struct({ n: t.u32, byId: t.map(t.string, t.u32) });
 * const a = createState(S, { n: 0, byId: new Map() });
 * const b = produce(a, (d) => {
 *   d.n = 1;
 *   d.byId = new Map([["2", 20], ["1", 10]]); // a whole new map: one replace
 * });
 * const ps = diffPatches(a, b);
 * ps.length; // 4
 * ps[0]; // { op: "replace", path: ["n"], value: 1 }
 * // "2" before "1": an object would list "1" first, so the map is sent
 * // empty and its entries follow, in order
 * ps[1]; // { op: "replace", path: ["byId"], value: {} }
 * ps[2]; // { op: "add", path: ["byId", "2"], value: 20 }
 * ps[3]; // { op: "add", path: ["byId", "1"], value: 10 }
 * [...applyPatches(a, ps).root.byId.keys()]; // ["2", "1"]
 * ```
 */
export function diffPatches<S extends AnyType>(a: State<S>, b: State<S>): Patch[] {
  if (!(a instanceof State)) throw new InvalidArgumentError("a", a, "a State");
  if (!(b instanceof State)) throw new InvalidArgumentError("b", b, "a State");
  if (a.lineage !== b.lineage)
    throw new InvalidArgumentError("b", b, "a version of a's lineage (the same createState call)");
  const out: Patch[] = [];
  diffNode(a, b, a.schema, a.rootAddr, b.rootAddr, [], out);
  return out;
}

function diffNode(a: Ctx, b: Ctx, type: AnyType, x: number, y: number, path: PathKey[], out: Patch[]): void {
  if (x === y && a.space.getFloat64(x) === b.space.getFloat64(y)) return;
  if (x !== y || type.kind !== "struct") {
    valuePatches(b, "replace", path, type, y, out);
    return;
  }
  for (const f of (type as StructType).fields) {
    const u = readField(a.space, x, f);
    const v = readField(b.space, y, f);
    const p = [...path, f.name];
    if (v === undefined) {
      if (u !== undefined) out.push({ op: "remove", path: p });
      continue;
    }
    if (u === undefined) {
      valuePatches(b, "add", p, f.type, v, out);
      continue;
    }
    const inner = unwrapNullable(f.type);
    if (typeof u === "number" && typeof v === "number" && u !== null && isComposite(inner))
      diffNode(a, b, inner, u, v, p, out);
    else if (!Object.is(u, v)) valuePatches(b, "replace", p, f.type, v, out);
  }
}
