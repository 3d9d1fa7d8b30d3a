/**
 * Review 32: `space.reserveFrames(n)` is how the array, map and string
 * packages reserve a change made of several writes. It checked the pool's
 * limit only, so the engine could still refuse a slab at a later write's
 * fault, the earlier writes done. Now it also makes the engine allocations
 * of `n` faults first (reserve.ts `readyFaultsFor`): refused, it throws
 * OutOfMemoryError having taken no frame; granted, `n` single-page writes
 * that follow need no new slab, even when the engine refuses every one.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("space.reserveFrames readies the engine for the faults it counts", () => {
  for (const forked of [false, true]) {
    it(`refused by the engine, it throws and takes no frame; granted, ${forked ? "a fork's" : "the"} writes need no slab`, () => {
      const pool = new FramePool({ pageSize: PS, firstSlabBytes: PS, slabBytes: 16 * PS });
      const base = new AddressSpace({ size: 64 * PS, pool });
      base.fill(1, 0, 8 * PS);
      const s = forked ? base.fork() : base;
      const n = forked ? 8 : 20; // a fork copies pages 0..7; the base zero-fills 8..27
      const first = forked ? 0 : 8;
      const before = pool.stats().framesInUse;
      const refuse = refusing("ArrayBuffer");
      refuse.on = true;
      expect(() => s.reserveFrames(n)).toThrow(OutOfMemoryError);
      expect(refuse.refused).toBeGreaterThan(0);
      expect(pool.stats().framesInUse).toBe(before);
      refuse.on = false;
      s.reserveFrames(n);
      refuse.on = true;
      for (let i = 0; i < n; i++) s.setUint8((first + i) * PS + 3, 7 + i); // one fault each, no slab
      refuse.on = false;
      for (let i = 0; i < n; i++) expect(s.getUint8((first + i) * PS + 3)).toBe(7 + i);
      expect(pool.stats().framesInUse).toBe(before + n);
      if (forked) s.release();
      base.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
    });
  }
});
