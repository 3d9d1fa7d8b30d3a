/**
 * The in-space paths that reserve frames before heap calls (in-space.ts
 * `requirePoolFrames`): creating an embedded array or vector (`create`, and
 * the copies `slice`, `map`, `filter`, `with`, `toSorted`, `toReversed` of an
 * embedded one, which allocate in its heap) and `free()`. Near the pool's
 * limit the reservation runs the out-of-memory hook, which is user code: it
 * may fork the space, freeze it, write-protect or unmap pages the heap calls
 * write, release the space, write, free or take a subarray of the array the
 * call works on, or make a heap call of its own. After it, the call must
 * complete correctly or throw a typed error having changed nothing: the
 * heap's counters and bytes, the pool's frames, nodes and commit charge,
 * the array's contents; and everything released leaves the pool empty.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import {
  AddressSpace,
  FramePool,
  Heap,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { poolLeak, poolUse } from "../../../test/support/oom-hook.js";

const PS = 256;
const PAGES = 128;

type Act =
  | "fork"
  | "freeze"
  | "protect"
  | "protect header"
  | "protect map"
  | "protect brk"
  | "protect data"
  | "unmap brk"
  | "release"
  | "write"
  | "free"
  | "subarray"
  | "heap call";
const ACTS: readonly Act[] = [
  "fork",
  "freeze",
  "protect",
  "protect header",
  "protect map",
  "protect brk",
  "protect data",
  "unmap brk",
  "release",
  "write",
  "free",
  "subarray",
  "heap call",
];

/** The world a call runs in: a heap at page 1 of a 128-page space, an embedded array and vector of `init`. */
interface World {
  readonly pool: FramePool;
  readonly space: AddressSpace;
  readonly heap: Heap;
  readonly a: CowFloat64Array;
  readonly v: CowVector<Float64ArrayConstructor>;
}

const init = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) + 1); // 7 pages of 32 elements
const src = Float64Array.from({ length: 150 }, (_, i) => -(i + 1));
const desc = (x: number, y: number) => y - x;

/** What a completed call is checked against: the world, the heap's block count after the hook, the hook's subarray. */
interface Done {
  readonly w: World;
  readonly blocks: number;
  readonly sub: CowFloat64Array | null;
  /** The vector's elements after the hook. */
  readonly v: readonly number[];
  /** The act of the hook, null when it did not run. */
  readonly act: Act | null;
}

/** [name, the call, what its result must hold (from the array's contents when the call copies them), a preparation] */
type Call = [
  string,
  (w: World) => unknown,
  (a: readonly number[], result: unknown, c: Done) => unknown,
  ((w: World) => void)?,
];

/** The vector holds `expected` (unless the hook freed or released it). */
function vectorIs(c: Done, expected: readonly number[]): void {
  if (c.w.v.isReleased || c.w.space.released) return;
  expect([...c.w.v]).toEqual(expected);
}

/**
 * A completed free: the handle released; its `blocks` blocks returned to the
 * heap, unless the hook freed them already or took a subarray that keeps
 * them (and reads as before).
 */
function freed(c: Done, x: CowFloat64Array | CowVector, blocks: number): void {
  expect(x.isReleased).toBe(true);
  const kept = c.sub !== null && !c.sub.isReleased;
  if (kept) expect([...(c.sub as CowFloat64Array)]).toEqual(init.slice(1, 3));
  if (c.w.space.released) return; // the hook released the space: nothing left to free
  expect(c.w.heap.stats().blocks).toBe(kept || c.act === "free" ? c.blocks : c.blocks - blocks);
}

