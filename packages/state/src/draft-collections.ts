/**
 * Drafts of maps, sets, texts and typed arrays. Map and set drafts extend
 * the native `Map` and `Set` (as Immer's DraftMap/DraftSet do) with every
 * method their own; text drafts are objects with `insert`/`delete`/`splice`;
 * typed-array drafts are Proxies with the native TypedArray API.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import type { CowText } from "@pagefork/string";
import { NODE, viaProxy } from "./brand.js";
import { type ArrayHandle, handleOf, type MapHandle, type SetHandle } from "./containers.js";
import { wrapDraft } from "./drafts.js";
import { throwSchema } from "./errors.js";
import { indexOf } from "./indices.js";
import { INSPECT, type InspectFn, type InspectOptions } from "./inspect.js";
import type { Patch } from "./patch-types.js";
import { type AnyType, isComposite, type MapType, type SetType, type TypedArrayType } from "./schema.js";
import {
  type DraftNode,
  emit,
  errorPath,
  patchValue,
  placeComposite,
  removeNode,
  type Session,
  touch,
} from "./session.js";
import { decodeKey, decodeMapValue, encodeKey, encodeMapValue, unwrapNullable } from "./slots.js";
import { check, isValidKey, jsonOf, plainOf } from "./values.js";
import { copyRange, inspectMap } from "./view-collections.js";

/** True if storing `value` over the raw map value `old` changes nothing. */
function sameValue(s: Session, type: AnyType, old: unknown, value: unknown): boolean {
  if (old === null || value === null) return old === value;
  if (isComposite(unwrapNullable(type))) return s.drafts.get(old as number)?.proxy === value;
  if (unwrapNullable(type).kind === "f32" && typeof value === "number") return Object.is(old, Math.fround(value));
  return Object.is(old, value);
}

// ---------------------------------------------------------------- map

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
    const h = this.handle(false);
    if (h === null || !isValidKey(this.type.key, key)) return undefined;
    const stored = h.get(encodeKey(this.type.key, key));
    if (stored === undefined) return undefined;
    return wrapDraft(this.session, this.type.value, decodeMapValue(this.type.value, stored), this, key) as V;
  }
  override has(key: K): boolean {
    const h = this.handle(false);
    return h !== null && isValidKey(this.type.key, key) && h.has(encodeKey(this.type.key, key));
  }
  override set(key: K, value: V): this {
    const s = this.session;
    const { key: kt, value: vt } = this.type;
    this.handle(false);
    if (!isValidKey(kt, key)) throwSchema(errorPath(this), `a key of type ${kt.describe()}`, key);
    check(vt, value, errorPath(this, key));
    const enc = encodeKey(kt, key);
    const h0 = this.handle(false);
    const had = h0?.has(enc);
    const old = had ? decodeMapValue(vt, (h0 as MapHandle).get(enc)) : undefined;
    if (had && sameValue(s, vt, old, value)) return this;
    const oldJson = had && s.patches !== null ? patchValue(s, vt, old) : undefined;
    const inner = unwrapNullable(vt);
    s.write(() => {
      const ptr = value !== null && isComposite(inner) ? placeComposite(s, inner, value, this, key) : 0;
      const h = this.handle(true) as MapHandle;
      h.set(enc, encodeMapValue(vt, value, ptr));
      if (had && typeof old === "number" && isComposite(inner)) removeNode(s, inner, old);
      touch(this);
    });
    emit(this, (p) => {
      const path = [...p, key as Patch["path"][number]];
      const now = patchValue(s, vt, decodeMapValue(vt, (this.handle(false) as MapHandle).get(enc)));
      return had
        ? [[{ op: "replace", path, value: now }], [{ op: "replace", path, value: oldJson }]]
        : [[{ op: "add", path, value: now }], [{ op: "remove", path }]];
    });
    return this;
  }
  override delete(key: K): boolean {
    const s = this.session;
    const h = this.handle(false);
    if (h === null || !isValidKey(this.type.key, key)) return false;
    const enc = encodeKey(this.type.key, key);
    if (!h.has(enc)) return false;
    const vt = this.type.value;
    const old = decodeMapValue(vt, h.get(enc));
    const oldJson = s.patches === null ? undefined : patchValue(s, vt, old);
    const inner = unwrapNullable(vt);
    s.write(() => {
      h.delete(enc);
      if (typeof old === "number" && isComposite(inner)) removeNode(s, inner, old);
      touch(this);
    });
    emit(this, (p) => {
      const path = [...p, key as Patch["path"][number]];
      return [[{ op: "remove", path }], [{ op: "add", path, value: oldJson }]];
    });
    return true;
  }
  override clear(): void {
    const s = this.session;
    const h = this.handle(false);
    if (h === null || h.size === 0) return;
    const { key: kt, value: vt } = this.type;
    const inner = unwrapNullable(vt);
    const entries = [...h].map(([k, x]) => [decodeKey(kt, k), decodeMapValue(vt, x)] as const);
    const olds = s.patches === null ? null : entries.map(([, x]) => patchValue(s, vt, x));
    s.write(() => {
      if (isComposite(inner)) for (const [, x] of entries) if (typeof x === "number") removeNode(s, inner, x);
      h.clear();
      touch(this);
    });
    emit(this, (p) => [
      entries.map(([k]) => ({ op: "remove", path: [...p, k] }) as Patch),
      entries.map(([k], i) => ({ op: "add", path: [...p, k], value: (olds as unknown[])[i] }) as Patch),
    ]);
  }
  override *entries(): MapIterator<[K, V]> {
    const h = this.handle(false);
    if (h === null) return;
    const { key: kt, value: vt } = this.type;
    for (const [k, x] of h) {
      const key = decodeKey(kt, k) as K;
      yield [key, wrapDraft(this.session, vt, decodeMapValue(vt, x), this, key) as V];
    }
  }
  override *keys(): MapIterator<K> {
    const h = this.handle(false);
    if (h === null) return;
    for (const k of h.keys()) yield decodeKey(this.type.key, k) as K;
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
  [INSPECT](_d: number, options: InspectOptions, inspect: InspectFn): string {
    return inspectMap(this.size, this.entries(), options, inspect);
  }
}

