/**
 * CowVector costs: growth maps address space and copies nothing; after a fork
 * a push copies at most the page it lands on; a middle insert writes every
 * page after the position (the documented cost); capacity is the mapped part,
 * counted by the pool's commit charge.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";

const PS = 1024;
const PER_PAGE = PS / 8;

describe("CowVector growth and capacity", () => {
  it("grows by mapping more of its reservation: no copy, commit charge = capacity", () => {
    const pool = new FramePool({ pageSize: PS });
    const v = new CowVector(Float64Array, { pool });
    expect(v.capacity).toBe(0);
    expect(pool.stats().committedBytes).toBe(0);
    for (let i = 0; i < 10 * PER_PAGE; i++) v.push(i);
    expect(v.length).toBe(10 * PER_PAGE);
    expect(v.capacity).toBeGreaterThanOrEqual(v.length);
    expect(v.capacity).toBeLessThanOrEqual(2 * v.length); // doubling
    expect(pool.stats().committedBytes).toBe(v.capacity * 8);
    const s = v.stats();
    expect(s.copyFaults).toBe(0);
    expect(s.zeroFillFaults).toBe(10);
    expect(s.rss).toBe(10 * PS);
    v.shrinkToFit();
    expect(v.capacity).toBe(10 * PER_PAGE);
    expect(pool.stats().committedBytes).toBe(10 * PS);
    v.reserve(20 * PER_PAGE + 1);
    expect(v.capacity).toBe(21 * PER_PAGE);
    expect(v.stats().rss).toBe(10 * PS); // reserved, not backed
    v.release();
    expect(pool.stats().committedBytes).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });

  it("after a fork, growth copies no shared page; a push copies at most the page it lands on", () => {
    const pool = new FramePool({ pageSize: PS });
    const v = CowVector.from(Float64Array, { length: 100 * PER_PAGE + 3 } as ArrayLike<number>, { pool });
    const w = v.fork();
    for (let i = 0; i < 5 * PER_PAGE; i++) w.push(i); // grows past capacity: more mappings, doubling
    const s = w.stats();
    expect(s.copyFaults).toBe(1); // the partly filled tail page, shared with v
    expect(s.zeroFillFaults).toBe(5);
    expect(v.length).toBe(100 * PER_PAGE + 3);
    v.release();
    w.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a middle insert after a fork copies every page from the position to the end (the documented cost)", () => {
    const pool = new FramePool({ pageSize: PS });
    const n = 1000 * PER_PAGE;
    const zeros = new CowFloat64Array(n, { pool });
    const v = CowVector.from(Float64Array, zeros, { pool });
    zeros.release();
    const w = v.fork();
    w.insert(n / 2, 1);
    expect(w.stats().copyFaults).toBe(500);
    const x = v.fork();
    x.push(1);
    expect(x.stats().copyFaults + x.stats().zeroFillFaults).toBe(1);
    const y = v.fork();
    expect(y.swapRemove(n / 2)).toBe(0); // O(1): one page written
    expect(y.stats().copyFaults).toBe(1);
    for (const a of [v, w, x, y]) a.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("removed elements do not come back: resize zeroes what pop left in mapped pages", () => {
    const v = CowVector.of(Int32Array, 1, 2, 3, 4);
    v.pop();
    v.removeRange(0, 1);
    expect([...v]).toEqual([2, 3]);
    v.resize(6);
    expect([...v]).toEqual([2, 3, 0, 0, 0, 0]);
    v.resize(1);
    v.resize(3);
    expect([...v]).toEqual([2, 0, 0]);
    v.release();
  });

  it("iterates what it holds while it grows or shrinks (current length at each step)", () => {
    const v = CowVector.of(Float64Array, 1, 2, 3);
    const seen: number[] = [];
    for (const x of v) {
      seen.push(x);
      if (x < 5) v.push(x + 3);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const s2: number[] = [];
    for (const x of v) {
      s2.push(x);
      v.pop();
    }
    expect(s2).toEqual([1, 2, 3, 4]);
    v.release();
  });
});
