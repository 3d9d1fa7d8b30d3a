/**
 * A multi-step vector or typed-array call near the pool's limit counts the
 * frames of all its writes, then reserves them (`space.reserveFrames`), which
 * may run the pool's out-of-memory hook. A hook that forks the array's space
 * there shares every page the call had to itself: each write then needs a
 * copy, and the call may run out of frames halfway (the shift of a splice
 * done, its items not written). A hook that freezes, unmaps or write-protects
 * the space stops the call at its first write, possibly after a growth.
 * Each call must complete (the fork keeping the old contents) or throw having
 * changed nothing, and leak nothing.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { type HookAct, runHookCase, sweep as sweepCases, type Version } from "../../../test/support/oom-hook.js";

const PS = 256;
type Act = "fork" | "freeze" | "protect" | "unmap" | "protect page 3" | "unmap page 3";
const ACTS: readonly Act[] = ["fork", "freeze", "protect", "unmap", "protect page 3", "unmap page 3"];

interface Target {
  readonly space: AddressSpace;
  readonly byteOffset: number;
  release(): void;
  [Symbol.iterator](): Iterator<number>;
  readonly length: number;
}

/** How a sweep forks and releases the array under test: the array's own (standalone) or its space's (embedded). */
interface Env<T extends Target> {
  make(pool: FramePool): T;
  fork(t: T): Version<number[]>;
  release(t: T): void;
  /** Acts the sweep tries. */
  readonly acts: readonly Act[];
}

/** A standalone array or vector: it forks and releases itself. */
function standalone<T extends Target & { fork(): T }>(make: (pool: FramePool) => T): Env<T> {
  return {
    make,
    fork: (t) => {
      const c = t.fork();
      return { read: () => [...c], release: () => c.release() };
    },
    release: (t) => t.release(),
    acts: ACTS,
  };
}

/** An array or vector embedded in a heap at page 1 of a 128-page space: the space forks, the fork attaches it. */
function embedded<T extends Target & { readonly address: number }>(
  make: (heap: Heap) => T,
  attach: (heap: Heap, address: number) => Target,
): Env<T> {
  return {
    make: (pool) => make(Heap.create(new AddressSpace({ size: 128 * PS, pool }), { base: PS })),
    fork: (t) => {
      const s = t.space.fork();
      const c = attach(Heap.attach(s, PS), t.address);
      return { read: () => [...c], release: () => s.release() };
    },
    release: (t) => t.space.release(),
    // Unmapping a page of the embedder's space drops heap metadata too: nothing to compare then.
    acts: ["fork", "freeze", "protect", "protect page 3"],
  };
}

/** The harness's act for this file's act name. */
function hookAct(act: Act): HookAct {
  if (act === "protect page 3") return { kind: "protect page", page: 3 };
  if (act === "unmap page 3") return { kind: "unmap page", page: 3 };
  return { kind: act };
}

/**
 * One run (test/support/oom-hook.ts) in a pool of 32 frames: `env.make(pool)`
 * builds the array under test; `shared` 1 keeps a fork aside (so the call's
 * count needs frames there), 2 also writes its first half again (private),
 * the later pages still shared; the filler leaves `left` frames; the hook,
 * armed for the call, releases a victim of `victim` frames and then acts on
 * the array. After "unmap page 3" the page is mapped again and reads as zeros.
 */
function run<T extends Target>(
  env: Env<T>,
  call: (t: T) => unknown,
  model: (a: number[]) => void,
  act: Act,
  left: number,
  victim: number,
  shared: number,
): string | null {
  return runHookCase<T, number[]>({
    pageSize: PS,
    maxFrames: 32,
    fillPages: 32,
    make: (pool) => env.make(pool),
    space: (t) => t.space,
    read: (t) => [...t],
    fork: (t) => env.fork(t),
    release: (t) => env.release(t),
    keep: shared > 0,
    prepare:
      shared === 2
        ? (t) => {
            for (let a = 0; a < (t.length * 8) / 2; a += PS)
              t.space.setUint8(t.byteOffset + a, t.space.getUint8(t.byteOffset + a));
          }
        : undefined,
    call,
    model: (before) => {
      const a = [...before];
      model(a);
      return a;
    },
    act: hookAct(act),
    left,
    victim,
    remap: (t, before) => {
      t.space.map(3 * PS, PS);
      const a = [...before];
      for (let i = 3 * (PS / 8); i < Math.min(4 * (PS / 8), a.length); i++) a[i] = 0;
      return a;
    },
  });
}

const init = Array.from({ length: 200 }, (_, i) => i + 1); // 7 pages of 32 elements
const zeros = (n: number) => new Array<number>(n).fill(0);
const desc = (x: number, y: number) => y - x;

