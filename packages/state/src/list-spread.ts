/**
 * Spread-source matching for list splices: which record removed by a splice
 * each new item of plain data is a spread of (`{ ...d.todos[i], done: true }`),
 * so that the item takes over that record's children instead of copying them
 * (see placeComposite in session.ts). Used by spliceList in list-edit.ts.
 *
 * @module
 */

import { nodeOf } from "./brand.js";
import type { ListDraft } from "./draft-list.js";
import { type Field, isComposite, type StructType } from "./schema.js";
import { elementPointer, fieldPointer, unwrapNullable } from "./slots.js";

/**
 * For each of a splice's `items`, the record among those it removes (slot
 * words `oldWords`) that the item is a spread of, or 0: an item of plain data
 * holding, in a field, a draft or view of the node that field of a removed
 * record holds (`{ ...d.todos[i], done: true }` holds `d.todos[i]`'s children
 * drafts), or failing that, with as many items as removed records, the
 * record at the item's position. Such an item becomes a record taking over that record's children
 * (see placeComposite), as Immer's new object keeps the drafts spread into
 * it: `d.todos = d.todos.map((x) => (x.id === id ? { ...x, done: true } : x))`
 * and `splice(i, 1, { ...d.todos[i], done: true })` copy nothing under the
 * record. A record is the source of one item at most (a second spread of it
 * is built as before). Null when there is nothing to match. O(removed records
 * × their composite fields + items × composite fields) reads.
 */
export function spreadSources(rec: ListDraft, oldWords: readonly number[], items: readonly unknown[]): number[] | null {
  const e = rec.type.element;
  const inner = unwrapNullable(e);
  if (inner.kind !== "struct" || oldWords.length === 0 || items.length === 0) return null;
  const fields = (inner as StructType).fields.filter((f) => isComposite(f.type));
  if (fields.length === 0) return null;
  const space = rec.session.space;
  let owners: Map<number, number> | null = null; // a child node's address -> the removed record holding it
  let out: number[] | null = null;
  const claimed = new Set<number>();
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (item === null || typeof item !== "object" || Array.isArray(item) || nodeOf(item) !== undefined) continue;
    if (owners === null) {
      owners = new Map();
      for (const w of oldWords) {
        const p = elementPointer(e, w);
        if (p <= 0) continue;
        for (const f of fields) {
          const q = fieldPointer(space, p, f);
          if (q > 0) owners.set(q, p);
        }
      }
    }
    for (const f of fields as Field[]) {
      const node = nodeOf((item as Record<string, unknown>)[f.name]);
      const p = node === undefined ? undefined : owners.get(node.addr);
      if (p === undefined || claimed.has(p) || fieldPointer(space, p, f) !== (node as { addr: number }).addr) continue;
      claimed.add(p);
      if (out === null) out = new Array<number>(items.length).fill(0);
      out[k] = p;
      break;
    }
  }
  // As many items as removed records: an item that holds none of their children (every
  // composite field given new data: `{ ...x, sub: x.sub.map(f) }`) takes the record at its
  // own position, as `d.todos[i] = { ... }` does, so its nested data is reconciled there.
  if (oldWords.length === items.length)
    for (let k = 0; k < items.length; k++) {
      const item = items[k];
      const p = elementPointer(e, oldWords[k] as number);
      if (out?.[k] || p <= 0 || claimed.has(p)) continue;
      if (item === null || typeof item !== "object" || Array.isArray(item) || nodeOf(item) !== undefined) continue;
      claimed.add(p);
      if (out === null) out = new Array<number>(items.length).fill(0);
      out[k] = p;
    }
  return out;
}
