/**
 * Pages the heap hands out unwritten (allocPage, allocPages, a large malloc or
 * calloc, a large realloc that grows in place at the break or moves) were not
 * checked against the mappings: when the user had write-protected or unmapped
 * a free page of the heap's range (on the free stack, in a free run, or above
 * the break), the call succeeded, recorded the page as the caller's, and the
 * caller's first write to memory the heap said was its own threw
 * ProtectionFault / SegmentationFault. Each such call must now throw the
 * fault that write would throw, having changed nothing (bytes, frames, heap
 * check and stats), or hand out only pages the caller can write.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;
const PAGES = 32;

type Kind = "protect" | "unmap";

/** The bytes of `space`, an unmapped page reading as zeros. */
function snapshot(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  for (let p = 0; p < space.size / PS; p++) {
    try {
      space.read(p * PS, out.subarray(p * PS, (p + 1) * PS));
    } catch (e) {
      if (!(e instanceof SegmentationFault)) throw e;
    }
  }
  return out;
}

function disturb(space: AddressSpace, kind: Kind, page: number): void {
  if (kind === "unmap") space.unmap(page * PS, PS);
  else space.protect(page * PS, PS, "read-only");
}

/** True when every byte of `[addr, addr + len)` is in a writable mapping. */
function writable(space: AddressSpace, addr: number, len: number): boolean {
  try {
    space.checkWritable(addr, len);
    return true;
  } catch (e) {
    if (e instanceof ProtectionFault || e instanceof SegmentationFault) return false;
    throw e;
  }
}

/** A heap with pages on the free stack, a free run, live blocks and room above the break. */
function setup() {
  const pool = new FramePool({ pageSize: PS });
  const space = new AddressSpace({ size: PAGES * PS, pool });
  const heap = Heap.create(space);
  heap.malloc(20);
  const big = heap.malloc(3 * PS); // a large block of 3 pages
  const singles = [heap.allocPage(), heap.allocPage()];
  const run = heap.allocPages(3);
  heap.allocPage(); // keeps the run off the break
  heap.freePages(run, 3); // a free run
  for (const p of singles) heap.freePage(p); // two pages on the stack
  const tail = heap.malloc(2 * PS); // a large block ending at the break
  return { pool, space, heap, big, tail };
}
type Env = ReturnType<typeof setup>;

/** Calls that hand out pages; each returns the bytes it hands out as [addr, len]. */
const calls: [string, (h: Heap, e: Env) => [number, number]][] = [
  ["allocPage()", (h) => [h.allocPage(), PS]],
  ["allocPages(2)", (h) => [h.allocPages(2), 2 * PS]],
  ["allocPages(4)", (h) => [h.allocPages(4), 4 * PS]],
  ["malloc(200) (one page)", (h) => [h.malloc(200), 200]],
  ["malloc(600) (three pages)", (h) => [h.malloc(600), 600]],
  ["calloc(600)", (h) => [h.calloc(600), 600]],
  ["realloc(tail, 5 pages) in place", (h, e) => [h.realloc(e.tail, 5 * PS), 5 * PS]],
  ["realloc(big, 6 pages) move", (h, e) => [h.realloc(e.big, 6 * PS), 6 * PS]],
];

function run(name: string, call: (h: Heap, e: Env) => [number, number], kind: Kind, page: number): void {
  const env = setup();
  const { pool, space, heap } = env;
  const statsBefore = heap.stats();
  disturb(space, kind, page);
  const bytes = snapshot(space);
  const frames = pool.stats();
  const where = `${name} after ${kind} of page ${page}`;
  let got: [number, number] | null = null;
  try {
    got = call(heap, env);
  } catch (e) {
    expect(e instanceof ProtectionFault || e instanceof SegmentationFault, `${where}: ${e}`).toBe(true);
    expect(snapshot(space), where).toEqual(bytes);
    expect(pool.stats(), where).toEqual(frames);
    if (kind === "protect") {
      heap.check();
      expect(heap.stats(), where).toEqual(statsBefore);
    }
  }
  if (got !== null) {
    // what the heap handed out is the caller's: every byte of it can be written
    expect(writable(space, got[0], got[1]), `${where}: handed out [${got[0]}, ${got[0] + got[1]})`).toBe(true);
    space.fill(0x5a, got[0], got[0] + got[1]);
  }
  space.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
}

