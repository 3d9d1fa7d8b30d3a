/**
 * A pool's `maxBytes` limit: a write that needs more frames than the pool may
 * hand out throws OutOfMemoryError and changes nothing at all (a bulk write
 * does not write its first pages and then fail); once another space releases
 * memory, the same call succeeds.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";
import { bytes, expectRefused, firstDiff, TYPES, typedGet, typedSet } from "./support/helpers.js";

const PS = 256;

/** A pool limited to 4 frames, 3 of them taken by `hog`, 1 (page 0) by `s`. */
function full() {
  const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
  const hog = new AddressSpace({ size: 16 * PS, pool });
  hog.write(0, bytes(1, 3 * PS));
  const s = new AddressSpace({ size: 16 * PS, pool });
  s.setUint8(0, 1);
  expect(pool.stats()).toMatchObject({ framesInUse: 4, maxBytes: 4 * PS });
  return { pool, hog, s, all: [hog, s] };
}

describe("OutOfMemoryError at the pool limit, with nothing changed", () => {
  it("a single typed set of every type, then the same set after memory is freed", () => {
    for (const { name, width } of TYPES) {
      const { pool, hog, s, all } = full();
      const v = name.startsWith("Big") ? 5n : 5;
      const e = expectRefused(pool, all, OutOfMemoryError, () => typedSet(s, name, 3 * PS + width, v), `set${name}`);
      expect(e).toMatchObject({ code: "ERR_OUT_OF_MEMORY", requested: PS });
      // A write to s's own private page needs no frame: still fine at the limit.
      typedSet(s, name, 8, v);
      hog.release();
      typedSet(s, name, 3 * PS + width, v);
      expect(typedGet(s, name, 3 * PS + width)).toBe(v);
      expect(pool.stats().framesInUse).toBe(2);
    }
  });

  it("a copy fault after fork needs a frame; a reuse fault does not", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 2 * PS });
    const a = new AddressSpace({ size: 4 * PS, pool });
    a.write(0, bytes(2, 2 * PS)); // the pool is full
    const b = a.fork();
    expectRefused(pool, [a, b], OutOfMemoryError, () => b.setUint8(10, 1), "copy in the child");
    expectRefused(pool, [a, b], OutOfMemoryError, () => a.setUint8(10, 1), "copy in the parent");
    expectRefused(pool, [a, b], OutOfMemoryError, () => b.write(PS - 2, new Uint8Array(4)), "copy of two pages");
    b.release();
    a.setUint8(10, 1); // refcount 1 again: reuse, no frame
    expect(a.stats()).toMatchObject({ reuseFaults: 1, copyFaults: 0 });
    expect(pool.stats().framesInUse).toBe(2);
  });

  it("a bulk write spanning pages writes nothing at all when its last page cannot be had", () => {
    const { pool, hog, s, all } = full();
    // Page 0 is s's own (no frame needed), pages 1 and 2 need two frames: none left.
    for (const [addr, len] of [
      [10, 2 * PS],
      [PS - 1, 2],
      [0, 3 * PS],
      [2 * PS, 1],
    ] as const) {
      expectRefused(pool, all, OutOfMemoryError, () => s.write(addr, bytes(3, len)), `write(${addr}, ${len} B)`);
    }
    s.write(5, bytes(3, PS - 5)); // only page 0: fits
    hog.discard(0, PS); // one frame back
    expectRefused(pool, all, OutOfMemoryError, () => s.write(10, bytes(4, 2 * PS)), "still one frame short");
    hog.release();
    s.write(10, bytes(4, 2 * PS));
    const want = new Uint8Array(16 * PS);
    want[0] = 1;
    want.set(bytes(3, PS - 5), 5);
    want.set(bytes(4, 2 * PS), 10);
    expect(firstDiff(s.read(0, new Uint8Array(16 * PS)), want)).toBe(-1);
  });

  it("a write that needs exactly the frames left succeeds", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
    const s = new AddressSpace({ size: 8 * PS, pool });
    s.write(0, bytes(5, 2 * PS));
    s.write(PS, bytes(6, 3 * PS)); // page 1 is private, pages 2 and 3 take the last two frames
    expect(pool.stats().framesInUse).toBe(4);
    expectRefused(pool, [s], OutOfMemoryError, () => s.write(0, bytes(7, 5 * PS)), "one page too many");
  });

  it("fill", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.fill(7, 0, 2 * PS + 1), "fill over three pages");
    expectRefused(pool, all, OutOfMemoryError, () => s.fill(0, PS, 2 * PS), "fill with zeros");
    s.fill(7, 0, PS);
    hog.release();
    s.fill(7, 0, 2 * PS + 1);
    expect([s.getUint8(0), s.getUint8(2 * PS), s.getUint8(2 * PS + 1)]).toEqual([7, 7, 0]);
  });

  it("copyWithin", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.copyWithin(PS, 0, PS), "to one new page");
    expectRefused(pool, all, OutOfMemoryError, () => s.copyWithin(PS - 4, 0, 8), "straddling into a new page");
    s.copyWithin(8, 0, 8); // inside page 0
    hog.release();
    s.copyWithin(PS, 0, PS);
    expect([s.getUint8(PS), s.getUint8(PS + 8)]).toEqual([1, 1]);
  });

  it("a write-mode page-span cursor", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.spans(Float64Array, 0, (2 * PS) / 8, "write"), "two pages");
    expectRefused(pool, all, OutOfMemoryError, () => s.spans(Uint8Array, 3 * PS, 1, "write"), "one new page");
    // Read mode never allocates.
    for (const c = s.spans(Float64Array, 0, (4 * PS) / 8, "read"); c.next(); );
    expect(pool.stats().framesInUse).toBe(4);
    hog.release();
    let k = 0;
    for (const c = s.spans(Float64Array, 0, (2 * PS) / 8, "write"); c.next(); ) {
      for (let i = c.start; i < c.end; i++) c.array[i] = k++ + 0.5;
    }
    expect([s.getFloat64(0), s.getFloat64(2 * PS - 8)]).toEqual([0.5, 63.5]);
    expect(pool.stats().framesInUse).toBe(2);
  });

  it("a pool with maxBytes 0 serves reads, forks and the zero frame, but no write", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 0 });
    const s = new AddressSpace({ size: 4 * PS, pool });
    expect(s.getFloat64(8)).toBe(0);
    const t = s.fork();
    expectRefused(pool, [s, t], OutOfMemoryError, () => s.setUint8(0, 0));
    expectRefused(pool, [s, t], OutOfMemoryError, () => t.write(0, new Uint8Array(1)));
    s.write(0, new Uint8Array(0)); // writing nothing needs nothing
    t.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});