// ---------------------------------------------------------------- set

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
    const h = this.handle(false);
    return h !== null && isValidKey(this.type.element, value) && h.has(encodeKey(this.type.element, value));
  }
  override add(value: K): this {
    const s = this.session;
    const et = this.type.element;
    const h0 = this.handle(false);
    if (!isValidKey(et, value)) throwSchema(errorPath(this), `an element of type ${et.describe()}`, value);
    const enc = encodeKey(et, value);
    if (h0?.has(enc)) return this;
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
    emit(this, (p) => [
      values.map((value) => ({ op: "remove", path: [...p, 0], value }) as Patch),
      values.map((value) => ({ op: "add", path: [...p, 0], value }) as Patch),
    ]);
  }
  override *values(): SetIterator<K> {
    const h = this.handle(false);
    if (h === null) return;
    for (const k of h) yield decodeKey(this.type.element, k) as K;
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
  [INSPECT](_d: number, options: InspectOptions, inspect: InspectFn): string {
    return inspect(plainOf(this.session, this.type, this.addr), options);
  }
}

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

// ---------------------------------------------------------------- text

/** A draft of a `t.text` value: the read API of a text view plus edits (UTF-16 code units). */
export class TextDraftImpl implements DraftNode, Iterable<string> {
  readonly session: Session;
  readonly type: AnyType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  constructor(session: Session, type: AnyType, addr: number, origStamp: number) {
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
  private text(create: boolean): CowText | null {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, create) as CowText | null;
  }
  /** Length in UTF-16 code units. O(1). */
  get length(): number {
    return this.text(false)?.length ?? 0;
  }
  slice(start?: number, end?: number): string {
    return this.text(false)?.slice(start, end) ?? "";
  }
  charAt(index: number): string {
    return this.text(false)?.charAt(index) ?? "";
  }
  charCodeAt(index: number): number {
    return this.text(false)?.charCodeAt(index) ?? Number.NaN;
  }
  toString(): string {
    return this.text(false)?.toString() ?? "";
  }
  valueOf(): string {
    return this.toString();
  }
  toJSON(): string {
    return this.toString();
  }
  *[Symbol.iterator](): IterableIterator<string> {
    const t = this.text(false);
    if (t !== null) yield* t;
  }
  /**
   * Inserts `text` before code unit `pos`. O(height + text.length / leaf) pages written.
   * @throws {InvalidArgumentError} unless `pos` is an integer in [0, length]; TypeError for a non-string.
   */
  insert(pos: number, text: string): void {
    this.splice(pos, 0, text);
  }
  /**
   * Deletes `count` code units from `pos`.
   * @throws {InvalidArgumentError} unless `[pos, pos + count)` is inside the text.
   */
  delete(pos: number, count: number): void {
    this.splice(pos, count, "");
  }
  /**
   * Deletes `deleteCount` code units at `pos`, then inserts `text` there: one edit, one patch.
   * @throws {InvalidArgumentError} for a position or count outside the text; TypeError for a non-string.
   */
  splice(pos: number, deleteCount: number, text = ""): void {
    const s = this.session;
    const len = this.length;
    if (!Number.isInteger(pos) || pos < 0 || pos > len)
      throw new InvalidArgumentError("pos", pos, `an integer in [0, ${len}]`);
    if (!Number.isInteger(deleteCount) || deleteCount < 0 || pos + deleteCount > len)
      throw new InvalidArgumentError("deleteCount", deleteCount, `an integer in [0, ${len - pos}]`);
    if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
    if (deleteCount === 0 && text.length === 0) return;
    const replace = s.patches !== null && s.textPatches === "replace";
    const before = replace ? this.toString() : "";
    const deleted = s.patches !== null && !replace && deleteCount > 0 ? this.slice(pos, pos + deleteCount) : "";
    s.write(() => {
      const t = this.text(true) as CowText;
      if (deleteCount > 0) t.delete(pos, deleteCount);
      if (text.length > 0) t.insert(pos, text);
      touch(this);
    });
    emit(this, (p) =>
      replace
        ? [[{ op: "replace", path: p, value: this.toString() }], [{ op: "replace", path: p, value: before }]]
        : [
            [{ op: "splice", path: p, index: pos, deleteCount, insert: text }],
            [{ op: "splice", path: p, index: pos, deleteCount: text.length, insert: deleted }],
          ],
    );
  }
  /** Replaces the whole text (one splice). */
  replace(text: string): void {
    this.splice(0, this.length, text);
  }
  [INSPECT](_d: number, options: InspectOptions, inspect: InspectFn): string {
    return `[TextDraft: ${inspect(this.toString(), options)}]`;
  }
}

