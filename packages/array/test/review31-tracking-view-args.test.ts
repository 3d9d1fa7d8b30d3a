/**
 * The methods of an embedded vector's proxy view (and of its subarrays) that
 * convert an argument: a `valueOf` is user code, and one that shrinks the
 * vector and lets the heap reuse its block must not make the method read or
 * write that block. Each is compared with the same call on a native
 * length-tracking Float64Array over a resizable ArrayBuffer, given the same
 * shrink (ES2024 semantics). Before the fix the core view's methods ran over
 * the window as it was when called: `at`, `slice`, `with`, `indexOf` read the
 * freed block (here: the -9 of the array the heap put there).
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { type Resizable, ResizableBuffer, shrinking } from "../../../test/support/shrinking.js";

// biome-ignore lint/suspicious/noExplicitAny: a native Float64Array or a proxy view, called alike
type Any = any;

const CALLS: [string, (t: Any, arg: (v: unknown) => never) => unknown][] = [
  ["at", (t, arg) => t.at(arg(-2))],
  ["at past the new end", (t, arg) => t.at(arg(30))],
  ["indexOf", (t, arg) => t.indexOf(33, arg(1))],
  ["includes", (t, arg) => t.includes(-9, arg(0))],
  ["lastIndexOf", (t, arg) => t.lastIndexOf(-9, arg(39))],
  ["slice", (t, arg) => Array.from(t.slice(arg(0), 36))],
  ["with", (t, arg) => Array.from(t.with(arg(1), 5))],
  ["with, value", (t, arg) => Array.from(t.with(1, arg(5)))],
  ["fill", (t, arg) => Array.from(t.fill(7, arg(2), 30))],
  ["copyWithin", (t, arg) => Array.from(t.copyWithin(0, arg(20), 40))],
  ["subarray", (t, arg) => Array.from(t.subarray(arg(3), 20))],
  ["join", (t, arg) => t.join(arg("|"))],
];

describe.each([
  ["the proxy", (p: Any) => p],
  ["a tracking subarray", (p: Any) => p.subarray(2)],
  ["a fixed subarray", (p: Any) => p.subarray(2, 38)],
])("%s of an embedded vector, an argument's valueOf shrinking the vector", (_name, sub) => {
  for (const [name, call] of CALLS)
    it(`${name}: as natively, never the freed block's bytes`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const space = new AddressSpace({ size: 1 << 18, pool });
      const heap = Heap.create(space, { base: 256 });
      const init = Float64Array.from({ length: 40 }, (_, i) => i + 1);
      const v = CowVector.create(heap, Float64Array);
      v.extend(init);
      const rab: Resizable = new ResizableBuffer(40 * 8, { maxByteLength: 64 * 8 });
      const model = new Float64Array(rab);
      model.set(init);
      const scribbles: CowFloat64Array[] = [];
      const run = (f: () => unknown): unknown => {
        try {
          return f();
        } catch (e) {
          return { error: (e as Error).constructor.name };
        }
      };
      const cow = run(() =>
        call(sub(v.proxy()), (x) =>
          shrinking(x, () => {
            v.resize(12);
            v.shrinkToFit(); // the block moves: the old one is freed...
            const s = CowFloat64Array.create(heap, 40); // ...and taken by another array
            s.fill(-9);
            scribbles.push(s);
          }),
        ),
      );
      const native = run(() => call(sub(model), (x) => shrinking(x, () => rab.resize(12 * 8))));
      expect(cow).toEqual(native);
      expect(Array.from(v.toTypedArray())).toEqual(Array.from(model));
      for (const s of scribbles) expect(s.toTypedArray().every((x) => x === -9)).toBe(true);
      heap.check();
      space.release();
      expect(pool.framesInUse).toBe(0);
    });
});