const arrayOf = (r: unknown) => [...(r as Iterable<number>)];
const calls: Call[] = [
  ["create from source", (w) => CowFloat64Array.create(w.heap, src), (_a, r) => expect(arrayOf(r)).toEqual([...src])],
  ["create zeros", (w) => CowFloat64Array.create(w.heap, 150), (_a, r) => expect(arrayOf(r)).toEqual(zeros(150))],
  ["create small", (w) => CowFloat64Array.create(w.heap, [1, 2, 3]), (_a, r) => expect(arrayOf(r)).toEqual([1, 2, 3])],
  [
    "vector create",
    (w) => CowVector.create(w.heap, Float64Array, { capacity: 150 }),
    (_a, r) => expect((r as CowVector).length).toBe(0),
  ],
  ["slice", (w) => w.a.slice(10, 160), (a, r) => expect(arrayOf(r)).toEqual(a.slice(10, 160))],
  ["toSorted", (w) => w.a.toSorted(desc), (a, r) => expect(arrayOf(r)).toEqual([...a].sort(desc))],
  ["toReversed", (w) => w.a.toReversed(), (a, r) => expect(arrayOf(r)).toEqual([...a].reverse())],
  ["with", (w) => w.a.with(5, -7), (a, r) => expect(arrayOf(r)).toEqual(a.with(5, -7))],
  ["map", (w) => w.a.map((x) => x * 2), (a, r) => expect(arrayOf(r)).toEqual(a.map((x) => x * 2))],
  ["filter", (w) => w.a.filter((x) => x % 2 === 0), (a, r) => expect(arrayOf(r)).toEqual(a.filter((x) => x % 2 === 0))],
  ["vector slice", (w) => w.v.slice(10, 160), (_a, r) => expect(arrayOf(r)).toEqual(init.slice(10, 160))],
  ["vector extend (moves its block)", (w) => w.v.extend(src), (_a, _r, c) => vectorIs(c, [...c.v, ...src])],
  [
    "vector insertFrom (moves its block)",
    (w) => w.v.insertFrom(3, src),
    (_a, _r, c) => vectorIs(c, [...c.v.slice(0, 3), ...src, ...c.v.slice(3)]),
  ],
  ["vector reserve", (w) => w.v.reserve(700), (_a, _r, c) => vectorIs(c, c.v)],
  [
    "vector shrinkToFit (moves its block)",
    (w) => w.v.shrinkToFit(),
    (_a, _r, c) => vectorIs(c, c.v),
    (w) => w.v.resize(20), // before the call: 20 elements in a block for 200
  ],
  ["free", (w) => w.a.free(), (_a, _r, c) => freed(c, c.w.a, 1)],
  ["vector free", (w) => w.v.free(), (_a, _r, c) => freed(c, c.w.v, 2)],
];

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Every byte of the space's mappings (zeros elsewhere). */
function bytes(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  for (const m of space.mappings()) space.read(m.start, out.subarray(m.start, m.end));
  return out;
}

/**
 * One run: a pool of 32 frames; the world made, every page shared with a
 * fork kept aside (`shared`), a filler leaving `left` frames; the hook,
 * armed for the call, releases a victim of `victim` frames and acts.
 * Returns what went wrong, or null.
 */
