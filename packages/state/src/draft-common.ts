/**
 * What the drafts of every kind share: wrapping raw slot values as drafts,
 * and telling an assignment that changes nothing.
 *
 * @module
 */
import { type AnyType, isComposite } from "./schema.js";
import { type DraftNode, draftOf, type Session } from "./session.js";
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

/** True if assigning `value` over the raw slot value `old` of `type` changes nothing. */
export function unchanged(s: Session, type: AnyType, old: unknown, value: unknown): boolean {
  if (old === null || old === undefined || value === null || value === undefined) return old === value;
  if (isComposite(unwrapNullable(type))) {
    const rec = s.drafts.get(old as number);
    return rec !== undefined && rec.proxy === value; // the same child draft put back
  }
  return sameScalar(type, old, value);
}
