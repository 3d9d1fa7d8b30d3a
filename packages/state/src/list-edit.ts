/**
 * The edits of a list draft: reading an element as a draft, replacing one
 * (plain data over a record or list reconciled in place), and the splice
 * every other edit goes through (removed records taken out first so that
 * items naming them move back, spread items taking over a removed record's
 * children, element drafts renumbered, patches recorded). The Array API over
 * them is in draft-list.ts.
 *
 * @module
 */

import { buildElement } from "./build.js";
import { check } from "./check.js";
import { handleOf, type ListHandle } from "./containers.js";
import { unchanged } from "./draft-common.js";
import type { ListDraft } from "./draft-list.js";
import { spreadSources } from "./list-spread.js";
import type { Patch } from "./patch-types.js";
import { backward, mayHoldMap, valuePatches } from "./patch-values.js";
import { placeComposite, reconcile } from "./reconcile.js";
import { isComposite } from "./schema.js";
import { type DraftNode, draftOf, emit, errorPath, patchValue, removeNode, touch } from "./session.js";
import { decodeElement, elementPointer, encodeElement, unwrapNullable } from "./slots.js";

export function listHandle(rec: ListDraft, create: boolean): ListHandle | null {
  return handleOf(rec.session, rec.type, rec.addr, create) as ListHandle | null;
}

export function listLength(rec: ListDraft): number {
  rec.session.usable();
  return listHandle(rec, false)?.length ?? 0;
}

/** Element `i` as the recipe sees it (a draft for composites). */
export function element(rec: ListDraft, i: number): unknown {
  const s = rec.session;
  s.usable();
  const h = listHandle(rec, false);
  if (h === null || i >= h.length) return undefined;
  const e = rec.type.element;
  const raw = decodeElement(s.space, e, h.get(i) as number);
  if (typeof raw !== "number" || !isComposite(unwrapNullable(e))) return raw;
  const d = draftOf(s, unwrapNullable(e), raw, rec, i);
  childrenOf(rec).set(i, d);
  return d.proxy;
}

/**
 * The slot word for a validated new element at index `i`: a removed draft moves back, plain data over
 * the record `old` there becomes a record taking over its children (see placeComposite), anything else is built.
 */
function newElementWord(rec: ListDraft, value: unknown, i: number, old = 0): number {
  const s = rec.session;
  const e = rec.type.element;
  const inner = unwrapNullable(e);
  if (value !== null && isComposite(inner))
    return encodeElement(e, value, placeComposite(s, inner, value, rec, i, old));
  return buildElement(s, e, value);
}

/** Takes a removed record or list out of the tree (see removeNode); returns the element as the recipe sees it. */
function detachElement(rec: ListDraft, word: number): unknown {
  const s = rec.session;
  const e = rec.type.element;
  const raw = decodeElement(s.space, e, word);
  const p = elementPointer(e, word);
  const inner = unwrapNullable(e);
  if (p === 0 || !isComposite(inner)) return raw;
  const d = draftOf(s, inner, p, null, undefined);
  removeNode(s, inner, p);
  return d.proxy;
}

/** Frees the string block or float box of a removed element's slot word (a record or list is detached instead). */
function freeElementBlock(rec: ListDraft, word: number): void {
  const p = elementPointer(rec.type.element, word);
  if (p !== 0 && !isComposite(unwrapNullable(rec.type.element))) rec.session.heap.free(p);
}

/** Frees or detaches what an element slot word owned; returns the element as the recipe sees it. */
function dropElement(rec: ListDraft, word: number): unknown {
  const s = rec.session;
  const e = rec.type.element;
  const raw = decodeElement(s.space, e, word);
  const p = elementPointer(e, word);
  if (p === 0) return raw;
  const inner = unwrapNullable(e);
  if (!isComposite(inner)) {
    s.heap.free(p); // a string block or a float box: the value is already read
    return raw;
  }
  const d = draftOf(s, inner, p, null, undefined);
  removeNode(s, inner, p);
  return d.proxy;
}

