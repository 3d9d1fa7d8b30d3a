/**
 * Out-of-memory hooks that change what a refused commit charge was about:
 * - fork() charged the bytes its space mapped before the hook ran; a hook
 *   that maps more into that space (its own `map` charge checked) left fork
 *   to add the difference without a policy check, so the pool's commit
 *   charge passed `maxBytes` under overcommit "never";
 * - a hook that makes a space takes the registry slot `checkRoom()` made
 *   for the fork (or new space) that ran it: the registry then grew in
 *   `add()`, after the charge, and a refused table left the charge taken;
 * - a hook run by `map()`'s charge that freezes the space: the range was
 *   mapped into a frozen space all the same.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError, ProtectionFault } from "../src/index.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("fork() whose out-of-memory hook maps more into the space being forked", () => {
  it('never lets the commit charge pass maxBytes under overcommit "never"', () => {
    let hook: (() => void) | null = null;
    const pool = new FramePool({
      pageSize: PS,
      overcommit: "never",
      maxBytes: 8 * PS,
      onOutOfMemory: () => hook?.(),
    });
    const a = new AddressSpace({ size: 8 * PS, pool });
    a.unmap(3 * PS, 5 * PS); // a charges 3 pages
    const b = new AddressSpace({ size: 4 * PS, pool }); // 7 of 8 pages charged
    a.setUint8(0, 1);
    // The fork needs 3 pages: refused, the hook releases b (4 pages back) and maps 2 more pages of a.
    hook = () => {
      hook = null;
      b.release();
      a.map(3 * PS, 2 * PS);
    };
    // a maps 5 pages now: the fork needs 5 more, 10 > 8.
    expect(() => a.fork()).toThrow(OutOfMemoryError);
    expect(pool.stats().committedBytes).toBe(5 * PS);
    expect(pool.stats().spaces).toBe(1);
    expect(pool.stats().committedBytes).toBe(5 * PS);
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, pageTableNodes: 0, spaces: 0 });
  });

  it("charges the child what it maps when the hook maps more and the policy allows it", () => {
    let hook: (() => void) | null = null;
    const pool = new FramePool({
      pageSize: PS,
      overcommit: "never",
      maxBytes: 16 * PS,
      onOutOfMemory: () => hook?.(),
    });
    const a = new AddressSpace({ size: 8 * PS, pool });
    a.unmap(3 * PS, 5 * PS); // 3 pages
    const b = new AddressSpace({ size: 12 * PS, pool }); // 15 of 16
    hook = () => {
      hook = null;
      b.release(); // 3 charged
      a.map(3 * PS, 2 * PS); // 5 charged; the fork needs 5 more: 10 <= 16
    };
    const child = a.fork();
    expect(pool.stats().committedBytes).toBe(10 * PS);
    expect(child.mappings()).toEqual(a.mappings());
    child.release();
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });
});

describe("a hook that takes the registry slot checkRoom() made, while the engine refuses a larger registry", () => {
  for (const how of ["fork", "new AddressSpace"] as const) {
    it(`${how}: OutOfMemoryError, and the refused call's charge is not left taken`, () => {
      let hook: (() => void) | null = null;
      const made: AddressSpace[] = [];
      const pool = new FramePool({
        pageSize: PS,
        overcommit: "never",
        maxBytes: 80 * PS,
        onOutOfMemory: () => hook?.(),
      });
      const first = new AddressSpace({ size: 4 * PS, pool });
      first.setUint8(0, 1);
      const spaces = [first];
      // 63 slots of 64 taken; the last space has 12 pages so that releasing it makes room.
      while (spaces.length < 62) spaces.push(new AddressSpace({ size: PS, pool }));
      const big = new AddressSpace({ size: 12 * PS, pool });
      spaces.push(big);
      const refuse = refusing("Int32Array");
      // 4 + 61 + 12 = 77 of 80 pages: a fork of first (4) or a 4-page space is refused once.
      hook = () => {
        hook = null;
        big.release(); // frees slot 62: 65 charged
        spaces.splice(spaces.indexOf(big), 1);
        made.push(new AddressSpace({ size: PS, pool }), new AddressSpace({ size: PS, pool })); // slots 62 and 63
        refuse.on = true; // the registry must grow again for the refused call's space
      };
      const before = pool.stats().committedBytes - 12 * PS + 2 * PS; // what the hook leaves charged
      let caught: unknown;
      let got: AddressSpace | null = null;
      try {
        got = how === "fork" ? first.fork() : new AddressSpace({ size: 4 * PS, pool });
      } catch (e) {
        caught = e;
      } finally {
        refuse.on = false;
      }
      if (got !== null) spaces.push(got);
      expect(refuse.refused).toBeGreaterThan(0);
      expect(caught).toBeInstanceOf(OutOfMemoryError);
      expect(pool.stats().committedBytes).toBe(before);
      expect(pool.stats().spaces).toBe(spaces.length + made.length);
      // And the next call works.
      const next = how === "fork" ? first.fork() : new AddressSpace({ size: 4 * PS, pool });
      expect(next.getUint8(0)).toBe(how === "fork" ? 1 : 0);
      next.release();
      for (const s of [...spaces, ...made]) s.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, pageTableNodes: 0, spaces: 0 });
    });
  }
});

describe("map() whose out-of-memory hook freezes the space", () => {
  it("throws ProtectionFault and maps nothing, charges nothing", () => {
    let hook: (() => void) | null = null;
    const pool = new FramePool({
      pageSize: PS,
      overcommit: "never",
      maxBytes: 8 * PS,
      onOutOfMemory: () => hook?.(),
    });
    const a = new AddressSpace({ size: 8 * PS, pool });
    a.unmap(4 * PS, 4 * PS);
    const b = new AddressSpace({ size: 4 * PS, pool }); // 8 of 8
    hook = () => {
      hook = null;
      b.release();
      a.freeze();
    };
    const maps = a.mappings();
    expect(() => a.map(4 * PS, 2 * PS)).toThrow(ProtectionFault);
    expect(a.mappings()).toEqual(maps);
    expect(pool.stats().committedBytes).toBe(4 * PS);
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });
});