// ---------------------------------------------------------------- typed arrays

/** The target of a typed-array draft Proxy. */
class TypedDraft implements DraftNode {
  readonly session: Session;
  readonly type: TypedArrayType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  /** One element of the kind: converts a value as the native array would. */
  readonly scratch: Float64Array;
  constructor(session: Session, type: TypedArrayType, addr: number, origStamp: number) {
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    this.scratch = new type.ctor(1) as Float64Array;
    this.proxy = new Proxy(this, TYPED_DRAFT);
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
  handle(): ArrayHandle {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, false) as ArrayHandle;
  }
  [INSPECT](_d: number, options: InspectOptions, inspect: InspectFn): string {
    const rec = viaProxy(this);
    const h = rec.handle();
    return inspect(copyRange(h, rec.type.ctor, 0, Math.min(h.length, 100)), options);
  }
}

/** JSON form of one element. */
function elementJson(x: number | bigint): unknown {
  return typeof x === "bigint" ? String(x) : x;
}

/**
 * Runs `op` on elements `[start, end)` of a typed draft and records what it
 * changed: the range is snapshot before and after, the node is dirty and
 * one replace patch is emitted per element that changed. O(end - start).
 */
function changeRange(rec: TypedDraft, start: number, end: number, op: (h: ArrayHandle) => void): void {
  const s = rec.session;
  const h = rec.handle();
  if (end <= start) return;
  const before = copyRange(h, rec.type.ctor, start, end);
  s.write(() => op(h));
  const after = copyRange(h, rec.type.ctor, start, end);
  const changed: number[] = [];
  for (let j = 0; j < before.length; j++) if (!Object.is(before[j], after[j])) changed.push(j);
  if (changed.length === 0) return;
  touch(rec);
  emit(rec, (p) => [
    changed.map((j) => ({ op: "replace", path: [...p, start + j], value: elementJson(after[j] as number) }) as Patch),
    changed.map((j) => ({ op: "replace", path: [...p, start + j], value: elementJson(before[j] as number) }) as Patch),
  ]);
}

function relative(v: unknown, dflt: number, len: number): number {
  if (v === undefined) return dflt;
  const n = Math.trunc(Number(v)) || 0;
  return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
}

type TypedThis = { [NODE]: TypedDraft };

