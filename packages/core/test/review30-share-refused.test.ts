/**
 * Review 30: `share()` whose pin chunk cannot be allocated (every 64th
 * handle takes a new SharedArrayBuffer, and the engine may refuse it). The
 * chunk was allocated after the pin fork was made and counted: the refusal
 * escaped as a raw RangeError and left that frozen fork behind with a holder
 * no handle would ever release, so the version's frames stayed pinned for
 * the pool's life (and the next share() of the same version reused the
 * fork, adding to the count that never reached 0). Now the chunk comes
 * first: the call throws OutOfMemoryError and changes nothing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";

const PAGE = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("share() refused its pin chunk", () => {
  it("throws OutOfMemoryError and leaves no pin fork, frame or charge behind", () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 64 * PAGE });
    const s = new AddressSpace({ size: 16 * PAGE, pool });
    for (let i = 0; i < 16; i++) s.setUint8(i * PAGE, i + 1);
    // Use up the first chunk's 64 slots (each share of a new version: a fork each).
    for (let i = 0; i < 64; i++) {
      s.setUint8(0, i);
      pool.unshare(s.share());
    }
    s.setUint8(0, 100); // a version no pin fork holds yet
    const before = pool.stats();
    const refuse = refusing("SharedArrayBuffer");
    refuse.on = true;
    let caught: unknown;
    try {
      s.share();
    } catch (e) {
      caught = e;
    }
    refuse.on = false;
    expect(refuse.refused).toBe(1);
    expect(pool.stats()).toEqual(before);
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    // The same version shares once the engine has room, and everything comes back.
    const h = s.share();
    const seen = AddressSpace.attach(h);
    expect(seen.getUint8(0)).toBe(100);
    expect(seen.getUint8(15 * PAGE)).toBe(16);
    seen.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0, committedBytes: 0 });
  });
});
