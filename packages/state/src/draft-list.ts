/**
 * Drafts of lists: Proxies over a `[record]` box (see `ListBox` in view.ts)
 * with the Array API: index assignment, `length` truncation, `push`, `pop`,
 * `shift`, `unshift`, `splice`, `sort`, `reverse` as native methods of the
 * vector, every other Array method through `Array.prototype`. Element drafts
 * handed out are renumbered on each splice so patches name their paths now.
 * Which removed record a spread item takes over is in list-spread.ts; sort
 * and reverse's reordering of slots is in list-order.ts.
 *
 * @module
 */

import { toIntegerOrInfinity } from "@pagefork/core";
import { NODE } from "./brand.js";
import { buildElement } from "./build.js";
import { check } from "./check.js";
import { handleOf, type ListHandle } from "./containers.js";
import { unchanged } from "./draft-common.js";
import { throwSchema } from "./errors.js";
import { arrayLikeHas, arrayLikeOwnKeys, indexOf } from "./indices.js";
import { INSPECT } from "./inspect.js";
import { defaultCompare, permute } from "./list-order.js";
import { spreadSources } from "./list-spread.js";
import type { Patch } from "./patch-types.js";
import { backward, mayHoldMap, valuePatches } from "./patch-values.js";
import { placeComposite, reconcile, setReconciler } from "./reconcile.js";
import { isComposite, type ListType } from "./schema.js";
import { type DraftNode, draftOf, emit, errorPath, patchValue, removeNode, type Session, touch } from "./session.js";
import { decodeElement, elementPointer, encodeElement, unwrapNullable } from "./slots.js";
import { jsonOf } from "./values.js";
import { inspectListBox, type ListBox } from "./view.js";

