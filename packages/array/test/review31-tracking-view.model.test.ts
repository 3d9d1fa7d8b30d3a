/**
 * The proxy view of an embedded vector tracks it (embedded-view.ts), and so
 * must every method of it and every subarray of it. Before this, the view's
 * read-only methods were the core view's, bound to the window as it was when
 * called: a callback that shrank the vector, grew it (its block moved) or
 * freed it made the next steps read the old block, freed and perhaps another
 * heap block by then; its `subarray()` was a core view of a fixed byte range,
 * so a write through it after the vector moved wrote into whatever the heap
 * put there (another array's elements, the heap's metadata).
 *
 * Property: an embedded CowVector<Float64Array>'s proxy, or a subarray of it
 * (length-tracking `p.subarray(b)` or fixed `p.subarray(b, e)`), runs a
 * callback method whose callbacks resize the vector, write it or a
 * neighbour, or allocate and scribble over freed heap blocks; the values the
 * callbacks see and the result are those of the same method on a native
 * Float64Array (length-tracking, over a resizable ArrayBuffer: the model)
 * given the same changes, and then writes through the view (index, fill,
 * set, copyWithin, reverse, sort) land as on the model. A callback that frees
 * the vector makes the method throw ReleasedError. The heap checks clean and
 * the pool holds no frame once the space is released.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Resizable, ResizableBuffer } from "../../../test/support/shrinking.js";
import { CALLBACK_METHODS } from "./support/callback-methods.js";
import { turn } from "./support.js";

const PS = 256; // 32 Float64 elements per page
const MAX = 300;
const NUM_RUNS = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1) * 300;

type Path = "shrink" | "push" | "grow" | "fit" | "set" | "neighbour" | "scribble" | "free";
const PATHS: readonly Path[] = ["shrink", "push", "grow", "fit", "set", "neighbour", "scribble", "free"];
const METHODS = [...CALLBACK_METHODS, "values", "entries", "keys"] as const;
type Method = (typeof METHODS)[number];
type Write = "index" | "fill" | "set" | "copyWithin" | "reverse" | "sort";
const WRITES: readonly Write[] = ["index", "fill", "set", "copyWithin", "reverse", "sort"];

interface Act {
  readonly at: number;
  readonly j: number;
  readonly x: number;
  readonly path: Path;
}
interface Case {
  readonly n: number;
  /** Window: "whole" (the proxy), "tail" (p.subarray(b)) or "fixed" (p.subarray(b, e)). */
  readonly window: "whole" | "tail" | "fixed";
  readonly b: number;
  readonly e: number;
  readonly method: Method;
  readonly stop: number;
  readonly acts: readonly Act[];
  readonly writes: readonly { w: Write; i: number; x: number }[];
}

// biome-ignore lint/suspicious/noExplicitAny: a native Float64Array or a proxy view, called alike
type Loopable = any;

function runLoop(a: Loopable, method: Method, stop: number, visit: (i: number) => void, seen: unknown[] = []): unknown {
  const see = (v: unknown, i: number): void => {
    seen.push(i, v);
    visit(i);
  };
  const hit = (v: unknown, i: number): boolean => {
    see(v, i);
    return i === stop;
  };
  switch (method) {
    case "forEach":
      a.forEach(see);
      return { seen };
    case "map":
      return {
        seen,
        r: Array.from(
          a.map((v: number, i: number) => {
            see(v, i);
            return v * 2;
          }),
        ),
      };
    case "filter":
      return {
        seen,
        r: Array.from(
          a.filter((v: number, i: number) => {
            see(v, i);
            return i % 3 === 0;
          }),
        ),
      };
    case "reduce":
    case "reduceRight":
      return {
        seen,
        r: a[method]((acc: number, v: number, i: number) => {
          see(v, i);
          return acc + (v ?? 1000);
        }, 0),
      };
    case "every":
      return { seen, r: a.every((v: number, i: number) => !hit(v, i)) };
    case "values": {
      let i = 0;
      for (const v of a.values()) see(v, i++);
      return { seen };
    }
    case "entries":
      for (const [i, v] of a.entries()) see(v, i);
      return { seen };
    case "keys":
      for (const i of a.keys()) see(i, i);
      return { seen };
    default:
      return { seen, r: a[method](hit) };
  }
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 120 }),
  window: fc.constantFrom("whole", "tail", "fixed"),
  b: fc.nat(60),
  e: fc.nat(130),
  method: fc.constantFrom(...METHODS),
  stop: fc.integer({ min: -1, max: 120 }),
  acts: fc.array(
    fc.record({
      at: fc.nat(60),
      j: fc.nat(200),
      x: fc.integer({ min: -1000, max: 1000 }),
      path: fc.constantFrom(...PATHS),
    }),
    { maxLength: 8 },
  ),
  writes: fc.array(
    fc.record({ w: fc.constantFrom(...WRITES), i: fc.nat(130), x: fc.integer({ min: -1000, max: 1000 }) }),
    { maxLength: 6 },
  ),
});

