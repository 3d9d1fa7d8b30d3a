/**
 * Drafts of sets: a `Set` subclass (as Immer's DraftSet) whose every method
 * is its own and works on the embedded CowSet of the session's fork. Patches
 * carry an element's index in insertion order, so they apply to the JSON array.
 *
 * @module
 */

import { NODE } from "./brand.js";
import { isValidKey } from "./check.js";
import { defineSetMethods, handleHas } from "./collection-reads.js";
import { handleOf, type SetHandle } from "./containers.js";
import { reconcileKeys } from "./draft-common.js";
import { throwSchema } from "./errors.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import type { Patch } from "./patch-types.js";
import { setReconciler } from "./reconcile.js";
import type { SetType } from "./schema.js";
import { type DraftNode, draftOf, emit, errorPath, type Session, touch } from "./session.js";
import { decodeKey, encodeKey } from "./slots.js";
import { jsonOf, plainOf } from "./values.js";

/** A draft of a `t.set` value: `Set` semantics. */
export class DraftSet<K = unknown> extends Set<K> implements DraftNode {
  readonly session: Session;
  readonly type: SetType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  constructor(session: Session, type: SetType, addr: number, origStamp: number) {
    super();
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    this.proxy = this;
  }
  get [NODE](): this {
    return this;
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
  private handle(create: boolean): SetHandle | null {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, create) as SetHandle | null;
  }
  override get size(): number {
    return this.handle(false)?.size ?? 0;
  }
  override has(value: K): boolean {
    return handleHas(this.handle(false), this.type.element, value);
  }
  override add(value: K): this {
    const s = this.session;
    const et = this.type.element;
    const h0 = this.handle(false);
    if (!isValidKey(et, value)) throwSchema(errorPath(this), `an element of type ${et.describe()}`, value);
    const enc = encodeKey(et, value);
    if (h0?.has(enc)) return this;
    // the patch names the element as stored (an f32 rounded, as toJSON writes it), not as given
    value = decodeKey(et, enc) as K;
    const index = h0?.size ?? 0;
    s.write(() => {
      (this.handle(true) as SetHandle).add(enc);
      touch(this);
    });
    emit(this, (p) => [
      [{ op: "add", path: [...p, index], value: encodeJsonKey(value) }],
      [{ op: "remove", path: [...p, index], value: encodeJsonKey(value) }],
    ]);
    return this;
  }
  override delete(value: K): boolean {
    const s = this.session;
    const et = this.type.element;
    const h = this.handle(false);
    if (h === null || !isValidKey(et, value)) return false;
    const enc = encodeKey(et, value);
    if (!h.has(enc)) return false;
    value = decodeKey(et, enc) as K; // as stored (see add)
    const index = s.patches === null ? 0 : rankOf(h, enc);
    s.write(() => {
      h.delete(enc);
      touch(this);
    });
    emit(this, (p) => [
      [{ op: "remove", path: [...p, index], value: encodeJsonKey(value) }],
      [{ op: "add", path: [...p, index], value: encodeJsonKey(value) }],
    ]);
    return true;
  }
  override clear(): void {
    const s = this.session;
    const h = this.handle(false);
    if (h === null || h.size === 0) return;
    const values = [...h].map((k) => decodeKey(this.type.element, k));
    s.write(() => {
      h.clear();
      touch(this);
    });
    // The inverse list is reversed as a whole at the end of the recipe: its
    // adds go in last to first here, so that they re-add first to last, each
    // at its index (Immer's applyPatches on the JSON array inserts there too).
    emit(this, (p) => [
      values.map((value) => ({ op: "remove", path: [...p, 0], value }) as Patch),
      values.map((value, i) => ({ op: "add", path: [...p, i], value }) as Patch).reverse(),
    ]);
  }
  override *values(): SetIterator<K> {
    const h = this.handle(false);
    if (h === null) return;
    // checks the session on every step: once the recipe has returned or thrown, next() throws DraftError
    const it = h[Symbol.iterator]();
    for (;;) {
      this.session.usable();
      const r = it.next();
      if (r.done) return;
      yield decodeKey(this.type.element, r.value) as K;
    }
  }
  override keys(): SetIterator<K> {
    return this.values();
  }
  override *entries(): SetIterator<[K, K]> {
    for (const k of this.values()) yield [k, k];
  }
  override [Symbol.iterator](): SetIterator<K> {
    return this.values();
  }
  override forEach(fn: (value: K, key: K, set: Set<K>) => void, thisArg?: unknown): void {
    for (const k of this.values()) fn.call(thisArg, k, k, this);
  }
  /** JSON form (an array in insertion order). */
  toJSON(): unknown {
    this.session.usable();
    return jsonOf(this.session, this.type, this.addr);
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    return inspect(plainOf(this.session, this.type, this.addr), options);
  }
}

// union, intersection, ... of this draft's elements (the inherited native ones, Node 22+, would read empty internal slots)
defineSetMethods(DraftSet.prototype);

/** A set element as a patch value (its JSON form is itself). */
function encodeJsonKey(v: unknown): unknown {
  return v;
}

/** Position of the stored element `enc` in the set's insertion order. O(size). */
function rankOf(h: SetHandle, enc: unknown): number {
  let i = 0;
  for (const k of h) {
    if (k === enc || (Number.isNaN(k) && Number.isNaN(enc))) return i; // SameValueZero
    i++;
  }
  return -1;
}

/** A new set draft record. */
export function newSetDraft(s: Session, type: SetType, addr: number, origStamp: number): DraftNode {
  return new DraftSet(s, type, addr, origStamp);
}

// A `Set` or an array assigned over a set (see reconcile in session.ts): the
// elements read once; those it lacks deleted, the rest added in its order,
// so that `d.tags = new Set(d.tags).add(x)` writes one element, not the set.
setReconciler("set", (s, type, addr, value, parent, key) => {
  const et = (type as SetType).element;
  const rec = draftOf(s, type, addr, parent, key) as DraftSet;
  const items = [...(value as Iterable<unknown>)];
  reconcileKeys(
    [...rec.values()],
    items.map((k) => decodeKey(et, encodeKey(et, k))),
    (k) => rec.delete(k),
    (j) => rec.add(items[j]),
  );
  return true;
});
