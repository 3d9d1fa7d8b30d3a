/**
 * Plain data in and out of the pages. Reading a subtree back out as
 * JSON-compatible data (`jsonOf`) or as plain data of the input's shape
 * (`plainOf`) is here; validation is in check.ts, writing and freeing in
 * build.ts.
 *
 * Plain data of each type (what `createState` and draft assignments take):
 * numbers, booleans, strings and enum values as themselves; a struct as a
 * plain object (unknown keys refused); a list as an array; a map as a `Map`
 * or, in JSON form, an object whose keys are the map's keys as strings; a set
 * as a `Set` or an array; a text as a string; a typed array as a typed array
 * of the same length (any kind; numbers are converted as `TypedArray.set`
 * does) or an array of numbers (of bigints or decimal strings for the BigInt
 * kinds). Views and drafts are accepted anywhere a plain value is, and copied.
 *
 * @module
 */
import type { CowText } from "@pagefork/string";
import { type ArrayHandle, type Ctx, handleOf, type ListHandle, type MapHandle, type SetHandle } from "./containers.js";
import { type AnyType, isComposite, type ListType, type MapType, type SetType, type StructType } from "./schema.js";
import { decodeElement, decodeKey, decodeMapValue, readField, unwrapNullable } from "./slots.js";

/**
 * JSON-compatible data of the raw value `raw` of `type` (a node address for
 * composites): structs as objects (absent optional fields left out), lists
 * and sets as arrays, maps as objects keyed by `String(key)`, texts as
 * strings, typed arrays as arrays of numbers (decimal strings for BigInt
 * kinds). O(size of the subtree).
 */
export function jsonOf(ctx: Ctx, type: AnyType, raw: unknown): unknown {
  return readOut(ctx, type, raw, true);
}

/**
 * Plain data of the input's shape: as {@link jsonOf}, but maps are `Map`s,
 * sets `Set`s and typed arrays native typed arrays (copies).
 */
export function plainOf(ctx: Ctx, type: AnyType, raw: unknown): unknown {
  return readOut(ctx, type, raw, false);
}

function readOut(ctx: Ctx, type: AnyType, raw: unknown, json: boolean): unknown {
  if (raw === null || raw === undefined) return raw;
  const t = unwrapNullable(type);
  if (!isComposite(t)) return raw;
  const node = raw as number;
  const space = ctx.space;
  switch (t.kind) {
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const f of (t as StructType).fields) {
        const x = readField(space, node, f);
        if (x !== undefined) setProperty(out, f.name, readOut(ctx, f.type, x, json));
      }
      return out;
    }
    case "list": {
      const h = handleOf(ctx, t, node, false) as ListHandle | null;
      if (h === null) return [];
      const e = (t as ListType).element;
      const out = new Array(h.length);
      for (let i = 0; i < out.length; i++) out[i] = readOut(ctx, e, decodeElement(space, e, h.get(i) as number), json);
      return out;
    }
    case "map": {
      const h = handleOf(ctx, t, node, false) as MapHandle | null;
      const m = t as MapType;
      if (json) {
        const out: Record<string, unknown> = {};
        if (h !== null)
          for (const [k, x] of h)
            setProperty(out, String(decodeKey(m.key, k)), readOut(ctx, m.value, decodeMapValue(m.value, x), true));
        return out;
      }
      const out = new Map();
      if (h !== null)
        for (const [k, x] of h) out.set(decodeKey(m.key, k), readOut(ctx, m.value, decodeMapValue(m.value, x), false));
      return out;
    }
    case "set": {
      const h = handleOf(ctx, t, node, false) as SetHandle | null;
      const e = (t as SetType).element;
      const keys: unknown[] = [];
      if (h !== null) for (const k of h) keys.push(decodeKey(e, k));
      return json ? keys : new Set(keys);
    }
    case "text": {
      const h = handleOf(ctx, t, node, false) as CowText | null;
      return h === null ? "" : h.toString();
    }
    default: {
      const h = handleOf(ctx, t, node, false) as ArrayHandle;
      const a = h.toTypedArray();
      if (!json) return a;
      return a instanceof BigInt64Array || a instanceof BigUint64Array
        ? Array.from(a, (x) => String(x))
        : Array.from(a as Float64Array);
    }
  }
}

/** `out[key] = value`, also for the key "__proto__". */
function setProperty(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