/** What the native model does for write `w` on `t` (a native view or a proxy view: the same calls). */
function applyWrite(t: Loopable, w: { w: Write; i: number; x: number }): void {
  const len = t.length as number;
  switch (w.w) {
    case "index":
      t[w.i % (len + 2)] = w.x; // sometimes past the end: ignored
      break;
    case "fill":
      t.fill(w.x, w.i % (len + 1), (w.i % (len + 1)) + 3);
      break;
    case "set":
      if (len >= 2) t.set([w.x, w.x + 1], w.i % (len - 1));
      break;
    case "copyWithin":
      t.copyWithin(w.i % (len + 1), 1, 5);
      break;
    case "reverse":
      t.reverse();
      break;
    case "sort":
      t.sort((p: number, q: number) => q - p);
      break;
  }
}

function check(c: Case): void {
  const pool = new FramePool({ pageSize: PS });
  const space = new AddressSpace({ size: 512 * PS, pool });
  const heap = Heap.create(space, { base: PS });
  const init = Float64Array.from({ length: c.n }, (_, i) => i + 1);
  const rab: Resizable = new ResizableBuffer(c.n * 8, { maxByteLength: MAX * 8 });
  const whole = new Float64Array(rab);
  whole.set(init);
  const v = CowVector.create(heap, Float64Array);
  v.extend(init);
  const neighbour = CowFloat64Array.create(heap, 40);
  const scribbled: CowFloat64Array[] = [];
  const b = Math.min(c.b, c.n);
  const e = Math.max(b, Math.min(c.e, c.n));
  const p = v.proxy();
  const [view, model]: [Loopable, Loopable] =
    c.window === "whole"
      ? [p, whole]
      : c.window === "tail"
        ? [p.subarray(b), whole.subarray(b)]
        : [p.subarray(b, e), whole.subarray(b, e)];
  let freed = -1;
  let step = 0;
  const cowVisit = (i: number): void => {
    const s = step++;
    for (const act of c.acts) {
      if (act.at !== s || v.released) continue;
      switch (act.path) {
        case "shrink":
          v.resize(act.j % (v.length + 1));
          break;
        case "push":
          if (v.length < MAX) v.push(act.x);
          break;
        case "grow":
          v.resize(Math.min(MAX, v.length + 1 + (act.j % 40)));
          break;
        case "fit":
          v.shrinkToFit();
          break;
        case "set":
          if (v.length > 0) v.set(act.j % v.length, act.x);
          break;
        case "neighbour":
          neighbour.fill(-7);
          break;
        case "scribble": {
          // Blocks the heap may place where the vector's block was (freed by a move or a shrink).
          const s2 = CowFloat64Array.create(heap, 1 + (act.j % 64));
          s2.fill(-9);
          scribbled.push(s2);
          break;
        }
        case "free":
          v.free();
          freed = i;
          break;
      }
    }
  };
  let mstep = 0;
  let modelFreed = -1;
  const nativeVisit = (i: number): void => {
    const s = mstep++;
    for (const act of c.acts) {
      if (act.at !== s || modelFreed >= 0) continue;
      const len = whole.length;
      switch (act.path) {
        case "shrink":
          rab.resize((act.j % (len + 1)) * 8);
          break;
        case "push":
          if (len < MAX) {
            rab.resize((len + 1) * 8);
            whole[len] = act.x;
          }
          break;
        case "grow":
          rab.resize(Math.min(MAX, len + 1 + (act.j % 40)) * 8);
          break;
        case "set":
          if (len > 0) whole[act.j % len] = act.x;
          break;
        case "free":
          modelFreed = i;
          rab.resize(0); // as a detached buffer: every later read is undefined
          break;
      }
    }
  };
  let expected: unknown;
  const mseen: unknown[] = [];
  try {
    expected = runLoop(model, c.method, c.stop, nativeVisit, mseen);
  } catch (err) {
    // A native iterator over a window its buffer no longer reaches throws TypeError; so does the view's.
    expect(err).toBeInstanceOf(TypeError);
    expected = { error: TypeError, seen: mseen };
  }
  let actual: unknown;
  const seen: unknown[] = [];
  try {
    actual = runLoop(view, c.method, c.stop, cowVisit, seen);
  } catch (err) {
    actual = err instanceof TypeError ? { error: TypeError, seen } : err;
  }
  if (freed >= 0) {
    // Freed in a callback: ReleasedError at a later step, or (no element read after it) the native
    // result over a detached buffer; never an element read from the freed block.
    expect(freed).toBe(modelFreed);
    if (actual instanceof ReleasedError)
      expect(seen).toEqual((expected as { seen: unknown[] }).seen.slice(0, seen.length));
    else expect(actual).toEqual(expected);
    expect(() => view[0]).toThrow(ReleasedError);
    expect(() => view.length).toThrow(ReleasedError);
    expect(() => view.subarray(0)).toThrow(ReleasedError);
  } else {
    expect(actual).toEqual(expected);
    // Writes through the view after the changes: as on the model.
    // (A native window the vector no longer reaches is out of bounds: its methods throw TypeError, where
    // the view's act on zero elements. Both have length 0 then; the writes are skipped.)
    for (const w of c.writes) {
      if (model.length === 0) break;
      applyWrite(model, w);
      applyWrite(view, w);
    }
    const elements = (t: Loopable): unknown[] => Array.from({ length: t.length }, (_, i) => t[i]);
    expect([view.length, elements(view)]).toEqual([model.length, elements(model)]);
    expect(Array.from(v.toTypedArray())).toEqual(Array.from(whole));
    expect(Array.from(neighbour.toTypedArray()).every((x) => x === 0 || x === -7)).toBe(true);
    for (const s2 of scribbled) expect(Array.from(s2.toTypedArray()).every((x) => x === -9)).toBe(true);
  }
  heap.check();
  space.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
}

