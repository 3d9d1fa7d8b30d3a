/**
 * Releasing a space never allocates, so an engine short of memory cannot cut
 * a release short. The case this guards: `FramePool.releaseFrame` doubled
 * its free list when a freed frame found it full, and a refused
 * `new Int32Array` threw OutOfMemoryError out of the page-table walk of
 * `release()`: the space read as released, its slot was freed, and every
 * frame the walk had not reached yet stayed counted forever (a leak the
 * frame-leak checks of the model tests could not see, as they never refuse
 * an allocation). The pool now grows its free list when it hands out a
 * never-used frame (with the slab, before anything changes), so the list
 * always has room for every frame it may get back.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Byte 0 of each of the first `pages` pages of `s`. */
function firstBytes(s: AddressSpace, pages: number): number[] {
  return Array.from({ length: pages }, (_, p) => s.getUint8(p * PS));
}

describe("release() while the engine refuses every new Int32Array", () => {
  it("frees every frame of a space whose frames outnumber the pool's first free list (64 slots)", () => {
    const refuse = refusing("Int32Array");
    const pool = new FramePool({ pageSize: PS });
    // 200 private frames in ~30 page-table nodes: only the frame free list must hold more than 64.
    const a = new AddressSpace({ size: 256 * PS, pool });
    for (let p = 0; p < 200; p++) a.setUint8(p * PS, (p % 255) + 1);
    expect(pool.framesInUse).toBe(200);
    refuse.on = true;
    a.release();
    refuse.on = false;
    expect(refuse.refused).toBe(0); // release asked for nothing
    expect(a.isReleased).toBe(true);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
    // Every frame is reusable: a new space takes the 200 again without a new slab.
    const reserved = pool.stats().bytesReserved;
    const b = new AddressSpace({ size: 256 * PS, pool });
    for (let p = 0; p < 200; p++) b.setUint8(p * PS, 7);
    expect(pool.framesInUse).toBe(200);
    expect(pool.stats().bytesReserved).toBe(reserved);
    b.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("frees the frames of a version whose forks share some of them, and the forks keep their bytes", () => {
    const refuse = refusing("Int32Array");
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: 512 * PS, pool });
    for (let p = 0; p < 300; p++) a.setUint8(p * PS, 1);
    const b = a.fork();
    for (let p = 0; p < 300; p += 2) b.setUint8(p * PS, 2); // b: 150 private copies, 150 shared
    refuse.on = true;
    a.release(); // frees the 150 frames b copied (more than 64 at once)
    refuse.on = false;
    expect(pool.framesInUse).toBe(300);
    const c = b.fork();
    for (let p = 1; p < 300; p += 2) c.setUint8(p * PS, 3); // b alone holds the 150 odd originals now
    expect(pool.framesInUse).toBe(450);
    refuse.on = true;
    b.release(); // the 150 frames only b held go back (more than 64 at once)
    refuse.on = false;
    expect(refuse.refused).toBe(0);
    expect(pool.framesInUse).toBe(300);
    expect(firstBytes(c, 6)).toEqual([2, 3, 2, 3, 2, 3]);
    c.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("a write fault that needs a larger free list while the engine refuses it", () => {
  it("throws OutOfMemoryError and changes nothing, then succeeds when the engine gives the memory", () => {
    const refuse = refusing("Int32Array");
    // One slab large enough for every frame below: the free list is the only Int32Array a fresh frame may need.
    const pool = new FramePool({ pageSize: PS, firstSlabBytes: 1024 * PS, slabBytes: 1024 * PS });
    const a = new AddressSpace({ size: 512 * PS, pool });
    a.setUint8(0, 5); // takes the space's TLBs (Int32Arrays) before any refusal
    let written = 1;
    let refusedAt = -1;
    let before = pool.stats();
    // Write fresh pages until one is refused: that fault had to grow the free list (after ~64 frames).
    for (let p = 1; p < 300 && refusedAt < 0; p++) {
      before = pool.stats();
      refuse.on = true;
      try {
        a.setUint8(p * PS, 5);
        written++;
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        refusedAt = p;
      }
      refuse.on = false;
    }
    expect(refusedAt).toBeGreaterThan(0); // the pool grows its free list on a fresh frame now
    expect(refuse.refused).toBe(1);
    expect(pool.stats()).toEqual(before); // no frame, no node, no slab, no larger list
    expect(pool.framesInUse).toBe(written);
    expect(a.getUint8(refusedAt * PS)).toBe(0); // the refused write left the page as it was
    expect(firstBytes(a, refusedAt)).toEqual(new Array(refusedAt).fill(5));
    a.setUint8(refusedAt * PS, 6);
    expect(pool.framesInUse).toBe(written + 1);
    expect(a.getUint8(refusedAt * PS)).toBe(6);
    a.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("release() of a fork sharing frames past 254 references while the engine refuses every new Int32Array", () => {
  it("drops the overflow counts without growing their table, and frees nothing still shared", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: 64 * PS, pool });
    // Leaves of 8 pages: leaf 0 and leaf 1 full, leaf 2 holding pages 16 and 17.
    for (let p = 0; p < 18; p++) a.setUint8(p * PS, p + 1);
    // Each fork copies the three leaves (writing pages 0, 8 and 18), so each adds a reference to
    // the 16 other frames. The 254th fork takes their counts past 254, all 16 at once, into the
    // overflow table: 32 slots, exactly half full, where an add of a 17th key (or, before the fix,
    // any add, a decrement too) doubles it.
    const forks: AddressSpace[] = [];
    for (let i = 0; i < 254; i++) {
      const f = a.fork();
      f.setUint8(0, 100);
      f.setUint8(8 * PS, 100);
      f.setUint8(18 * PS, 100);
      forks.push(f);
    }
    expect(pool.stats().overflowRefcounts).toBe(16);
    const inUse = pool.framesInUse;
    const refuse = refusing("Int32Array");
    refuse.on = true;
    (forks.pop() as AddressSpace).release();
    refuse.on = false;
    expect(refuse.refused).toBe(0);
    expect(pool.framesInUse).toBe(inUse - 3); // its three private frames; the 16 shared stay
    for (const f of forks)
      expect(firstBytes(f, 19)).toEqual([100, 2, 3, 4, 5, 6, 7, 8, 100, 10, 11, 12, 13, 14, 15, 16, 17, 18, 100]);
    for (const f of forks) f.release();
    expect(pool.stats().overflowRefcounts).toBe(0);
    expect(firstBytes(a, 18)).toEqual(Array.from({ length: 18 }, (_, p) => p + 1));
    a.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("release() of a space of more page-table nodes than the arena's first free list (64) while the engine refuses every new Int32Array", () => {
  // Regression: PageTable.freeNode doubled a node free list beside the arena when a freed
  // node found it full, with an unguarded `new Int32Array`: a refusal threw RangeError out of
  // the middle of release()'s walk, the space read as released, and the nodes and frames not
  // reached yet leaked. The free stack is now linked through the freed nodes themselves.
  it("frees every node and frame", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: 2048 * PS, pool });
    for (let p = 0; p < 1100; p++) a.setUint8(p * PS, 1); // ~160 nodes (138 leaves)
    const refuse = refusing("Int32Array");
    refuse.on = true;
    try {
      a.release();
    } finally {
      refuse.on = false;
    }
    expect(refuse.refused).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("a write fault whose path copy takes frames past 254 references while the engine refuses the overflow table", () => {
  // Regression: retainFrame moved a count past 254 into the overflow table, which could double
  // (new Int32Array) in the middle of privatize's retains: a refusal threw RangeError with the
  // leaf copy taken (orphaned) and the frames before the refused one retained (leaked). Now the
  // fault makes room for a leaf's eight frames (RefOverflow.reserve) before the path copy.
  it("throws OutOfMemoryError, changes nothing, and succeeds once allowed", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: 64 * PS, pool });
    for (let p = 0; p < 64; p++) a.setUint8(p * PS, p + 1); // eight full leaves
    const forks: AddressSpace[] = [];
    // 253 forks copy every leaf (writing its first page): the 56 other frames reach 254.
    for (let i = 0; i < 253; i++) {
      const f = a.fork();
      for (let leaf = 0; leaf < 8; leaf++) f.setUint8(leaf * 8 * PS, 200);
      forks.push(f);
    }
    expect(pool.stats().overflowRefcounts).toBe(0);
    const g = a.fork();
    forks.push(g);
    g.setUint8(0, 100); // leaf 0 (and g's write TLB, which a refusal would refuse first)
    const refuse = refusing("Int32Array");
    // Each leaf copy moves 7 counts past 254: the table must grow at some fault.
    let refusedAt = -1;
    for (let leaf = 1; leaf < 8 && refusedAt < 0; leaf++) {
      const before = pool.stats();
      const bytes = firstBytes(g, 64);
      refuse.on = true;
      try {
        g.setUint8(leaf * 8 * PS, 100);
      } catch (e) {
        refuse.on = false;
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect(pool.stats()).toEqual(before);
        expect(firstBytes(g, 64)).toEqual(bytes);
        refusedAt = leaf;
      } finally {
        refuse.on = false;
      }
    }
    expect(refusedAt).toBeGreaterThan(0);
    for (let leaf = refusedAt; leaf < 8; leaf++) g.setUint8(leaf * 8 * PS, 100);
    expect(pool.stats().overflowRefcounts).toBe(56);
    expect(firstBytes(g, 64)).toEqual(Array.from({ length: 64 }, (_, p) => (p % 8 === 0 ? 100 : p + 1)));
    expect(firstBytes(a, 64)).toEqual(Array.from({ length: 64 }, (_, p) => p + 1));
    for (const f of forks) f.release();
    expect(pool.stats().overflowRefcounts).toBe(0);
    a.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});

describe("a space's first TLB while the engine refuses it", () => {
  // Regression: takeTlb let the engine's RangeError out of a TLB miss (it changed nothing, but
  // the error was not the library's typed OutOfMemoryError).
  it("throws OutOfMemoryError, changes nothing, and works once allowed", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: 64 * PS, pool });
    a.setUint8(0, 1);
    const b = a.fork(); // takes a's TLBs along: a's next access needs a TLB of its own
    const before = pool.stats();
    const refuse = refusing("Int32Array");
    refuse.on = true;
    try {
      expect(() => a.setUint8(PS, 2)).toThrow(OutOfMemoryError);
    } finally {
      refuse.on = false;
    }
    expect(refuse.refused).toBeGreaterThan(0);
    expect(pool.stats()).toEqual(before);
    a.setUint8(PS, 2);
    expect([a.getUint8(0), a.getUint8(PS), b.getUint8(PS)]).toEqual([1, 2, 0]);
    b.release();
    a.release();
    expect(pool.framesInUse).toBe(0);
  });
});
