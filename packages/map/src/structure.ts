/**
 * Recognising pagefork structures among the values a CowMap is given. A
 * CowMap, CowSet, CowText, COW array, state view or draft, AddressSpace,
 * Heap, FramePool or History keeps its contents in the pages of an address
 * space (or is that space), not in its own enumerable fields: walked as a
 * class instance (what `structuredClone` does to one) it would be stored as
 * `{}` or as a heap of internals, silently losing what it holds. The codec
 * (codec.ts) asks {@link stateNodeName} and {@link structureName} about each
 * object it meets and refuses these with StructureValueError.
 *
 * Recognised, across copies of the packages (their ESM and CJS builds) where
 * they carry a registered brand: the core's AddressSpace, FramePool and Heap
 * (`isAddressSpace`...), @pagefork/array's arrays and vectors (its
 * `Symbol.for("@pagefork/array.CowElements")` brand), @pagefork/state's views
 * and drafts (its `Symbol.for("@pagefork/state.node")`), this package's
 * CowMap, CowSet and their iterators (a private-field test registered by
 * their modules, or their `Symbol.toStringTag`), the core's History
 * (`instanceof`) and proxy views (a typed array's tag on an object that is
 * no typed array). A CowText, a state's `State` and other class instances
 * are caught by the codec when one holds a core object in a field; a
 * state's `Store`, and any class instance with a function in a field, when
 * one holds any of these anywhere inside (codec.ts's `withMethods`).
 *
 * @module
 */
import { History, isAddressSpace, isFramePool, isHeap } from "@pagefork/core";

/** @pagefork/array's brand on the prototype of every COW typed array and vector. */
const ARRAY_BRAND: unique symbol = Symbol.for("@pagefork/array.CowElements") as never;
/** @pagefork/state's key under which every view and draft answers its node record. */
const STATE_NODE: unique symbol = Symbol.for("@pagefork/state.node") as never;

/** The tags of this package's classes, as `Object.prototype.toString` reads them (another copy's too). */
const COLLECTION_TAGS = new Set(["CowMap", "CowSet", "CowMap Iterator", "CowSet Iterator"]);

/** Tags a proxy view (core `space.view(...)`) answers: the native typed array's names. */
const TYPED_ARRAY_TAGS = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

/**
 * @internal The brand checks of this copy's CowMap, CowSet and iterators
 * (private-field and `instanceof` tests, which a subclass with another tag
 * still passes), registered by cow-map.ts, cow-set.ts and iterator.ts: the
 * codec cannot import those modules, which import it.
 */
const collectionChecks: ((x: object) => string | null)[] = [];

/** @internal Registers a brand check of this package's classes: the name of `x` when it is one, else null. */
export function registerCollectionCheck(check: (x: object) => string | null): void {
  collectionChecks.push(check);
}

/**
 * "@pagefork/state view" or "@pagefork/state draft" when `o` is one, else
 * null. Asked of every object before the codec looks at it as an Array, Map
 * or Set: state's list views are Proxies over arrays, and its map and set
 * views extend the native Map and Set with empty internal slots (walked as
 * a Map, one would be stored empty). One property read (a draft's Proxy
 * answers it from its `get` trap; a finished draft throws DraftError there).
 */
export function stateNodeName(o: object): string | null {
  const r = (o as { [STATE_NODE]?: unknown })[STATE_NODE];
  if (r === undefined || r === null || typeof r !== "object" || !("isDraft" in r)) return null;
  return (r as { isDraft: unknown }).isDraft === true ? "@pagefork/state draft" : "@pagefork/state view";
}

/**
 * The name of the pagefork structure `o` is, or null: for a class instance
 * (an object whose prototype is neither `Object.prototype` nor null), whose
 * `Object.prototype.toString` tag is `tag`. O(1).
 */
export function structureName(o: object, tag: string): string | null {
  for (const check of collectionChecks) {
    const name = check(o);
    if (name !== null) return name;
  }
  if (COLLECTION_TAGS.has(tag)) return tag;
  if ((o as { [ARRAY_BRAND]?: unknown })[ARRAY_BRAND] !== undefined) return tag;
  const core = coreObjectName(o);
  if (core !== null) return core;
  if (o instanceof History) return "History";
  // A proxy view answers its kind's tag but is no typed array (ArrayBuffer.isView is false).
  if (TYPED_ARRAY_TAGS.has(tag) && !ArrayBuffer.isView(o)) return `${tag} proxy view`;
  return null;
}

/** "AddressSpace", "FramePool" or "Heap" when `x` is one of the core's (any copy), else null. O(1). */
export function coreObjectName(x: unknown): string | null {
  if (isAddressSpace(x)) return "AddressSpace";
  if (isFramePool(x)) return "FramePool";
  if (isHeap(x)) return "Heap";
  return null;
}

/** What to store instead of the structure `name`, for the error message ("" when nothing fits). */
export function storeInstead(name: string): string {
  switch (name) {
    case "CowMap":
      return "new Map(x)";
    case "CowSet":
      return "new Set(x)";
    case "CowMap Iterator":
    case "CowSet Iterator":
      return "[...x]";
    case "CowText":
      return "x.toString()";
    case "@pagefork/state view":
    case "@pagefork/state draft":
      return "current(x) from @pagefork/state";
    default:
      if (name.endsWith(" proxy view")) return "x.slice()";
      if (/^Cow(?:\w+Array|Vector)$/.test(name)) return "x.toTypedArray()";
      return "";
  }
}
