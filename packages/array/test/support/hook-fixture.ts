/**
 * The set-up of the tests whose pool's out-of-memory hook edits the very
 * vector a call is about to write (review29-hook-edits,
 * review30-element-set-hook): a vector of {@link INIT} (standalone, or
 * embedded in a heap), every page shared with a version kept aside (so the
 * call's write needs frames), a pool filled to its limit, and a hook that,
 * armed, releases a victim space (room for the call) and then does its act
 * to the vector: shrinks it (and to fit; embedded, then allocates another
 * vector of {@link OTHER} in the heap, in the freed tail), pushes onto it
 * or frees it. `finish` checks what must be unchanged whatever the call
 * did, releases everything and checks the pool holds no frame.
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { expect } from "vitest";

export const PS = 256;
/** The vector's elements. */
export const INIT: readonly number[] = Array.from({ length: 200 }, (_, i) => i + 1);
/** The elements of the vector the hook allocates after a shrink (embedded). */
export const OTHER: readonly number[] = new Array<number>(60).fill(-9);

/** What the hook does to the vector. */
export type HookAct = "shrink" | "shrink to fit" | "push" | "free";

export interface HookFixture {
  readonly pool: FramePool;
  readonly v: CowVector;
  /** The heap (embedded), or null. */
  readonly heap: Heap | null;
  /** True until the hook has run its act. */
  readonly armed: boolean;
  /** Takes the pool to its limit and arms the hook (make first what must exist before, such as a proxy view). */
  arm(): void;
  /**
   * Checks that the vector the hook allocated, the heap and the version kept
   * aside are intact, releases everything and checks the pool holds no frame.
   */
  finish(what: string): void;
}

/** The vector and its pool, the hook not armed yet. */
export function hookFixture(embedded: boolean, act: HookAct): HookFixture {
  let armed = false;
  let victim: AddressSpace | null = null;
  let filler: AddressSpace | null = null;
  let heap: Heap | null = null;
  let other: CowVector | null = null;
  let v: CowVector | null = null;
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 80 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      victim?.release(); // room for the call
      const vec = v as CowVector;
      if (act === "push") vec.push(-1);
      else if (act === "free") vec.free();
      else {
        vec.resize(100);
        if (act === "shrink to fit") vec.shrinkToFit();
        if (heap !== null) {
          other = CowVector.create(heap, Float64Array); // in the freed tail, when shrunk to fit
          other.extend(OTHER);
        }
      }
    },
  });
  let space: AddressSpace | null = null;
  if (embedded) {
    space = new AddressSpace({ size: 256 * PS, pool });
    heap = Heap.create(space, { base: PS });
    v = CowVector.create(heap, Float64Array);
    v.extend(INIT);
  } else v = CowVector.from(Float64Array, INIT, { pool, maxLength: 1024 });
  const vec = v;
  // Every page shared with a version kept aside: the call's write needs frames.
  const keepSpace = space === null ? null : space.fork();
  const keep = space === null ? vec.fork() : null;
  return {
    pool,
    v: vec,
    heap,
    get armed() {
      return armed;
    },
    arm() {
      victim = new AddressSpace({ size: 64 * PS, pool });
      for (let p = 0; p < 30; p++) victim.setUint8(p * PS, 1);
      filler = new AddressSpace({ size: 128 * PS, pool });
      for (let i = 0; pool.framesAvailable() > 0; i++) filler.setUint8(i * PS, 1);
      armed = true;
    },
    finish(what) {
      if (other !== null) expect([...(other as CowVector)], what).toEqual(OTHER);
      if (heap !== null) expect(() => heap?.check(), what).not.toThrow();
      if (keep !== null) expect([...keep], what).toEqual(INIT);
      for (const s of [filler, victim, keep, keepSpace]) s?.release();
      if (space !== null) space.release();
      else if (!vec.released) vec.release();
      expect(pool.stats(), what).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
    },
  };
}
