/**
 * A heap call on a space whose pages the user write-protected or unmapped, or
 * which the user froze: the heap checked mappings and freeze before its writes
 * only when its own reservation had run the out-of-memory hook. Otherwise the
 * call wrote part of its metadata and then faulted on the page it could not
 * write (a read-only page-map page, a block's slab page, a page a free
 * discards, the source of a moving realloc): ProtectionFault or
 * SegmentationFault with the heap half changed (heap.check(): "blocks 4 !=
 * counter 5" and the like). Each call must now either complete or throw the
 * typed error a write would throw, having changed nothing: bytes, frames and
 * page-table nodes of the space, and the heap's check and stats.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;
const PAGES = 32;

type Disturb = { kind: "protect" | "unmap"; page: number } | { kind: "freeze" };

/** The bytes of `space`, an unmapped page reading as zeros (read-only: never faults). */
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

function disturb(space: AddressSpace, d: Disturb): void {
  if (d.kind === "freeze") space.freeze();
  else if (d.kind === "unmap") space.unmap(d.page * PS, PS);
  else space.protect(d.page * PS, PS, "read-only");
}

function setup() {
  const pool = new FramePool({ pageSize: PS });
  const space = new AddressSpace({ size: PAGES * PS, pool });
  const heap = Heap.create(space);
  const small = [heap.malloc(20), heap.malloc(20), heap.malloc(50)];
  for (let i = 0; i < 14; i++) small.push(heap.malloc(100)); // fills a 128-byte-class slab: the next one is full
  const large = [heap.malloc(300), heap.malloc(700)];
  const pages = [heap.allocPage(), heap.allocPage()];
  const run = heap.allocPages(2);
  heap.free(heap.malloc(20)); // a free slot
  heap.freePage(heap.allocPage()); // a page in the magazine
  for (const b of small) space.fill(0xab, b, b + 8);
  return { pool, space, heap, small, large, pages, run };
}

type Env = ReturnType<typeof setup>;

const calls: [string, (h: Heap, e: Env) => unknown][] = [
  ["malloc(20)", (h) => h.malloc(20)],
  ["malloc(60)", (h) => h.malloc(60)],
  ["malloc(100) (fresh slab)", (h) => h.malloc(100)],
  ["malloc(300)", (h) => h.malloc(300)],
  ["malloc(2000)", (h) => h.malloc(2000)],
  ["calloc(20)", (h) => h.calloc(20)],
  ["calloc(200)", (h) => h.calloc(200)],
  ["free(small)", (h, e) => h.free(e.small[0] as number)],
  ["free(from a full slab)", (h, e) => h.free(e.small[5] as number)],
  ["free(only block of a slab)", (h, e) => h.free(e.small[2] as number)],
  ["free(large)", (h, e) => h.free(e.large[0] as number)],
  ["realloc(small, 24) in place", (h, e) => h.realloc(e.small[0] as number, 24)],
  ["realloc(small, 60) move", (h, e) => h.realloc(e.small[1] as number, 60)],
  ["realloc(small, 400) move", (h, e) => h.realloc(e.small[1] as number, 400)],
  ["realloc(large, 200) shrink", (h, e) => h.realloc(e.large[0] as number, 200)],
  ["realloc(large, 100) move", (h, e) => h.realloc(e.large[1] as number, 100)],
  ["realloc(large, 1500) move", (h, e) => h.realloc(e.large[0] as number, 1500)],
  ["allocPage()", (h) => h.allocPage()],
  ["allocPages(3)", (h) => h.allocPages(3)],
  ["freePage", (h, e) => h.freePage(e.pages[0] as number)],
  ["freePages", (h, e) => h.freePages(e.run, 2)],
];

/** Runs `call` after `d`; a throw must be the write's typed error and change nothing. */
function runDisturbed(name: string, call: (h: Heap, e: Env) => unknown, d: Disturb): void {
  const env = setup();
  const { pool, space, heap } = env;
  const statsBefore = heap.stats();
  disturb(space, d);
  const bytes = snapshot(space);
  const frames = pool.stats();
  let caught: unknown = null;
  try {
    call(heap, env);
  } catch (e) {
    caught = e;
  }
  const where = `${name} after ${JSON.stringify(d)}`;
  if (caught !== null) {
    expect(caught instanceof ProtectionFault || caught instanceof SegmentationFault, `${where}: ${caught}`).toBe(true);
    expect(snapshot(space), where).toEqual(bytes);
    expect(pool.stats(), where).toEqual(frames);
    if (d.kind !== "unmap") {
      heap.check(); // reads only: fine on read-only pages and a frozen space
      expect(heap.stats(), where).toEqual(statsBefore);
    }
  } else if (d.kind !== "unmap" || d.page !== 0) {
    try {
      heap.check();
    } catch (e) {
      if (!(e instanceof SegmentationFault)) throw new Error(`${where}: ${e}`);
    }
  }
  space.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
}

