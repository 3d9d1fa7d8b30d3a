/**
 * How a FramePool adds capacity. First: a pool that adds a slab allocates
 * everything that can fail before it changes anything. The case this guards: the engine gives the slab but
 * refuses the larger refcount array (`new Uint8Array` throws RangeError).
 * Before the fix the pool had already pushed the slab and raised its
 * capacity, so it handed out frames past the end of its refcount bytes; the
 * typed array dropped their refcount writes, a frame shared by two versions
 * read as private, and a write to it changed the other version too.
 * Second: a pool whose first slab already reaches 64 MiB reserves its
 * page-table arena at construction, as one that grows there does. Third: an
 * attached version's pool takes its refcount bytes before it marks itself
 * forked; marked first, a refused first fork left later forks writing in
 * place into frames the owner still mapped.
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

describe("a pool whose refcount bytes the engine refuses to grow", () => {
  it("refuses the fault with OutOfMemoryError, changes nothing, and keeps counting references afterwards", () => {
    const refuse = refusing("Uint8Array");
    // Slabs of 4 frames: pfn 0 is the zero frame, so three pages fill the first slab and its
    // 4 refcount bytes; the second slab needs 8.
    const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 4 * PS });
    const a = new AddressSpace({ size: 64 * PS, pool });
    for (let p = 0; p < 3; p++) a.setUint8(p * PS, p + 1);
    const b = a.fork();
    const before = pool.stats();
    refuse.on = true;
    expect(() => a.setUint8(3 * PS, 9)).toThrow(OutOfMemoryError); // a zero-fill fault
    expect(() => a.setUint8(0, 9)).toThrow(OutOfMemoryError); // a COW fault (b shares the page)
    refuse.on = false;
    expect(refuse.refused).toBe(2); // the refcount array, not something else, was refused
    expect(pool.stats()).toEqual(before); // no slab, no capacity, no frame
    expect(pool.framesInUse).toBe(3);
    for (const s of [a, b]) expect(firstBytes(s, 4)).toEqual([1, 2, 3, 0]);

    // The engine gives the memory now: frames of the new slab are counted like any other.
    a.setUint8(3 * PS, 4); // pfn 4, in the new slab
    const c = a.fork(); // c shares pfn 4 with a
    a.setUint8(3 * PS, 5); // must copy, not write in place
    a.setUint8(0, 9);
    expect(firstBytes(a, 4)).toEqual([9, 2, 3, 5]);
    expect(firstBytes(b, 4)).toEqual([1, 2, 3, 0]);
    expect(firstBytes(c, 4)).toEqual([1, 2, 3, 4]);
    expect(pool.framesInUse).toBe(6); // 1, 2, 3 shared; page 3 twice (c's 4, a's 5); a's page 0
    a.release();
    b.release();
    expect(firstBytes(c, 4)).toEqual([1, 2, 3, 4]);
    c.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});

/** Nodes the arena reserves at once (page-table.ts RESERVED_NODES). */
const RESERVED_NODES = 2 ** 20;
/** Slab bytes at which a pool reserves its page table (frame-pool.ts RESERVE_POOL_BYTES). */
const RESERVE_POOL_BYTES = 64 * 1024 * 1024;

describe("a pool whose first slab is already large", () => {
  it("reserves the page-table arena at construction when its first slab reaches 64 MiB, and versions read back", () => {
    const pool = new FramePool({ pageSize: PS, slabBytes: RESERVE_POOL_BYTES, firstSlabBytes: RESERVE_POOL_BYTES });
    expect(pool.pt.ref.length).toBe(RESERVED_NODES);
    // Versions made on the reserved arena: each reads back its own writes.
    const vs = [new AddressSpace({ size: 4096 * PS, pool })];
    for (let k = 1; k <= 300; k++) {
      const next = (vs[k - 1] as AddressSpace).fork();
      next.setUint32(((k * 7919) % 4096) * PS, k);
      vs.push(next);
    }
    for (let k = 1; k <= 300; k++) {
      expect((vs[k] as AddressSpace).getUint32(((k * 7919) % 4096) * PS)).toBe(k);
      expect((vs[k - 1] as AddressSpace).getUint32(((k * 7919) % 4096) * PS)).toBe(0);
    }
    expect(pool.pt.ref.length).toBe(RESERVED_NODES); // used in place: no doubling
    for (const s of vs) s.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("a smaller first slab, or a shared pool's, does not reserve", () => {
    const half = new FramePool({ pageSize: PS, slabBytes: RESERVE_POOL_BYTES, firstSlabBytes: RESERVE_POOL_BYTES / 2 });
    expect(half.pt.ref.length).toBeLessThan(RESERVED_NODES);
    const shared = new FramePool({
      pageSize: PS,
      slabBytes: RESERVE_POOL_BYTES,
      firstSlabBytes: RESERVE_POOL_BYTES,
      shared: true,
    });
    expect(shared.pt.ref.length).toBeLessThan(RESERVED_NODES);
  });
});

describe("an attached version whose first fork the engine refuses", () => {
  it("refuses the fork with OutOfMemoryError and forks later with every adopted frame counted", () => {
    const pool = new FramePool({ pageSize: PS, shared: true });
    const owner = new AddressSpace({ size: 16 * PS, pool });
    for (let p = 0; p < 4; p++) owner.setUint8(p * PS, p + 1);
    const seen = AddressSpace.attach(owner.share()); // a worker's view, here in the same thread
    const refuse = refusing("Uint8Array");
    const before = seen.pool.stats();
    refuse.on = true;
    // The view pool's first fork gives it private refcount bytes: the engine refuses them.
    expect(() => seen.fork()).toThrow(OutOfMemoryError);
    refuse.on = false;
    expect(refuse.refused).toBe(1);
    // Nothing changed, the commit charge included (fork() charges it before the refusal).
    expect(seen.pool.stats()).toEqual(before);
    const child = seen.fork();
    child.setUint8(0, 9); // an adopted frame: must be copied, never written in place
    child.setUint8(5 * PS, 7);
    expect(firstBytes(child, 6)).toEqual([9, 2, 3, 4, 0, 7]);
    expect(firstBytes(seen, 6)).toEqual([1, 2, 3, 4, 0, 0]);
    expect(firstBytes(owner, 6)).toEqual([1, 2, 3, 4, 0, 0]);
    child.release();
    seen.release();
    owner.release();
    expect(pool.framesInUse).toBe(0);
  });
});
