/**
 * Reordering a list draft in place, for `sort` and `reverse`: the slot words
 * permuted (nothing written when only equal elements swap), element drafts
 * renumbered, per-index `replace` patches recorded; and Array's default sort
 * order. Used by the list methods in draft-list.ts.
 *
 * @module
 */

import { handleOf, type ListHandle } from "./containers.js";
import { textOf } from "./draft-common.js";
import type { ListDraft } from "./draft-list.js";
import type { Patch } from "./patch-types.js";
import { mayHoldMap, valuePatches } from "./patch-values.js";
import type { ListType } from "./schema.js";
import { type DraftNode, emit, patchValue, type Session, touch } from "./session.js";
import { decodeElement, unwrapNullable } from "./slots.js";

/**
 * True if slot words `a` and `b` of element type `e` hold the same value:
 * the same word, or two strings (or texts) of equal content, in different
 * blocks. A permutation that only swaps equal strings changes nothing, as
 * for Immer's draft, whose strings compare by value.
 */
function sameWord(s: Session, e: ListType["element"], a: number, b: number): boolean {
  if (Object.is(a, b)) return true;
  const inner = unwrapNullable(e).kind;
  if (inner !== "string" && inner !== "text") return false;
  const x = decodeElement(s.space, e, a);
  const y = decodeElement(s.space, e, b);
  if (x === null || y === null) return false;
  if (inner === "string") return x === y;
  const t = unwrapNullable(e);
  return textOf(s, t, x as number) === textOf(s, t, y as number);
}

/** Reorders a list draft by `order` (new index j takes old element order[j]); records per-index patches. */
export function permute(rec: ListDraft, order: number[]): void {
  const s = rec.session;
  const h = handleOf(s, rec.type, rec.addr, false) as ListHandle | null; // listHandle in list-edit.ts
  if (h === null) return;
  const n = order.length;
  const old = new Float64Array(n);
  for (let j = 0; j < n; j++) old[j] = h.get(j) as number;
  const next = new Float64Array(n);
  let same = true;
  for (let j = 0; j < n; j++) {
    next[j] = old[order[j] as number] as number;
    if (same && !sameWord(s, rec.type.element, next[j] as number, old[j] as number)) same = false;
  }
  if (same) return; // equal elements swapped: nothing to write
  const e = rec.type.element;
  s.write(() => {
    h.set(next, 0);
    const c = rec.children;
    if (c !== null) {
      const moved = new Map<number, DraftNode>();
      for (let j = 0; j < n; j++) {
        const d = c.get(order[j] as number);
        if (d === undefined) continue;
        moved.set(j, d);
        d.key = j;
      }
      rec.children = moved;
    }
    touch(rec);
  });
  emit(rec, (p) => {
    const ordered = mayHoldMap(e); // elements that may hold maps go as valuePatches groups
    const fw: Patch[] = [];
    const bw: Patch[] = [];
    for (let j = 0; j < n; j++) {
      if (Object.is(next[j], old[j])) continue;
      const path = [...p, j];
      const now = decodeElement(s.space, e, next[j] as number);
      const was = decodeElement(s.space, e, old[j] as number); // still there: a permutation frees nothing
      if (ordered) {
        valuePatches(s, "replace", path, e, now, fw);
        const undo = valuePatches(s, "replace", path, e, was);
        for (let k = undo.length - 1; k >= 0; k--) bw.push(undo[k] as Patch); // last to first: see backward()
      } else {
        fw.push({ op: "replace", path, value: patchValue(s, e, now) });
        bw.push({ op: "replace", path, value: patchValue(s, e, was) });
      }
    }
    return [fw, bw];
  });
}

/** Array.prototype.sort's default order: undefined last, then by String() in UTF-16 code units. */
export function defaultCompare(a: unknown, b: unknown): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
