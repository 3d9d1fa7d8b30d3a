/**
 * The persistent page table and the frame pool under it: tree height growth,
 * node counts of path copies, O(1) fork (counted in frames and nodes, not
 * time), addresses past 2**32, frame recycling and slab growth, and the leak
 * check. Expected levels, node counts and bytes are derived here from
 * PT_SHIFT / PT_FANOUT by the formulas below (never by calling the code under
 * test), so they hold for any fanout of at least 4: a tree over vpns up to v
 * has `digits(v)` levels, a fresh path is one node per level, and a node is
 * PT_FANOUT four-byte entries.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, PT_FANOUT, PT_SHIFT } from "../src/index.js";
import { levelsFor } from "../src/page-table-geometry.js";
import type { Slab } from "../src/slab.js";
import { bytes, firstDiff } from "./support/helpers.js";

/** Bytes of one page-table node: PT_FANOUT entries of 4 bytes. */
const NODE_BYTES = PT_FANOUT * 4;

/** Number of base-PT_FANOUT digits of `vpn` (1 for vpn 0): the levels a tree needs to reach it. */
function digits(vpn: number): number {
  let n = 1;
  while (vpn >= PT_FANOUT ** n) n++;
  return n;
}

/** Nodes of a tree mapping every vpn in [0, pages), pages >= 2: ceil(below / PT_FANOUT) per level, up to one root. */
function fullTreeNodes(pages: number): number {
  let total = 0;
  for (let n = pages; n > 1; ) {
    n = Math.ceil(n / PT_FANOUT);
    total += n;
  }
  return total;
}

describe("node layout", () => {
  it("has eight entries per node, as the unrolled copy (privatize) and free (freeNode) of page-table.ts assume", () => {
    // Changing PT_SHIFT needs those two unrolled blocks rewritten first.
    expect(PT_FANOUT).toBe(8);
  });
});

describe(`levelsFor (fanout ${PT_FANOUT})`, () => {
  it(`is the number of ${PT_SHIFT}-bit digits of the vpn`, () => {
    expect(PT_FANOUT).toBe(2 ** PT_SHIFT);
    expect(PT_FANOUT).toBeGreaterThanOrEqual(4); // the scenarios below need a few vpns per leaf
    const cases: [number, number][] = [
      [0, 1],
      [1, 1],
      [PT_FANOUT - 1, 1],
    ];
    // F**k - 1 is the largest k-digit vpn, F**k the smallest (k+1)-digit one.
    for (let k = 1; PT_FANOUT ** k < 2 ** 32; k++) {
      cases.push([PT_FANOUT ** k - 1, k], [PT_FANOUT ** k, k + 1]);
    }
    // Near 2**31 and 2**32: a vpn of b significant bits has ceil(b / PT_SHIFT) digits.
    cases.push(
      [2 ** 31 - 1, Math.ceil(31 / PT_SHIFT)],
      [2 ** 31, Math.ceil(32 / PT_SHIFT)],
      [2 ** 32 - 1, Math.ceil(32 / PT_SHIFT)],
    );
    for (const [vpn, levels] of cases) expect(levelsFor(vpn), `vpn ${vpn}`).toBe(levels);
  });

  it("agrees with the digit count for any uint32 vpn", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (vpn) => {
        expect(levelsFor(vpn)).toBe(Math.ceil(vpn.toString(2).length / PT_SHIFT));
        expect(levelsFor(vpn)).toBe(digits(vpn));
      }),
      { numRuns: 500 },
    );
  });
});

