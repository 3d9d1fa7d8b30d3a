/**
 * Read-only views of a version: what `state.root` and everything under it
 * are. A view reads its fields from the pages on each access (nothing is
 * deserialised whole) and is made at most once per node content (stamp), so
 * an unchanged subtree is the `===` object in every version that holds it.
 *
 * Structs and lists are Proxies whose target is the view record (one
 * module-level handler each, no closure per view, as Immer's proxy.ts):
 * property reads, `Object.keys`, spread, `in`, `JSON.stringify` and
 * `Array.isArray` behave as on frozen plain data, and every write throws a
 * TypeError. Maps, sets, texts and typed arrays are classes (view-collections.ts).
 *
 * @module
 */
import { NODE, type NodeRecord, viaProxy } from "./brand.js";
import { type Ctx, handleOf, type ListHandle } from "./containers.js";
import { throwReadOnly } from "./errors.js";
import { arrayLikeHas, arrayLikeOwnKeys, indexOf } from "./indices.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect, shownElements } from "./inspect.js";
import type { AnyType, ListType, StructType } from "./schema.js";
import { decodeElement, readField, unwrapNullable } from "./slots.js";
import { jsonOf } from "./values.js";
import { liveCtx, type VersionCtx, type ViewFields } from "./version-ctx.js";
import { MapView, SetView, TextViewImpl, typedArrayView } from "./view-collections.js";

/**
 * The view of the node at `addr` of composite `type` in version `ver`:
 * the cached one for the node's stamp if it is alive, else a new one. O(1).
 */
export function viewOf(ver: VersionCtx, type: AnyType, addr: number): object {
  const stamp = ver.space.getFloat64(addr);
  const cached = ver.lineage.view(stamp) as (ViewFields & { proxy: object }) | undefined;
  if (cached !== undefined) {
    cached.ver = ver; // reads go through a version the caller holds
    return cached.proxy;
  }
  let rec: ViewFields & { proxy: object; stamp: number };
  switch (type.kind) {
    case "struct":
      rec = new StructView(ver, type as StructType, addr, stamp);
      break;
    case "list":
      rec = new ListView(ver, type as ListType, addr, stamp);
      break;
    case "map":
      rec = new MapView(ver, type as never, addr, stamp);
      break;
    case "set":
      rec = new SetView(ver, type as never, addr, stamp);
      break;
    case "text":
      rec = new TextViewImpl(ver, type, addr, stamp);
      break;
    default:
      rec = typedArrayView(ver, type as never, addr, stamp);
  }
  ver.lineage.remember(rec);
  return rec.proxy;
}

/** A raw slot value as users read it: composites become views. */
export function wrapView(ver: VersionCtx, type: AnyType, raw: unknown): unknown {
  if (typeof raw !== "number") return raw;
  const t = unwrapNullable(type);
  switch (t.kind) {
    case "struct":
    case "list":
    case "map":
    case "set":
    case "text":
    case "typedArray":
      return viewOf(ver, t, raw);
    default:
      return raw;
  }
}

// ---------------------------------------------------------------- structs

/** The target of a struct view Proxy. */
class StructView implements NodeRecord, ViewFields {
  ver: VersionCtx;
  readonly type: StructType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: StructType, addr: number, stamp: number) {
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    this.proxy = new Proxy(this, STRUCT_HANDLER);
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
  /** Node's `util.inspect` formats the Proxy's target: show the record's contents. */
  [INSPECT](depth: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const rec = viaProxy(this); // Node calls it on the Proxy
    return inspect(shallowStruct(rec.proxy, rec.type), { ...options, depth });
  }
}

function readStructField(rec: StructView, name: string): unknown {
  const f = rec.type.byName.get(name);
  if (f === undefined) return undefined;
  const ver = liveCtx(rec);
  return wrapView(ver, f.type, readField(ver.space, rec.addr, f));
}

function structToJSON(this: { [NODE]: StructView }): unknown {
  const rec = this[NODE];
  return jsonOf(rec.ctx(), rec.type, rec.addr);
}