export function replaceElement(rec: ListDraft, i: number, value: unknown): void {
  const s = rec.session;
  const e = rec.type.element;
  check(e, value, errorPath(rec, i));
  const h = listHandle(rec, false) as ListHandle;
  const oldWord = h.get(i) as number;
  const old = decodeElement(s.space, e, oldWord);
  if (unchanged(s, e, old, value)) return;
  // An element that may hold a map goes in a patch as valuePatches' group
  // (an object would reorder integer-like keys), read before the write.
  const ordered = s.patches !== null && mayHoldMap(e);
  const oldJson = s.patches === null ? undefined : ordered ? null : patchValue(s, e, old);
  const undo = ordered ? valuePatches(s, "replace", [i], e, old) : null;
  const touches = s.touches;
  // plain data over a record or list: written into it in place (see reconcile)
  if (typeof old === "number" && isComposite(unwrapNullable(e))) {
    const done = s.write(() => reconcile(s, unwrapNullable(e), old, value, rec, i));
    if (done && s.touches === touches) return; // equal content: nothing changed
    if (done) {
      touch(rec);
      emitReplace(rec, i, oldJson, undo);
      return;
    }
  }
  s.write(() => {
    h.set(i, newElementWord(rec, value, i, typeof old === "number" ? old : 0));
    dropElement(rec, oldWord);
    rec.children?.delete(i);
    const moved = s.drafts.get(decodeElement(s.space, e, h.get(i) as number) as number);
    if (moved !== undefined && moved.parent === rec) childrenOf(rec).set(i, moved);
    touch(rec);
  });
  emitReplace(rec, i, oldJson, undo);
}

/** Records the patches of a replacement of element `i` (`oldJson` or `undo`: the old element's, read before). */
function emitReplace(rec: ListDraft, i: number, oldJson: unknown, undo: Patch[] | null): void {
  const s = rec.session;
  const e = rec.type.element;
  emit(rec, (p) => {
    const path = [...p, i];
    const raw = decodeElement(s.space, e, (listHandle(rec, false) as ListHandle).get(i) as number);
    if (undo !== null) return [valuePatches(s, "replace", path, e, raw), backward(p, undo)];
    return [[{ op: "replace", path, value: patchValue(s, e, raw) }], [{ op: "replace", path, value: oldJson }]];
  });
}

/** `Array.prototype.splice` on a list draft: removed elements come back as values (drafts for composites). */
export function spliceList(rec: ListDraft, start: number, del: number, items: readonly unknown[]): unknown[] {
  const s = rec.session;
  const e = rec.type.element;
  for (let k = 0; k < items.length; k++) check(e, items[k], errorPath(rec, start + k));
  const ins = items.length;
  if (del === 0 && ins === 0) return [];
  const h0 = listHandle(rec, false);
  // Elements put back over themselves (`splice(i, 1, list[i])`, or a sort
  // through a comparator that wrote): a no-op, as Immer's set trap skips
  // same-value writes. Returns what a splice returns; writes nothing.
  if (del === ins && sameElements(rec, h0 as ListHandle, start, items)) {
    const out: unknown[] = new Array(del);
    for (let k = 0; k < del; k++) out[k] = element(rec, start + k);
    return out;
  }
  const oldWords: number[] = [];
  for (let k = 0; k < del; k++) oldWords.push((h0 as ListHandle).get(start + k) as number);
  // The removed elements' JSON forms, or (an element that may hold a map)
  // their valuePatches groups relative to the list, read before the write.
  const ordered = s.patches !== null && mayHoldMap(e);
  const oldJson =
    s.patches === null
      ? null
      : oldWords.map((w) =>
          ordered
            ? valuePatches(s, "add", [start], e, decodeElement(s.space, e, w))
            : patchValue(s, e, decodeElement(s.space, e, w)),
        );
  const sources = spreadSources(rec, oldWords, items);
  const removed: unknown[] = [];
  s.write(() => {
    // The removed records and lists are taken out first, so that an item that is one of
    // them (its draft, or its view) moves back instead of being copied: `splice(0, 2, b, a)`
    // swaps two records, a writing comparator's sort keeps them (as Array's splice, which
    // puts the same objects back). Their strings and boxes are freed after the write.
    for (let k = 0; k < del; k++) removed.push(detachElement(rec, oldWords[k] as number));
    const words = new Float64Array(ins);
    for (let k = 0; k < ins; k++) words[k] = newElementWord(rec, items[k], start + k, sources?.[k] ?? 0);
    const h = listHandle(rec, ins > 0) as ListHandle;
    if (del === ins)
      h.set(words, start); // in place: the elements after it stay where they are (no pages shifted)
    else {
      if (del > 0) h.removeRange(start, start + del);
      if (ins > 0) h.insertFrom(start, words);
    }
    for (const w of oldWords) freeElementBlock(rec, w);
    spliceChildren(rec, start, del, ins);
    for (let k = 0; k < ins; k++) {
      const d = s.drafts.get(decodeElement(s.space, e, words[k] as number) as number);
      if (d !== undefined && d.parent === rec) childrenOf(rec).set(start + k, d);
    }
    touch(rec);
  });
  if (s.patches !== null) {
    const h = listHandle(rec, false) as ListHandle;
    emitSplice(rec, start, oldJson as unknown[], ins, ordered, (k) =>
      decodeElement(s.space, e, h.get(start + k) as number),
    );
  }
  return removed;
}

