/**
 * Review 25: a CowFloat64Array handle whose byteOffset is off an element
 * boundary is refused before the space is attached (the genuine handle stays
 * attachable); shared arrays and vectors read their share()-time contents
 * while the owner writes, fills, pushes and forks, against plain copies.
 */
import { FramePool, InvalidHandleError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CowFloat64Array, CowVector } from "../src/index.js";

describe("Cow*Array.attachShared refuses a misaligned byteOffset", () => {
  it("byteOffset 3 of a Float64 handle is forged, and changes nothing", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const a = CowFloat64Array.from([1, 2, 3, 4], { pool });
    const h = a.share();
    let caught: unknown;
    try {
      CowFloat64Array.attachShared({ ...h, byteOffset: 3, length: 2 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidHandleError);
    expect((caught as InvalidHandleError).reason).toBe("forged");
    const seen = CowFloat64Array.attachShared(h);
    expect(Array.from(seen)).toEqual([1, 2, 3, 4]);
    seen.release();
    a.release();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("shared arrays and vectors against copies taken at share()", () => {
  it("reads never change while the owner writes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant("set" as const), fc.nat(299), fc.double({ noNaN: true })),
            fc.tuple(fc.constant("fill" as const), fc.nat(299), fc.double({ noNaN: true })),
            fc.tuple(fc.constant("push" as const), fc.nat(), fc.double({ noNaN: true })),
            fc.tuple(fc.constant("share" as const), fc.nat(), fc.constant(0)),
            fc.tuple(fc.constant("fork" as const), fc.nat(), fc.constant(0)),
          ),
          { maxLength: 50 },
        ),
        (ops) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          let a = new CowFloat64Array(300, { pool });
          let v = new CowVector(Float64Array, { pool });
          const am = new Array<number>(300).fill(0);
          const vm: number[] = [];
          const snaps: { a: CowFloat64Array; v: CowVector<Float64ArrayConstructor>; am: number[]; vm: number[] }[] = [];
          for (const [op, i, x] of ops) {
            if (op === "set") {
              a.set(i, x);
              am[i] = x;
              if (vm.length > 0) {
                v.set(i % vm.length, x);
                vm[i % vm.length] = x;
              }
            } else if (op === "fill") {
              a.fill(x, i);
              am.fill(x, i);
            } else if (op === "push") {
              v.push(x);
              vm.push(x);
            } else if (op === "share") {
              snaps.push({
                a: CowFloat64Array.attachShared(a.share()),
                v: CowVector.attachShared(v.share(), Float64Array),
                am: am.slice(),
                vm: vm.slice(),
              });
            } else {
              const [fa, fv] = [a.fork(), v.fork()];
              a.release();
              v.release();
              [a, v] = [fa, fv];
            }
          }
          for (const s of snaps) {
            expect(Array.from(s.a)).toEqual(s.am);
            expect(Array.from(s.v)).toEqual(s.vm);
            s.a.release();
            s.v.release();
          }
          a.release();
          v.release();
          expect(pool.stats().sharedHandles).toBe(0);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
