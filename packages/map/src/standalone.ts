/**
 * A standalone CowMap or CowSet taken apart and put back together: its
 * space holds its buckets and log, and four counters live outside it
 * (buckets mask, log bytes used and dead, entries), with the version of its
 * layout (where the log starts). `collectionStateOf` gives those;
 * `adoptCollection` rebuilds the collection over a space holding the same
 * pages (one a store such as `@pagefork/persist` rebuilt from disk). Where
 * the regions are follows from the layout version and the space's size and
 * page size, so nothing else is needed (as for `share()` /
 * `attachShared()`, which carry the same).
 *
 * @module
 */
import { type AddressSpace, InvalidArgumentError, isAddressSpace, ReleasedError } from "@pagefork/core";
import type { CowKey } from "./cow-key.js";
import { CowMap, mapOverTable, tableOfMap } from "./cow-map.js";
import { type CowSet, setOverTable, tableOfSet } from "./cow-set.js";
import { MAP_VALUE_BYTES, TABLE_LAYOUT } from "./layout.js";
import { Table } from "./table.js";

/**
 * What a standalone CowMap or CowSet keeps outside its space: plain data
 * (JSON-safe), from {@link collectionStateOf}, for {@link adoptCollection}.
 */
export interface CollectionState {
  /** `"CowMap"` or `"CowSet"`. */
  readonly type: "CowMap" | "CowSet";
  /** Buckets minus one (-1: never held an entry). */
  readonly mask: number;
  /** Bytes appended to the log. */
  readonly used: number;
  /** Bytes of dead records in the log. */
  readonly garbage: number;
  /** Entries. */
  readonly size: number;
  /**
   * Layout of the space: where the log starts (1: at 2^27, every collection
   * made before layout 2; 2: at 2^26, what this build makes). Absent means
   * 1, so a state saved before this field existed still loads.
   */
  readonly layout?: number;
}

/**
 * The counters of the standalone `collection` that live outside its space
 * (its `space` holds the rest). Save them with the space's pages; give both
 * to {@link adoptCollection} to rebuild the collection. O(1).
 * @throws {TypeError} when `collection` is neither a CowMap nor a CowSet.
 * @throws {InvalidArgumentError} for an embedded collection (its state is in its heap: save the space that holds it).
 * @throws {ReleasedError} after `release()`.
 * @example
 * ```ts
 * const m = new CowMap([["a", 1]]);
 * const state = collectionStateOf(m);
 * [state.type, state.size]; // ["CowMap", 1]
 * m.release();
 * ```
 */
export function collectionStateOf(collection: CowMap | CowSet): CollectionState {
  const isMap = collection instanceof CowMap;
  const t = isMap ? tableOfMap(collection) : tableOfSet(collection);
  t.check(isMap ? "map" : "set");
  if (t.heap !== null)
    throw new InvalidArgumentError(
      "collection",
      collection,
      "a standalone CowMap or CowSet (an embedded one lives in its heap: keep the space that holds it)",
    );
  return {
    type: isMap ? "CowMap" : "CowSet",
    mask: t.mask,
    used: t.used,
    garbage: t.garbage,
    size: t.size,
    layout: t.layoutVersion,
  };
}

/**
 * A standalone CowMap or CowSet (as `state.type` says) over `space`, which
 * must hold the pages of the collection `state` was taken from (its own
 * space, a fork of it, or a copy of its pages in a space of the same size
 * and page size, e.g. one a store rebuilt). The collection owns `space` from
 * then on: its `release()` releases it. A frozen space gives a read-only
 * collection (writes throw ProtectionFault; `fork()` gives a writable one).
 * O(1): nothing is read or written. The pages are trusted as
 * `attachShared()` trusts a handle's: `state` is checked against the layout
 * of a space of that size, not against the bytes. A state without `layout`
 * (saved before it was recorded) is read as layout 1, the only one then.
 * @throws {InvalidArgumentError} when `space` is not an AddressSpace (or was
 *   released), or `state` is not a state of a collection in a space of that
 *   size and page size; nothing changed then.
 * @example
 * ```ts
 * const m = new CowMap([["a", 1], ["b", 2]]);
 * const state = JSON.parse(JSON.stringify(collectionStateOf(m)));
 * const back = adoptCollection(m.space.fork(), state) as CowMap<string, number>;
 * back.set("c", 3);
 * [back.get("b"), back.size, m.size]; // [2, 3, 2]
 * back.release(); m.release();
 * ```
 */
export function adoptCollection<K extends CowKey = CowKey, V = unknown>(
  space: AddressSpace,
  state: CollectionState,
): CowMap<K, V> | CowSet<K> {
  if (!isAddressSpace(space)) throw new InvalidArgumentError("space", space, "an AddressSpace");
  if (space.released) throw new ReleasedError("address space");
  const s = state as Partial<CollectionState> | null;
  if (typeof s !== "object" || s === null || (s.type !== "CowMap" && s.type !== "CowSet"))
    throwState(state, 'an object { type: "CowMap" | "CowSet", mask, used, garbage, size, layout? }');
  const layout = s.layout === undefined ? 1 : s.layout; // a state saved before layouts were recorded: layout 1
  if (layout !== 1 && layout !== TABLE_LAYOUT) throwState(state, `a state whose layout is 1 or ${TABLE_LAYOUT}`);
  const t = new Table(space, s.type === "CowMap" ? MAP_VALUE_BYTES : 0, null, 0, null, layout);
  const { mask, used, garbage, size } = s as CollectionState;
  const buckets = mask + 1;
  const ok =
    Number.isSafeInteger(mask) &&
    Number.isSafeInteger(used) &&
    Number.isSafeInteger(garbage) &&
    Number.isSafeInteger(size) &&
    used >= 0 &&
    used % 8 === 0 &&
    used <= t.logBytes &&
    garbage >= 0 &&
    garbage <= used &&
    size >= 0 &&
    (mask === -1
      ? used === 0 && size === 0
      : buckets >= t.minBuckets && buckets <= t.maxBuckets && (buckets & (buckets - 1)) === 0);
  if (!ok)
    throwState(state, `the state of a ${s.type} in a space of ${space.size} bytes of ${space.pageSize}-byte pages`);
  t.mask = mask;
  t.used = used;
  t.garbage = garbage;
  t.size = size;
  return s.type === "CowMap" ? mapOverTable<K, V>(t) : setOverTable<K>(t);
}

function throwState(state: unknown, expected: string): never {
  throw new InvalidArgumentError("state", state, expected);
}