describe("page-table growth and path copies", () => {
  // 2**40 bytes of 4 KiB pages: the top vpn is 2**28 - 1, TOP levels deep.
  const TOP = digits(2 ** 28 - 1);

  it("a write near the top of a 2**40-byte space builds one path; a later low write grows nothing", () => {
    const pool = new FramePool({ pageSize: 4096 });
    const s = new AddressSpace({ size: 2 ** 40, pool });
    const top = 2 ** 40 - 8; // vpn 2**28 - 1: TOP digits, the leading one nonzero
    s.setFloat64(top, -0);
    expect(s.levels).toBe(TOP);
    expect(pool.stats()).toMatchObject({ framesInUse: 1, pageTableNodes: TOP });
    expect(s.stats()).toMatchObject({ pageTableNodes: TOP, pageTableBytesCopied: TOP * NODE_BYTES, rss: 4096 });
    s.setUint8(0, 1); // vpn 0: shares only the root, TOP - 1 new nodes below it
    expect(s.levels).toBe(TOP);
    expect(pool.stats()).toMatchObject({ framesInUse: 2, pageTableNodes: TOP + (TOP - 1) });
    expect(Object.is(s.getFloat64(top), -0)).toBe(true);
    expect(s.getUint8(0)).toBe(1);
  });

  it("grows the tree upward under existing pages, keeping them", () => {
    const pool = new FramePool({ pageSize: 4096 });
    const s = new AddressSpace({ size: 2 ** 40, pool });
    s.setUint8(5, 42); // vpn 0: a one-level tree (one leaf)
    expect(s.levels).toBe(1);
    expect(pool.stats().pageTableNodes).toBe(1);
    s.setUint8(2 ** 40 - 1, 43); // vpn 2**28 - 1: TOP - 1 new roots above the leaf, TOP - 1 new nodes down
    expect(s.levels).toBe(TOP);
    expect(pool.stats()).toMatchObject({ framesInUse: 2, pageTableNodes: 1 + (TOP - 1) + (TOP - 1) });
    expect([s.getUint8(5), s.getUint8(2 ** 40 - 1)]).toEqual([42, 43]);
    expect(s.stats().pageTableNodes).toBe(2 * TOP - 1);
  });

  it(`a write after fork copies one page and the whole path (${TOP} nodes), and nothing more`, () => {
    const pool = new FramePool({ pageSize: 4096 });
    const a = new AddressSpace({ size: 2 ** 40, pool });
    a.setUint8(0, 1);
    a.setUint8(2 ** 40 - 1, 2);
    // Two paths of TOP nodes sharing the root.
    const tree = 2 * TOP - 1;
    const b = a.fork();
    expect(pool.stats()).toMatchObject({ framesInUse: 2, pageTableNodes: tree });
    b.setUint8(1, 3); // page 0: a copy fault, and the whole path to it (root included) copied
    expect(pool.stats()).toMatchObject({ framesInUse: 3, pageTableNodes: tree + TOP });
    expect(b.stats()).toMatchObject({ copyFaults: 1, pageTableBytesCopied: TOP * NODE_BYTES, pageTableNodes: tree });
    b.setUint8(2 ** 40 - 2, 4); // same page as 2**40 - 1: shares b's new root; copies TOP - 1 nodes of the top path
    expect(pool.stats()).toMatchObject({ framesInUse: 4, pageTableNodes: tree + TOP + (TOP - 1) });
    expect(b.stats().pageTableBytesCopied).toBe((TOP + (TOP - 1)) * NODE_BYTES);
    expect([a.getUint8(1), a.getUint8(2 ** 40 - 2), b.getUint8(0), b.getUint8(2 ** 40 - 1)]).toEqual([0, 0, 1, 2]);
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 2, pageTableNodes: tree });
    b.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("a fork whose tree then grows leaves the parent's tree as it was", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 2 ** 40, pool }); // 2**32 pages of 256 B
    a.write(0, bytes(1, 512)); // vpns 0, 1: one leaf
    const b = a.fork();
    const high = digits(2 ** 32 - 1);
    b.setBigUint64(2 ** 40 - 8, 2n ** 64n - 1n); // vpn 2**32 - 1: `high` levels
    expect([a.levels, b.levels]).toEqual([1, high]);
    // b: high - 1 new roots above the shared leaf + high - 1 new nodes down to vpn 2**32 - 1.
    expect(pool.stats()).toMatchObject({ framesInUse: 3, pageTableNodes: 1 + (high - 1) + (high - 1) });
    expect(a.getBigUint64(2 ** 40 - 8)).toBe(0n);
    expect(b.getBigUint64(2 ** 40 - 8)).toBe(2n ** 64n - 1n);
    expect(firstDiff(b.read(0, new Uint8Array(512)), bytes(1, 512))).toBe(-1);
    b.setUint8(3, 0); // copies the shared leaf and page 0 (the roots above are b's own)
    expect(pool.stats()).toMatchObject({ framesInUse: 4, pageTableNodes: 1 + 2 * (high - 1) + 1 });
    expect(a.getUint8(3)).toBe(bytes(1, 4)[3]);
    b.release();
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("addresses around 2**31 and 2**32 map to distinct pages", () => {
    const s = new AddressSpace({ size: 2 ** 40, pageSize: 256 });
    const addrs = [2 ** 31 - 8, 2 ** 31, 2 ** 32 - 8, 2 ** 32, 2 ** 32 + 256, 2 ** 33, 2 ** 39 + 8, 2 ** 40 - 8];
    for (const [i, a] of addrs.entries()) s.setFloat64(a, i + 0.5);
    for (const [i, a] of addrs.entries()) expect(s.getFloat64(a), `at ${a}`).toBe(i + 0.5);
    expect(s.stats().rss).toBe(addrs.length * 256);
    // Addresses 2**32 apart share nothing (a 32-bit truncation would alias them).
    expect(s.getFloat64(0)).toBe(0);
    expect(s.getFloat64(2 ** 32 + 2 ** 31)).toBe(0);
    // Page spans past 2**32.
    const got: number[] = [];
    for (const c = s.spans(Float64Array, 2 ** 32 - 8, 2, "read"); c.next(); ) {
      for (let i = c.start; i < c.end; i++) got.push(c.array[i]!);
    }
    expect(got).toEqual([2.5, 3.5]);
  });

  it("discarding a shared page in one space leaves the other's frame and path intact", () => {
    const pool = new FramePool({ pageSize: 256 });
    const n = PT_FANOUT * PT_FANOUT; // pages: two full levels, PT_FANOUT leaves under one root
    const a = new AddressSpace({ size: n * 256, pool });
    a.write(0, bytes(2, n * 256));
    expect(pool.stats()).toMatchObject({ framesInUse: n, pageTableNodes: PT_FANOUT + 1 });
    const b = a.fork();
    b.discard(256, 2 * 256); // vpns 1, 2 (both in the first leaf): path-copies b's root and the first leaf
    expect(pool.stats()).toMatchObject({ framesInUse: n, pageTableNodes: PT_FANOUT + 1 + 2 });
    expect(b.stats().rss).toBe((n - 2) * 256);
    expect(a.stats().rss).toBe(n * 256);
    const want = bytes(2, n * 256);
    expect(firstDiff(a.read(0, new Uint8Array(n * 256)), want)).toBe(-1);
    want.fill(0, 256, 768);
    expect(firstDiff(b.read(0, new Uint8Array(n * 256)), want)).toBe(-1);
    a.discard(0, n * 256); // a drops everything: the frames b still maps survive
    expect(pool.stats().framesInUse).toBe(n - 2);
    expect(firstDiff(b.read(0, new Uint8Array(n * 256)), want)).toBe(-1);
    b.release();
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});

describe("fork is O(1): it takes no frame and no page-table node", () => {
  it("for any populated space, at both page sizes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 4096),
        fc.uniqueArray(fc.nat(4095), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (ps, pages, forks) => {
          const pool = new FramePool({ pageSize: ps });
          const a = new AddressSpace({ size: 4096 * ps, pool });
          for (const p of pages) a.setUint16(p * ps, p);
          const before = pool.stats();
          expect(before.framesInUse).toBe(pages.length);
          const children: AddressSpace[] = [];
          for (let i = 0; i < forks; i++) {
            children.push((i % 2 === 0 ? a : children[children.length - 1]!).fork());
            const now = pool.stats();
            expect(now.framesInUse).toBe(before.framesInUse);
            expect(now.pageTableNodes).toBe(before.pageTableNodes);
            expect(now.bytesReserved).toBe(before.bytesReserved);
          }
          for (const c of children) {
            expect(c.stats().rss).toBe(pages.length * ps);
            c.release();
          }
          expect(pool.stats()).toMatchObject({
            framesInUse: before.framesInUse,
            pageTableNodes: before.pageTableNodes,
          });
          a.release();
          expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("for a space of 65,536 populated pages", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 2 ** 24, pool });
    a.fill(1, 0, 2 ** 24);
    const before = pool.stats();
    // 2**16 pages: ceil(2**16 / F) leaves, ceil(leaves / F) nodes above them, ... up to one root.
    expect(before).toMatchObject({ framesInUse: 65536, pageTableNodes: fullTreeNodes(2 ** 16) });
    const b = a.fork();
    // Nothing is copied; only the commit charge grows by the child's mapped bytes.
    expect(pool.stats()).toEqual({
      ...before,
      committedBytes: 2 * 2 ** 24,
      peakCommittedBytes: 2 * 2 ** 24,
      spaces: 2,
    });
    b.setUint8(2 ** 24 - 1, 2); // one page and one path, a node per level
    expect(pool.stats()).toMatchObject({
      framesInUse: 65537,
      pageTableNodes: before.pageTableNodes + digits(2 ** 16 - 1),
    });
    a.release();
    b.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});

describe("frame pool", () => {
  it("recycles freed frames before taking fresh memory", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 64 * 256, pool });
    a.fill(3, 0, 64 * 256);
    const reserved = pool.stats().bytesReserved;
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, bytesReserved: reserved, peakBytesInUse: 64 * 256 });
    const b = new AddressSpace({ size: 64 * 256, pool });
    b.setUint8(0, 1);
    // A recycled frame keeps old bytes: a zero-fill fault must clear it.
    expect(b.getUint8(1)).toBe(0);
    expect(b.getUint8(255)).toBe(0);
    b.write(256, new Uint8Array(63 * 256));
    expect(
      firstDiff(
        b.read(0, new Uint8Array(64 * 256)),
        Uint8Array.from({ length: 64 * 256 }, (_, i) => +(i === 0)),
      ),
    ).toBe(-1);
    expect(pool.stats().bytesReserved).toBe(reserved);
  });

  it("adds slabs without copying: doubling up to slabBytes, then full-size slabs, each frame its own bytes", () => {
    const pool = new FramePool({ pageSize: 256, slabBytes: 2 ** 18 }); // slab 0 is 64 KiB = 256 frames
    const a = new AddressSpace({ size: 5000 * 256, pool });
    const seen: Slab[] = [];
    for (let p = 0; p < 5000; p++) {
      a.setUint32(p * 256, p + 1);
      a.setUint32(p * 256 + 252, ~p);
      // An added slab never replaces an earlier one (TLBs and caches hold them).
      for (const [i, slab] of seen.entries()) expect(pool.slabs[i]).toBe(slab);
      for (let i = seen.length; i < pool.slabs.length; i++) seen.push(pool.slabs[i] as Slab);
    }
    // 5000 frames + the zero frame: 256 + 256 + 512 frames doubling, then 1024-frame slabs.
    expect(pool.slabs.map((s) => s.buffer.byteLength)).toEqual([
      2 ** 16,
      2 ** 16,
      2 ** 17,
      2 ** 18,
      2 ** 18,
      2 ** 18,
      2 ** 18,
    ]);
    expect(pool.stats().bytesReserved).toBe(2 ** 16 * 4 + 2 ** 18 * 4);
    for (let p = 0; p < 5000; p++) {
      expect(a.getUint32(p * 256)).toBe(p + 1);
      expect(a.getInt32(p * 256 + 252)).toBe(~p);
    }
    const b = a.fork();
    for (let p = 0; p < 5000; p += 7) b.setUint32(p * 256 + 128, p); // copies across slabs
    for (let p = 0; p < 5000; p++) {
      expect(b.getUint32(p * 256)).toBe(p + 1);
      expect(a.getUint32(p * 256 + 128)).toBe(0);
      if (p % 7 === 0) expect(b.getUint32(p * 256 + 128)).toBe(p);
    }
    a.release();
    b.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("keeps every byte across slab growth and across many slabs", () => {
    for (const slabBytes of [256, 1024, 2 ** 26]) {
      const pool = new FramePool({ pageSize: 256, slabBytes });
      const a = new AddressSpace({ size: 1024 * 256, pool });
      const model = new Uint8Array(1024 * 256);
      for (let p = 0; p < 1024; p++) {
        // Each write may grow a slab while the last-page caches point into it.
        a.setUint32(p * 256 + 4, p * 2654435761 + 1);
        new DataView(model.buffer).setUint32(p * 256 + 4, p * 2654435761 + 1, true);
        expect(a.getUint32(4)).toBe(1); // page 0, through a read cache that predates the growth
      }
      expect(firstDiff(a.read(0, new Uint8Array(model.length)), model)).toBe(-1);
      const b = a.fork();
      b.fill(9, 0, 1024 * 256); // copies every page, across slabs
      expect(firstDiff(a.read(0, new Uint8Array(model.length)), model)).toBe(-1);
      expect(pool.stats().framesInUse).toBe(2048);
      a.release();
      b.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
    }
  });
});
