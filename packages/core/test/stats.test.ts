/**
 * Memory accounting: RSS / PSS / USS, fault kinds, bytes copied and write
 * amplification. Expected figures are worked out by hand in the comments
 * (small scenarios) or derived from the test's own bookkeeping (properties).
 * Page-table sizes follow from PT_FANOUT alone (a space of PT_FANOUT pages is
 * one leaf, which is the root; a node is PT_FANOUT four-byte entries), so the
 * scenarios hold for any fanout of at least 4.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, PT_FANOUT } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const KB4 = 4096;
/** Bytes of one page-table node: PT_FANOUT entries of 4 bytes. */
const NODE_BYTES = PT_FANOUT * 4;

describe("stats of hand-worked scenarios (4 KiB pages, one-level page table)", () => {
  it("a fresh space costs nothing", () => {
    const s = new AddressSpace({ size: 2 ** 30 });
    s.getFloat64(2 ** 29);
    s.read(0, new Uint8Array(3 * KB4)); // reads never allocate
    expect(s.stats()).toEqual({
      pageSize: KB4,
      size: 2 ** 30,
      mappedBytes: 2 ** 30,
      rss: 0,
      pss: 0,
      uss: 0,
      sharedBytes: 0,
      pageTableNodes: 0,
      pageTableBytes: 0,
      zeroFillFaults: 0,
      copyFaults: 0,
      reuseFaults: 0,
      bytesCopied: 0,
      pageTableBytesCopied: 0,
      bytesWritten: 0,
      writeAmplification: 0,
    });
    expect(s.pool.stats().framesInUse).toBe(0);
  });

  it("fork, copy faults, no fault on the second write, reuse after the sibling's release", () => {
    const pool = new FramePool({ pageSize: KB4 });
    const a = new AddressSpace({ size: PT_FANOUT * KB4, pool }); // one leaf's worth of pages
    a.setUint8(0, 1); // page 0: zero-fill
    a.setUint16(2 * KB4 + 6, 2); // page 2: zero-fill
    a.setUint8(1, 3); // page 0 again: write TLB hit, no fault
    expect(a.stats()).toMatchObject({
      rss: 2 * KB4,
      pss: 2 * KB4,
      uss: 2 * KB4,
      sharedBytes: 0,
      pageTableNodes: 1, // PT_FANOUT pages: one leaf node is the root
      pageTableBytes: NODE_BYTES,
      zeroFillFaults: 2,
      copyFaults: 0,
      reuseFaults: 0,
      bytesWritten: 4,
      pageTableBytesCopied: NODE_BYTES,
      writeAmplification: 0,
    });

    const b = a.fork();
    expect(pool.stats()).toMatchObject({ framesInUse: 2, pageTableNodes: 1 });
    for (const s of [a, b]) {
      // Two frames, each shared by two spaces.
      expect(s.stats()).toMatchObject({ rss: 2 * KB4, pss: KB4, uss: 0, sharedBytes: 2 * KB4, pageTableNodes: 1 });
    }
    expect(b.stats()).toMatchObject({ zeroFillFaults: 0, copyFaults: 0, reuseFaults: 0, bytesWritten: 0 });

    b.setUint8(5, 9); // first write to a shared page: one copy fault (and the leaf is path-copied)
    expect(b.stats()).toMatchObject({
      copyFaults: 1,
      zeroFillFaults: 0,
      reuseFaults: 0,
      bytesCopied: KB4,
      bytesWritten: 1,
      writeAmplification: KB4,
      pageTableBytesCopied: NODE_BYTES,
      rss: 2 * KB4,
      uss: KB4, // its page 0 is private now; page 2 is still shared
      pss: KB4 + KB4 / 2,
    });
    expect(a.stats()).toMatchObject({ uss: KB4, pss: KB4 + KB4 / 2, copyFaults: 0 });
    expect(pool.stats()).toMatchObject({ framesInUse: 3, bytesInUse: 3 * KB4, pageTableNodes: 2 });

    b.setUint8(6, 9); // second write to the same page: no fault
    b.write(100, new Uint8Array(10));
    expect(b.stats()).toMatchObject({ copyFaults: 1, zeroFillFaults: 0, reuseFaults: 0, bytesWritten: 12 });
    expect(b.stats().writeAmplification).toBe(KB4 / 12);

    // a's own page 0 has refcount 1 now (b has its copy), but a's write TLB was
    // flushed by the fork: the write faults, and the fault reuses the frame.
    a.setUint8(7, 1);
    expect(a.stats()).toMatchObject({ zeroFillFaults: 2, copyFaults: 0, reuseFaults: 1, bytesCopied: 0 });
    expect(pool.stats().framesInUse).toBe(3);

    // A second fork, released at once: the write after it is a reuse, not a copy.
    const c = a.fork();
    c.release();
    a.setUint8(8, 1);
    expect(a.stats()).toMatchObject({ copyFaults: 0, reuseFaults: 2 });
    expect(pool.stats().framesInUse).toBe(3);

    // Page 2 is still shared with b: a write to it copies.
    a.setUint8(2 * KB4, 1);
    expect(a.stats()).toMatchObject({ copyFaults: 1, bytesCopied: KB4, uss: 2 * KB4, rss: 2 * KB4, pss: 2 * KB4 });
    expect(b.stats()).toMatchObject({ uss: 2 * KB4, pss: 2 * KB4 });
    expect(pool.stats().framesInUse).toBe(4);

    b.release();
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, bytesInUse: 0, pageTableNodes: 0, peakBytesInUse: 4 * KB4 });
  });

  it("a write to a refcount-1 page after the sibling was released is a reuse fault", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 1024, pool });
    a.write(0, bytes(1, 1024)); // 4 pages
    const b = a.fork();
    b.release();
    const before = pool.stats();
    a.write(0, bytes(2, 1024));
    expect(a.stats()).toMatchObject({ zeroFillFaults: 4, copyFaults: 0, reuseFaults: 4, bytesCopied: 0 });
    expect(pool.stats()).toEqual(before); // no frame, no node taken
  });

  it("PSS splits a node's weight among the references to it (the documented DAG rule)", () => {
    // a forks b and c: the root is shared three ways. b then writes page 0 and
    // path-copies the root; the old root keeps 2 references (a, c), the leaf
    // holding page PT_FANOUT gains one (old root + b's root), so that page is
    // split a: 1/2 * 1/2, c: 1/2 * 1/2, b: 1 * 1/2. Two levels: 2 * PT_FANOUT
    // pages of 256 B, two leaves under one root.
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 2 * PT_FANOUT * 256, pool });
    a.setUint8(0, 1); // page 0 (vpn 0): first leaf
    a.setUint8(PT_FANOUT * 256, 1); // vpn PT_FANOUT: second leaf, root at level 1
    const b = a.fork();
    const c = a.fork();
    // Thirds are not doubles: each share is within 2^-k bytes of 512 / 3, and they add up to 512 exactly.
    for (const s of [a, b, c]) expect(s.stats().pss).toBeCloseTo(512 / 3, 9);
    expect(a.stats().pss + b.stats().pss + c.stats().pss).toBe(512);
    b.setUint8(1, 2); // copies page 0 in b; leaf of vpn 0 and root path-copied
    // page 0 (old frame): a and c via the old root (ref 2) and the old leaf (ref 1): 1/2 each.
    // page 0 (b's copy): b alone. Page PT_FANOUT: leaf referenced by the old root and b's root.
    expect(a.stats().pss).toBeCloseTo(256 / 2 + 256 / 4, 9);
    expect(c.stats().pss).toBeCloseTo(256 / 2 + 256 / 4, 9);
    expect(b.stats().pss).toBeCloseTo(256 + 256 / 2, 9);
    const sum = [a, b, c].reduce((n, s) => n + s.stats().pss, 0);
    expect(sum).toBe(pool.stats().bytesInUse);
    expect(pool.stats().bytesInUse).toBe(3 * 256);
  });

  it("bytesWritten counts what the program asked to write, by every kind of write", () => {
    const s = new AddressSpace({ size: 4096, pageSize: 256 });
    s.setFloat64(8, 1); // 8
    s.setBigUint64(16, 1n); // 8
    s.setInt8(1, 1); // 1
    s.write(100, new Uint16Array(50)); // 100
    s.fill(7, 300, 1000); // 700
    s.copyWithin(2000, 0, 500); // 500
    s.copyWithin(10, 10, 300); // onto itself: nothing to do, nothing counted
    for (const cur = s.spans(Int32Array, 3000, 100, "write"); cur.next(); ) cur.array.fill(1, cur.start, cur.end); // 400
    s.discard(0, 256); // not a write
    expect(s.stats().bytesWritten).toBe(8 + 8 + 1 + 100 + 700 + 500 + 400);
    expect(s.stats().writeAmplification).toBe(0); // nothing was shared: nothing copied
  });
});