const STRUCT_HANDLER: ProxyHandler<StructView> = {
  get(rec, prop) {
    if (typeof prop === "string") {
      const f = rec.type.byName.get(prop);
      if (f !== undefined) {
        const ver = liveCtx(rec);
        return wrapView(ver, f.type, readField(ver.space, rec.addr, f));
      }
      if (prop === "toJSON") return structToJSON;
    } else if (prop === NODE) return rec;
    return Reflect.get(Object.prototype, prop);
  },
  has(rec, prop) {
    if (typeof prop === "string") {
      const f = rec.type.byName.get(prop);
      if (f !== undefined) return !f.optional || readStructField(rec, prop) !== undefined;
    }
    return prop in Object.prototype;
  },
  ownKeys(rec) {
    const keys: string[] = [];
    const ver = liveCtx(rec);
    for (const f of rec.type.fields)
      if (!f.optional || readField(ver.space, rec.addr, f) !== undefined) keys.push(f.name);
    return keys;
  },
  getOwnPropertyDescriptor(rec, prop) {
    if (typeof prop !== "string") return undefined;
    const f = rec.type.byName.get(prop);
    if (f === undefined) return undefined;
    const value = readStructField(rec, prop);
    if (value === undefined && f.optional) return undefined;
    return { value, writable: false, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Object.prototype;
  },
  set(_rec, prop) {
    return throwReadOnly(`set ${String(prop)}`);
  },
  deleteProperty(_rec, prop) {
    return throwReadOnly(`delete ${String(prop)}`);
  },
  defineProperty(_rec, prop) {
    return throwReadOnly(`define ${String(prop)}`);
  },
  setPrototypeOf() {
    return throwReadOnly("set the prototype");
  },
  preventExtensions() {
    return throwReadOnly("prevent extensions");
  },
};

// ---------------------------------------------------------------- lists

/**
 * The target of a list view Proxy is a one-element Array holding the view
 * record (as Immer's `[state]` targets): an Array, so `Array.isArray(view)`
 * is true, yet made as cheaply as a literal (a class extending Array took
 * ~1 µs to construct, a tenth of a `produce`). Node's `util.inspect` formats
 * a Proxy's target, so the box carries the inspect method.
 */
export type ListBox<R> = [R] & { [INSPECT]?: unknown };

/** A list view record. */
class ListView implements NodeRecord, ViewFields {
  ver: VersionCtx;
  readonly type: ListType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: ListType, addr: number, stamp: number) {
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    const box: ListBox<ListView> = [this];
    box[INSPECT] = inspectListBox;
    this.proxy = new Proxy(box, LIST_HANDLER);
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
}

/** Node's inspect of a list view or list draft (`this` is the Proxy's target box). */
export function inspectListBox(
  this: ListBox<{ readonly proxy: unknown }>,
  depth: number,
  options: InspectOptions = {},
  inspect: InspectFn = plainInspect,
): string {
  const rec = (this as unknown as { [NODE]?: { readonly proxy: unknown } })[NODE] ?? this[0]; // Node calls it on the Proxy
  return inspect(shallowList(rec.proxy as unknown[], options), { ...options, depth });
}

/**
 * One level of a struct (view or draft) for `util.inspect`: its fields,
 * composites as the views or drafts themselves, which Node then inspects in
 * turn within its depth. Never a copy of the whole subtree.
 */
export function shallowStruct(proxy: object, type: StructType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fields) {
    const v = (proxy as Record<string, unknown>)[f.name];
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/** The first `maxArrayLength` elements of a list (view or draft) for `util.inspect`, and how many more. */
export function shallowList(proxy: ArrayLike<unknown>, options: InspectOptions): unknown[] {
  const n = proxy.length;
  const shown = shownElements(options, n);
  const out: unknown[] = [];
  for (let i = 0; i < shown; i++) out.push(proxy[i]);
  if (shown < n) out.push(`... ${n - shown} more items`);
  return out;
}

/** Length of a list view; O(1). */
function listLength(rec: ListView): number {
  const h = handleOf(liveCtx(rec), rec.type, rec.addr, false) as ListHandle | null;
  return h === null ? 0 : h.length;
}

/** Element `i` of a list view (undefined out of range). */
function listElement(rec: ListView, i: number): unknown {
  const ver = liveCtx(rec);
  const h = handleOf(ver, rec.type, rec.addr, false) as ListHandle | null;
  if (h === null || i >= h.length) return undefined;
  const e = rec.type.element;
  return wrapView(ver, e, decodeElement(ver.space, e, h.get(i) as number));
}

function listToJSON(this: { [NODE]: ListView }): unknown {
  const rec = this[NODE];
  return jsonOf(rec.ctx(), rec.type, rec.addr);
}

/** `view[Symbol.iterator]`: the elements in order, without a trap per index. */
function* listValues(this: { [NODE]: ListView }): IterableIterator<unknown> {
  const rec = this[NODE];
  for (let i = 0; i < listLength(rec); i++) yield listElement(rec, i);
}

const LIST_HANDLER: ProxyHandler<ListBox<ListView>> = {
  get(box, prop) {
    const rec = box[0];
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) return listElement(rec, i);
      if (prop === "length") return listLength(rec);
      if (prop === "toJSON") return listToJSON;
      if (prop === "values") return listValues;
    } else if (prop === NODE) return rec;
    else if (prop === Symbol.iterator) return listValues;
    return Reflect.get(Array.prototype, prop);
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
    return { value: listElement(rec, i), writable: false, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Array.prototype;
  },
  set(_rec, prop) {
    return throwReadOnly(`set ${String(prop)}`);
  },
  deleteProperty(_rec, prop) {
    return throwReadOnly(`delete ${String(prop)}`);
  },
  defineProperty(_rec, prop) {
    return throwReadOnly(`define ${String(prop)}`);
  },
  setPrototypeOf() {
    return throwReadOnly("set the prototype");
  },
  preventExtensions() {
    return throwReadOnly("prevent extensions");
  },
};