/** [name, the call, what it does to a plain array, the length the vector is cut to first (its capacity kept)] */
const vectorCalls: [string, (w: CowVector) => unknown, (a: number[]) => void, number?][] = [
  ["removeRange", (w) => w.removeRange(0, 40), (a) => a.splice(0, 40)],
  ["insert", (w) => w.insert(3, 1, 2, 3), (a) => a.splice(3, 0, 1, 2, 3)],
  ["insertFrom", (w) => w.insertFrom(0, new Float64Array(100).fill(5)), (a) => a.splice(0, 0, ...zeros(100).fill(5))],
  ["resize", (w) => w.resize(400), (a) => a.push(...zeros(200))],
  ["resize over old elements", (w) => w.resize(150), (a) => a.push(...zeros(140)), 10],
  ["extend", (w) => w.extend(new Float64Array(300).fill(3)), (a) => a.push(...zeros(300).fill(3))],
  ["push 1", (w) => w.push(9), (a) => a.push(9)],
  ["push 25", (w) => w.push(...zeros(25).fill(4)), (a) => a.push(...zeros(25).fill(4))],
  ["splice grow", (w) => w.splice(10, 2, 1, 2, 3, 4, 5), (a) => a.splice(10, 2, 1, 2, 3, 4, 5)],
  ["splice shrink", (w) => w.splice(10, 50, 7), (a) => a.splice(10, 50, 7)],
  ["splice head", (w) => w.splice(0, 65, ...zeros(32).fill(6)), (a) => a.splice(0, 65, ...zeros(32).fill(6))],
  ["swapRemove", (w) => w.swapRemove(3), (a) => a.splice(3, 1, a.pop() as number)],
  ["copyWithin", (w) => w.copyWithin(0, 100), (a) => a.copyWithin(0, 100)],
  ["fill", (w) => w.fill(7), (a) => a.fill(7)],
  ["fill zeros", (w) => w.fill(0, 5, 190), (a) => a.fill(0, 5, 190)],
  ["sort", (w) => w.sort(desc), (a) => a.sort(desc)],
  ["reverse", (w) => w.reverse(), (a) => a.reverse()],
  ["set", (w) => w.set(new Float64Array(150).fill(2), 10), (a) => a.splice(10, 150, ...zeros(150).fill(2))],
  ["set Int8", (w) => w.set(new Int8Array(150).fill(2), 10), (a) => a.splice(10, 150, ...zeros(150).fill(2))],
];

const arrayCalls: [string, (w: CowFloat64Array) => unknown, (a: number[]) => void][] = [
  ["copyWithin", (w) => w.copyWithin(0, 100), (a) => a.copyWithin(0, 100)],
  ["fill", (w) => w.fill(7), (a) => a.fill(7)],
  ["fill zeros", (w) => w.fill(0, 5, 190), (a) => a.fill(0, 5, 190)],
  ["sort", (w) => w.sort(desc), (a) => a.sort(desc)],
  ["reverse", (w) => w.reverse(), (a) => a.reverse()],
  ["set", (w) => w.set(new Float64Array(150).fill(2), 10), (a) => a.splice(10, 150, ...zeros(150).fill(2))],
  ["set Int8", (w) => w.set(new Int8Array(150).fill(2), 10), (a) => a.splice(10, 150, ...zeros(150).fill(2))],
];

/**
 * Every case of (shared, left, victim) for one call and act: 216 runs, one
 * `shared` value (72 runs) at a time with a macrotask turn before each, so
 * the event loop is never blocked for long (vitest awaits a synchronous test
 * with microtasks only: 262 of them in a row blocked its worker's RPC, which
 * times out at 60 s on a loaded machine). The same cases as one sweep.
 */
async function sweep<T extends Target>(
  env: Env<T>,
  call: (t: T) => unknown,
  model: (a: number[]) => void,
  act: Act,
): Promise<string[]> {
  const bad: string[] = [];
  for (const shared of [0, 1, 2]) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    bad.push(
      ...sweepCases(
        [
          ["shared", [shared]],
          ["left", [0, 1, 2, 3, 4, 5, 6, 7, 8]],
          ["victim", [1, 2, 3, 4, 5, 6, 7, 8]],
        ],
        ([sh, left, victim]) => run(env, call, model, act, left as number, victim as number, sh as number),
      ),
    );
  }
  return bad;
}

/** A vector of `init`, cut to `cut` elements first (its capacity kept) when given. */
function cutTo<V extends CowVector>(v: V, cut: number | undefined): V {
  if (cut !== undefined) v.resize(cut);
  return v;
}

const vectorEnvs: [string, (cut: number | undefined) => Env<CowVector>][] = [
  [
    "standalone",
    (cut) => standalone((pool) => cutTo(CowVector.from(Float64Array, init, { pool, maxLength: 1024 }), cut)),
  ],
  [
    "embedded",
    (cut) =>
      embedded(
        (heap) => {
          const v = CowVector.create(heap, Float64Array);
          v.extend(init);
          return cutTo(v, cut);
        },
        (heap, address) => CowVector.attach(heap, address, Float64Array),
      ),
  ],
];

