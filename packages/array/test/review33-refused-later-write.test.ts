/**
 * Review 33: a change over several pages whose engine allocation (a slab, a
 * page-table node arena, an overflow table) comes at a later write, after
 * earlier writes changed private pages:
 * - exactly one page needs a frame (the others private already): reserved
 *   with `space.reserveFrames(1)`, which readied nothing ("one fault alone
 *   changes nothing when refused"), but that fault need not come first. A
 *   `fill(0)` of a fork wrote its private first page, then the engine
 *   refused the slab of the shared last page (OutOfMemoryError, the first
 *   page zeroed); a `splice` of a fork shifted its private tail down, then
 *   the engine refused the slab of the items' shared page. The core's
 *   `space.reserveFrames(n)` now readies the allocations of a single fault too;
 * - no page needs a frame: a `fill(0)` over whole pages zeroed its partial
 *   pages at both ends, then the discard of the whole pages between grew
 *   the overflow refcount table, which the engine refused (OutOfMemoryError,
 *   elements zeroed). The fill now puts the partial pages back when the
 *   discard is refused, and readies the discard's allocations with its
 *   partial page's frame when it has one to take (a `resize` of a vector
 *   over a popped element zero-filled its partial page, then the discard
 *   was refused: a frame more in use, the call thrown);
 * - an embedded array's copy (`with`, `slice`, `map`...): the heap calls made
 *   its new block, faulting its pages, then the copy into it was refused a
 *   slab (the block freed, a frame more in use, the call thrown). The
 *   reservation before the heap calls readied nothing when the pool had the
 *   frames (`requirePoolFrames`); it now calls `space.reserveFrames`.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingFrom } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256; // 32 Float64 elements per page

/**
 * For every slab size and pre-used frames, builds a version with `make`,
 * makes the page(s) `prepare` writes private, and runs `call` with the
 * engine refusing from each of its first allocations on: a call that threw
 * must have changed neither the elements nor the pool's frames and nodes.
 */
function refusedChangesNothing(
  make: (pool: FramePool) => { target: CowFloat64Array | CowVector; release(): void },
  prepare: (t: CowFloat64Array | CowVector) => void,
  call: (t: CowFloat64Array | CowVector) => unknown,
): string[] {
  const bad: string[] = [];
  for (const [firstSlab, slab] of [
    [1, 1],
    [1, 8],
    [2, 8],
    [4, 8],
    [8, 8],
  ] as const)
    for (const pre of [0, 1, 2, 3, 4, 5, 6, 7])
      for (const at of [0, 1, 2]) {
        const pool = new FramePool({ pageSize: PS, firstSlabBytes: firstSlab * PS, slabBytes: slab * PS });
        const pad = new AddressSpace({ size: 16 * PS, pool });
        pad.fill(1, 0, pre * PS);
        const made = make(pool);
        const t = made.target;
        prepare(t);
        const before = { items: [...t], frames: pool.framesInUse, nodes: pool.stats().pageTableNodes };
        const refuse = refusingFrom();
        refuse.arm(at);
        let thrown: unknown = null;
        try {
          call(t);
        } catch (e) {
          thrown = e;
        } finally {
          refuse.disarm();
          vi.unstubAllGlobals();
        }
        if (thrown !== null) {
          if (!(thrown instanceof OutOfMemoryError)) bad.push(`slab ${firstSlab} pre ${pre} at ${at}: ${thrown}`);
          const after = { items: [...t], frames: pool.framesInUse, nodes: pool.stats().pageTableNodes };
          if (JSON.stringify(after) !== JSON.stringify(before))
            bad.push(`slab ${firstSlab} pre ${pre} at ${at}: ${JSON.stringify(after).slice(0, 160)}`);
        }
        made.release();
        pad.release();
        if (pool.framesInUse !== 0) bad.push(`slab ${firstSlab} pre ${pre} at ${at}: ${pool.framesInUse} leaked`);
      }
  return bad;
}

const init = Array.from({ length: 96 }, (_, i) => i + 1); // three pages

describe("a change refused by the engine at a later write, after earlier writes to private pages, changes nothing", () => {
  it("fill(0) of a fork: the private first page written, the shared last page's slab refused", () => {
    const bad = refusedChangesNothing(
      (pool) => {
        const a = new CowFloat64Array(init, { pool });
        const f = a.fork();
        return {
          target: f,
          release: () => {
            f.release();
            a.release();
          },
        };
      },
      (t) => t.set(0, 100), // page 0 private in the fork, pages 1 and 2 shared
      (t) => t.fill(0, 1, 95), // partial page 0 (private), whole page 1 (discarded), partial page 2 (one fault)
    );
    expect(bad).toEqual([]);
  });

  it("splice of a fork: the private tail shifted down, the items' shared page's slab refused", () => {
    const bad = refusedChangesNothing(
      (pool) => {
        const v = CowVector.from(Float64Array, init, { pool, maxLength: 1024 });
        const f = v.fork();
        return {
          target: f,
          release: () => {
            f.release();
            v.release();
          },
        };
      },
      (t) => {
        t.set(40, 100); // page 1 private
        t.set(70, 100); // page 2 private; page 0 shared
      },
      (t) => (t as CowVector).splice(30, 4, 9, 9), // the items on page 0, the tail from 32 on pages 1 and 2
    );
    expect(bad).toEqual([]);
  });

  it("fill(0) over whole pages: the private partial pages zeroed, then the discard's overflow table refused", () => {
    const bad = refusedChangesNothing(
      (pool) => {
        // Element by element: each page's one fault, no write over several pages (which readies the overflow table).
        const a = new CowFloat64Array(init.length, { pool });
        for (const [i, x] of init.entries()) a.set(i, x);
        return { target: a, release: () => a.release() };
      },
      () => {},
      (t) => t.fill(0, 1, 95),
    );
    expect(bad).toEqual([]);
  });

  it("resize of a vector over a popped element: the partial page zero-filled, then the discard's overflow table refused", () => {
    const bad = refusedChangesNothing(
      (pool) => {
        const v = CowVector.from(Float64Array, [1], { pool, maxLength: 1024 });
        return { target: v, release: () => v.release() };
      },
      (t) => {
        (t as CowVector).pop(); // element 0 still on page 0: resize zeroes it
        (t as CowVector).reserve(64); // pages 0 and 1 mapped, page 1 never written
      },
      (t) => (t as CowVector).resize(33), // page 0 whole (discarded), page 1 partial (zero-filled)
    );
    expect(bad).toEqual([]);
  });

  it("with of an embedded vector: the new block's pages faulted by the heap calls, then its copy refused a slab", () => {
    const bad = refusedChangesNothing(
      (pool) => {
        const space = new AddressSpace({ size: 1024 * PS, pool });
        const v = CowVector.create(Heap.create(space, {}), Float64Array);
        v.resize(225);
        return { target: v, release: () => space.release() };
      },
      () => {},
      (t) => t.with(0, 1).free(),
    );
    expect(bad).toEqual([]);
  });
});
