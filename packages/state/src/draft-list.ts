/**
 * Drafts of lists: Proxies over a `[record]` box (see `ListBox` in view.ts)
 * with the Array API: index assignment, `length` truncation, `push`, `pop`,
 * `shift`, `unshift`, `splice`, `sort`, `reverse` as native methods of the
 * vector, every other Array method through `Array.prototype`. Element drafts
 * handed out are renumbered on each splice so patches name their paths now.
 * The edits (element reads, replacement, splice) are in list-edit.ts, which
 * removed record a spread item takes over in list-spread.ts, sort and
 * reverse's reordering of slots in list-order.ts.
 *
 * @module
 */

import { toIntegerOrInfinity } from "@pagefork/core";
import { NODE } from "./brand.js";
import type { ListHandle } from "./containers.js";
import { unchanged } from "./draft-common.js";
import { throwSchema } from "./errors.js";
import { arrayLikeHas, arrayLikeOwnKeys, indexOf } from "./indices.js";
import { INSPECT } from "./inspect.js";
import { element, listHandle, listLength, replaceElement, spliceList } from "./list-edit.js";
import { defaultCompare, permute } from "./list-order.js";
import { setReconciler } from "./reconcile.js";
import type { ListType } from "./schema.js";
import { type DraftNode, draftOf, errorPath, type Session } from "./session.js";
import { decodeElement } from "./slots.js";
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