const arrayEnvs: [string, () => Env<CowFloat64Array>][] = [
  ["standalone", () => standalone((pool) => CowFloat64Array.from(init, { pool }))],
  [
    "embedded",
    () =>
      embedded(
        (heap) => CowFloat64Array.create(heap, init),
        (heap, address) => CowFloat64Array.attach(heap, address),
      ),
  ],
];

describe("a CowVector call whose out-of-memory hook forks, freezes, protects or unmaps the vector's space", () => {
  for (const [where, envOf] of vectorEnvs)
    for (const act of envOf(undefined).acts)
      for (const [name, call, model, cut] of vectorCalls)
        it(`${where}, ${act}: ${name} completes, or throws having changed nothing`, async () => {
          expect((await sweep(envOf(cut), call, model, act)).slice(0, 3)).toEqual([]);
        });
});

describe("a CowFloat64Array call whose out-of-memory hook forks, freezes, protects or unmaps its space", () => {
  for (const [where, envOf] of arrayEnvs)
    for (const act of envOf().acts)
      for (const [name, call, model] of arrayCalls)
        it(`${where}, ${act}: ${name} completes, or throws having changed nothing`, async () => {
          expect((await sweep(envOf(), call, model, act)).slice(0, 3)).toEqual([]);
        });
});

describe("a vector call whose out-of-memory hook writes the same vector", () => {
  it("keeps the hook's write: the call is refused with OutOfMemoryError, changing nothing (its plan is stale)", () => {
    const calls: [string, (w: CowVector) => unknown, (a: number[]) => void][] = [
      [
        "insertFrom",
        (w) => w.insertFrom(0, new Float64Array(100).fill(5)),
        (a) => a.splice(0, 0, ...zeros(100).fill(5)),
      ],
      ["splice head", (w) => w.splice(0, 65, ...zeros(32).fill(6)), (a) => a.splice(0, 65, ...zeros(32).fill(6))],
      ["removeRange", (w) => w.removeRange(0, 40), (a) => a.splice(0, 40)],
      ["sort", (w) => w.sort(desc), (a) => a.sort(desc)],
    ];
    for (const [name, call, model] of calls)
      for (let left = 0; left <= 8; left++) {
        let armed = false;
        let ran = false;
        const box: { w: CowVector | null; victim: AddressSpace | null } = { w: null, victim: null };
        const pool = new FramePool({
          pageSize: PS,
          maxBytes: 32 * PS,
          onOutOfMemory: () => {
            if (!armed) return;
            armed = false;
            box.victim?.release();
            (box.w as CowVector).push(-1); // a write of the vector the call is about to change
            ran = true;
          },
        });
        const w = CowVector.from(Float64Array, init, { pool, maxLength: 1024 });
        box.w = w;
        const keep = w.fork(); // every page shared: the call needs frames
        const victim = new AddressSpace({ size: 16 * PS, pool });
        for (let p = 0; p < 8; p++) victim.setUint8(p * PS, 1);
        box.victim = victim;
        const fill = new AddressSpace({ size: 32 * PS, pool });
        for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
        armed = true;
        let caught: unknown = null;
        try {
          call(w);
        } catch (e) {
          caught = e;
        }
        const what = `${name}, ${left} left`;
        // Refused (the hook's push kept), or done after the hook's push: never a mix.
        const pushed = [...init, -1];
        if (caught === null) model(pushed);
        if (ran) {
          if (caught !== null) expect(caught, what).toBeInstanceOf(OutOfMemoryError);
          expect([...w], what).toEqual(pushed);
        } else expect(caught, what).toBeNull();
        expect([...keep], what).toEqual(init);
        for (const s of [w, keep, victim, fill]) s.release();
        expect(pool.stats(), what).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
      }
  });
});

describe("a zero fill over a write-protected page (no hook)", () => {
  it("throws ProtectionFault before it writes, for a typed array and a vector's resize", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = CowFloat64Array.from(init, { pool });
    a.space.protect(3 * PS, PS, "read-only"); // elements 96..127
    expect(() => a.fill(0, 5, 190)).toThrow(ProtectionFault); // memsets pages 0 and 5, discards 1-4
    expect([...a]).toEqual(init);
    const v = CowVector.from(Float64Array, init, { pool, maxLength: 1024 });
    v.resize(10);
    v.space.protect(3 * PS, PS, "read-only");
    expect(() => v.resize(150)).toThrow(ProtectionFault); // zeros elements 10..149 first
    v.space.protect(3 * PS, PS, "read-write");
    expect(v.length).toBe(10);
    v.resize(200);
    expect([...v].slice(0, 12)).toEqual([...init.slice(0, 10), 0, 0]);
    a.release();
    v.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });
});
