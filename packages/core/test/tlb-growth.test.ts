/**
 * A TLB no larger than its pool's frames can fill: a space takes a TLB of
 * `min(its pages, the pool's capacity in frames)` entries (each rounded up to
 * a power of two, 2 to TLB_SIZE), and the TLB grows in place on an insert
 * once the pool has grown, up to what its space's pages allow, keeping every
 * entry. Checked against a model (the set of cached vpns, evicting by the
 * slot count at each insert), and through spaces of a real pool whose
 * capacity the test computes from the documented slab geometry.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, TLB_SIZE } from "../src/index.js";
import { Tlb } from "../src/tlb.js";

type Op =
  | { op: "insert"; vpn: number; pfn: number }
  | { op: "invalidate"; vpn: number }
  | { op: "flush" }
  | { op: "raise"; shift: number };

const vpnArb = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 0, max: 300 }),
  fc.constantFrom(2 ** 31, 2 ** 32 - 1, 2 ** 32 - 2, 255, 256),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("insert" as const), vpn: vpnArb, pfn: fc.nat(2 ** 31 - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("invalidate" as const), vpn: vpnArb }) },
  { weight: 1, arbitrary: fc.constant({ op: "flush" as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("raise" as const), shift: fc.integer({ min: 1, max: 9 }) }) },
);

describe("a TLB held back by its pool", () => {
  it("grows on an insert to min(its space's entries, the pool's limit) and keeps every entry (model: cached vpns)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(opArb, { maxLength: 120 }),
        (startShift, maxShift, ops) => {
          const limit = Int32Array.of((1 << startShift) - 1);
          const t = new Tlb(1 << startShift, limit);
          t.maxMask = (1 << Math.max(startShift, maxShift)) - 1;
          let entries = 1 << startShift;
          const model = new Map<number, number>(); // vpn -> pfn
          for (const o of ops) {
            if (o.op === "raise") {
              // The pool grew: its limit only rises. Nothing changes before the next insert.
              limit[0] = Math.max(limit[0] as number, (1 << o.shift) - 1);
            } else if (o.op === "flush") {
              t.flush();
              model.clear();
            } else if (o.op === "invalidate") {
              t.invalidate(o.vpn);
              model.delete(o.vpn);
            } else {
              entries = Math.max(entries, Math.min(t.maxMask, limit[0] as number) + 1);
              t.insert(o.vpn, o.pfn);
              for (const v of model.keys()) if (v % entries === o.vpn % entries) model.delete(v);
              model.set(o.vpn, o.pfn);
            }
            expect(t.mask + 1).toBe(entries);
            expect(t.shift).toBe(Math.log2(entries));
            for (const x of ops) if ("vpn" in x) expect(t.lookup(x.vpn)).toBe(model.get(x.vpn) ?? -1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a flush after growing clears every entry, whether it had few fills or many", () => {
    for (const fills of [3, 40]) {
      const limit = Int32Array.of(3);
      const t = new Tlb(4, limit);
      t.maxMask = 255;
      for (let v = 0; v < fills; v++) t.insert(v * 5, v + 1); // evictions at 4 entries
      limit[0] = 255;
      t.insert(1000, 7); // grows to 256 entries
      expect(t.mask).toBe(255);
      expect(t.lookup(1000)).toBe(7);
      t.flush();
      for (let v = 0; v < 300; v++) expect(t.lookup(v)).toBe(-1);
      expect(t.lookup(1000)).toBe(-1);
    }
  });
});

/** Entries of `n` rounded up to a power of two, 2 to TLB_SIZE. */
function round(n: number): number {
  let e = 2;
  while (e < TLB_SIZE && e < n) e *= 2;
  return e;
}

describe("TLBs of a pool's spaces", () => {
  const PS = 1024;
  // A new pool's first slab: 64 KiB, 64 frames of 1 KiB. Each next slab doubles the pool.
  const FIRST = (64 * 1024) / PS;

  it("a huge space in a small pool takes TLBs sized by the pool, which grow with the pool up to the space's pages", () => {
    const pool = new FramePool({ pageSize: PS });
    const huge = new AddressSpace({ size: 2 ** 36, pool }); // a standalone CowMap's space
    huge.setUint8(0, 1);
    expect(huge.rtlb?.mask).toBe(FIRST - 1);
    expect(huge.rtlb?.write?.mask).toBe(FIRST - 1);
    // 300 pages written: the pool holds 64 + 64 + 128 + 256 = 512 frames (pfn 0 is the zero frame).
    for (let p = 0; p < 300; p++) huge.setUint8(p * PS * 3, p & 255);
    expect(huge.rtlb?.write?.mask).toBe(511);
    expect(huge.rtlb?.mask).toBe(511); // grown on an insert too: each fault refills it (remapPage)
    for (let p = 0; p < 300; p++) expect(huge.getUint8(p * PS * 3)).toBe(p & 255);
    // A fork takes the TLBs; the parent's next TLBs are sized by the pool as it is now.
    const child = huge.fork();
    huge.setUint8(5, 9);
    expect(huge.rtlb?.write?.mask).toBe(511);
    expect(child.getUint8(5)).toBe(0);
    child.release();
    huge.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("never grows a TLB past its space's pages, however large the pool", () => {
    const pool = new FramePool({ pageSize: PS });
    const big = new AddressSpace({ size: 2000 * PS, pool });
    const small = new AddressSpace({ size: 100 * PS, pool });
    small.setUint8(0, 1);
    expect(small.rtlb?.write?.mask).toBe(round(Math.min(100, FIRST)) - 1);
    big.fill(7, 0, 2000 * PS); // 2,000 frames: the pool's slabs hold 4,096
    small.setUint8(99 * PS, 2); // a miss: grows to the space's 128 entries, no more
    expect(small.rtlb?.write?.mask).toBe(round(100) - 1);
    big.setUint8(0, 8);
    expect(big.rtlb?.write?.mask).toBe(round(2000) - 1);
    expect([small.getUint8(0), small.getUint8(99 * PS), big.getUint8(0), big.getUint8(1999 * PS)]).toEqual([
      1, 2, 8, 7,
    ]);
    small.release();
    big.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a 1-key-sized space costs TLB bytes by the pool's frames, not 2 x TLB_SIZE entries", () => {
    const pool = new FramePool({ pageSize: 512 }); // a map's pool: 128 frames in its first slab
    const s = new AddressSpace({ size: 2 ** 36, pool });
    s.setUint32(0, 1);
    const t = s.rtlb as Tlb;
    const w = t.write as Tlb;
    // [tag, pfn] per entry, Int32 each: 1 KiB per TLB instead of 64 KiB.
    expect(t.e.byteLength + w.e.byteLength).toBe(2 * 128 * 8);
    s.release();
  });
});