describe("a heap call on write-protected, unmapped or frozen pages completes, or throws having changed nothing", () => {
  for (const [name, call] of calls)
    it(name, () => {
      runDisturbed(name, call, { kind: "freeze" });
      for (let page = 0; page < PAGES; page++) {
        runDisturbed(name, call, { kind: "protect", page });
        runDisturbed(name, call, { kind: "unmap", page });
      }
    });

  it("a refused call throws the write's error class, not OutOfMemoryError, even near the pool's limit", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 12 * PS });
    const space = new AddressSpace({ size: PAGES * PS, pool });
    const heap = Heap.create(space);
    heap.malloc(20);
    space.protect(0, PS, "read-only"); // the header page
    const filler = new AddressSpace({ size: PAGES * PS, pool });
    for (let k = 0; pool.framesAvailable() > 0; k++) filler.setUint8(k * PS, 1);
    expect(() => heap.malloc(300)).toThrow(ProtectionFault);
    filler.release();
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
  });

  it("property: random alloc/free/realloc with random pages write-protected or unmapped in a fork", () => {
    type Op =
      | { op: "malloc" | "calloc"; size: number }
      | { op: "free"; i: number }
      | { op: "realloc"; i: number; size: number }
      | { op: "allocPage" }
      | { op: "freePage"; i: number };
    const sizeArb = fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 121, max: 1200 }));
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constantFrom("malloc" as const, "calloc" as const), size: sizeArb }),
      fc.record({ op: fc.constant("free" as const), i: fc.nat() }),
      fc.record({ op: fc.constant("realloc" as const), i: fc.nat(), size: sizeArb }),
      fc.record({ op: fc.constant("allocPage" as const) }),
      fc.record({ op: fc.constant("freePage" as const), i: fc.nat() }),
    );
    const disturbArb: fc.Arbitrary<Disturb | null> = fc.option(
      fc.oneof(
        fc.record({ kind: fc.constantFrom("protect" as const, "unmap" as const), page: fc.nat({ max: PAGES - 1 }) }),
        fc.constant({ kind: "freeze" as const }),
      ),
      { freq: 2 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(opArb, disturbArb), { maxLength: 40 }), (steps) => {
        const pool = new FramePool({ pageSize: PS });
        const space = new AddressSpace({ size: PAGES * PS, pool });
        const heap = Heap.create(space);
        // model: live blocks (address, size, fill byte) and live pages
        const blocks: { addr: number; size: number; tag: number }[] = [];
        const pages: number[] = [];
        let tag = 1;
        const apply = (h: Heap, op: Op, model: boolean): void => {
          if (op.op === "malloc" || op.op === "calloc") {
            const a = op.op === "malloc" ? h.malloc(op.size) : h.calloc(op.size);
            if (model) {
              const t = tag++ & 0xff;
              h.space.fill(t, a, a + op.size);
              blocks.push({ addr: a, size: op.size, tag: t });
            }
          } else if (op.op === "free") {
            if (blocks.length === 0) return;
            const j = op.i % blocks.length;
            h.free((blocks[j] as { addr: number }).addr);
            if (model) blocks.splice(j, 1);
          } else if (op.op === "realloc") {
            if (blocks.length === 0) return;
            const b = blocks[op.i % blocks.length] as { addr: number; size: number; tag: number };
            const a = h.realloc(b.addr, op.size);
            if (model) {
              if (op.size > b.size) h.space.fill(b.tag, a + b.size, a + op.size);
              b.addr = a;
              b.size = op.size;
            }
          } else if (op.op === "allocPage") {
            const p = h.allocPage();
            if (model) pages.push(p);
          } else if (op.op === "freePage") {
            if (pages.length === 0) return;
            const j = op.i % pages.length;
            h.freePage(pages[j] as number);
            if (model) pages.splice(j, 1);
          }
        };
        for (const [op, d] of steps) {
          if (d !== null) {
            // the disturbed call runs on a fork, so the model run goes on undisturbed
            const child = space.fork();
            disturb(child, d);
            const bytes = snapshot(child);
            const frames = pool.stats();
            let caught: unknown = null;
            try {
              apply(Heap.attach(child), op, false);
            } catch (e) {
              caught = e;
            }
            if (caught !== null && !(caught instanceof Error && caught.name === "OutOfMemoryError")) {
              expect(caught instanceof ProtectionFault || caught instanceof SegmentationFault, String(caught)).toBe(
                true,
              );
              expect(snapshot(child)).toEqual(bytes);
              expect(pool.stats()).toEqual(frames);
              if (d.kind !== "unmap") Heap.attach(child).check();
            }
            child.release();
          }
          try {
            apply(heap, op, true);
          } catch (e) {
            if (!(e instanceof Error && e.name === "OutOfMemoryError")) throw e;
          }
        }
        heap.check();
        for (const b of blocks) {
          const got = space.read(b.addr, new Uint8Array(b.size));
          expect(got.every((x) => x === b.tag)).toBe(true);
        }
        space.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
      }),
      { numRuns: 60 },
    );
  });
});