/** A list draft record; its Proxy's target is a `[record]` box (see `ListBox` in view.ts). */
export class ListDraft implements DraftNode {
  readonly session: Session;
  readonly type: ListType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  /**
   * Drafts of elements handed out, by current index (kept in step with
   * splices); null until the first. A Map, not a sparse array: a recipe that
   * reads element 73,000 of a fresh list draft would make V8 turn an empty
   * array into a dictionary-mode one, ~1.5 us against ~0.3 us for a Map
   * (Node 20; it is in every W9 version).
   */
  children: Map<number, DraftNode> | null;
  constructor(session: Session, type: ListType, addr: number, origStamp: number) {
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    const box: ListBox<ListDraft> = [this];
    box[INSPECT] = inspectListBox;
    this.proxy = new Proxy(box, LIST_DRAFT);
    this.children = null;
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
}

function listHandle(rec: ListDraft, create: boolean): ListHandle | null {
  return handleOf(rec.session, rec.type, rec.addr, create) as ListHandle | null;
}

function listLength(rec: ListDraft): number {
  rec.session.usable();
  return listHandle(rec, false)?.length ?? 0;
}

/** Element `i` as the recipe sees it (a draft for composites). */
function element(rec: ListDraft, i: number): unknown {
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

function replaceElement(rec: ListDraft, i: number, value: unknown): void {
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
function childrenOf(rec: ListDraft): Map<number, DraftNode> {
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

/** True when the list's slots are `words`, its length included. O(n). */
// List methods, module-level so that no closure is made per access; `this` is the Proxy.
type ListThis = { [NODE]: ListDraft };

function relativeStart(v: unknown, len: number): number {
  const n = toIntegerOrInfinity(v); // ToIntegerOrInfinity: a BigInt or Symbol throws TypeError, as for Array
  return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
}

const LIST_METHODS: Record<string, (this: ListThis, ...args: unknown[]) => unknown> = {
  push(...items) {
    const rec = this[NODE];
    spliceList(rec, listLength(rec), 0, items);
    return listLength(rec);
  },
  pop() {
    const rec = this[NODE];
    const n = listLength(rec);
    return n === 0 ? undefined : spliceList(rec, n - 1, 1, [])[0];
  },
  shift() {
    const rec = this[NODE];
    return listLength(rec) === 0 ? undefined : spliceList(rec, 0, 1, [])[0];
  },
  unshift(...items) {
    const rec = this[NODE];
    spliceList(rec, 0, 0, items);
    return listLength(rec);
  },
  splice(...args) {
    const rec = this[NODE];
    const len = listLength(rec);
    const start = relativeStart(args[0], len);
    const del =
      args.length === 0
        ? 0
        : args.length === 1
          ? len - start
          : Math.min(Math.max(toIntegerOrInfinity(args[1]), 0), len - start);
    // As Array's splice, start and deleteCount are relative to the length read
    // before converting them; if a conversion (a valueOf) shrank the list,
    // splice within what is left (Array would leave holes, which a list
    // cannot have) instead of refusing indices past the new end.
    const cur = listLength(rec);
    const at = Math.min(start, cur);
    return spliceList(rec, at, Math.min(del, cur - at), args.slice(2));
  },
  sort(compare) {
    const rec = this[NODE];
    if (compare !== undefined && typeof compare !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    const n = listLength(rec);
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = element(rec, i);
    const cmp = (compare as ((a: unknown, b: unknown) => number) | undefined) ?? defaultCompare;
    const touches = rec.session.touches;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(values[a], values[b]));
    if (rec.session.touches === touches) permute(rec, order);
    // The comparator wrote (the list: a write, a push, a pop; or anything else
    // of the state): permuting the slots now could sort what it wrote or run
    // past the new end (slot words cannot tell: a string freed by a pop and
    // one pushed may get the same block, hence the same word). As Array's
    // sort writes back the values it read before comparing to indices [0, n),
    // they replace the first n elements (all, if it shrank the list) and what
    // it pushed stays after them (a record removed by the comparator moves
    // back; one still in the list is copied).
    else
      spliceList(
        rec,
        0,
        Math.min(n, listLength(rec)),
        order.map((i) => values[i]),
      );
    return this;
  },
  reverse() {
    const rec = this[NODE];
    const n = listLength(rec);
    permute(
      rec,
      Array.from({ length: n }, (_, i) => n - 1 - i),
    );
    return this;
  },
  toJSON() {
    const rec = this[NODE];
    rec.session.usable();
    return jsonOf(rec.session, rec.type, rec.addr);
  },
  *values() {
    const rec = this[NODE];
    for (let i = 0; i < listLength(rec); i++) yield element(rec, i);
  },
};

const LIST_DRAFT: ProxyHandler<ListBox<ListDraft>> = {
  get(box, prop) {
    const rec = box[0];
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) return element(rec, i);
      if (prop === "length") return listLength(rec);
      const m = LIST_METHODS[prop];
      if (m !== undefined && Object.hasOwn(LIST_METHODS, prop)) return m;
    } else if (prop === NODE) return rec;
    else if (prop === Symbol.iterator) return LIST_METHODS.values;
    return Reflect.get(Array.prototype, prop);
  },
  set(box, prop, value) {
    const rec = box[0];
    if (typeof prop === "string") {
      const i = indexOf(prop);
      const len = listLength(rec);
      if (i >= 0) {
        if (i < len) replaceElement(rec, i, value);
        else if (i === len) spliceList(rec, len, 0, [value]);
        else throwSchema(errorPath(rec, i), `an index up to ${len}`, i, "a list cannot have holes");
        return true;
      }
      if (prop === "length") {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > len)
          throwSchema(
            errorPath(rec, "length"),
            `an integer in [0, ${len}]`,
            value,
            "a list can shrink, not grow holes",
          );
        if (value < len) spliceList(rec, value, len - value, []);
        return true;
      }
    }
    throw new TypeError(`cannot set property ${String(prop)} of a list draft`);
  },
  deleteProperty(box, prop) {
    const rec = box[0];
    throwSchema(
      errorPath(rec, String(prop)),
      "splice() to remove list elements",
      undefined,
      "a list cannot have holes",
    );
  },
  has(box, prop) {
    return arrayLikeHas(listLength(box[0]), prop);
  },
  ownKeys(box) {
    return arrayLikeOwnKeys(listLength(box[0]));
  },
  getOwnPropertyDescriptor(box, prop) {
    const rec = box[0];
    if (prop === "length") return { value: listLength(rec), writable: true, enumerable: false, configurable: false };
    if (typeof prop !== "string") return undefined;
    const i = indexOf(prop);
    if (i < 0 || i >= listLength(rec)) return undefined;
    return { value: element(rec, i), writable: true, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Array.prototype;
  },
  defineProperty(_rec, prop) {
    throw new TypeError(`cannot define property ${String(prop)} on a draft: assign it`);
  },
  setPrototypeOf() {
    throw new TypeError("cannot set the prototype of a draft");
  },
  preventExtensions() {
    throw new TypeError("cannot prevent extensions of a draft");
  },
};

/** A new list draft record. */
export function newListDraftRecord(session: Session, type: ListType, addr: number, origStamp: number): DraftNode {
  return new ListDraft(session, type, addr, origStamp);
}

// Plain data assigned over a list (see reconcile in session.ts): the elements
// read once, the same elements at both ends left as they are, the rest
// spliced in, so that records carried over (drafts or views of this list's
// elements: a filter, a spread with a new item) move back rather than copy.
setReconciler("list", (s, type, addr, value, parent, key) => {
  const rec = draftOf(s, type, addr, parent as DraftNode, key) as ListDraft;
  const items = Array.prototype.slice.call(value as unknown[]) as unknown[];
  const h = listHandle(rec, false);
  const n = h === null ? 0 : h.length;
  const e = rec.type.element;
  const at = (i: number) => decodeElement(s.space, e, (h as ListHandle).get(i) as number);
  let a = 0;
  while (a < n && a < items.length && unchanged(s, e, at(a), items[a])) a++;
  let b = 0;
  while (b < n - a && b < items.length - a && unchanged(s, e, at(n - 1 - b), items[items.length - 1 - b])) b++;
  spliceList(rec, a, n - a - b, a === 0 && b === 0 ? items : items.slice(a, items.length - b));
  return true;
});
