/**
 * The heap's two page maps (layout version 2, heap/layout.ts): a heap of at
 * least 8,192 pages keeps the entries of its first 4,096 pages in a low map
 * and the rest in a high map at its top, so a heap that holds little writes
 * only low pages and its space's page table stays short. Checked here: where
 * pages go and how tall the page table grows (levels derived from PT_FANOUT,
 * not from the code under test), runs and reallocs across page 4,096, and
 * heaps of layout version 1 (one map; every heap formatted before) still
 * attach and work. A property test replays random runs, blocks, reallocs and
 * forks with the break just below page 4,096.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AddressSpace, FramePool, Heap, InvalidArgumentError, OutOfMemoryError, PT_FANOUT } from "../src/index.js";

const PS = 256;
/** Pages whose entries are in the low map. */
const SPLIT = 4096;
/** Bytes of one page-map entry. */
const ENTRY = 16;

/** Levels of a page table reaching vpn `v`: base-PT_FANOUT digits of v. */
function digits(v: number): number {
  let n = 1;
  while (v >= PT_FANOUT ** n) n++;
  return n;
}

/** Page-table levels of `space` (internal field, read for the test). */
function levels(space: AddressSpace): number {
  return (space as unknown as { levels: number }).levels;
}

function newSpace(pages: number) {
  const pool = new FramePool({ pageSize: PS });
  return { pool, space: new AddressSpace({ size: pages * PS, pool }) };
}

