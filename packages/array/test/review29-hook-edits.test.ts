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
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { describe, expect, it } from "vitest";

const PS = 256;
const INIT = Array.from({ length: 200 }, (_, i) => i + 1);
const OTHER = new Array<number>(60).fill(-9);

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
  let armed = false;
  const box: { v: CowVector | null; victim: AddressSpace | null; heap: Heap | null; other: CowVector | null } = {
    v: null,
    victim: null,
    heap: null,
    other: null,
  };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 80 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      box.victim?.release(); // room for the call
      const v = box.v as CowVector;
      if (act === "push") v.push(-1);
      else {
        v.resize(100);
        if (act === "shrink to fit") v.shrinkToFit();
        if (box.heap !== null) {
          box.other = CowVector.create(box.heap, Float64Array); // in the freed tail, when shrunk to fit
          box.other.extend(OTHER);
        }
      }
    },
  });
  let space: AddressSpace | null = null;
  let v: CowVector;
  if (embedded) {
    space = new AddressSpace({ size: 256 * PS, pool });
    box.heap = Heap.create(space, { base: PS });
    v = CowVector.create(box.heap, Float64Array);
    v.extend(INIT);
  } else v = CowVector.from(Float64Array, INIT, { pool, maxLength: 1024 });
  box.v = v;
  // Every page shared with a version kept aside: the call needs frames.
  const keepSpace = space === null ? null : space.fork();
  const keep = space === null ? v.fork() : null;
  const victim = new AddressSpace({ size: 64 * PS, pool });
  for (let p = 0; p < 30; p++) victim.setUint8(p * PS, 1);
  box.victim = victim;
  const filler = new AddressSpace({ size: 128 * PS, pool });
  for (let i = 0; pool.framesAvailable() > 0; i++) filler.setUint8(i * PS, 1);
  armed = true;
  let caught: unknown = null;
  try {
    call(v);
  } catch (e) {
    caught = e;
  }
  expect(armed, `${what}: the hook ran`).toBe(false);
  expect(caught, what).toBeInstanceOf(OutOfMemoryError);
  expect([...v], what).toEqual(act === "push" ? [...INIT, -1] : INIT.slice(0, 100));
  if (box.other !== null) expect([...box.other], what).toEqual(OTHER);
  if (box.heap !== null) expect(() => box.heap?.check(), what).not.toThrow();
  if (keep !== null) expect([...keep], what).toEqual(INIT);
  for (const s of [filler, victim, keep, keepSpace]) s?.release();
  if (space !== null) space.release();
  else v.release();
  expect(pool.stats(), what).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
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
