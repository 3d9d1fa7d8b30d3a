/**
 * share() / attachShared() / transferCopy() of the fixed-length arrays. The
 * handle crosses a structured clone (what postMessage does); the core's
 * tests (packages/core/test/share.test.ts) run the same mechanism across real
 * worker threads.
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  InvalidHandleError,
  ProtectionFault,
  SharingUnavailableError,
} from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CowBigInt64Array, CowFloat64Array, CowInt32Array, CowUint8Array } from "../src/index.js";
import { turn } from "./support.js";

describe("Cow*Array share", () => {
  it("writes after share() never change what the attached array reads; every frame comes back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer()), { maxLength: 50 }),
        fc.nat(),
        fc.nat(),
        async (init, writes, b, e) => {
          await turn();
          const pool = new FramePool({ shared: true, pageSize: 256 });
          const whole = CowInt32Array.from(init, { pool });
          const sub = whole.subarray(b % init.length, e % (init.length + 1));
          const model = Array.from(sub);
          const handle = structuredClone(sub.share());
          for (const [i, x] of writes) whole.set(i % init.length, x);
          const seen = CowInt32Array.attachShared(handle);
          expect(Array.from(seen)).toEqual(model);
          const mine = seen.fork();
          if (model.length > 0) {
            expect(() => seen.set(0, 1)).toThrow(ProtectionFault);
            mine.set(0, 12345);
            expect(mine.get(0)).toBe(12345);
            expect(seen.get(0)).toBe(model[0]);
          }
          mine.release();
          seen.release();
          sub.release();
          whole.release();
          expect(pool.framesInUse).toBe(0);
          expect(pool.stats().spaces).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("every kind round-trips, bigint kinds too", () => {
    const pool = new FramePool({ shared: true });
    const a = CowBigInt64Array.of(1n, -2n, 3n);
    const b = CowUint8Array.from([1, 2, 255], { pool });
    expect(CowBigInt64Array.attachShared(a.transferCopy()).join()).toBe("1,-2,3");
    const seen = CowUint8Array.attachShared(b.share());
    expect(seen.join()).toBe("1,2,255");
    seen.release();
    a.release();
    b.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses handles of other kinds and forgeries, changing nothing", () => {
    const pool = new FramePool({ shared: true });
    const a = CowFloat64Array.from([1, 2], { pool });
    const handle = a.share();
    const frames = pool.framesInUse;
    const bad: [unknown, string][] = [
      [null, "forged"],
      [{}, "forged"],
      [{ format: "pagefork.shared-text/1" }, "type"],
      [{ ...handle, length: 1e6 }, "forged"],
      [{ ...handle, byteOffset: -8 }, "forged"],
    ];
    for (const [h, reason] of bad) {
      let caught: unknown;
      try {
        CowFloat64Array.attachShared(h as never);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe(reason);
    }
    expect(() => CowInt32Array.attachShared(handle)).toThrow(InvalidHandleError);
    expect(pool.framesInUse).toBe(frames);
    const seen = CowFloat64Array.attachShared(handle); // still attachable: nothing changed
    expect(seen.join()).toBe("1,2");
    seen.release();
    a.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses plain pools and embedded arrays", () => {
    const plain = CowFloat64Array.of(1);
    expect(() => plain.share()).toThrow(SharingUnavailableError);
    plain.release();
    const space = new AddressSpace({ size: 1 << 20, pool: new FramePool({ shared: true, pageSize: 256 }) });
    const heap = Heap.create(space, { base: 256 });
    const e = CowFloat64Array.create(heap, [1, 2]);
    expect(() => e.share()).toThrow(InvalidArgumentError);
    expect(() => e.transferCopy()).toThrow(InvalidArgumentError);
    space.release();
  });
});
