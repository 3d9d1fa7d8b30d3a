/**
 * Review 29: `CowText.create(heap, text)` and an embedded text's `free()`
 * run the pool's out-of-memory hook (user code) between their plan and
 * their writes, as edits do (plan.ts reserveEdit, review28-hook-stale-plan).
 * Whatever the hook does to the heap, the call must then either do all of
 * its work or throw and change nothing (beyond what the hook itself did).
 *
 * Found: `create`'s replan after the hook dropped the page of the text's
 * header block, so a hook that took the heap's pages but a few let the
 * create go on one page short: it malloc'd the header block and some leaf
 * pages, then threw OutOfMemoryError, and block and pages stayed allocated
 * with no handle to free them (heap stats: 1 block, 2 more pages). And
 * `free()` planned again after the hook but checked the frames of its old
 * plan: a hook that grew the text (more pages to free), forked the space and
 * left the pool a few frames threw OutOfMemoryError halfway, the text not
 * released and reading "" (its pages partly freed).
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;

/** A pool of `frames` frames whose hook releases a ballast space and then runs `act` once. */
function world(frames: number) {
  const w = { act: null as null | (() => void), ran: false, ballast: null as AddressSpace | null };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: frames * PS,
    onOutOfMemory: () => {
      w.ran = true;
      w.ballast?.release();
      w.ballast = null;
      const f = w.act;
      w.act = null;
      f?.();
    },
  });
  /** Fills every free frame of the pool with a ballast space, so the next call that needs a frame runs the hook. */
  const fill = () => {
    const b = new AddressSpace({ size: 2 ** 24, pool });
    for (let p = 0; pool.framesAvailable() > 0; p++) b.setUint8(p * PS, 1);
    w.ballast = b;
  };
  return { pool, w, fill };
}

/** Pages the heap can still hand out. */
function room(heap: Heap): number {
  const st = heap.stats();
  return (st.dataEnd - st.dataStart) / PS - st.dataPages;
}

describe("create() and free() after a hook that used the heap", () => {
  it("create: the hook takes the heap's pages but r; the create is whole or refused whole", () => {
    const outcomes = new Set<string>();
    for (const size of [300, 1000, 2600]) {
      for (let r = 0; r <= 16; r++) {
        const { pool, w, fill } = world(4000);
        const space = new AddressSpace({ size: 2 ** 24, pool });
        const heap = Heap.create(space, { base: PS, limit: PS * 64 });
        let after: unknown = null;
        w.act = () => {
          while (room(heap) > r) heap.allocPage();
          after = heap.stats();
        };
        fill();
        const text = "c".repeat(size);
        let made: CowText | null = null;
        try {
          made = CowText.create(heap, text);
        } catch (e) {
          expect(e, `size ${size} r ${r}`).toBeInstanceOf(OutOfMemoryError);
        }
        expect(w.ran).toBe(true);
        if (made !== null) {
          outcomes.add("made");
          expect(made.toString()).toBe(text);
        } else {
          outcomes.add("refused");
          expect(heap.stats(), `size ${size} r ${r}`).toEqual(after);
        }
        space.release();
        expect(pool.framesInUse).toBe(0);
      }
    }
    expect([...outcomes].sort()).toEqual(["made", "refused"]);
  });

  it("free: the hook grows the text and leaves k frames; the free is whole or refused whole", () => {
    const outcomes = new Set<string>();
    for (let k = 0; k <= 60; k += 2) {
      const { pool, w, fill } = world(3000);
      const space = new AddressSpace({ size: 2 ** 24, pool });
      const heap = Heap.create(space, { base: PS });
      const t = CowText.create(heap, "x".repeat(3000));
      const child = space.fork(); // every page shared: each write of the free takes a frame
      let model = "x".repeat(3000);
      let after: unknown = null;
      let squeeze: AddressSpace | null = null;
      const forks: AddressSpace[] = [];
      w.act = () => {
        t.insert(0, "y".repeat(100_000));
        model = "y".repeat(100_000) + model;
        forks.push(space.fork()); // shares every page again, those the insert wrote too
        // User code takes every frame but k.
        squeeze = new AddressSpace({ size: 2 ** 24, pool });
        for (let p = 0; pool.framesAvailable() > k; p++) squeeze.setUint8(p * PS, 1);
        after = heap.stats();
      };
      fill();
      let freed = false;
      try {
        t.free();
        freed = true;
      } catch (e) {
        expect(e, `k ${k}`).toBeInstanceOf(OutOfMemoryError);
      }
      expect(w.ran).toBe(true);
      if (freed) {
        outcomes.add("freed");
        expect(t.released).toBe(true);
        expect(heap.stats().pagesAllocated, `k ${k}`).toBe(0);
      } else {
        outcomes.add("refused");
        expect(t.released).toBe(false);
        expect(t.toString(), `k ${k}`).toBe(model);
        expect(heap.stats(), `k ${k}`).toEqual(after);
      }
      (squeeze as AddressSpace | null)?.release();
      for (const f of forks) f.release();
      child.release();
      space.release();
      expect(pool.framesInUse).toBe(0);
    }
    expect([...outcomes].sort()).toEqual(["freed", "refused"]);
  });
});
