/**
 * One-write calls (fill, set from a typed array or an array, reverse,
 * copyWithin) near the pool's limit, whose out-of-memory hook edits the
 * array the call is about to write: shrinks a vector (and, embedded, gives
 * its block's tail back to the heap, where the hook then allocates another
 * block), or grows it. The core's write ran the hook inside itself, then
 * stored over the range planned before it: past the vector's end, into the
 * other heap block (its elements overwritten; `copyWithin` even copied the
 * other block's elements into the vector), a SegmentationFault where a
 * standalone vector's room was unmapped. Now the array reserves first
 * (reserve.ts), so the hook runs under its checks: the call is refused with
 * OutOfMemoryError ("call again"), the hook's edit kept, nothing else
 * changed, and the pool holds no frame once everything is released.
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, OutOfMemoryError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { hookFixture, INIT, PS } from "./support/hook-fixture.js";

const CALLS: readonly [string, (v: CowVector) => unknown][] = [
  ["fill(7)", (v) => v.fill(7)],
  ["fill(7, 10, 150)", (v) => v.fill(7, 10, 150)],
  ["set(Float64Array, 10)", (v) => v.set(new Float64Array(150).fill(2), 10)],
  ["set(Int8Array, 10)", (v) => v.set(new Int8Array(150).fill(2), 10)],
  ["set(Array, 10)", (v) => v.set(new Array<number>(150).fill(2), 10)],
  ["reverse()", (v) => v.reverse()],
  ["copyWithin(0, 50)", (v) => v.copyWithin(0, 50)],
];

type Act = "shrink" | "shrink to fit" | "push";
const ACTS: readonly Act[] = ["shrink", "shrink to fit", "push"];

function run(embedded: boolean, name: string, call: (v: CowVector) => unknown, act: Act): void {
  const what = `${embedded ? "embedded" : "standalone"} ${name}, hook: ${act}`;
  const f = hookFixture(embedded, act);
  f.arm();
  let caught: unknown = null;
  try {
    call(f.v);
  } catch (e) {
    caught = e;
  }
  expect(f.armed, `${what}: the hook ran`).toBe(false);
  expect(caught, what).toBeInstanceOf(OutOfMemoryError);
  expect([...f.v], what).toEqual(act === "push" ? [...INIT, -1] : INIT.slice(0, 100));
  f.finish(what);
}

describe("a one-write call whose out-of-memory hook shrinks or grows the same vector", () => {
  it("is refused with OutOfMemoryError, the hook's edit kept: nothing written past the vector or into another block", () => {
    for (const embedded of [true, false])
      for (const [name, call] of CALLS) for (const act of ACTS) run(embedded, name, call, act);
  });
});

describe("push (the standalone fast path) whose out-of-memory hook pops or pushes the same vector", () => {
  it("is refused with OutOfMemoryError, the hook's edit kept: no popped element comes back, no pushed one is lost", () => {
    for (const act of ["pop 100", "push -1"] as const) {
      let armed = false;
      const box: { v: CowVector | null; victim: AddressSpace | null } = { v: null, victim: null };
      const pool = new FramePool({
        pageSize: PS,
        maxBytes: 40 * PS,
        onOutOfMemory: () => {
          if (!armed) return;
          armed = false;
          box.victim?.release();
          const v = box.v as CowVector;
          if (act === "push -1") v.push(-1);
          else v.resize(100);
        },
      });
      const v = CowVector.from(Float64Array, INIT, { pool, maxLength: 1024 });
      v.reserve(400); // the push stays within capacity: the fast path
      box.v = v;
      const keep = v.fork(); // the page the push lands on is shared: its store needs a frame
      const victim = new AddressSpace({ size: 16 * PS, pool });
      for (let p = 0; p < 8; p++) victim.setUint8(p * PS, 1);
      box.victim = victim;
      const filler = new AddressSpace({ size: 64 * PS, pool });
      for (let i = 0; pool.framesAvailable() > 0; i++) filler.setUint8(i * PS, 1);
      armed = true;
      let caught: unknown = null;
      try {
        v.push(5);
      } catch (e) {
        caught = e;
      }
      expect(armed, act).toBe(false);
      expect(caught, act).toBeInstanceOf(OutOfMemoryError);
      expect([...v], act).toEqual(act === "push -1" ? [...INIT, -1] : INIT.slice(0, 100));
      expect([...keep], act).toEqual(INIT);
      for (const s of [filler, victim, keep, v]) s.release();
      expect(pool.stats(), act).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
    }
  });
});