function run(call: Call, act: Act, left: number, victim: number, shared: boolean): string | null {
  const [, f, check] = call;
  let armed = false;
  let ran = false;
  const box: {
    w: World | null;
    victim: AddressSpace | null;
    child: AddressSpace | null;
    sub: CowFloat64Array | null;
    block: number;
  } = { w: null, victim: null, child: null, sub: null, block: 0 };
  let atCall = {
    use: { frames: 0, nodes: 0, committed: 0 },
    heap: "",
    bytes: new Uint8Array(0) as Uint8Array,
    a: [] as number[],
    v: [] as number[],
  };
  const snapshot = (w: World) => ({
    use: poolUse(w.pool),
    heap: JSON.stringify(w.heap.stats()),
    bytes: bytes(w.space),
    a: w.a.isReleased ? [] : [...w.a],
    v: w.v.isReleased ? [] : [...w.v],
  });
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 32 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      ran = true;
      box.victim?.release();
      const w = box.w as World;
      const s = w.space;
      const brk = w.heap.stats().brk;
      try {
        acting(w, s, brk);
      } finally {
        // What the call starts from, even when the hook's own write was refused.
        if (!s.released) atCall = snapshot(w);
      }
    },
  });
  const acting = (w: World, s: AddressSpace, brk: number) => {
    if (act === "fork") box.child = s.fork();
    else if (act === "freeze") s.freeze();
    else if (act === "protect") s.protect(0, s.size, "read-only");
    else if (act === "protect header") s.protect(PS, PS, "read-only");
    else if (act === "protect map") s.protect(2 * PS, PS, "read-only");
    else if (act === "protect brk") s.protect(brk, Math.min(8 * PS, s.size - brk), "read-only");
    else if (act === "protect data")
      s.protect(w.heap.stats().dataStart, s.size - w.heap.stats().dataStart, "read-only");
    else if (act === "unmap brk") s.unmap(brk, Math.min(8 * PS, s.size - brk));
    else if (act === "release") s.release();
    else if (act === "write") {
      w.a.set(0, -1);
      w.v.set(0, -1);
    } else if (act === "free") {
      w.a.free();
      w.v.free();
    } else if (act === "subarray") box.sub = w.a.subarray(1, 3);
    else if (act === "heap call") box.block = w.heap.malloc(8);
  };
  const space = new AddressSpace({ size: PAGES * PS, pool });
  const heap = Heap.create(space, { base: PS });
  const a = CowFloat64Array.create(heap, init);
  const v = CowVector.create(heap, Float64Array);
  v.extend(init);
  const w: World = { pool, space, heap, a, v };
  box.w = w;
  call[3]?.(w);
  const keep = shared ? space.fork() : null;
  const keptBytes = bytes(space);
  const vi = new AddressSpace({ size: 16 * PS, pool });
  for (let p = 0; p < victim; p++) vi.setUint8(p * PS, 1);
  box.victim = vi;
  const fill = new AddressSpace({ size: 32 * PS, pool });
  for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
  atCall = snapshot(w);
  armed = true;
  let caught: unknown = null;
  let result: unknown;
  try {
    result = f(w);
  } catch (e) {
    caught = e;
  }
  armed = false;
  const problems: string[] = [];
  const live = !space.released;
  if (
    live &&
    (act === "protect" ||
      act === "protect header" ||
      act === "protect map" ||
      act === "protect brk" ||
      act === "protect data")
  )
    space.protect(0, space.size, "read-write");
  if (caught === null) {
    try {
      check(atCall.a, result, {
        w,
        blocks: JSON.parse(atCall.heap).blocks,
        sub: box.sub,
        v: atCall.v,
        act: ran ? act : null,
      });
      const frees = call[0].endsWith("free");
      if (ran && (act === "freeze" || act === "protect" || (act === "release" && !frees)))
        problems.push(`completed although the hook ran ${act}`);
      if (!space.released) heap.check();
    } catch (e) {
      problems.push(`completed wrongly: ${String(e).slice(0, 300)}`);
    }
  } else {
    if (![OutOfMemoryError, ProtectionFault, SegmentationFault, ReleasedError].some((c) => caught instanceof c))
      problems.push(`threw ${String(caught)}`);
    if (caught instanceof ReleasedError && act !== "release" && act !== "free")
      problems.push(`threw ${String(caught)} although the hook released nothing of the call's`);
    if (live) {
      const now = snapshot(w);
      if (JSON.stringify(now.use) !== JSON.stringify(atCall.use))
        problems.push(
          `threw ${String(caught)}: pool ${JSON.stringify(now.use)}, expected ${JSON.stringify(atCall.use)}`,
        );
      if (now.heap !== atCall.heap) problems.push(`threw ${String(caught)}: heap ${now.heap}, expected ${atCall.heap}`);
      else if (!sameBytes(now.bytes, atCall.bytes)) problems.push(`threw ${String(caught)}: the space's bytes changed`);
      if (JSON.stringify(now.a) !== JSON.stringify(atCall.a)) problems.push(`threw ${String(caught)}: a changed`);
      if (JSON.stringify(now.v) !== JSON.stringify(atCall.v)) problems.push(`threw ${String(caught)}: v changed`);
      try {
        heap.check();
      } catch (e) {
        problems.push(`threw ${String(caught)}: heap corrupt: ${String(e).slice(0, 200)}`);
      }
    }
  }
  if (keep !== null && !sameBytes(bytes(keep), keptBytes)) problems.push("the kept fork changed");
  if (box.child !== null && live && !sameBytes(bytes(box.child), atCall.bytes))
    problems.push("the hook's fork changed");
  // Release everything: the pool must be empty.
  box.child?.release();
  keep?.release();
  space.release();
  vi.release();
  fill.release();
  const leak = poolLeak(pool);
  if (leak !== null) problems.push(leak);
  return problems.length === 0 ? null : problems.join("; ");
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Which acts apply to a call: "subarray" only to a typed array's free; "free" not to a create. */
function actsFor(name: string): readonly Act[] {
  return ACTS.filter((act) => act !== "subarray" || name === "free");
}

