/**
 * Patch values: the patches that put a value at a path, keeping the order
 * of the maps in it (a map an object would reorder goes as `{}` and one
 * `add` per entry), and inverse groups turned relative to a node. What the
 * drafts record and `diffPatches` reports; applying patches is patches.ts.
 *
 * @module
 */
import { type Ctx, handleOf, type ListHandle, type MapHandle } from "./containers.js";
import type { Patch, PathKey } from "./patch-types.js";
import type { AnyType, ListType, MapType, StructType } from "./schema.js";
import { decodeElement, decodeKey, decodeMapValue, readField, unwrapNullable } from "./slots.js";
import { jsonOf } from "./values.js";

/** Per type: true when a value of it may hold a map (whose JSON form is an object). */
const holdsMap = new WeakMap<AnyType, boolean>();

/**
 * True when a value of `type` may hold a map: a map, or a struct or list
 * with one somewhere inside (nullable or not). Such a value needs
 * {@link valuePatches} to keep its maps' order in a patch; any other value's
 * patch is its `jsonOf`. O(1) after the first call per type.
 */
export function mayHoldMap(type: AnyType): boolean {
  const t = unwrapNullable(type);
  const k = t.kind;
  if (k !== "map" && k !== "struct" && k !== "list") return false; // scalars, sets, texts, typed arrays: no lookup
  let r = holdsMap.get(t);
  if (r !== undefined) return r;
  r =
    k === "map" ||
    (k === "struct" ? (t as StructType).fields.some((f) => mayHoldMap(f.type)) : mayHoldMap((t as ListType).element));
  holdsMap.set(t, r);
  return r;
}

/**
 * The patches that put the value `raw` (a raw slot of `type`, read in
 * `ctx`) at `path` with `op`, pushed to `out` (a new array when not given),
 * which is returned: one patch whose value is its JSON form (as `jsonOf`),
 * then, for each map inside it whose iteration order a JSON object cannot
 * keep (a JS object lists integer-like keys first, ascending: a map with
 * keys "2", "1", or 5, 3, would come back reordered from the patch, JSON
 * round trip or not), that map sent as `{}` in the value and filled by one
 * `add` per entry, in the map's order, each entry's own such fixes right
 * after its `add`; at any depth (maps in records in lists in maps). A map
 * whose order an object keeps stays an object. Immer-compatible: the
 * patches apply to the state's `toJSON()` with Immer's `applyPatches` too.
 * O(size of the value), one pass; a type that holds no map costs one
 * `jsonOf`.
 *
 * For an inverse, the group must be applied first to last as well: the
 * session reverses its whole inverse list at the end of the recipe, so push
 * the group last to first (see {@link backward}).
 *
 * E.g. in a draft, `d.byId.set("k", new Map([[2, "b"], [1, "a"]]))` gives
 * `add ["byId", "k"] {}`, `add ["byId", "k", 2] "b"`, `add ["byId", "k", 1] "a"`.
 * Internal (the drafts' emitters, produce and diffPatches call it); not
 * exported from the package.
 */
export function valuePatches(
  ctx: Ctx,
  op: "add" | "replace",
  path: PathKey[],
  type: AnyType,
  raw: unknown,
  out: Patch[] = [],
): Patch[] {
  if (!mayHoldMap(type)) {
    out.push({ op, path, value: jsonOf(ctx, type, raw) });
    return out;
  }
  const at = out.length;
  out.push({ op, path, value: undefined }); // its value is known after the fixes below are pushed
  out[at] = { op, path, value: orderedJson(ctx, type, raw, path, out) };
  return out;
}

/**
 * Inverse patches `undo` (paths relative to the node at `p`, e.g. groups
 * from {@link valuePatches} made before a write, when `p` is not known yet)
 * as `emit` takes them: prefixed with `p`, and last to first, since the
 * session reverses its whole inverse list at the end (a group's `add`s that
 * keep a map's order, or a map clear's entries, then re-apply first to
 * first). O(patches x path length).
 */
export function backward(p: PathKey[], undo: Patch[]): Patch[] {
  const out: Patch[] = new Array(undo.length);
  for (let i = 0; i < undo.length; i++) {
    const x = undo[i] as Patch;
    out[undo.length - 1 - i] = { ...x, path: [...p, ...x.path] } as Patch;
  }
  return out;
}

/**
 * The JSON form of the raw value `raw` of `type` at `path`, as `jsonOf`
 * reads it, except that a map whose key order an object loses is `{}`, the
 * `add`s that fill it pushed to `extra` (each entry's own fixes right after
 * its `add`); a map an object keeps in order stays an object, its values'
 * fixes pushed as they are met.
 */
function orderedJson(ctx: Ctx, type: AnyType, raw: unknown, path: PathKey[], extra: Patch[]): unknown {
  if (raw === null || raw === undefined || !mayHoldMap(type)) return jsonOf(ctx, type, raw);
  const t = unwrapNullable(type);
  const node = raw as number;
  const space = ctx.space;
  switch (t.kind) {
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const f of (t as StructType).fields) {
        const x = readField(space, node, f);
        if (x === undefined) continue;
        // a field that holds no map needs no path for fixes: no array made for it
        put(
          out,
          f.name,
          mayHoldMap(f.type) ? orderedJson(ctx, f.type, x, [...path, f.name], extra) : jsonOf(ctx, f.type, x),
        );
      }
      return out;
    }
    case "list": {
      const h = handleOf(ctx, t, node, false) as ListHandle | null;
      if (h === null) return [];
      const e = (t as ListType).element;
      const out = new Array(h.length);
      for (let i = 0; i < out.length; i++)
        out[i] = orderedJson(ctx, e, decodeElement(space, e, h.get(i) as number), [...path, i], extra);
      return out;
    }
    default: {
      const m = t as MapType;
      const h = handleOf(ctx, m, node, false) as MapHandle | null;
      const out: Record<string, unknown> = {};
      if (h === null) return out;
      const keys: PathKey[] = [];
      const vals: unknown[] = [];
      for (const [k, x] of h) {
        const key = decodeKey(m.key, k);
        keys.push(key);
        vals.push(decodeMapValue(m.value, x));
        put(out, String(key), null); // its place in the object's order
      }
      if (keepsOrder(out, keys)) {
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as PathKey;
          put(out, String(k), orderedJson(ctx, m.value, vals[i], [...path, k], extra));
        }
        return out;
      }
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as PathKey;
        const at = [...path, k];
        const j = extra.length;
        extra.push({ op: "add", path: at, value: undefined }); // before the entry's own fixes
        extra[j] = { op: "add", path: at, value: orderedJson(ctx, m.value, vals[i], at, extra) };
      }
      return {};
    }
  }
}

/** True when `o`'s own keys list `keys` (as strings) in their order: no integer-like key moved first, none merged. */
function keepsOrder(o: Record<string, unknown>, keys: PathKey[]): boolean {
  const names = Object.keys(o);
  if (names.length !== keys.length) return false; // two keys of one String() form (e.g. enum values 1 and "1")
  for (let i = 0; i < names.length; i++) if (names[i] !== String(keys[i])) return false;
  return true;
}

/** `o[name] = v`, also for the key "__proto__" (an own data property, not the prototype). */
function put(o: Record<string, unknown>, name: string, v: unknown): void {
  if (name === "__proto__")
    Object.defineProperty(o, name, { value: v, enumerable: true, writable: true, configurable: true });
  else o[name] = v;
}