const TYPED_METHODS: Record<string, (this: TypedThis, ...args: unknown[]) => unknown> = {
  set(source, offset) {
    const rec = this[NODE];
    const len = rec.type.length;
    const off = offset === undefined ? 0 : Math.trunc(Number(offset)) || 0;
    if (off < 0) throw new RangeError("offset is out of bounds");
    const src = source as ArrayLike<unknown>;
    const n = typeof src === "object" && src !== null ? (src.length ?? 0) : 0;
    if (off + n > len) throw new RangeError("offset is out of bounds");
    // converts every element as the native set does (TypeError for BigInt/Number mixing), before any write
    const native = (rec.type.ctor as unknown as { from(x: ArrayLike<unknown>): ArrayLike<unknown> }).from(src);
    changeRange(rec, off, off + n, (h) => h.set(native, off));
  },
  fill(value, start, end) {
    const rec = this[NODE];
    const len = rec.type.length;
    rec.scratch[0] = value as number; // converts (throws TypeError for a number into a BigInt kind, as natively)
    const v = rec.scratch[0] as number;
    const a = relative(start, 0, len);
    const b = relative(end, len, len);
    changeRange(rec, a, b, (h) => h.fill(v, a, b));
    return this;
  },
  copyWithin(target, start, end) {
    const rec = this[NODE];
    const len = rec.type.length;
    const t = relative(target, 0, len);
    const a = relative(start, 0, len);
    const b = relative(end, len, len);
    const count = Math.min(b - a, len - t);
    changeRange(rec, t, t + Math.max(count, 0), (h) => h.copyWithin(t, a, b));
    return this;
  },
  sort(compare) {
    const rec = this[NODE];
    changeRange(rec, 0, rec.type.length, (h) => h.sort(compare));
    return this;
  },
  reverse() {
    const rec = this[NODE];
    changeRange(rec, 0, rec.type.length, (h) => h.reverse());
    return this;
  },
  slice(start, end) {
    const rec = this[NODE];
    const h = rec.handle();
    const len = h.length;
    return copyRange(h, rec.type.ctor, relative(start, 0, len), relative(end, len, len));
  },
  toJSON() {
    const rec = this[NODE];
    rec.session.usable();
    return jsonOf(rec.session, rec.type, rec.addr);
  },
  *values() {
    const rec = this[NODE];
    const h = rec.handle();
    for (let i = 0; i < h.length; i++) yield h.get(i);
  },
};

for (const name of [
  "at",
  "indexOf",
  "lastIndexOf",
  "includes",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "every",
  "some",
  "forEach",
  "reduce",
  "reduceRight",
  "join",
  "entries",
  "keys",
  "toLocaleString",
]) {
  TYPED_METHODS[name] = function (this: TypedThis, ...args: unknown[]): unknown {
    const h = this[NODE].handle() as unknown as Record<string, (...a: unknown[]) => unknown>;
    return (h[name] as (...a: unknown[]) => unknown).apply(h, args);
  };
}

const TYPED_DRAFT: ProxyHandler<TypedDraft> = {
  get(rec, prop) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) {
        const h = rec.handle();
        return i < h.length ? h.get(i) : undefined;
      }
      if (prop === "length") return rec.type.length;
      if (prop === "toString") return TYPED_METHODS.join;
      if (Object.hasOwn(TYPED_METHODS, prop)) return TYPED_METHODS[prop];
    } else if (prop === NODE) return rec;
    else if (prop === Symbol.iterator) return TYPED_METHODS.values;
    return undefined;
  },
  set(rec, prop, value) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) {
        const h = rec.handle();
        if (i >= h.length) return true; // out of range: ignored, as natively
        rec.scratch[0] = value as number; // the native conversion (and its TypeError)
        const v = rec.scratch[0] as number;
        const old = h.get(i) as number;
        if (Object.is(old, v)) return true;
        const s = rec.session;
        s.write(() => h.set(i, v));
        touch(rec);
        emit(rec, (p) => [
          [{ op: "replace", path: [...p, i], value: elementJson(v) }],
          [{ op: "replace", path: [...p, i], value: elementJson(old) }],
        ]);
        return true;
      }
    }
    throw new TypeError(`cannot set property ${String(prop)} of a typed-array draft`);
  },
  has(rec, prop) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) return i < rec.type.length;
    }
    return prop === "length";
  },
  ownKeys(rec) {
    return Array.from({ length: rec.type.length }, (_, i) => String(i));
  },
  getOwnPropertyDescriptor(rec, prop) {
    if (typeof prop !== "string") return undefined;
    const i = indexOf(prop);
    if (i < 0 || i >= rec.type.length) return undefined;
    return { value: rec.handle().get(i), writable: true, enumerable: true, configurable: true };
  },
  deleteProperty() {
    throw new TypeError("cannot delete an element of a typed array");
  },
  defineProperty(_rec, prop) {
    throw new TypeError(`cannot define property ${String(prop)} on a draft: assign it`);
  },
};

/** A new map draft record. */
export function newMapDraft(s: Session, type: MapType, addr: number, origStamp: number): DraftNode {
  return new DraftMap(s, type, addr, origStamp);
}
/** A new set draft record. */
export function newSetDraft(s: Session, type: SetType, addr: number, origStamp: number): DraftNode {
  return new DraftSet(s, type, addr, origStamp);
}
/** A new text draft record. */
export function newTextDraft(s: Session, type: AnyType, addr: number, origStamp: number): DraftNode {
  return new TextDraftImpl(s, type, addr, origStamp);
}
/** A new typed-array draft record. */
export function newTypedDraft(s: Session, type: TypedArrayType, addr: number, origStamp: number): DraftNode {
  return new TypedDraft(s, type, addr, origStamp);
}