describe("heap layout 2: a low and a high page map", () => {
  test("a heap of 2^20 pages hands out its first pages right after the low map, and its page table stays short", () => {
    const { pool, space } = newSpace(2 ** 20);
    const heap = Heap.create(space, { base: PS }); // like a standalone CowText: heap from page 1
    const lowMapPages = (SPLIT * ENTRY) / PS;
    const st = heap.stats();
    expect(st.dataStart).toBe(PS + (1 + lowMapPages) * PS);
    expect(st.dataEnd).toBe(PS + (2 ** 20 - 1 - Math.ceil(((2 ** 20 - 1 - SPLIT) * ENTRY) / PS)) * PS);
    const pages: number[] = [];
    for (let i = 0; i < 1000; i++) pages.push(heap.allocPage());
    for (const a of pages) space.setUint32(a, 1);
    expect(pages[0]).toBe(st.dataStart);
    expect(Math.max(...pages)).toBe(st.dataStart + 999 * PS);
    // Highest page written: the last data page (the map entries and the header are below it).
    expect(levels(space)).toBe(digits(Math.max(...pages) / PS));
    expect(levels(space)).toBeLessThan(digits(2 ** 20 / 16)); // one map would have put data above page 65,536
    heap.check();
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  test("runs, frees and reallocs across page 4,096 keep the heap consistent", () => {
    const { pool, space } = newSpace(3 * SPLIT);
    const heap = Heap.create(space);
    const st = heap.stats();
    const first = (st.dataStart - st.base) / PS;
    // Fill up to 10 pages below the split, then take a run of 30 across it.
    const filler = heap.allocPages(SPLIT - 10 - first);
    const run = heap.allocPages(30);
    expect((run - st.base) / PS).toBe(SPLIT - 10);
    for (let i = 0; i < 30; i++) space.setUint8(run + i * PS, i + 1);
    heap.check();
    // The header, the low-map pages holding entries of data pages (the first ones
    // hold the entries of the map itself, never written), and the high-map pages
    // holding the entries of the run's 20 pages above the split.
    const low = (SPLIT * ENTRY) / PS - Math.floor((first * ENTRY) / PS);
    expect(heap.stats().metadataPages).toBe(1 + low + Math.ceil((20 * ENTRY) / PS));
    // A large block grown in place across the split, then shrunk below it.
    heap.freePages(run, 30);
    heap.check();
    const big = heap.malloc(5 * PS);
    expect((big - st.base) / PS).toBeLessThan(SPLIT); // from the free run, first fit
    const moved = heap.realloc(big, 40 * PS);
    heap.check();
    const shrunk = heap.realloc(moved, 2 * PS);
    heap.check();
    heap.free(shrunk);
    heap.freePages(filler, SPLIT - 10 - first);
    heap.check();
    expect(heap.stats()).toMatchObject({ dataPages: 0, blocks: 0, pagesAllocated: 0 });
    // Pages beyond the data (the high map's own pages) are not the heap's to free.
    expect(() => heap.freePage(st.dataEnd)).toThrow(InvalidArgumentError);
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  test("the heap fills every data page, below and above the split, and refuses one more", () => {
    const { space } = newSpace(2 * SPLIT);
    const heap = Heap.create(space);
    const st = heap.stats();
    const n = (st.dataEnd - st.dataStart) / PS;
    const all = heap.allocPages(n); // one run across the split
    expect(all).toBe(st.dataStart);
    expect(() => heap.allocPage()).toThrow();
    heap.freePages(all, n);
    for (let i = 0; i < n; i++) heap.allocPage();
    heap.check();
    space.release();
  });

  test("a heap too small for two maps is written as layout 1, byte for byte what the older code wrote", () => {
    const { space } = newSpace(2 * SPLIT - 1);
    const heap = Heap.create(space);
    expect(space.getUint32(4)).toBe(1); // H_VERSION
    expect(heap.stats().dataStart).toBe((1 + Math.ceil(((2 * SPLIT - 1) * ENTRY) / PS)) * PS);
    expect(heap.stats().dataEnd).toBe(heap.stats().limit);
    space.release();
  });
});

describe("heap layout 1 (one page map) still attaches", () => {
  /** Writes the header a version-1 heap of `pages` pages had: magic, version 1, page size, pages, break. */
  function formatV1(space: AddressSpace, pages: number): number {
    const dataStart = 1 + Math.ceil((pages * ENTRY) / PS);
    space.setUint32(0, 0x70686670);
    space.setUint32(4, 1);
    space.setUint32(8, PS);
    space.setFloat64(16, pages);
    space.setFloat64(24, dataStart);
    space.setFloat64(32, dataStart);
    return dataStart;
  }

  test("a large version-1 heap allocates after its one map, frees, reallocs and checks", () => {
    const pages = 4 * SPLIT;
    const { pool, space } = newSpace(pages);
    const dataStart = formatV1(space, pages);
    const heap = Heap.attach(space, 0);
    expect(heap.stats()).toMatchObject({ dataStart: dataStart * PS, dataEnd: pages * PS });
    const p = heap.allocPage();
    expect(p).toBe(dataStart * PS);
    const run = heap.allocPages(SPLIT); // crosses page 4,096: one map, nothing special
    const b = heap.malloc(100);
    space.setUint32(b, 7);
    heap.check();
    heap.freePages(run, SPLIT);
    heap.freePage(p);
    heap.free(b);
    heap.check();
    expect(heap.stats()).toMatchObject({ dataPages: 1, blocks: 0 }); // the emptied slab page stays
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  test("attach refuses a version-2 header on a heap too small for two maps, and unknown versions", () => {
    const { space } = newSpace(SPLIT);
    formatV1(space, SPLIT);
    space.setUint32(4, 2);
    expect(() => Heap.attach(space, 0)).toThrow(InvalidArgumentError);
    space.setUint32(4, 3);
    expect(() => Heap.attach(space, 0)).toThrow(InvalidArgumentError);
    space.setUint32(4, 1);
    expect(Heap.attach(space, 0).stats().dataEnd).toBe(SPLIT * PS);
    space.release();
  });
});

describe("heap layout 2: random runs around the split", () => {
  type Op =
    | { kind: "pages"; n: number }
    | { kind: "malloc"; size: number }
    | { kind: "free"; pick: number }
    | { kind: "realloc"; pick: number; size: number }
    | { kind: "fork" };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("pages" as const), n: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("malloc" as const), size: fc.integer({ min: 1, max: 30 * PS }) }),
    fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(), size: fc.integer({ min: 1, max: 30 * PS }) }),
    fc.record({ kind: fc.constant("fork" as const) }),
  );

  test("allocations that straddle page 4,096 keep their bytes, never overlap, and leave no frame behind", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.array(op, { maxLength: 60 }), (below, ops) => {
        const { pool, space } = newSpace(2 * SPLIT + 100);
        let heap = Heap.create(space);
        const spaces = [space];
        let cur = space;
        const st = heap.stats();
        // A kept filler puts the break `below` pages under the split.
        heap.allocPages(SPLIT - below - (st.dataStart - st.base) / PS);
        /** Live allocations: address, bytes, fill byte, and how to free them. */
        const live: { addr: number; bytes: number; fill: number; pages: number }[] = [];
        let fill = 1;
        const stamp = (addr: number, bytes: number, f: number) => cur.write(addr, new Uint8Array(bytes).fill(f));
        for (const o of ops) {
          let target: (typeof live)[number];
          if (o.kind === "pages") {
            const addr = heap.allocPages(o.n);
            target = { addr, bytes: o.n * PS, fill, pages: o.n };
            live.push(target);
          } else if (o.kind === "malloc") {
            const addr = heap.malloc(o.size);
            target = { addr, bytes: o.size, fill, pages: 0 };
            live.push(target);
          } else if (o.kind === "fork") {
            cur = cur.fork();
            spaces.push(cur);
            heap = Heap.attach(cur, 0);
            continue;
          } else if (live.length === 0) continue;
          else {
            const i = o.pick % live.length;
            const a = live[i] as (typeof live)[number];
            if (o.kind === "free") {
              if (a.pages > 0) heap.freePages(a.addr, a.pages);
              else heap.free(a.addr);
              live.splice(i, 1);
              heap.check();
              continue;
            }
            if (a.pages > 0) continue; // pages are not reallocated
            const keep = Math.min(a.bytes, o.size);
            const addr = heap.realloc(a.addr, o.size);
            expect(cur.read(addr, new Uint8Array(keep)).every((b) => b === a.fill)).toBe(true);
            target = { addr, bytes: o.size, fill, pages: 0 };
            live.splice(i, 1, target);
          }
          stamp(target.addr, target.bytes, fill);
          fill = (fill % 250) + 1;
          heap.check();
          // Every live allocation still holds its own fill: none overlaps another.
          for (const a of live) expect(cur.read(a.addr, new Uint8Array(a.bytes)).every((b) => b === a.fill)).toBe(true);
        }
        for (const s of spaces) s.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
      }),
      { numRuns: 60 },
    );
  });
});

