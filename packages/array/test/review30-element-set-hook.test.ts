/**
 * Single-element writes (the element `set(i, v)`, `pop`, a proxy view's
 * `p[i] = v`) near the pool's limit, whose store or header write needs a
 * frame (the page is shared with a fork kept aside), and whose out-of-memory
 * hook, run inside that write, edits the very array: shrinks an embedded
 * vector and shrinks its block to fit (its tail goes back to the heap, where
 * the hook then allocates another vector), frees it, or pushes onto it. The
 * core's store ran the hook inside itself, then stored at the address planned
 * before it: into the freed heap block (another vector's elements
 * overwritten, or the heap's metadata: `heap.check()` failed). Now the
 * array reserves first, so the hook runs under its checks: the call is
 * refused (OutOfMemoryError "call again", ReleasedError after a free), the
 * hook's edit kept, nothing else changed, the heap consistent, and the pool
 * holds no frame once everything is released.
 */
import { CowFloat64Array, CowInt32Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { type HookAct, hookFixture, INIT, OTHER, PS } from "./support/hook-fixture.js";

type Call = "set(i, v)" | "set(0, v)" | "pop()" | "proxy[i] = v" | "proxy[0] = v" | "swapRemove(0)";

function call(v: CowVector, c: Call): unknown {
  switch (c) {
    case "set(i, v)":
      return v.set(150, 7);
    case "set(0, v)":
      return v.set(0, 7);
    case "pop()":
      return v.pop();
    case "swapRemove(0)":
      return v.swapRemove(0);
    default: // the proxy writes: through a view made before the filler (see run)
      return undefined;
  }
}

function run(embedded: boolean, c: Call, act: HookAct): void {
  const what = `${embedded ? "embedded" : "standalone"} ${c}, hook: ${act}`;
  const f = hookFixture(embedded, act);
  const v = f.v;
  const proxyFirst = c.startsWith("proxy") ? v.proxy() : null;
  f.arm();
  let caught: unknown = null;
  try {
    if (proxyFirst !== null) proxyFirst[c === "proxy[0] = v" ? 0 : 150] = 7;
    else call(v, c);
  } catch (e) {
    caught = e;
  }
  expect(f.armed, `${what}: the hook ran`).toBe(false);
  if (act === "free") {
    expect(caught, what).toBeInstanceOf(ReleasedError);
    expect(v.released, what).toBe(true);
  } else {
    expect(caught, what).toBeInstanceOf(OutOfMemoryError);
    expect([...v], what).toEqual(act === "push" ? [...INIT, -1] : INIT.slice(0, 100));
  }
  f.finish(what);
}

const CALLS: readonly Call[] = ["set(i, v)", "set(0, v)", "pop()", "proxy[i] = v", "proxy[0] = v", "swapRemove(0)"];

describe("a single-element write whose out-of-memory hook edits the same vector", () => {
  for (const embedded of [true, false])
    for (const c of CALLS)
      for (const act of ["shrink to fit", "shrink", "push", ...(embedded ? ["free"] : [])] as HookAct[]) {
        // A proxy view of a standalone vector is a window of its space (documented): not guarded.
        if (!embedded && c.startsWith("proxy")) continue;
        // A standalone pop writes nothing: no hook runs.
        if (!embedded && c === "pop()") continue;
        it(`${embedded ? "embedded" : "standalone"} ${c}, hook: ${act}: refused, the hook's edit kept, the heap intact`, () => {
          run(embedded, c, act);
        });
      }
});

describe("an embedded typed array's element set whose out-of-memory hook frees it", () => {
  for (const kind of ["Float64", "Int32"] as const)
    for (const via of ["set", "proxy"] as const)
      it(`${kind} ${via}: ReleasedError, nothing stored into the freed block`, () => {
        let armed = false;
        const box: {
          a: CowFloat64Array | CowInt32Array | null;
          victim: AddressSpace | null;
          heap: Heap | null;
          other: CowInt32Array | null;
        } = { a: null, victim: null, heap: null, other: null };
        const pool = new FramePool({
          pageSize: PS,
          maxBytes: 80 * PS,
          onOutOfMemory: () => {
            if (!armed) return;
            armed = false;
            box.victim?.release();
            box.a?.free();
            // Reuse the freed block: a store into it now lands in this array.
            box.other = CowInt32Array.create(box.heap as Heap, 800);
            box.other.fill(-9);
          },
        });
        const space = new AddressSpace({ size: 256 * PS, pool });
        const heap = Heap.create(space, { base: PS });
        box.heap = heap;
        const a =
          kind === "Float64" ? CowFloat64Array.create(heap, 400) : (CowInt32Array.create(heap, 400) as CowInt32Array);
        a.fill(1);
        box.a = a;
        const keepSpace = space.fork();
        const p = via === "proxy" ? a.proxy() : null;
        const victim = new AddressSpace({ size: 64 * PS, pool });
        for (let q = 0; q < 30; q++) victim.setUint8(q * PS, 1);
        box.victim = victim;
        const filler = new AddressSpace({ size: 128 * PS, pool });
        for (let i = 0; pool.framesAvailable() > 0; i++) filler.setUint8(i * PS, 1);
        armed = true;
        let caught: unknown = null;
        try {
          if (p !== null) p[300] = 7;
          else a.set(300, 7);
        } catch (e) {
          caught = e;
        }
        expect(armed).toBe(false);
        expect(caught).toBeInstanceOf(ReleasedError);
        expect(() => heap.check()).not.toThrow();
        // The block the hook allocated after the free holds only its own elements.
        expect(box.other?.every((x) => x === -9)).toBe(true);
        for (const s of [filler, victim, keepSpace, space]) s.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
      });
});

describe("the proxy view of an embedded vector made before the vector moved, shrank or was freed", () => {
  it("tracks the vector (as a length-tracking typed array its buffer): no write lands in a freed block", () => {
    const space = new AddressSpace({ size: 1024 * PS, pageSize: PS });
    const heap = Heap.create(space, { base: PS });
    const v = CowVector.create(heap, Float64Array);
    v.extend([1, 2, 3]);
    const p = v.proxy();
    const w = CowVector.create(heap, Float64Array); // after v's block: v's growth moves it
    w.extend(OTHER);
    v.extend(INIT); // the block moves; the old one is freed
    const x = CowVector.create(heap, Float64Array); // may take v's old block
    x.extend(OTHER);
    p[0] = 5;
    p[2] = 6;
    expect([p.length, v.get(0), v.get(2), p[1]]).toEqual([203, 5, 6, 2]);
    expect(p.fill(9, 200)).toBe(p);
    expect(v.toTypedArray().slice(198)).toEqual(new Float64Array([196, 197, 9, 9, 9]));
    v.resize(10);
    v.shrinkToFit();
    const y = CowVector.create(heap, Float64Array); // may take v's freed tail
    y.extend(OTHER);
    p[50] = 1; // past the end now: ignored, as natively
    p.set([7, 7], 8);
    expect(() => p.set([7, 7], 9)).toThrow(RangeError);
    expect([p.length, p[50], v.length, v.get(9)]).toEqual([10, undefined, 10, 7]);
    for (const o of [w, x, y]) expect([...o]).toEqual(OTHER);
    expect(() => heap.check()).not.toThrow();
    v.free();
    expect(() => {
      p[0] = 1;
    }).toThrow(ReleasedError);
    expect(() => p.length).toThrow(ReleasedError);
    for (const o of [w, x, y]) expect([...o]).toEqual(OTHER);
    expect(() => heap.check()).not.toThrow();
    space.release();
  });
});
