/**
 * Reuse faults and the page table's one-entry leaf cache (`PageTable.reusablePfn`):
 * a run of reuse faults through one leaf node walks the tree once, and the
 * cached leaf must be retired by anything that makes a node or frame on its
 * path shared or frees it (a fork, a release, a discard, a write of another
 * space), so that a later write copies instead of writing a shared frame in
 * place. Each case writes through the cache's path after such a change and
 * checks that the other space still reads its own bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { AddressSpace, FramePool, PT_FANOUT } from "../src/index.js";

const PS = 256;
/** Pages in two leaf nodes and a bit: runs of reuse faults cross a leaf boundary. */
const PAGES = PT_FANOUT * 2 + 3;

/** A space of PAGES pages, page p holding p + 1 in its first byte, every frame private (refcount 1). */
function privateSpace(pool: FramePool): AddressSpace {
  const s = new AddressSpace({ size: PAGES * PS, pool });
  for (let p = 0; p < PAGES; p++) s.setUint8(p * PS, p + 1);
  s.fork().release(); // flushes the write TLB: the next writes are reuse faults
  return s;
}

describe("reuse faults and the cached leaf", () => {
  it("a fork after a run of reuse faults makes the next write in the same leaf copy", () => {
    const pool = new FramePool({ pageSize: PS });
    const s = privateSpace(pool);
    s.setUint8(0, 100); // reuse fault: walks, caches the leaf of pages 0 .. PT_FANOUT - 1
    s.setUint8(PS, 101); // reuse fault through the cached leaf
    const reuses = s.stats().reuseFaults;
    const c = s.fork(); // the leaf and its frames are shared now
    s.setUint8(2 * PS, 102); // same leaf: must be a copy, not a reuse
    expect(s.stats().reuseFaults).toBe(reuses);
    expect([c.getUint8(0), c.getUint8(PS), c.getUint8(2 * PS)]).toEqual([100, 101, 3]);
    expect([s.getUint8(0), s.getUint8(PS), s.getUint8(2 * PS)]).toEqual([100, 101, 102]);
    c.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("counts one reuse fault per page of a run, through the cache or not", () => {
    const pool = new FramePool({ pageSize: PS });
    const s = privateSpace(pool);
    const before = s.stats();
    for (let p = 0; p < PAGES; p++) s.setUint8(p * PS + 1, 7);
    const after = s.stats();
    expect(after.reuseFaults - before.reuseFaults).toBe(PAGES);
    expect(after.copyFaults - before.copyFaults).toBe(0);
    expect(pool.stats().framesInUse).toBe(PAGES);
    s.release();
  });

  it("a released space's nodes reused by another space: its writes after a fork still copy", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = privateSpace(pool);
    a.setUint8(0, 50); // caches a leaf of a's tree
    a.release(); // its nodes and frames go back to the pool
    const b = privateSpace(pool); // likely takes the same node indices (LIFO)
    b.setUint8(0, 60);
    const c = b.fork();
    b.setUint8(PS, 61);
    expect([c.getUint8(0), c.getUint8(PS)]).toEqual([60, 2]);
    expect([b.getUint8(0), b.getUint8(PS)]).toEqual([60, 61]);
    b.release();
    c.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  // Async only to give the event loop a turn per run (test/support/turn.ts): 18 s at load ~13
  // on 2 cores; a synchronous test of 60 s ends vitest's run with an RPC timeout.
  it("model test: writes, forks, releases and discards in any order give every space its own bytes, no leak", async () => {
    type Op = {
      kind: "write" | "fork" | "release" | "discard" | "forkRelease";
      space: number;
      page: number;
      value: number;
    };
    const op = fc.record({
      kind: fc.constantFrom<Op["kind"]>("write", "write", "write", "fork", "release", "discard", "forkRelease"),
      space: fc.nat(),
      page: fc.nat({ max: PAGES - 1 }),
      value: fc.integer({ min: 1, max: 255 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 50 }), async (ops) => {
        await eventLoopTurns();
        const pool = new FramePool({ pageSize: PS });
        const first = privateSpace(pool);
        const m0 = new Uint8Array(PAGES * PS);
        for (let p = 0; p < PAGES; p++) m0[p * PS] = p + 1;
        const live: [AddressSpace, Uint8Array][] = [[first, m0]];
        for (const o of ops) {
          if (live.length === 0) break;
          const i = o.space % live.length;
          const [s, m] = live[i] as [AddressSpace, Uint8Array];
          const at = o.page * PS + (o.value % PS);
          if (o.kind === "write") {
            s.setUint8(at, o.value);
            m[at] = o.value;
          } else if (o.kind === "fork") live.push([s.fork(), m.slice()]);
          else if (o.kind === "forkRelease") s.fork().release();
          else if (o.kind === "discard") {
            s.discard(o.page * PS, PS);
            m.fill(0, o.page * PS, (o.page + 1) * PS);
          } else {
            s.release();
            live.splice(i, 1);
          }
          for (const [ls, lm] of live) {
            const got = new Uint8Array(PAGES * PS);
            ls.read(0, got);
            expect(got).toEqual(lm);
          }
        }
        for (const [s] of live) s.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
      }),
      { numRuns: 60 },
    );
  });
});