function sweep(call: Call, act: Act): string[] {
  const bad: string[] = [];
  for (const shared of [false, true])
    for (let left = 0; left <= 12; left += 2)
      for (const victim of [1, 3, 6, 12]) {
        let p: string | null;
        try {
          p = run(call, act, left, victim, shared);
        } catch (e) {
          p = `the check threw ${String(e)}`;
        }
        if (p !== null) bad.push(`left ${left} victim ${victim} shared ${shared}: ${p}`);
      }
  return bad;
}

describe("an embedded create, copy or free whose out-of-memory hook acts on the heap's space or the array", () => {
  for (const call of calls)
    for (const act of actsFor(call[0]))
      it(`${act}: ${call[0]} completes, or throws a typed error having changed nothing`, () => {
        expect(sweep(call, act).slice(0, 3)).toEqual([]);
      });
});

describe("an embedded create or growth whose out-of-memory hook protects or unmaps the pages past the break", () => {
  it("throws before the heap call (no block allocated or moved, nothing written), for arrays and vectors", () => {
    // [name, what is in the heap before, the call]
    const makes: [string, (h: Heap) => unknown, (h: Heap, x: unknown) => unknown][] = [
      ["create from source", () => null, (h) => CowFloat64Array.create(h, new Float64Array(150).fill(2))],
      ["create small", () => null, (h) => CowFloat64Array.create(h, [1, 2, 3])],
      ["vector create", () => null, (h) => CowVector.create(h, Float64Array, { capacity: 150 })],
      ...[30, 60].map((n): [string, (h: Heap) => unknown, (h: Heap, x: unknown) => unknown] => [
        `vector of ${n} extended by ${n} (its block moves to the break)`,
        (h) => {
          const v = CowVector.create(h, Float64Array);
          v.extend(new Float64Array(n).fill(1));
          return v;
        },
        (_h, v) => (v as CowVector).extend(new Float64Array(n).fill(2)),
      ]),
    ];
    for (const [name, prepare, make] of makes)
      for (const mode of ["protect", "unmap"] as const) {
        const what = `${name}, ${mode}`;
        let armed = false;
        const box: { heap: Heap | null; victim: AddressSpace | null; blocks: number; use: unknown } = {
          heap: null,
          victim: null,
          blocks: -1,
          use: null,
        };
        const pool = new FramePool({
          pageSize: PS,
          maxBytes: 32 * PS,
          onOutOfMemory: () => {
            if (!armed) return;
            armed = false;
            box.victim?.release();
            const h = box.heap as Heap;
            const brk = h.stats().brk;
            if (mode === "protect") h.space.protect(brk, 8 * PS, "read-only");
            else h.space.unmap(brk, 8 * PS);
            box.blocks = h.stats().blocks;
            box.use = poolUse(pool);
          },
        });
        const space = new AddressSpace({ size: PAGES * PS, pool });
        const heap = Heap.create(space, { base: PS });
        box.heap = heap;
        const x = prepare(heap);
        const before = x instanceof CowVector ? [...x] : [];
        const keep = space.fork();
        const victim = new AddressSpace({ size: 32 * PS, pool });
        for (let i = 0; i < 20; i++) victim.setUint8(i * PS, 1);
        box.victim = victim;
        const fill = new AddressSpace({ size: 32 * PS, pool });
        for (let i = 0; pool.framesAvailable() > 2; i++) fill.setUint8(i * PS, 1);
        armed = true;
        expect(() => make(heap, x), what).toThrow(mode === "protect" ? ProtectionFault : SegmentationFault);
        if (x instanceof CowVector) expect([...x], what).toEqual(before);
        expect(heap.stats().blocks, what).toBe(box.blocks);
        expect(poolUse(pool), what).toEqual(box.use);
        heap.check();
        for (const s of [space, keep, fill]) s.release();
        expect(pool.stats(), what).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
      }
  });
});
