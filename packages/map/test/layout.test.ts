import { AddressSpace, FramePool, InvalidArgumentError, InvalidHandleError } from "@pagefork/core";
import {
  adoptCollection,
  type CollectionState,
  CowMap,
  CowSet,
  collectionStateOf,
  MAP_PAGE_SIZE,
  type SharedCollectionHandle,
} from "@pagefork/map";
import { describe, expect, it } from "vitest";

// Table layouts (layout.ts): 1 put the log at 2^27 (every standalone collection made before
// layout 2), 2 puts it at 2^26. Written out here, not imported: a change of either must fail.
const LOG_1 = 2 ** 27;
const LOG_2 = 2 ** 26;

/** The state of an empty collection as a build before layout 2 saved it: no `layout` field. */
function oldEmptyState(type: "CowMap" | "CowSet"): CollectionState {
  return { type, mask: -1, used: 0, garbage: 0, size: 0 };
}

/** Sets, overwrites and deletes enough keys to double the buckets several times and compact the log, on `m` and on a native Map. */
function churn(m: CowMap<string, number>, model: Map<string, number>): void {
  for (let i = 0; i < 3000; i++) {
    const k = `key-${i % 1700}`;
    if (i % 7 === 3) {
      m.delete(k);
      model.delete(k);
    } else {
      m.set(k, i + 0.5);
      model.set(k, i + 0.5);
    }
  }
}

describe("table layouts", () => {
  it("a new map or set is layout 2: its log starts at 2^26, and the default page size is 512 B", () => {
    const m = new CowMap([["a", 1]]);
    const s = new CowSet(["a"]);
    expect(MAP_PAGE_SIZE).toBe(512);
    expect(m.pageSize).toBe(512);
    for (const c of [m, s]) {
      expect(collectionStateOf(c).layout).toBe(2);
      expect(c.space.getUint32(LOG_2)).not.toBe(0); // the first record's meta word
      expect(c.space.getUint32(LOG_1)).toBe(0);
    }
    const f = m.fork();
    f.set("b", 2);
    expect(collectionStateOf(f).layout).toBe(2);
    for (const c of [m, s, f]) c.release();
  });

  it("a state saved before layouts were recorded (no `layout`) loads as layout 1 and stays layout 1 through writes and forks", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const m = adoptCollection(new AddressSpace({ size: 2 ** 36, pool }), oldEmptyState("CowMap")) as CowMap<
      string,
      number
    >;
    const model = new Map<string, number>();
    churn(m, model);
    expect(collectionStateOf(m).layout).toBe(1);
    expect(m.space.getUint32(LOG_1)).not.toBe(0);
    expect(m.space.getUint32(LOG_2)).toBe(0);
    expect([...m]).toEqual([...model]);
    // the saved state round-trips through JSON; without its layout field it is still read as layout 1
    const { layout, ...old } = JSON.parse(JSON.stringify(collectionStateOf(m))) as CollectionState;
    expect(layout).toBe(1);
    const back = adoptCollection(m.space.fork(), old) as CowMap<string, number>;
    const f = back.fork();
    f.set("after", 1);
    model.set("after", 1);
    expect([...f]).toEqual([...model]);
    expect(collectionStateOf(f).layout).toBe(1);
    for (const c of [m, back, f]) c.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a layout-1 set and a layout-2 map adopted from their states read and write as before", () => {
    const pool = new FramePool({ pageSize: 512 });
    const s = adoptCollection(new AddressSpace({ size: 2 ** 36, pool }), oldEmptyState("CowSet")) as CowSet<number>;
    for (let i = 0; i < 500; i++) s.add(i * 3);
    const s2 = adoptCollection(s.space.fork(), collectionStateOf(s)) as CowSet<number>;
    expect(s2.size).toBe(500);
    expect(s2.has(299 * 3) && !s2.has(2)).toBe(true);
    const m = new CowMap<string, number>(null, { pool });
    const model = new Map<string, number>();
    churn(m, model);
    const m2 = adoptCollection(m.space.fork(), collectionStateOf(m)) as CowMap<string, number>;
    expect([...m2]).toEqual([...model]);
    for (const c of [s, s2, m, m2]) c.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses a state whose layout is neither 1 nor 2, changing nothing", () => {
    const pool = new FramePool({ pageSize: 512 });
    const space = new AddressSpace({ size: 2 ** 36, pool });
    space.setUint32(0, 7);
    const frames = pool.framesInUse;
    for (const layout of [0, 3, 1.5, "2", null])
      expect(() =>
        adoptCollection(space, { ...oldEmptyState("CowMap"), layout } as unknown as CollectionState),
      ).toThrow(InvalidArgumentError);
    expect(space.released).toBe(false);
    expect(space.getUint32(0)).toBe(7);
    expect(pool.framesInUse).toBe(frames);
    space.release();
  });

  it("a shared handle carries the layout; one made before layouts were recorded attaches as layout 1", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const old = adoptCollection(new AddressSpace({ size: 2 ** 36, pool }), oldEmptyState("CowMap")) as CowMap<
      string,
      number
    >;
    const model = new Map<string, number>();
    churn(old, model);
    const h = old.transferCopy();
    expect(h.layout).toBe(1);
    const { layout: _, ...before } = h;
    const a = CowMap.attachShared<string, number>(before as SharedCollectionHandle);
    expect([...a]).toEqual([...model]);
    const n = new CowMap([["x", 1]], { pool });
    const hn = n.transferCopy();
    expect(hn.layout).toBe(2);
    expect(CowMap.attachShared(hn).get("x")).toBe(1);
    expect(() => CowMap.attachShared({ ...hn, layout: 3 } as unknown as SharedCollectionHandle)).toThrow(
      InvalidHandleError,
    );
    for (const c of [a, old, n]) c.release();
  });
});
