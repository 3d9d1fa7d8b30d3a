/**
 * A page-span cursor whose space changes between two `next()` calls. The
 * constructor checks the whole range; `next()` faulted each page in without
 * looking again, so after `unmap` a frame was faulted into the hole (and the
 * bytes written through its slice reappeared when the range was mapped
 * again, instead of zeros), and after `freeze` the frozen version was
 * written. Now `next()` refuses with the constructor's errors and changes
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;

function setup() {
  const pool = new FramePool({ pageSize: PS });
  const s = new AddressSpace({ size: 8 * PS, pool });
  const c = s.spans(Uint8Array, 0, 3 * PS, "write");
  expect(c.next()).toBe(true);
  c.array.fill(1, c.start, c.end);
  return { pool, s, c };
}

function observe(pool: FramePool, s: AddressSpace) {
  return { framesInUse: pool.stats().framesInUse, rss: s.stats().rss, page0: s.getUint8(0), page2: s.getUint8(2 * PS) };
}

describe("a write-mode span cursor whose space changed between two next() calls", () => {
  it("refuses a page unmapped since (SegmentationFault), faulting nothing into the hole", () => {
    const { pool, s, c } = setup();
    s.unmap(PS, PS);
    const before = observe(pool, s);
    expect(() => c.next()).toThrow(SegmentationFault);
    expect(observe(pool, s)).toEqual(before);
    s.map(PS, PS);
    expect(s.getUint8(PS)).toBe(0); // a new mapping reads zero
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("refuses a page made read-only since (ProtectionFault)", () => {
    const { pool, s, c } = setup();
    s.protect(PS, PS, "read-only");
    const before = observe(pool, s);
    expect(() => c.next()).toThrow(ProtectionFault);
    expect(observe(pool, s)).toEqual(before);
    expect(s.getUint8(PS)).toBe(0);
    s.release();
  });

  it("refuses a space frozen since (ProtectionFault), leaving the frozen version as it was", () => {
    const { pool, s, c } = setup();
    s.freeze();
    const before = observe(pool, s);
    expect(() => c.next()).toThrow(ProtectionFault);
    expect(observe(pool, s)).toEqual(before);
    expect(s.getUint8(PS)).toBe(0);
    s.release();
  });

  it("a read-mode cursor refuses a page unmapped since (SegmentationFault), as read() does", () => {
    const pool = new FramePool({ pageSize: PS });
    const s = new AddressSpace({ size: 8 * PS, pool });
    const c = s.spans(Uint8Array, 0, 3 * PS);
    expect(c.next()).toBe(true);
    s.unmap(PS, PS);
    expect(() => c.next()).toThrow(SegmentationFault);
    expect(() => s.read(PS, new Uint8Array(1))).toThrow(SegmentationFault);
    s.release();
  });
});
