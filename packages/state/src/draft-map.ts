/**
 * Drafts of maps: a `Map` subclass (as Immer's DraftMap) whose every method
 * is its own and works on the embedded CowMap of the session's fork.
 *
 * @module
 */

import { NODE } from "./brand.js";
import { check, isValidKey, keyFromString } from "./check.js";
import { handleHas, storedSlot } from "./collection-reads.js";
import { handleOf, type MapHandle } from "./containers.js";
import { reconcileKeys, unchanged, wrapDraft } from "./draft-common.js";
import { throwSchema } from "./errors.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import type { Patch, PathKey } from "./patch-types.js";
import { backward, valuePatches } from "./patch-values.js";
import { placeComposite, reconcile, setReconciler } from "./reconcile.js";
import { isComposite, type MapType } from "./schema.js";
import { type DraftNode, draftOf, emit, errorPath, removeNode, type Session, touch } from "./session.js";
import { decodeKey, decodeMapValue, encodeKey, encodeMapValue, unwrapNullable } from "./slots.js";
import { jsonOf } from "./values.js";
import { inspectMap } from "./view-collections.js";

/** A draft of a `t.map` value: `Map` semantics; values of composite types are drafts. */
export class DraftMap<K = unknown, V = unknown> extends Map<K, V> implements DraftNode {
  readonly session: Session;
  readonly type: MapType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  constructor(session: Session, type: MapType, addr: number, origStamp: number) {
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
  private handle(create: boolean): MapHandle | null {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, create) as MapHandle | null;
  }
  override get size(): number {
    return this.handle(false)?.size ?? 0;
  }
  override get(key: K): V | undefined {
    const stored = storedSlot(this.handle(false), this.type.key, key);
    if (stored === undefined) return undefined;
    // the draft's key (the path of its patches) is the key as stored: an f32 key rounded
    const k = decodeKey(this.type.key, encodeKey(this.type.key, key)) as K;
    return wrapDraft(this.session, this.type.value, decodeMapValue(this.type.value, stored), this, k) as V;
  }
  override has(key: K): boolean {
    return handleHas(this.handle(false), this.type.key, key);
  }
  override set(key: K, value: V): this {
    const s = this.session;
    const { key: kt, value: vt } = this.type;
    this.handle(false);
    if (!isValidKey(kt, key)) throwSchema(errorPath(this), `a key of type ${kt.describe()}`, key);
    check(vt, value, errorPath(this, key));
    const enc = encodeKey(kt, key);
    // Patches and drafts name the key as stored (an f32 key rounded, as the map
    // holds it and toJSON writes it), not as given: else a patch of key 0.1 would
    // not name the entry 0.10000000149011612 of the map's JSON.
    key = decodeKey(kt, enc) as K;
    const h0 = this.handle(false);
    const had = h0?.has(enc);
    const old = had ? decodeMapValue(vt, (h0 as MapHandle).get(enc)) : undefined;
    if (had && unchanged(s, vt, old, value)) return this;
    // The old value's patches, read before the write (its nodes go away), relative to this map.
    const undo = had && s.patches !== null ? valuePatches(s, "replace", [key as PathKey], vt, old) : null;
    const inner = unwrapNullable(vt);
    const touches = s.touches;
    // plain data over a record or list: written into it in place (see reconcile)
    const done =
      had && typeof old === "number" && isComposite(inner) && s.write(() => reconcile(s, inner, old, value, this, key));
    if (done && s.touches === touches) return this; // equal content: nothing changed
    if (done) touch(this);
    else
      s.write(() => {
        const ptr =
          value !== null && isComposite(inner)
            ? placeComposite(s, inner, value, this, key, had && typeof old === "number" ? old : 0)
            : 0;
        const h = this.handle(true) as MapHandle;
        h.set(enc, encodeMapValue(vt, value, ptr));
        if (had && typeof old === "number" && isComposite(inner)) removeNode(s, inner, old);
        touch(this);
      });
    emit(this, (p) => {
      const path = [...p, key as PathKey];
      const now = valuePatches(
        s,
        had ? "replace" : "add",
        path,
        vt,
        decodeMapValue(vt, (this.handle(false) as MapHandle).get(enc)),
      );
      return [now, undo === null ? [{ op: "remove", path }] : backward(p, undo)];
    });
    return this;
  }
  override delete(key: K): boolean {
    const s = this.session;
    const h = this.handle(false);
    if (h === null || !isValidKey(this.type.key, key)) return false;
    const enc = encodeKey(this.type.key, key);
    if (!h.has(enc)) return false;
    key = decodeKey(this.type.key, enc) as K; // the path names the key as stored (see set)
    const vt = this.type.value;
    const old = decodeMapValue(vt, h.get(enc));
    const undo = s.patches === null ? null : valuePatches(s, "add", [key as PathKey], vt, old);
    const inner = unwrapNullable(vt);
    s.write(() => {
      h.delete(enc);
      if (typeof old === "number" && isComposite(inner)) removeNode(s, inner, old);
      touch(this);
    });
    emit(this, (p) => [[{ op: "remove", path: [...p, key as PathKey] }], backward(p, undo as Patch[])]);
    return true;
  }
  override clear(): void {
    const s = this.session;
    const h = this.handle(false);
    if (h === null || h.size === 0) return;
    const { key: kt, value: vt } = this.type;
    const inner = unwrapNullable(vt);
    const entries = [...h].map(([k, x]) => [decodeKey(kt, k), decodeMapValue(vt, x)] as const);
    let undo: Patch[] | null = null;
    if (s.patches !== null) {
      undo = [];
      for (const [k, x] of entries) valuePatches(s, "add", [k as PathKey], vt, x, undo);
    }
    s.write(() => {
      if (isComposite(inner)) for (const [, x] of entries) if (typeof x === "number") removeNode(s, inner, x);
      h.clear();
      touch(this);
    });
    emit(this, (p) => [
      entries.map(([k]) => ({ op: "remove", path: [...p, k] }) as Patch),
      backward(p, undo as Patch[]),
    ]);
  }
  // The iterators check the session on every step, as every other use of
  // the draft does: once the recipe has returned or thrown, next() throws
  // DraftError (it went on reading the committed version, or threw ReleasedError).
  override *entries(): MapIterator<[K, V]> {
    const h = this.handle(false);
    if (h === null) return;
    const { key: kt, value: vt } = this.type;
    const it = h[Symbol.iterator]();
    for (;;) {
      this.session.usable();
      const r = it.next();
      if (r.done) return;
      const [k, x] = r.value;
      const key = decodeKey(kt, k) as K;
      yield [key, wrapDraft(this.session, vt, decodeMapValue(vt, x), this, key) as V];
    }
  }
  override *keys(): MapIterator<K> {
    const h = this.handle(false);
    if (h === null) return;
    const it = h.keys();
    for (;;) {
      this.session.usable();
      const r = it.next();
      if (r.done) return;
      yield decodeKey(this.type.key, r.value) as K;
    }
  }
  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  /** JSON form of the draft's current contents. */
  toJSON(): unknown {
    this.session.usable();
    return jsonOf(this.session, this.type, this.addr);
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    return inspectMap(this.size, this.entries(), options, inspect);
  }
}

