/**
 * A pool's space registry (a slot per live space, holding its page-table
 * root) grows by doubling. The case this guards: the registry grew inside
 * `add()`, at the end of the space's constructor, after the commit charge
 * (and, for a fork, after fork() charged it): an engine refusing the larger
 * tables threw RangeError out of the constructor, leaving the commit charge
 * raised for a space that does not exist and a slot number used up. The
 * registry now makes room in `checkRoom()`, before the charge, allocating
 * every table before it changes one, and a refusal is an OutOfMemoryError
 * that changes nothing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a space or fork that needs a larger space registry while the engine refuses it", () => {
  for (const how of ["new AddressSpace", "fork"] as const) {
    it(`${how}: throws OutOfMemoryError and changes nothing, then succeeds`, () => {
      const pool = new FramePool({ pageSize: PS, overcommit: "never", maxBytes: 1 << 20 });
      const first = new AddressSpace({ size: 4 * PS, pool });
      first.setUint8(0, 1);
      const spaces = [first];
      // The registry starts with 64 slots: fill them.
      while (spaces.length < 64) spaces.push(new AddressSpace({ size: PS, pool }));
      const before = pool.stats();
      const refuse = refusing("Int32Array");
      refuse.on = true;
      let caught: unknown;
      try {
        spaces.push(how === "fork" ? first.fork() : new AddressSpace({ size: 4 * PS, pool }));
      } catch (e) {
        caught = e;
      } finally {
        refuse.on = false;
      }
      expect(refuse.refused).toBeGreaterThan(0); // the registry's tables, nothing else
      expect(caught).toBeInstanceOf(OutOfMemoryError);
      expect(spaces.length).toBe(64);
      expect(pool.stats()).toEqual(before); // commit charge, peak, frames, nodes
      // The engine gives the memory now: the 65th space takes slot 64, and every root stays its space's.
      const next = how === "fork" ? first.fork() : new AddressSpace({ size: 4 * PS, pool });
      expect(next.slot).toBe(64);
      spaces.push(next);
      next.setUint8(PS, 2);
      expect(first.getUint8(0)).toBe(1);
      expect(first.getUint8(PS)).toBe(0);
      expect(next.getUint8(0)).toBe(how === "fork" ? 1 : 0);
      for (const s of spaces) s.release();
      expect(pool.framesInUse).toBe(0);
      expect(pool.stats().committedBytes).toBe(0);
    });
  }
});
