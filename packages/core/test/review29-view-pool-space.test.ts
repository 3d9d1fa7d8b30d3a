/**
 * A new space in the pool of an attached version: `new AddressSpace({ size,
 * pool: attached.pool })`, a scratch space next to the version a worker
 * reads (the pool is public, and `fork()` of the attached space lives there
 * too). Before the attached space's first fork, the view pool's page-table
 * arena is the owner's node buffer, read in place: the new space's first
 * write grew that arena into a smaller private copy and threw a raw
 * `RangeError: offset is out of bounds` (an engine error, not a typed one).
 * Now a new space in a view pool takes private nodes and refcounts first, as
 * a fork does, and behaves as any space; the pin is held until it is released
 * too. Once the version was released (every space of the view pool), the
 * pool makes no new space: ReleasedError, nothing changed.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, ReleasedError } from "../src/index.js";
import { firstDiff } from "./support/helpers.js";

const PAGE = 4096;

function ownerWith(pages: number): { pool: FramePool; owner: AddressSpace; model: Uint8Array } {
  const pool = new FramePool({ shared: true, pageSize: PAGE });
  const owner = new AddressSpace({ size: 64 * PAGE, pool });
  const model = new Uint8Array(64 * PAGE);
  for (let p = 0; p < pages; p++) {
    owner.setUint8(p * PAGE + 3, p + 1);
    model[p * PAGE + 3] = p + 1;
  }
  return { pool, owner, model };
}

describe("a new space in the pool of an attached version", () => {
  it("reads and writes as any space, before and after a fork of the attached space, and leaks nothing", () => {
    const { pool, owner, model } = ownerWith(20);
    const seen = AddressSpace.attach(owner.share());
    const scratch = new AddressSpace({ size: 16 * PAGE, pool: seen.pool });
    const sm = new Uint8Array(16 * PAGE);
    for (let p = 0; p < 16; p += 3) {
      scratch.setUint16(p * PAGE + 10, 1000 + p);
      new DataView(sm.buffer).setUint16(p * PAGE + 10, 1000 + p, true);
    }
    expect(firstDiff(scratch.read(0, new Uint8Array(16 * PAGE)), sm)).toBe(-1);
    const f = seen.fork();
    f.setUint8(3, 77);
    const fm = model.slice();
    fm[3] = 77;
    scratch.setUint8(5 * PAGE, 9);
    sm[5 * PAGE] = 9;
    expect(firstDiff(scratch.read(0, new Uint8Array(16 * PAGE)), sm)).toBe(-1);
    expect(firstDiff(f.read(0, new Uint8Array(64 * PAGE)), fm)).toBe(-1);
    expect(firstDiff(seen.read(0, new Uint8Array(64 * PAGE)), model)).toBe(-1);
    expect(firstDiff(owner.read(0, new Uint8Array(64 * PAGE)), model)).toBe(-1);
    // The pin holds while any space of the view pool lives.
    f.release();
    seen.release();
    expect(pool.stats().sharedHandles).toBe(1);
    expect(firstDiff(scratch.read(0, new Uint8Array(16 * PAGE)), sm)).toBe(-1);
    scratch.release();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(seen.pool.stats().framesInUse).toBe(0);
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("a fork of the new space, and a new space made after a fork, work too", () => {
    const { pool, owner, model } = ownerWith(8);
    const seen = AddressSpace.attach(owner.share());
    const f = seen.fork();
    f.setUint8(3, 50);
    const scratch = new AddressSpace({ size: 8 * PAGE, pool: seen.pool });
    scratch.setUint8(0, 1);
    const g = scratch.fork();
    g.setUint8(0, 2);
    expect([scratch.getUint8(0), g.getUint8(0), f.getUint8(3), seen.getUint8(3)]).toEqual([1, 2, 50, 1]);
    expect(firstDiff(owner.read(0, new Uint8Array(64 * PAGE)), model)).toBe(-1);
    for (const s of [g, scratch, f, seen]) s.release();
    expect(seen.pool.stats().framesInUse).toBe(0);
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("after the version was released, the view pool refuses a new space with ReleasedError, changing nothing", () => {
    const { pool, owner } = ownerWith(4);
    const seen = AddressSpace.attach(owner.share());
    const view = seen.pool;
    seen.release();
    const before = view.stats();
    expect(() => new AddressSpace({ size: PAGE, pool: view })).toThrow(ReleasedError);
    expect(view.stats()).toEqual(before);
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });
});