describe("the proxy view of an embedded vector, and its subarrays, under callbacks that change the vector", () => {
  it("see what a native length-tracking Float64Array sees (property)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await turn();
        check(c);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("a subarray written after the vector moved writes the vector, not the block it left", () => {
    for (const window of ["tail", "fixed"] as const)
      check({
        n: 8,
        window,
        b: 2,
        e: 6,
        method: "forEach",
        stop: -1,
        acts: [
          { at: 0, j: 200, x: 5, path: "grow" },
          { at: 0, j: 0, x: 0, path: "scribble" },
          { at: 0, j: 7, x: 0, path: "scribble" },
        ],
        writes: [
          { w: "index", i: 0, x: 11 },
          { w: "fill", i: 1, x: 12 },
          { w: "reverse", i: 0, x: 0 },
        ],
      });
  });

  it("forEach over the proxy whose callback shrinks the vector sees undefined past the new end, never the freed block", () => {
    for (const method of METHODS)
      check({
        n: 70,
        window: "whole",
        b: 0,
        e: 0,
        method,
        stop: -1,
        acts: [
          { at: 1, j: 3, x: 0, path: "shrink" },
          { at: 1, j: 3, x: 0, path: "fit" },
          { at: 1, j: 60, x: 0, path: "scribble" },
        ],
        writes: [],
      });
  });
});
