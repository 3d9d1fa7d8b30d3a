/**
 * The TLB: a direct-mapped cache of vpn -> pfn in one Int32Array of
 * `[tag, pfn]` pairs, sized by the space's page count. Checked against a
 * model (a Map from slot to the vpn cached there, slot = vpn mod entries,
 * entries computed here from the page count), with vpns up to 2**32 - 1 so
 * that the int32 tag (`vpn | 0`) wraps, and with the vpns whose tags equal
 * the empty markers (-1 and 0): a lookup must never hit an empty entry.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, TLB_SIZE } from "../src/index.js";
import { Tlb, tlbEntries } from "../src/tlb.js";

/** Entries a space of `pages` pages should get: the pages rounded up to a power of two, 2 to TLB_SIZE. */
function expectedEntries(pages: number): number {
  let n = 2;
  while (n < TLB_SIZE && n < pages) n *= 2;
  return n;
}

/** vpns that stress the tag encoding: 0, the top of the range, the int32 wrap, and random ones. */
const vpnArb = fc.oneof(
  fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 - 2, TLB_SIZE - 1, TLB_SIZE),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 0, max: 64 }),
);

type Op = { op: "insert"; vpn: number; pfn: number } | { op: "invalidate"; vpn: number } | { op: "flush" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("insert" as const), vpn: vpnArb, pfn: fc.nat(2 ** 31 - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("invalidate" as const), vpn: vpnArb }) },
  { weight: 1, arbitrary: fc.constant({ op: "flush" as const }) },
);

describe("Tlb", () => {
  it("has as many entries as the space has pages, rounded up to a power of two, from 2 to TLB_SIZE", () => {
    for (const pages of [1, 2, 3, 4, 5, 100, 1024, 1025, TLB_SIZE - 1, TLB_SIZE, TLB_SIZE + 1, 2 ** 32])
      expect(tlbEntries(pages)).toBe(expectedEntries(pages));
  });

  it("a fresh TLB misses every vpn, including those whose int32 tag is an empty marker", () => {
    for (const entries of [2, 4, 1024, TLB_SIZE]) {
      const t = new Tlb(entries);
      for (const vpn of [0, 1, entries - 1, entries, 2 ** 31, 2 ** 32 - 1, 2 ** 32 - entries])
        expect(t.lookup(vpn)).toBe(-1);
    }
  });

  it("behaves as a direct-mapped cache (model: slot -> vpn) under inserts, invalidations and flushes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4, 8, 64, TLB_SIZE),
        fc.array(opArb, { maxLength: 80 }),
        fc.array(vpnArb, { maxLength: 20 }),
        (entries, ops, probes) => {
          const t = new Tlb(entries);
          const model = new Map<number, { vpn: number; pfn: number }>();
          for (const o of ops) {
            if (o.op === "flush") {
              t.flush();
              model.clear();
            } else if (o.op === "insert") {
              t.insert(o.vpn, o.pfn);
              model.set(o.vpn % entries, { vpn: o.vpn, pfn: o.pfn });
            } else {
              t.invalidate(o.vpn);
              if (model.get(o.vpn % entries)?.vpn === o.vpn) model.delete(o.vpn % entries);
            }
            for (const vpn of [...probes, ...ops.map((x) => ("vpn" in x ? x.vpn : 0))]) {
              const m = model.get(vpn % entries);
              expect(t.lookup(vpn)).toBe(m !== undefined && m.vpn === vpn ? m.pfn : -1);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a flush after more than a handful of fills clears every entry", () => {
    const t = new Tlb(64);
    for (let v = 0; v < 64; v++) t.insert(v, v + 1);
    t.flush();
    for (let v = 0; v < 64; v++) expect(t.lookup(v)).toBe(-1);
  });

  it("spaces of different sizes in one pool get and recycle TLBs of their own size", () => {
    // A first slab of 16,384 frames: the pool's capacity does not hold the large space's TLB back (tlb-growth.test.ts).
    const pool = new FramePool({ pageSize: 1024, firstSlabBytes: 1 << 24 });
    const small = new AddressSpace({ size: 3 * 1024, pool });
    const large = new AddressSpace({ size: 1 << 24, pool });
    small.setUint8(2048, 1);
    large.setUint8(1 << 23, 2);
    expect(small.rtlb?.mask).toBe(3); // 3 pages -> 4 entries
    expect(large.rtlb?.write?.mask).toBe(TLB_SIZE - 1); // 16,384 pages -> TLB_SIZE entries
    small.release();
    large.release();
    const again = new AddressSpace({ size: 1 << 24, pool });
    again.setUint8(0, 3);
    expect(again.rtlb?.write?.mask).toBe(TLB_SIZE - 1);
    expect([again.getUint8(0), again.getUint8(1 << 23)]).toEqual([3, 0]);
    again.release();
    expect(pool.framesInUse).toBe(0);
  });
});
