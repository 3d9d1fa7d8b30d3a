/**
 * A write fault whose new frame needs a new slab that the engine refuses
 * (`new ArrayBuffer` / `new SharedArrayBuffer` throws RangeError, as under
 * memory pressure with slabs of up to 256 MiB) throws OutOfMemoryError and
 * changes nothing: no page-table node, frame or counter moves, and the pool's
 * record of the space's root (what finalization releases when the space is
 * dropped) stays the space's root. Before the fix the fault path-copied the
 * space's page-table path first and threw after: the space kept a new root
 * the pool had not recorded, and when the space was dropped without
 * `release()` the collector released the OLD root, which its fork still
 * used: the fork's frames went back to the free list while it mapped them,
 * and the next writes elsewhere overwrote its data.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";
import { FAULT_NODES_MAX } from "../src/page-table-geometry.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a slab the engine refuses", () => {
  for (const shared of [false, true]) {
    it(`refuses the fault with OutOfMemoryError and changes nothing (shared: ${shared})`, () => {
      const refuse = refusing(shared ? "SharedArrayBuffer" : "ArrayBuffer");
      // Slabs of 4 frames: pfn 0 is the zero frame, so three pages fill the first slab.
      const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 4 * PS, shared });
      const a = new AddressSpace({ size: 64 * PS, pool });
      for (let p = 0; p < 3; p++) a.setUint8(p * PS, p + 1);
      const b = a.fork();
      const roots = (pool.spaces as unknown as { roots: Float64Array }).roots;
      const before = pool.stats();
      const root = a.root;
      refuse.on = true;
      expect(() => a.setUint8(40 * PS, 9)).toThrow(OutOfMemoryError); // a zero-fill fault
      expect(() => a.setUint8(0, 9)).toThrow(OutOfMemoryError); // a COW fault (b shares the page)
      refuse.on = false;
      expect(pool.stats()).toEqual(before);
      expect(a.root).toBe(root);
      expect(roots[a.slot]).toBe(a.root);
      for (const s of [a, b]) expect([0, 1, 2].map((p) => s.getUint8(p * PS))).toEqual([1, 2, 3]);
      expect(s40(a)).toBe(0);
      // The engine gives the slab now: the same writes succeed.
      a.setUint8(40 * PS, 9);
      a.setUint8(0, 9);
      expect([a.getUint8(0), s40(a), b.getUint8(0)]).toEqual([9, 9, 1]);
      a.release();
      b.release();
      expect(pool.framesInUse).toBe(0);
      expect(pool.stats().pageTableNodes).toBe(0);
    });
  }

  it("a space dropped after a refused fault is reclaimed without freeing what its fork maps", async () => {
    const refuse = refusing("ArrayBuffer");
    const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 4 * PS });
    const b = (() => {
      const a = new AddressSpace({ size: 64 * PS, pool });
      for (let p = 0; p < 3; p++) a.setUint8(p * PS, p + 1);
      const fork = a.fork();
      refuse.on = true;
      expect(() => a.setUint8(0, 9)).toThrow(OutOfMemoryError);
      refuse.on = false;
      return fork; // `a` is dropped without release()
    })();
    expect(await collectUntil(() => pool.stats().spacesReclaimed === 1)).toBe(true);
    // b still maps its three frames; writes to another space must not land in them.
    expect(pool.framesInUse).toBe(3);
    const c = new AddressSpace({ size: 64 * PS, pool });
    for (let p = 0; p < 8; p++) c.setUint8(p * PS, 0xee);
    // Pages 3..7 are not in b's read TLB (inherited from a at the fork): b walks its page table for them.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((p) => b.getUint8(p * PS))).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    b.release();
    c.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});

/**
 * A pool holding `base` (mapped on 4,096 pages, plus one at vpn 2^31 when `deep`: 11 levels), its
 * fork `a`, and a third space that took nodes until fewer than FAULT_NODES_MAX are free. Nodes are
 * never freed here (nothing is released): free = capacity - high-water mark. A write fault (and a
 * discard of an 11-level space) first makes sure of FAULT_NODES_MAX free nodes, so a's next one
 * must grow the arena before it copies anything.
 */
function arenaNearlyFull(deep: boolean) {
  const pool = new FramePool({ pageSize: PS });
  const base = new AddressSpace({ size: (deep ? 2 ** 32 : 4096) * PS, pool });
  for (let p = 0; p < 4096; p += 64) base.setUint8(p * PS, 1);
  if (deep) base.setUint8(2 ** 31 * PS, 1);
  const a = base.fork(); // shares base's whole tree: its next write or discard copies a path
  const z = new AddressSpace({ size: 65536 * PS, pool });
  for (let p = 0; pool.pt.ref.length - pool.pt.highWater >= FAULT_NODES_MAX; p += 8) z.setUint8(p * PS, 1);
  return { pool, base, a, versions: [base, a, z] };
}

/** Runs `op` while the engine refuses the arena's doubling (an Int32Array of 512 nodes x 8 entries or more); returns what it threw. */
function withArenaRefused(op: () => void): unknown {
  const RealInt32Array = Int32Array;
  vi.stubGlobal(
    "Int32Array",
    new Proxy(RealInt32Array, {
      construct(target, args, newTarget) {
        if (typeof args[0] === "number" && args[0] >= 512 * 8) throw new RangeError("Array buffer allocation failed");
        return Reflect.construct(target, args, newTarget);
      },
    }),
  );
  try {
    op();
  } catch (e) {
    return e;
  } finally {
    vi.unstubAllGlobals();
  }
  return undefined;
}

describe("a page-table arena the engine refuses", () => {
  it("refuses a write fault with OutOfMemoryError before its path copy, root and registry unchanged", () => {
    const { pool, base, a, versions } = arenaNearlyFull(false);
    const roots = (pool.spaces as unknown as { roots: Float64Array }).roots;
    const nodes = pool.stats().pageTableNodes;
    const root = a.root;
    const caught = withArenaRefused(() => a.setUint8(1, 2));
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    expect(pool.stats().pageTableNodes).toBe(nodes);
    expect(a.root).toBe(root);
    expect(roots[a.slot]).toBe(a.root); // what finalization would release
    a.setUint8(1, 2); // works once the arena can grow
    expect(a.getUint8(1)).toBe(2);
    expect(base.getUint8(1)).toBe(0);
    for (const v of versions) v.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("refuses a discard with OutOfMemoryError before changing anything", () => {
    // It used to copy a's root, then throw with a.root naming the old one: 64 frames leaked.
    const { pool, base, a, versions } = arenaNearlyFull(true);
    const roots = (pool.spaces as unknown as { roots: Float64Array }).roots;
    const nodes = pool.stats().pageTableNodes;
    const caught = withArenaRefused(() => a.discard(0, PS));
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    expect(pool.stats().pageTableNodes).toBe(nodes);
    expect(roots[a.slot]).toBe(a.root);
    expect(a.getUint8(0)).toBe(1);
    a.discard(0, PS); // works once the arena can grow
    expect(a.getUint8(0)).toBe(0);
    expect(base.getUint8(0)).toBe(1);
    for (const v of versions) v.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});

function s40(s: AddressSpace): number {
  return s.getUint8(40 * PS);
}