/** Random programs over a few spaces of one pool, with the test's own page bookkeeping. */
describe("accounting invariants as properties", () => {
  type Op =
    | { k: "write"; s: number; page: number; n: number }
    | { k: "fork"; s: number }
    | { k: "release"; s: number }
    | { k: "discard"; s: number; page: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ k: fc.constant("write" as const), s: fc.nat(7), page: fc.nat(40), n: fc.nat(3) }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("fork" as const), s: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("release" as const), s: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("discard" as const), s: fc.nat(7), page: fc.nat(40) }) },
  );

  it("uss <= pss <= rss, sum of pss = bytesInUse exactly, rss = pages written, writeAmplification = copied / written", () => {
    fc.assert(
      fc.property(fc.constantFrom(256, 4096), fc.array(op, { maxLength: 60 }), (ps, ops) => {
        const pool = new FramePool({ pageSize: ps });
        const size = 41 * ps;
        const spaces: { s: AddressSpace; written: Set<number> }[] = [
          { s: new AddressSpace({ size, pool }), written: new Set() },
        ];
        for (const o of ops) {
          const t = spaces[o.s % spaces.length]!;
          if (o.k === "write") {
            // Writes of 1..4 pages, some of them zeros: a written page counts even if all zero.
            const len = (o.n + 1) * ps - 3;
            const addr = Math.min(o.page * ps + 1, size - len);
            t.s.write(addr, o.n === 2 ? new Uint8Array(len) : bytes(o.page + 1, len));
            for (let p = Math.floor(addr / ps); p <= Math.floor((addr + len - 1) / ps); p++) t.written.add(p);
          } else if (o.k === "fork") {
            spaces.push({ s: t.s.fork(), written: new Set(t.written) });
          } else if (o.k === "release") {
            if (spaces.length === 1) continue;
            t.s.release();
            spaces.splice(spaces.indexOf(t), 1);
          } else {
            t.s.discard(o.page * ps, ps);
            t.written.delete(o.page);
          }
          let pss = 0;
          const shares: number[] = [];
          for (const { s, written } of spaces) {
            const st = s.stats();
            expect(st.rss).toBe(written.size * ps);
            expect(st.uss).toBeLessThanOrEqual(st.pss + 1e-9);
            expect(st.pss).toBeLessThanOrEqual(st.rss + 1e-9);
            expect(st.sharedBytes).toBe(st.rss - st.uss);
            expect(st.bytesCopied).toBe(st.copyFaults * ps);
            expect(st.writeAmplification).toBe(st.bytesWritten === 0 ? 0 : st.bytesCopied / st.bytesWritten);
            pss += st.pss;
            shares.push(st.pss);
          }
          const ps0 = pool.stats();
          // Exactly, in floating point, summed in any order.
          expect(pss).toBe(ps0.bytesInUse);
          expect(shares.reverse().reduce((n, x) => n + x, 0)).toBe(ps0.bytesInUse);
          expect(shares.sort((x, y) => x - y).reduce((n, x) => n + x, 0)).toBe(ps0.bytesInUse);
          const union = new Set<number>();
          for (const { written } of spaces) for (const p of written) union.add(p);
          // At least one frame per page some space wrote; at most one per (space, page).
          expect(ps0.framesInUse).toBeGreaterThanOrEqual(union.size);
          expect(ps0.framesInUse).toBeLessThanOrEqual(spaces.reduce((n, x) => n + x.written.size, 0));
        }
        for (const { s } of spaces) s.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it("after a fork, the first write to each shared page copies it once; later writes never fault", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 4096),
        fc.uniqueArray(fc.nat(63), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(63), { maxLength: 40 }),
        (ps, populated, writes) => {
          // A first slab of at least 64 frames: the write TLB (no larger than the pool's
          // frames, tlb.ts) then holds all 64 pages, so a page written once stays writable.
          const pool = new FramePool({ pageSize: ps, firstSlabBytes: Math.max(64 * 1024, 64 * ps) });
          const a = new AddressSpace({ size: 64 * ps, pool });
          for (const p of populated) a.setUint32(p * ps + 4, p + 1);
          const b = a.fork();
          const seen = new Set<number>();
          let copies = 0;
          let zeroFills = 0;
          for (const p of writes) {
            const before = b.stats();
            b.setUint32(p * ps + 8, 7);
            const after = b.stats();
            if (!seen.has(p)) {
              if (populated.includes(p)) copies++;
              else zeroFills++;
              seen.add(p);
            }
            expect(after.copyFaults).toBe(copies);
            expect(after.zeroFillFaults).toBe(zeroFills);
            expect(after.reuseFaults).toBe(0);
            expect(after.bytesCopied - before.bytesCopied).toBe(after.copyFaults > before.copyFaults ? ps : 0);
          }
          // a is untouched by b's writes.
          for (const p of populated) expect(a.getUint32(p * ps + 4)).toBe(p + 1);
          for (const p of populated) expect(a.getUint32(p * ps + 8)).toBe(0);
          expect(a.stats()).toMatchObject({ copyFaults: 0, zeroFillFaults: populated.length });
          a.release();
          b.release();
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("fault counters are per space (kept by slot in the pool's registry)", () => {
  it("a space made in the slot of a released one starts from zero, and a fork from its own zero", () => {
    const pool = new FramePool({ reclaimDropped: false });
    const a = new AddressSpace({ size: 4 * KB4, pool });
    a.setUint8(0, 1); // zero-fill
    const f = a.fork();
    a.setUint8(1, 2); // copy fault in a
    a.setUint8(2, 3); // write cache hit: no fault
    f.release();
    a.setUint8(KB4, 4); // zero-fill
    expect([a.stats().zeroFillFaults, a.stats().copyFaults, a.stats().bytesCopied]).toEqual([2, 1, KB4]);
    a.release();
    // b takes a's slot (the last freed), c the one f had
    const b = new AddressSpace({ size: 4 * KB4, pool });
    const c = new AddressSpace({ size: 4 * KB4, pool });
    for (const s of [b, c]) {
      const st = s.stats();
      expect([st.zeroFillFaults, st.copyFaults, st.reuseFaults, st.bytesCopied, st.pageTableBytesCopied]).toEqual([
        0, 0, 0, 0, 0,
      ]);
    }
    b.setUint8(0, 1);
    const g = b.fork();
    expect([g.stats().zeroFillFaults, b.stats().zeroFillFaults]).toEqual([0, 1]);
    g.setUint8(0, 2);
    expect([g.stats().copyFaults, b.stats().copyFaults]).toEqual([1, 0]);
    for (const s of [b, c, g]) s.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("state bits and the registry slot (one field of the space)", () => {
  it("freeze() and release() leave each space's fault counters and finalization slot its own", () => {
    const pool = new FramePool({ pageSize: KB4 });
    const spaces = [0, 1, 2].map(() => new AddressSpace({ size: 4 * KB4, pool }));
    // Distinct counts per space: space i zero-fills i + 1 pages.
    spaces.forEach((s, i) => {
      for (let p = 0; p <= i; p++) s.setUint8(p * KB4, 1);
    });
    const a = spaces[1] as AddressSpace;
    a.freeze();
    expect(a.frozen).toBe(true);
    expect(a.released).toBe(false);
    expect(spaces.map((s) => s.stats().zeroFillFaults)).toEqual([1, 2, 3]);
    const f = a.fork(); // a fork of a frozen space is writable, with a slot of its own
    expect(f.frozen).toBe(false);
    f.setUint8(0, 2);
    expect([f.stats().copyFaults, a.stats().copyFaults]).toEqual([1, 0]);
    a.release();
    expect([a.frozen, a.released]).toEqual([true, true]);
    // The freed slot goes to the next space; the others keep theirs.
    const b = new AddressSpace({ size: 4 * KB4, pool });
    b.setUint8(0, 1);
    expect([spaces[0], spaces[2], b, f].map((s) => (s as AddressSpace).stats().zeroFillFaults)).toEqual([1, 3, 1, 0]);
    expect(pool.stats().spaces).toBe(4);
    for (const s of [spaces[0], spaces[2], b, f]) (s as AddressSpace).release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("page-table levels kept in the state bits", () => {
  it("a tree grown to 11 levels keeps its height through forks, freeze, slot reuse and release", () => {
    const pool = new FramePool({ pageSize: 256 });
    const size = 2 ** 32 * 256; // 2^32 pages: the tallest tree (11 levels of 8 entries)
    const spaces = [0, 1, 2].map(() => new AddressSpace({ size, pool }));
    const a = spaces[1] as AddressSpace;
    const levelsOf = (s: AddressSpace) => (s as unknown as { levels: number }).levels;
    expect(levelsOf(a)).toBe(1);
    a.setUint32(size - 4, 7); // the last page: the tree grows to cover vpn 2^32 - 1
    a.setUint32(8 * 256, 5); // a low page too (vpn 8, which a one-level tree does not cover)
    expect(levelsOf(a)).toBe(11);
    a.freeze();
    const f = a.fork();
    expect([levelsOf(f), f.frozen, a.frozen, f.released]).toEqual([11, false, true, false]);
    f.setUint32(size - 4, 8);
    expect([a.getUint32(size - 4), f.getUint32(size - 4), f.getUint32(8 * 256), f.getUint32(0)]).toEqual([7, 8, 5, 0]);
    expect([f.stats().copyFaults, a.stats().zeroFillFaults]).toEqual([1, 2]);
    // The other spaces' slots and heights are their own.
    expect(spaces.map(levelsOf)).toEqual([1, 11, 1]);
    (spaces[0] as AddressSpace).setUint8(9 * 256, 1);
    expect(spaces.map(levelsOf)).toEqual([2, 11, 1]);
    a.release();
    expect([a.released, a.frozen]).toEqual([true, true]);
    const b = new AddressSpace({ size, pool }); // takes a's slot
    expect([levelsOf(b), b.stats().zeroFillFaults, b.getUint32(size - 4)]).toEqual([1, 0, 0]);
    expect([levelsOf(f), f.getUint32(size - 4)]).toEqual([11, 8]);
    for (const s of [spaces[0], spaces[2], b, f]) (s as AddressSpace).release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});
