/**
 * Review 33: readying frames in a view pool (the pool of an attached
 * version, attach.ts), whose local slabs grow in slots of the owner's
 * geometry (slab-growth.ts `growLocal`). `pool.prepareFrames(n)` and
 * `space.reserveFrames(n)` on the attached (frozen) space, on its forks and
 * on a space made in the view pool must ready `n` frames or throw
 * OutOfMemoryError, never a RangeError; the frames readied must then be taken
 * without a new slab (the engine refusing every allocation), and every space
 * must read as written, with every frame back at the end.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingAll } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool } from "../src/index.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("readying frames in the pool of an attached version", () => {
  for (const pageSize of [256, 4096]) {
    for (const n of [1, 2, 7, 100, 5000]) {
      it(`pageSize ${pageSize}: prepareFrames(${n}) before a fork, then reserveFrames(${n}) in a fork and ${n} writes`, () => {
        const pool = new FramePool({ shared: true, pageSize });
        const size = 8192 * pageSize;
        const owner = new AddressSpace({ size, pool });
        for (let p = 0; p < 20; p++) owner.setUint32(p * pageSize, p + 1);
        const h = owner.share();
        const seen = AddressSpace.attach(h);
        const view = seen.pool;
        expect(seen.frozen).toBe(true);
        view.prepareFrames(n); // the frozen version's pool, before any fork
        expect(view.framesReady()).toBeGreaterThanOrEqual(n);
        seen.reserveFrames(n); // frozen: nothing to ready, nothing thrown
        const f = seen.fork();
        f.setUint32(0, 1000); // a first fault in the fork
        f.reserveFrames(n);
        const refuse = refusingAll();
        refuse.on = n > 1; // reserveFrames(1) readies nothing: one fault alone changes nothing when refused
        const pages = Math.min(n, 8000);
        try {
          for (let p = 0; p < pages; p++) f.setUint32((p + 1) * pageSize, 7 + p);
        } finally {
          refuse.on = false;
        }
        for (let p = 0; p < pages; p++) expect(f.getUint32((p + 1) * pageSize)).toBe(7 + p);
        expect(seen.getUint32(pageSize)).toBe(2);
        // A space made in the view pool, and one more round of readying after frames were taken.
        const own = new AddressSpace({ size: 64 * pageSize, pool: view });
        own.reserveFrames(Math.min(n, 64));
        refuse.on = n > 1;
        try {
          for (let p = 0; p < Math.min(n, 64); p++) own.setUint8(p * pageSize, 1);
        } finally {
          refuse.on = false;
        }
        own.release();
        f.release();
        seen.release();
        owner.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
      });
    }
  }
});