describe("the heap hands out only pages the caller can write", () => {
  for (const [name, call] of calls)
    it(name, () => {
      for (let page = 1; page < PAGES; page++) {
        run(name, call, "protect", page);
        run(name, call, "unmap", page);
      }
    });

  it("allocPage refuses a write-protected page above the break, then hands it out once writable", () => {
    const pool = new FramePool({ pageSize: PS });
    const space = new AddressSpace({ size: PAGES * PS, pool });
    const heap = Heap.create(space);
    const first = heap.allocPage();
    heap.freePage(heap.allocPage()); // the break trims back: the next page is above the break
    space.protect(first + PS, PS, "read-only");
    const stats = heap.stats();
    expect(() => heap.allocPage()).toThrow(ProtectionFault);
    expect(heap.stats()).toEqual(stats);
    space.protect(first + PS, PS, "read-write");
    const p = heap.allocPage();
    expect(p).toBe(first + PS);
    space.setUint8(p, 1);
    heap.check();
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
  });

  it("property: random page and block calls with random free pages protected or unmapped", () => {
    type Op =
      | { op: "allocPage" }
      | { op: "allocPages"; n: number }
      | { op: "malloc"; size: number }
      | { op: "free"; i: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ op: "allocPage" as const }),
      fc.record({ op: fc.constant("allocPages" as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ op: fc.constant("malloc" as const), size: fc.integer({ min: 0, max: 4 * PS }) }),
      fc.record({ op: fc.constant("free" as const), i: fc.nat() }),
    );
    const disturbArb = fc.option(
      fc.record({ kind: fc.constantFrom<Kind>("protect", "unmap"), page: fc.integer({ min: 1, max: PAGES - 1 }) }),
      { freq: 3 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(opArb, disturbArb), { maxLength: 30 }), (steps) => {
        const pool = new FramePool({ pageSize: PS });
        const space = new AddressSpace({ size: PAGES * PS, pool });
        const heap = Heap.create(space);
        const live: { addr: number; len: number; page: boolean; n: number; tag: number }[] = [];
        let tag = 1;
        for (const [op, d] of steps) {
          // a disturbance that would hit a live allocation is skipped: only free pages are disturbed
          if (
            d !== null &&
            !live.some((b) => b.addr < (d.page + 1) * PS && d.page * PS < b.addr + Math.max(b.len, 1))
          ) {
            try {
              disturb(space, d.kind, d.page);
            } catch (e) {
              if (!(e instanceof SegmentationFault)) throw e; // protect of an unmapped page
            }
          }
          const before = snapshot(space);
          const frames = pool.stats();
          try {
            if (op.op === "free") {
              if (live.length === 0) continue;
              const j = op.i % live.length;
              const b = live[j] as (typeof live)[number];
              if (b.page) heap.freePages(b.addr, b.n);
              else heap.free(b.addr);
              live.splice(j, 1);
              continue;
            }
            let addr: number;
            let len: number;
            let n = 0;
            if (op.op === "allocPage") [addr, len, n] = [heap.allocPage(), PS, 1];
            else if (op.op === "allocPages") [addr, len, n] = [heap.allocPages(op.n), op.n * PS, op.n];
            else [addr, len] = [heap.malloc(op.size), op.size];
            expect(writable(space, addr, Math.max(len, 1))).toBe(true);
            const t = tag++ & 0xff;
            space.fill(t, addr, addr + len);
            live.push({ addr, len, page: op.op !== "malloc", n, tag: t });
          } catch (e) {
            if (e instanceof Error && e.name === "OutOfMemoryError") continue;
            if (!(e instanceof ProtectionFault || e instanceof SegmentationFault)) throw e;
            expect(snapshot(space)).toEqual(before);
            expect(pool.stats()).toEqual(frames);
          }
        }
        for (const b of live) expect(space.read(b.addr, new Uint8Array(b.len)).every((x) => x === b.tag)).toBe(true);
        space.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
      }),
      { numRuns: 100 },
    );
  });
});

describe("free() of a block in a write-protected page", () => {
  it("is refused with ProtectionFault (free writes the slot's tag and free-list link there), changing nothing; it frees once writable", () => {
    const pool = new FramePool({ pageSize: PS });
    const space = new AddressSpace({ size: PAGES * PS, pool });
    const heap = Heap.create(space);
    const a = heap.malloc(20);
    const b = heap.malloc(20); // same slab page
    const big = heap.malloc(3 * PS);
    space.fill(0x11, a, a + 20);
    space.fill(0x22, b, b + 20);
    const slab = a - (a % PS);
    space.protect(slab, PS, "read-only");
    space.protect(big, PS, "read-only"); // the first page of the large block
    const stats = heap.stats();
    const bytes = snapshot(space);
    const frames = pool.stats();
    expect(() => heap.free(a)).toThrow(ProtectionFault);
    expect(() => heap.free(big)).toThrow(ProtectionFault); // its pages are discarded: a write-protected one refuses
    expect(() => heap.realloc(a, 100)).toThrow(ProtectionFault); // a move frees the old slot
    expect(snapshot(space)).toEqual(bytes);
    expect(pool.stats()).toEqual(frames);
    expect(heap.stats()).toEqual(stats);
    heap.check();
    expect(heap.usableSize(a)).toBe(24); // still live
    space.protect(slab, PS, "read-write");
    space.protect(big, PS, "read-write");
    heap.free(a);
    heap.free(big);
    expect(space.read(b, new Uint8Array(20)).every((x) => x === 0x22)).toBe(true);
    heap.check();
    expect(heap.stats().blocks).toBe(1);
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
  });
});