/** A new map draft record. */
export function newMapDraft(s: Session, type: MapType, addr: number, origStamp: number): DraftNode {
  return new DraftMap(s, type, addr, origStamp);
}

// A `Map` assigned over a map (see reconcile in reconcile.ts): the entries read
// once; keys it lacks deleted, the rest set in its order (an unchanged value
// is a no-op, a spread of a value takes over its children), so that the
// values it carries over keep their nodes: `d.byId = new Map(d.byId).set(k, v)`.
// A plain object (the map's JSON form, `d.scores = { ...scores, a: 1 }`, data
// from a server) the same, its keys read as `check` and `build` read them.
setReconciler("map", (s, type, addr, value, parent, key) => {
  const kt = (type as MapType).key;
  const rec = draftOf(s, type, addr, parent, key) as DraftMap;
  const entries: [unknown, unknown][] =
    value instanceof Map
      ? [...value]
      : Object.keys(value as object).map((k) => [keyFromString(kt, k), (value as Record<string, unknown>)[k]]);
  reconcileKeys(
    [...rec.keys()],
    entries.map(([k]) => decodeKey(kt, encodeKey(kt, k))),
    (k) => rec.delete(k),
    (j) => rec.set((entries[j] as [unknown, unknown])[0], (entries[j] as [unknown, unknown])[1]),
  );
  return true;
});
