/**
 * `CowFloat64Array.get` reads through the space's `readInF64` (the address
 * checked by the array, not again by the space). Differential property
 * against native Float64Arrays copied on fork: reads at every kind of index
 * (in range, past the end, negative, fractional, non-number), across page
 * boundaries, in forks, in subarray views (a byte offset) and in released
 * arrays (ReleasedError, also when the read cache held the page read next);
 * an embedded array whose page is unmapped still throws the space's
 * SegmentationFault. Every frame goes back to the pool.
 */
import { CowFloat64Array } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, ReleasedError, SegmentationFault } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { poolUse } from "./support.js";

type Op =
  | { t: "get"; v: number; i: number }
  | { t: "set"; v: number; i: number; x: number }
  | { t: "fork"; v: number }
  | { t: "release"; v: number }
  | { t: "sub"; v: number; begin: number; end: number };

const opArb = (n: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ t: fc.constant("get" as const), v: fc.nat(7), i: fc.integer({ min: -3, max: n + 3 }) }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant("set" as const),
        v: fc.nat(7),
        i: fc.nat(n - 1),
        x: fc.double({ noNaN: false }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("fork" as const), v: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("release" as const), v: fc.nat(7) }) },
    {
      weight: 1,
      arbitrary: fc.record({ t: fc.constant("sub" as const), v: fc.nat(7), begin: fc.nat(n), end: fc.nat(n) }),
    },
  );

const BAD_INDICES: number[] = [-1, 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32];

describe("CowFloat64Array.get through readInF64", () => {
  it("reads what a native Float64Array reads, in forks, views and after release", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 512, 1024),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        (pageSize, n, seeds) => {
          const pool = new FramePool({ pageSize });
          const real: (CowFloat64Array | null)[] = [new CowFloat64Array(n, { pool })];
          const model: (Float64Array | null)[] = [new Float64Array(n)];
          const gone: CowFloat64Array[] = [];
          const ops = fc.sample(opArb(n), {
            seed: seeds.length === 0 ? 1 : (seeds[0] as number),
            numRuns: seeds.length,
          });
          for (const op of ops) {
            const k = op.v % real.length;
            const r = real[k] as CowFloat64Array | null;
            const m = model[k] as Float64Array | null;
            if (r === null || m === null) {
              for (const g of gone) expect(() => g.get(0)).toThrow(ReleasedError); // later reads of released arrays
              continue;
            }
            switch (op.t) {
              case "get":
                expect(Object.is(r.get(op.i), m[op.i])).toBe(true);
                for (const bad of BAD_INDICES) expect(r.get(bad)).toBe(m[bad]);
                break;
              case "set":
                if (op.i < m.length) {
                  r.set(op.i, op.x);
                  m[op.i] = op.x;
                }
                break;
              case "fork":
                real.push(r.fork());
                model.push(m.slice());
                break;
              case "release": {
                if (real.filter((x) => x !== null).length === 1) break;
                // warm the read cache on the page read next, then release: the cache must not answer
                if (m.length > 0) r.get(0);
                r.release();
                expect(() => r.get(0)).toThrow(ReleasedError);
                expect(() => r.get(m.length - 1)).toThrow(ReleasedError);
                gone.push(r);
                real[k] = null;
                model[k] = null;
                break;
              }
              case "sub": {
                const rs = r.subarray(op.begin, op.end);
                const ms = m.subarray(op.begin, op.end);
                for (let i = -1; i <= ms.length; i++) expect(Object.is(rs.get(i), ms[i])).toBe(true);
                rs.release(); // a view keeps the space alive until released
                expect(() => rs.get(0)).toThrow(ReleasedError);
                if (m.length > 0) expect(Object.is(r.get(0), m[0])).toBe(true);
                break;
              }
            }
          }
          for (let j = 0; j < real.length; j++) {
            const r = real[j];
            const m = model[j];
            if (r === null || m === null) continue;
            for (let i = 0; i < m.length; i++) expect(Object.is(r.get(i), m[i])).toBe(true);
            r.release();
          }
          expect(poolUse(pool)).toEqual({ frames: 0, nodes: 0 });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("an embedded array reads at its byte offset, and an unmapped page throws the space's SegmentationFault", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: 1024, limit: 1024 + 2 ** 20 });
    const a = CowFloat64Array.create(heap, 2000);
    const want = new Float64Array(2000);
    for (let i = 0; i < 2000; i += 7) {
      a.set(i, i + 0.5);
      want[i] = i + 0.5;
    }
    for (let i = 0; i < 2000; i++) expect(a.get(i)).toBe(want[i]);
    // Unmap the page of element 1,000 (its first whole page), past the cached one.
    const addr = a.byteOffset + 1000 * 8;
    const page = Math.ceil(addr / 1024) * 1024;
    const first = (page - a.byteOffset) / 8;
    a.get(0); // the cache holds another page
    space.unmap(page, 1024);
    expect(() => a.get(first)).toThrow(SegmentationFault);
    expect(() => space.getFloat64(page)).toThrow(SegmentationFault);
    let message = "";
    try {
      a.get(first);
    } catch (e) {
      message = (e as Error).message;
    }
    let spaceMessage = "";
    try {
      space.getFloat64(page);
    } catch (e) {
      spaceMessage = (e as Error).message;
    }
    expect(message).toBe(spaceMessage);
    expect(a.get(0)).toBe(want[0]);
    space.release();
    expect(() => a.get(0)).toThrow(ReleasedError);
    expect(pool.framesInUse).toBe(0);
  });
});
