/**
 * collectionStateOf / adoptCollection: a standalone CowMap or CowSet rebuilt
 * over a copy of its pages in another space (what a store does), against
 * native Map / Set models; bad states are refused and change nothing.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tableOfMap } from "../src/cow-map.js";
import { adoptCollection, type CollectionState, CowMap, CowSet, collectionStateOf } from "../src/index.js";
import { relink } from "../src/relayout.js";

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -50, max: 50 }));

/** A space of `from`'s size and pool holding a copy of every page of `from` that is not zero (as a store rebuilds it). */
function copyPages(from: AddressSpace): AddressSpace {
  const to = new AddressSpace({ size: from.size, pool: from.pool });
  const empty = new AddressSpace({ size: from.pageSize, pool: from.pool });
  const buf = new Uint8Array(from.pageSize);
  for (const addr of from.diff(empty)) to.write(addr, from.read(addr, buf));
  empty.release();
  return to;
}

describe("adoptCollection", () => {
  it("a map and a set rebuilt over a copy of their pages equal their models, stay writable and fork; frames balance", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), key, fc.double({ noNaN: true })), { maxLength: 300 }),
        fc.array(fc.tuple(key, fc.double({ noNaN: true })), { maxLength: 30 }),
        (ops, after) => {
          const pool = new FramePool({ pageSize: 256 });
          const m = new CowMap<string | number, number>(null, { pool });
          const s = new CowSet<string | number>(null, { pool });
          const model = new Map<string | number, number>();
          const setModel = new Set<string | number>();
          for (const [del, k, v] of ops)
            if (del) {
              m.delete(k);
              s.delete(k);
              model.delete(k);
              setModel.delete(k);
            } else {
              m.set(k, v);
              s.add(k);
              model.set(k, v);
              setModel.add(k);
            }
          const ms = JSON.parse(JSON.stringify(collectionStateOf(m))) as CollectionState;
          const ss = JSON.parse(JSON.stringify(collectionStateOf(s))) as CollectionState;
          const m2 = adoptCollection(copyPages(m.space), ms) as CowMap<string | number, number>;
          const s2 = adoptCollection(copyPages(s.space), ss) as CowSet<string | number>;
          m.release();
          s.release();
          expect(m2).toBeInstanceOf(CowMap);
          expect(s2).toBeInstanceOf(CowSet);
          expect([...m2]).toEqual([...model]);
          expect([...s2]).toEqual([...setModel]);
          const f = m2.fork();
          for (const [k, v] of after) {
            m2.set(k, v);
            model.set(k, v);
            s2.add(k);
            setModel.add(k);
          }
          expect([...m2]).toEqual([...model]);
          expect([...s2]).toEqual([...setModel]);
          expect(f.size).toBe(ms.size);
          f.release();
          m2.release();
          s2.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a map saved at the former load factor (2 entries per bucket) reads the same, then grows at its next new key", () => {
    // Before issue 13 a standalone table doubled its buckets at 2 entries per
    // bucket; stores and handles hold such tables. Relinking into half the
    // buckets makes one (the chains are what that code wrote).
    fc.assert(
      fc.property(
        fc.integer({ min: 129, max: 700 }),
        fc.array(fc.tuple(fc.boolean(), key, fc.double({ noNaN: true })), { maxLength: 60 }),
        (n, after) => {
          const pool = new FramePool({ pageSize: 256 });
          const model = new Map<string | number, number>();
          for (let i = 0; i < n; i++) model.set(`k${i}`, i);
          const m = new CowMap<string | number, number>(model, { pool });
          const t = tableOfMap(m);
          const buckets = t.mask + 1;
          expect(buckets).toBeGreaterThanOrEqual(n); // this code: at most 1 entry per bucket
          relink(t, buckets / 2, null);
          const state = collectionStateOf(m);
          expect(state.mask + 1).toBe(buckets / 2);
          const old = adoptCollection(copyPages(m.space), state) as CowMap<string | number, number>;
          m.release();
          expect([...old]).toEqual([...model]);
          for (const k of model.keys()) expect(old.get(k)).toBe(model.get(k));
          expect(old.has("absent")).toBe(false);
          const before = old.fork();
          for (const [del, k, v] of after)
            if (del) expect(old.delete(k)).toBe(model.delete(k));
            else {
              old.set(k, v);
              model.set(k, v);
            }
          expect([...old]).toEqual([...model]);
          for (const k of model.keys()) expect(old.get(k)).toBe(model.get(k));
          expect(before.size).toBe(n);
          before.release();
          old.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("bad input is refused and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap([["a", 1]], { pool });
    const state = collectionStateOf(m);
    const space = m.space.fork();
    const frames = pool.framesInUse;
    const bad: unknown[] = [
      null,
      { ...state, type: "CowArray" },
      { ...state, mask: 5 }, // not a power of two minus one
      { ...state, mask: -1 }, // no buckets but entries
      { ...state, used: 3 },
      { ...state, garbage: state.used + 8 },
      { ...state, used: 2 ** 40 },
      { ...state, size: -1 },
    ];
    for (const b of bad) expect(() => adoptCollection(space, b as CollectionState)).toThrow(InvalidArgumentError);
    expect(() => adoptCollection({} as AddressSpace, state)).toThrow(InvalidArgumentError);
    expect(pool.framesInUse).toBe(frames);
    expect(space.released).toBe(false);
    const ok = adoptCollection(space, state) as CowMap<string, number>;
    expect(ok.get("a")).toBe(1);
    ok.release();
    expect(space.released).toBe(true);
    expect(() => adoptCollection(space, state)).toThrow(ReleasedError);
    expect(() => collectionStateOf(ok)).toThrow(ReleasedError);
    expect(() => collectionStateOf({} as CowMap)).toThrow(TypeError);
    m.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("an embedded collection has no standalone state", () => {
    const space = new AddressSpace({ size: 2 ** 24, pageSize: 256 });
    const heap = Heap.create(space, { base: 256 });
    const e = CowSet.create(heap, ["a"]);
    expect(() => collectionStateOf(e)).toThrow(InvalidArgumentError);
    space.release();
  });
});
