/**
 * TLBs that grow with their pool, through spaces, against a plain model: a
 * Uint8Array per space holding byte 0 of each page (copied on fork). The
 * pool starts with 4 frames and adds slabs as writes fault, so every space's
 * read and write TLBs start small (capped by the pool's frames) and grow in
 * place on misses while forks move them to children, releases send them
 * (grown) to the pool's cache, and new forks take them back. A grown TLB
 * that kept a stale entry (a pfn of another version's frame, or of a frame
 * freed and reused) reads or writes the wrong bytes here. After every space
 * is released the pool holds no frame.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const PS = 256;

type Op =
  | { op: "write"; s: number; page: number; value: number }
  | { op: "read"; s: number; page: number }
  | { op: "fork"; s: number }
  | { op: "release"; s: number }
  | { op: "discard"; s: number; page: number; n: number }
  | { op: "check"; s: number };

/** Pages: mostly a few that collide in small TLBs (multiples of 2..64), some anywhere. */
function pageArb(pages: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max: pages - 1 }),
    fc.tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(2, 4, 8, 16, 32, 64)).map(([k, m]) => (k * m) % pages),
  );
}

function opArb(pages: number): fc.Arbitrary<Op> {
  const s = fc.nat(15);
  const page = pageArb(pages);
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({ op: fc.constant("write" as const), s, page, value: fc.integer({ min: 1, max: 255 }) }),
    },
    { weight: 6, arbitrary: fc.record({ op: fc.constant("read" as const), s, page }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("fork" as const), s }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("release" as const), s }) },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant("discard" as const), s, page, n: fc.integer({ min: 1, max: 40 }) }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("check" as const), s }) },
  );
}

interface Live {
  space: AddressSpace;
  model: Uint8Array;
}

function run(pages: number, slabFrames: number, ops: Op[]): void {
  const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: slabFrames * PS });
  const live: Live[] = [{ space: new AddressSpace({ size: pages * PS, pool }), model: new Uint8Array(pages) }];
  const check = (l: Live): void => {
    for (let p = 0; p < pages; p++) {
      const got = l.space.getUint8(p * PS);
      if (got !== l.model[p]) expect(`page ${p}: ${got}`).toBe(`page ${p}: ${l.model[p]}`);
    }
  };
  for (const o of ops) {
    if (live.length === 0)
      live.push({ space: new AddressSpace({ size: pages * PS, pool }), model: new Uint8Array(pages) });
    const l = live[o.s % live.length] as Live;
    switch (o.op) {
      case "write":
        l.space.setUint8(o.page * PS, o.value);
        l.model[o.page] = o.value;
        break;
      case "read":
        expect(l.space.getUint8(o.page * PS)).toBe(l.model[o.page]);
        break;
      case "fork":
        live.push({ space: l.space.fork(), model: l.model.slice() });
        break;
      case "release":
        l.space.release();
        live.splice(live.indexOf(l), 1);
        break;
      case "discard": {
        const n = Math.min(o.n, pages - o.page);
        l.space.discard(o.page * PS, n * PS);
        l.model.fill(0, o.page, o.page + n);
        break;
      }
      case "check":
        check(l);
        break;
    }
  }
  for (const l of live) check(l);
  for (const l of live) l.space.release();
  expect(pool.framesInUse).toBe(0);
  expect(pool.stats().pageTableNodes).toBe(0);
}

describe("TLBs growing with their pool, through forks, writes, discards and releases (model: a Uint8Array per space)", () => {
  for (const [pages, slabFrames] of [
    [1024, 64],
    [300, 16],
    [4096, 1024],
  ] as const) {
    it(`${pages} pages of ${PS} B, slabs of up to ${slabFrames} frames (the first of 4)`, () => {
      fc.assert(
        fc.property(fc.array(opArb(pages), { minLength: 1, maxLength: 60 }), (ops) => run(pages, slabFrames, ops)),
        { numRuns: 1000 },
      );
    }, 60_000);
  }
});

describe("a TLB grown with few fills since its last flush, then flushed", () => {
  // The flush of a TLB with at most 16 fills clears only the slots it remembers: after a growth
  // those must be the entries' new slots, or a stale translation survives the flush.
  it("serves no stale translation after a fork, a discard, or a release and reuse from the pool's cache", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom("fork", "discard", "reuse"),
        (pages, how) => {
          const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 64 * PS });
          const a = new AddressSpace({ size: 1024 * PS, pool });
          for (const p of pages) a.setUint8(p * PS, 1); // the pool and a's TLBs grow meanwhile
          if (how === "fork") {
            const b = a.fork(); // b takes a's TLBs, its write TLB flushed
            for (const p of pages) b.setUint8(p * PS, 2); // must copy: a still maps every frame
            for (const p of pages) expect([a.getUint8(p * PS), b.getUint8(p * PS)]).toEqual([1, 2]);
            b.release();
          } else if (how === "discard") {
            a.discard(0, 1024 * PS); // flushes both TLBs
            for (const p of pages) expect(a.getUint8(p * PS)).toBe(0);
            for (const p of pages) a.setUint8(p * PS, 3);
            for (const p of pages) expect(a.getUint8(p * PS)).toBe(3);
          } else {
            a.release(); // its TLBs go to the pool's cache, flushed
            const c = new AddressSpace({ size: 1024 * PS, pool });
            c.setUint8(PS * 1023, 4); // takes the cached TLBs back (same size)
            for (const p of pages) expect(c.getUint8(p * PS)).toBe(p === 1023 ? 4 : 0);
            for (const p of pages) c.setUint8(p * PS, 5);
            for (const p of pages) expect(c.getUint8(p * PS)).toBe(5);
            c.release();
          }
          a.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
