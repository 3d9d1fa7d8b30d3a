/**
 * What the drafts of every kind share: wrapping raw slot values as drafts,
 * and telling an assignment that changes nothing.
 *
 * @module
 */
import type { CowText } from "@pagefork/string";
import { handleOf } from "./containers.js";
import { type AnyType, isComposite } from "./schema.js";
import { type DraftNode, draftOf, isViewAt, type Session } from "./session.js";
import { unwrapNullable } from "./slots.js";

/** A raw slot value as a recipe reads it: composites become drafts held by `parent` under `key`. */
export function wrapDraft(s: Session, type: AnyType, raw: unknown, parent: DraftNode, key: unknown): unknown {
  if (typeof raw !== "number") return raw;
  const t = unwrapNullable(type);
  return isComposite(t) ? draftOf(s, t, raw, parent, key).proxy : raw;
}

/** Same value for a scalar slot (Object.is, after the f32 rounding the slot applies). */
export function sameScalar(type: AnyType, old: unknown, value: unknown): boolean {
  const t = unwrapNullable(type);
  if (t.kind === "f32" && typeof value === "number") return Object.is(old, Math.fround(value));
  return Object.is(old, value);
}

/**
 * True if assigning `value` over the raw slot value `old` of `type` changes
 * nothing, as Immer's set trap skips a same-value (`Object.is`) assignment:
 * a scalar of the same value, the same child draft put back, a text given
 * the string it holds (plain data of a text is a string: Immer's draft would
 * hold an equal string), or the base version's view of the very node in the
 * slot while nothing under it was written. O(1), O(text length) for a text
 * (the write it saves is O(text length) too).
 */
export function unchanged(s: Session, type: AnyType, old: unknown, value: unknown): boolean {
  if (old === null || old === undefined || value === null || value === undefined) return old === value;
  const inner = unwrapNullable(type);
  if (isComposite(inner)) {
    const addr = old as number;
    const rec = s.drafts.get(addr);
    if (rec !== undefined && rec.proxy === value) return true; // the same child draft put back
    if (typeof value === "string") return inner.kind === "text" && sameText(s, inner, addr, value);
    return rec?.dirty !== true && isViewAt(s.lineage, s.space, addr, value);
  }
  return sameScalar(type, old, value);
}

/** True if the text node at `addr` holds `value`. O(length). */
function sameText(s: Session, type: AnyType, addr: number, value: string): boolean {
  const h = handleOf(s, type, addr, false) as CowText | null;
  if (h === null) return value.length === 0;
  return h.length === value.length && h.toString() === value;
}

/** The content of the text node at `addr` (of text `type`). O(length). */
export function textOf(s: Session, type: AnyType, addr: number): string {
  return (handleOf(s, type, addr, false) as CowText | null)?.toString() ?? "";
}

export { isViewAt } from "./session.js";

/** The same stored key or set element (SameValueZero, as a Map's keys: NaN is NaN). */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Brings a keyed collection holding the stored keys `stored` (in order) to
 * the keys `next` (in order), as assigning a new `Map` or `Set` over it:
 * `remove(k)` takes out each key `next` lacks; the kept keys that already
 * stand in `next`'s order are `put` in place (`put(j)` for entry `j` of
 * `next`: the collection's set, a no-op for a value unchanged); from the
 * first out of order on, the kept keys are removed and the rest of `next`
 * put in order, so the result iterates as `next` does. O(keys).
 */
export function reconcileKeys(
  stored: readonly unknown[],
  next: readonly unknown[],
  remove: (key: unknown) => void,
  put: (j: number) => void,
): void {
  const wanted = new Set(next);
  const kept: unknown[] = [];
  for (const k of stored)
    if (wanted.has(k)) kept.push(k);
    else remove(k);
  let i = 0;
  let j = 0;
  for (; i < kept.length && j < next.length && sameKey(kept[i], next[j]); i++, j++) put(j);
  for (; i < kept.length; i++) remove(kept[i]);
  for (; j < next.length; j++) put(j);
}