/** True if elements `[start, start + items.length)` of `h` are each `items[k]` already (see `unchanged`). */
function sameElements(rec: ListDraft, h: ListHandle, start: number, items: readonly unknown[]): boolean {
  const s = rec.session;
  const e = rec.type.element;
  for (let k = 0; k < items.length; k++)
    if (!unchanged(s, e, decodeElement(s.space, e, h.get(start + k) as number), items[k])) return false;
  return true;
}

/** The element drafts of `rec` by index, made on first use. */
export function childrenOf(rec: ListDraft): Map<number, DraftNode> {
  if (rec.children === null) rec.children = new Map();
  return rec.children;
}

/**
 * Keeps `rec.children` in step with a splice at `start` that removed `del`
 * elements and inserted `ins`: the drafts of removed elements leave, those
 * after them move by `ins - del`, and every child's key is its index.
 * O(children handed out).
 */
function spliceChildren(rec: ListDraft, start: number, del: number, ins: number): void {
  const c = rec.children;
  if (c === null) return;
  let after = false;
  for (const j of c.keys())
    if (j >= start) {
      after = true;
      break;
    }
  if (!after) return;
  const next = new Map<number, DraftNode>();
  for (const [j, d] of c) {
    if (j < start) next.set(j, d);
    else if (j >= start + del) {
      const k = j - del + ins;
      d.key = k;
      next.set(k, d);
    }
  }
  rec.children = next;
}

/**
 * Records a splice at `start`: one `remove` per old element (inverse: its
 * `add`, from `old`), one `add` per new one (raw element `newRaw(k)`; inverse:
 * its `remove`). `ordered`: the elements may hold maps, `old` holds their
 * valuePatches groups (paths relative to the list), and new ones are sent as
 * valuePatches groups too.
 */
function emitSplice(
  rec: ListDraft,
  start: number,
  old: unknown[],
  ins: number,
  ordered: boolean,
  newRaw: (k: number) => unknown,
): void {
  const s = rec.session;
  const e = rec.type.element;
  emit(rec, (p) => {
    const fw: Patch[] = [];
    const bw: Patch[] = [];
    for (const value of old) {
      fw.push({ op: "remove", path: [...p, start] });
      if (ordered) for (const x of backward(p, value as Patch[])) bw.push(x);
      else bw.push({ op: "add", path: [...p, start], value });
    }
    for (let k = 0; k < ins; k++) {
      const path = [...p, start + k];
      if (ordered) valuePatches(s, "add", path, e, newRaw(k), fw);
      else fw.push({ op: "add", path, value: patchValue(s, e, newRaw(k)) });
      bw.push({ op: "remove", path: [...p, start + k] });
    }
    return [fw, bw];
  });
}
