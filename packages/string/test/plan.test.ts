import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { heapNeeds, measureHeap, plan, planDelete, planInsert } from "../src/plan.js";
import { Path } from "../src/tree.js";

/** The planner's descent goes here (the text's own edits use their module's path). */
const scratchPath = new Path();

/**
 * White-box check of the edit planner (src/plan.ts), on which "a refused edit
 * changes nothing" rests: for random edits on random versions (so pages are
 * shared, freed and recycled), the frames an edit really takes from the pool
 * and the pages it really takes from the heap never exceed the plan's bounds.
 */

/** Counts the frames `pool` hands out while `run` runs (wraps this pool's allocFrame only). */
function framesTaken(pool: FramePool, run: () => void): number {
  const alloc = FramePool.prototype.allocFrame;
  let n = 0;
  pool.allocFrame = function (this: FramePool) {
    n++;
    return alloc.call(this);
  };
  try {
    run();
  } finally {
    delete (pool as { allocFrame?: unknown }).allocFrame;
  }
  return n;
}

/** The bound CowText reserves for the last plan (see CowText's prepare). */
function bound(t: CowText): number {
  if (plan.allocs === 0 && plan.frees === 0) return plan.writes;
  measureHeap(t.nodeHeap(), 1);
  return heapNeeds.frames;
}

const op = fc.record({
  v: fc.nat(),
  kind: fc.constantFrom("insert", "insert", "delete", "fork"),
  pos: fc.nat(),
  n: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 100, max: 400 }), fc.integer({ min: 1000, max: 9000 })),
});

/** Runs one insert or delete on `t`, checking the planner's bounds. */
function checkedEdit(
  pool: FramePool,
  t: CowText,
  heap: Heap,
  o: { kind: string; pos: number; n: number },
  c: number,
): void {
  const len = t.length;
  const pos = o.pos % (len + 1);
  const pagesBefore = heap.stats().pagesAllocated;
  let b: number;
  let allocs: number;
  let taken: number;
  if (o.kind === "insert") {
    // Every third insert is Greek (above 0xff): it widens narrow leaves or splits them wide.
    const latin1 = c % 3 !== 0;
    const s = String.fromCharCode(latin1 ? 97 + (c % 26) : 0x3b1 + (c % 20)).repeat(o.n);
    planInsert(t, pos, o.n, latin1, scratchPath);
    b = bound(t);
    allocs = plan.allocs;
    taken = framesTaken(pool, () => t.insert(pos, s));
  } else {
    const count = Math.min(o.n, len - pos);
    if (count === 0) return;
    planDelete(t, pos, count, scratchPath);
    b = bound(t);
    allocs = plan.allocs;
    taken = framesTaken(pool, () => t.delete(pos, count));
  }
  expect(taken).toBeLessThanOrEqual(b);
  expect(heap.stats().pagesAllocated - pagesBefore).toBeLessThanOrEqual(allocs);
}

describe("edit planner", () => {
  it("sees the frames an edit takes (the counter works)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const t = CowText.from("x".repeat(1000), { pool });
    const u = t.fork();
    expect(framesTaken(pool, () => u.insert(500, "y"))).toBeGreaterThanOrEqual(2); // leaf and root copied
    t.release();
    u.release();
  });

  it("plans no page for a split whose last piece surely joins the next leaf, and takes none", () => {
    const pool = new FramePool({ pageSize: 256 });
    const t = CowText.from("a".repeat(400), { pool }); // narrow leaves of 252 and 148 units under a root
    const pages = Heap.attach(t.space, 256).stats().pagesAllocated;
    // Latin-1 at 230 of the full leaf: pieces of 231 and 22 units; the 22 join the 148 (all narrow).
    planInsert(t, 230, 1, true, scratchPath);
    expect(plan.allocs).toBe(0);
    const u = t.fork();
    u.insert(230, "b");
    expect(Heap.attach(u.space, 256).stats().pagesAllocated).toBe(pages);
    expect([...u.chunks()]).toEqual([`${"a".repeat(230)}b`, "a".repeat(170)]);
    // A wide unit at 200: pieces of 126, 75 and 52 units; 52 + 148 fit only a narrow leaf, and the
    // plan does not read the units, so it counts the last piece's page (the apply finds them all
    // Latin-1 and joins them after all: the plan is an upper bound).
    planInsert(t, 200, 1, false, scratchPath);
    expect(plan.allocs).toBe(4); // two leaves, and the bound for a new inner node and a new root
    const latin1 = plan.allocs;
    planInsert(t, 230, 1, true, scratchPath);
    expect(plan.allocs).toBeLessThan(latin1);
    t.insert(200, "\u03b1");
    expect(Heap.attach(t.space, 256).stats().pagesAllocated).toBe(pages + 1);
    expect(t.toString()).toBe(`${"a".repeat(200)}\u03b1${"a".repeat(200)}`);
    t.release();
    u.release();
    expect(pool.framesInUse).toBe(0);
  });

  for (const pageSize of [256, 1024]) {
    it(`bounds every frame and heap page an edit takes (pageSize ${pageSize})`, () => {
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
          const pool = new FramePool({ pageSize });
          const texts = [new CowText({ pool })];
          let c = 0;
          for (const o of ops) {
            const t = texts[o.v % texts.length] as CowText;
            if (o.kind === "fork") {
              texts.push(t.fork());
              continue;
            }
            checkedEdit(pool, t, Heap.attach(t.space, pageSize), o, c++);
          }
          for (const t of texts) t.release();
          expect(pool.framesInUse).toBe(0);
        }),
        { numRuns: runs(40) },
      );
    });
  }

  it("bounds them for texts embedded in one heap among other blocks, across space forks", () => {
    const eop = fc.oneof(op, fc.record({ kind: fc.constant("noise"), n: fc.integer({ min: 1, max: 700 }) }));
    fc.assert(
      fc.property(fc.array(eop, { minLength: 1, maxLength: 120 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        const first = new AddressSpace({ size: 2 ** 32, pool });
        const spaces = [first];
        let heap = Heap.create(first, { base: 256 });
        const addrs = [0, 1, 2].map(() => CowText.create(heap).address);
        let texts = addrs.map((a) => CowText.attach(heap, a));
        let c = 0;
        for (const o of ops) {
          if (o.kind === "noise") {
            heap.malloc(o.n); // other structures' blocks between the text's pages
            continue;
          }
          if (o.kind === "fork") {
            const child = (spaces[spaces.length - 1] as AddressSpace).fork();
            spaces.push(child);
            heap = Heap.attach(child, 256);
            texts = addrs.map((a) => CowText.attach(heap, a));
            continue;
          }
          const t = texts[(o as { v: number }).v % texts.length] as CowText;
          checkedEdit(pool, t, heap, o as { kind: string; pos: number; n: number }, c++);
        }
        heap.check();
        for (const s of spaces) s.release();
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: runs(40) },
    );
  });
});