describe("heap layout 2: a refused allocation changes nothing", () => {
  test("under a pool limit, a run across page 4,096 either succeeds or throws OutOfMemoryError leaving every byte and counter", () => {
    let refused = 0;
    let done = 0;
    for (let spare = 0; spare < 8; spare++) {
      // Measure the setup's frames in an unlimited pool, then rebuild it under a limit `spare` frames above.
      const setup = (pool: FramePool) => {
        const space = new AddressSpace({ size: (2 * SPLIT + 100) * PS, pool });
        const heap = Heap.create(space);
        const st = heap.stats();
        heap.allocPages(SPLIT - 5 - (st.dataStart - st.base) / PS);
        const child = space.fork(); // every page shared: a write copies
        return { space, child, heap: Heap.attach(child, 0) };
      };
      const probe = new FramePool({ pageSize: PS });
      setup(probe);
      const pool = new FramePool({ pageSize: PS, maxBytes: (probe.framesInUse + spare) * PS });
      const { space, child, heap } = setup(pool);
      const before = [
        JSON.stringify(pool.stats()),
        JSON.stringify(child.stats()),
        Buffer.from(child.read(0, new Uint8Array(child.size))).toString("base64"),
      ];
      try {
        heap.allocPages(12); // pages SPLIT-5 .. SPLIT+6: entries in both maps
        done++;
        heap.check();
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        refused++;
        expect([
          JSON.stringify(pool.stats()),
          JSON.stringify(child.stats()),
          Buffer.from(child.read(0, new Uint8Array(child.size))).toString("base64"),
        ]).toEqual(before);
      }
      child.release();
      space.release();
      expect(pool.stats().framesInUse).toBe(0);
    }
    expect(refused).toBeGreaterThan(0); // the limits tried include some too tight
    expect(done).toBeGreaterThan(0); // and some wide enough
  });
});
