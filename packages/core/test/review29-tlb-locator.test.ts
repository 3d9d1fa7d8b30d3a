/**
 * TLB entries hold a frame's locator (slab index above `slabShift`, frame
 * within the slab below), not its pfn (issue 13: a read miss that hits the
 * TLB no longer runs `slabOf` + `frameByte`). Checked: the locator decodes
 * to exactly what `slabOf` and `frameByte` give, for every slab geometry a
 * pool can have and pfns up to 2^31 - 1, and is never -1 (the TLB's miss
 * value); and reads and writes through many small slabs, across forks,
 * against a plain byte model, with the frame-leak check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { frameLocOf, Tlb } from "../src/tlb.js";

/** The slab index `slabOf` uses for `pfn` (the same formula, so slabs that do not exist yet count too). */
function slabIndexOf(pool: FramePool, pfn: number): number {
  return pfn <= pool.slabMask ? 32 - Math.clz32(pfn >>> pool.firstShift) : pool.geoLast + (pfn >>> pool.slabShift);
}

const geometryArb = fc
  .record({
    pageShift: fc.integer({ min: 8, max: 16 }),
    slabExtra: fc.integer({ min: 0, max: 14 }),
    firstLess: fc.nat(14),
  })
  .map(({ pageShift, slabExtra, firstLess }) => {
    const slabLog = Math.min(30, pageShift + slabExtra);
    const firstLog = Math.max(pageShift, slabLog - firstLess);
    return { pageSize: 2 ** pageShift, slabBytes: 2 ** slabLog, firstSlabBytes: 2 ** firstLog };
  });

const pfnArb = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  fc.integer({ min: 0, max: 4096 }),
  fc.constantFrom(0, 1, 2, 3, 4, 2 ** 31 - 1, 2 ** 30, 2 ** 30 - 1),
);

describe("TLB frame locators", () => {
  it("decode to slabOf's index and frameByte's offset for any geometry and pfn, and are never -1", () => {
    fc.assert(
      fc.property(geometryArb, fc.array(pfnArb, { minLength: 1, maxLength: 40 }), (geo, pfns) => {
        const pool = new FramePool(geo);
        const t = new Tlb(4, pool.tlbLimit);
        for (const pfn of pfns) {
          const loc = pool.frameLoc(pfn);
          expect(loc).not.toBe(-1);
          expect(loc >>> pool.slabShift).toBe(slabIndexOf(pool, pfn));
          expect((loc & pool.slabMask) << pool.pageShift).toBe(pool.frameByte(pfn));
          t.insert(7, pfn); // a pool's TLB stores the locator
          expect(t.lookup(7)).toBe(loc);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the pool's largest pfn index stays clear of -1 at the extreme geometries", () => {
    for (const [slabShift, firstShift] of [
      [22, 0],
      [22, 22],
      [0, 0],
      [8, 0],
    ] as const) {
      const geoLast = slabShift - firstShift;
      const slabMask = slabShift === 0 ? 0 : 2 ** slabShift - 1;
      for (const pfn of [2 ** 31 - 1, 2 ** 31 - 2, slabMask, slabMask + 1])
        expect(frameLocOf(pfn, slabShift, slabMask, firstShift, geoLast)).not.toBe(-1);
    }
  });

  it("a TLB without a pool's geometry stores pfns as they are", () => {
    const t = new Tlb(8);
    for (const pfn of [0, 1, 5, 2 ** 31 - 1]) {
      t.insert(3, pfn);
      expect(t.lookup(3)).toBe(pfn);
    }
  });

  it("reads and writes through many small slabs match a byte model across forks", () => {
    const PAGES = 48;
    fc.assert(
      fc.property(
        fc.constantFrom(256, 512),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("set" as const), page: fc.nat(PAGES - 1), slot: fc.nat(31), v: fc.double() }),
            fc.record({ op: fc.constant("fork" as const), keepOld: fc.boolean() }),
            fc.record({ op: fc.constant("read" as const), page: fc.nat(PAGES - 1), slot: fc.nat(31) }),
          ),
          { maxLength: 80 },
        ),
        (pageSize, ops) => {
          // Slabs of 4 frames after a first of 1 frame: pfns cross ~8 geometric and many full slabs.
          const pool = new FramePool({ pageSize, slabBytes: pageSize * 4, firstSlabBytes: pageSize });
          const size = PAGES * pageSize;
          let space = new AddressSpace({ size, pool });
          let model = new Float64Array(size / 8);
          const kept: [AddressSpace, Float64Array][] = [];
          const addr = (page: number, slot: number) => page * pageSize + ((slot * 8) % pageSize);
          for (const o of ops) {
            if (o.op === "set") {
              const a = addr(o.page, o.slot);
              space.setFloat64(a, o.v);
              model[a / 8] = o.v;
            } else if (o.op === "fork") {
              const child = space.fork();
              if (o.keepOld) kept.push([space, model.slice()]);
              else space.release();
              space = child;
              model = model.slice();
            } else {
              const a = addr(o.page, o.slot);
              expect(Object.is(space.getFloat64(a), model[a / 8])).toBe(true);
            }
          }
          for (const [s, m] of [...kept, [space, model] as [AddressSpace, Float64Array]]) {
            // Every page, through the read cache, the TLB (a hit after the first pass) and the walk.
            for (let pass = 0; pass < 2; pass++)
              for (let a = 0; a < size; a += 8) expect(Object.is(s.getFloat64(a), m[a / 8])).toBe(true);
            const bytes = new Uint8Array(size);
            s.read(0, bytes);
            expect(bytes).toEqual(new Uint8Array(m.buffer));
            s.release();
          }
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
  });
});
