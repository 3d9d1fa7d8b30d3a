/**
 * Review 33: `freeze()` and `frozen` of the COW typed arrays and of
 * CowVector. A standalone array freezes its own space; every later write
 * that would change it throws ProtectionFault and changes nothing (the
 * elements, the length, a vector's capacity, the pool's frames and
 * page-table nodes); a call that writes nothing returns. Reads, the copying
 * methods, fork() (writable, as a fork of a frozen AddressSpace) and
 * release() work; a subarray shares the freeze of its space; an embedded
 * array refuses freeze(). `new History(a, { freeze: true })` takes them.
 * Against native typed arrays and a plain Array, with a frame-leak check.
 *
 * Before `setLength` tested the frozen bit, a standalone vector's length
 * changes that write no page went through on a frozen vector: `pop()`,
 * `resize` down, `removeRange` or `splice` of the tail, `swapRemove` of the
 * last element (a frozen version in a History lost its last element).
 */
import { CowFloat64Array, CowInt16Array, type CowTypedArray, CowUint8Array, CowVector } from "@pagefork/array";
import {
  AddressSpace,
  FramePool,
  Heap,
  History,
  InvalidArgumentError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

const num = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(Number.NaN, -0, 0.5, 1e300));

/** A write of the fixed-length kinds, its indices taken modulo the length at the call. */
type ArrayOp =
  | { op: "set"; i: number; v: number }
  | { op: "setFrom"; values: number[]; offset: number }
  | { op: "fill"; v: number; s: number; e: number }
  | { op: "copyWithin"; t: number; s: number; e: number }
  | { op: "reverse" }
  | { op: "sort" }
  | { op: "proxy"; i: number; v: number };

const arrayOp: fc.Arbitrary<ArrayOp> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), i: fc.nat(), v: num }),
  fc.record({ op: fc.constant("setFrom" as const), values: fc.array(num, { maxLength: 300 }), offset: fc.nat() }),
  fc.record({ op: fc.constant("fill" as const), v: num, s: fc.nat(), e: fc.nat() }),
  fc.record({ op: fc.constant("copyWithin" as const), t: fc.nat(), s: fc.nat(), e: fc.nat() }),
  fc.constant({ op: "reverse" as const }),
  fc.constant({ op: "sort" as const }),
  fc.record({ op: fc.constant("proxy" as const), i: fc.nat(), v: num }),
);

type Native = Float64Array | Uint8Array | Int16Array;
type Cow = CowTypedArray<number>;

const isNative = (a: Cow | Native): a is Native =>
  a instanceof Float64Array || a instanceof Uint8Array || a instanceof Int16Array;

/** Applies `o` to `a` (a COW array, or a native one as the model). */
function applyArray(a: Cow | Native, o: ArrayOp): void {
  const n = a.length;
  const at = (x: number) => (n === 0 ? 0 : x % n);
  switch (o.op) {
    case "set":
      if (n === 0) return;
      if (isNative(a))
        a[at(o.i)] = o.v; // a native set(i, v) is the bulk form
      else a.set(at(o.i), o.v);
      return;
    case "setFrom": {
      const values = o.values.slice(0, n);
      (a as Native).set(values, (o.offset % (n - values.length + 1)) as number);
      return;
    }
    case "fill":
      a.fill(o.v, o.s % (n + 1), o.e % (n + 1));
      return;
    case "copyWithin":
      a.copyWithin(o.t % (n + 1), o.s % (n + 1), o.e % (n + 1));
      return;
    case "reverse":
      a.reverse();
      return;
    case "sort":
      a.sort();
      return;
    case "proxy":
      if (n === 0) return;
      if (isNative(a)) a[at(o.i)] = o.v;
      else (a as Cow).proxy()[at(o.i)] = o.v;
      return;
  }
}

/** The bytes of a typed array (so NaN and -0 compare exactly). */
const bytesOf = (a: Native): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

const KINDS = [
  { name: "Float64", Cow: CowFloat64Array, Native: Float64Array },
  { name: "Uint8", Cow: CowUint8Array, Native: Uint8Array },
  { name: "Int16", Cow: CowInt16Array, Native: Int16Array },
] as const;

describe("review 33: freeze() of the COW typed arrays", () => {
  for (const kind of KINDS) {
    it(`property (${kind.name}): writes, freeze at a random point, then every write that would change the array throws ProtectionFault and changes nothing; a fork is writable`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(num, { maxLength: 700 }),
          fc.array(arrayOp, { maxLength: 8 }),
          fc.array(arrayOp, { minLength: 1, maxLength: 10 }),
          fc.array(arrayOp, { maxLength: 5 }),
          async (initial, before, attempts, forkOps) => {
            await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
            const pool = new FramePool({ pageSize: 512 });
            const a = new (kind.Cow as unknown as new (src: number[], o: { pool: FramePool }) => Cow)(initial, {
              pool,
            });
            const model = new (kind.Native as unknown as new (src: number[]) => Native)(initial);
            for (const o of before) {
              applyArray(a, o);
              applyArray(model, o);
            }
            expect(a.frozen).toBe(false);
            a.freeze();
            a.freeze(); // idempotent
            expect(a.frozen).toBe(true);
            for (const o of attempts) {
              const next = model.slice();
              applyArray(next, o);
              const changes = bytesOf(next).join() !== bytesOf(model).join();
              const st = pool.stats();
              let caught: unknown = null;
              try {
                applyArray(a, o);
              } catch (e) {
                caught = e;
              }
              if (changes) expect(caught).toBeInstanceOf(ProtectionFault);
              else if (caught !== null) expect(caught).toBeInstanceOf(ProtectionFault);
              expect(bytesOf(a.toTypedArray() as Native)).toEqual(bytesOf(model));
              expect(a.length).toBe(model.length);
              expect([pool.stats().framesInUse, pool.stats().pageTableNodes]).toEqual([
                st.framesInUse,
                st.pageTableNodes,
              ]);
            }
            // Reads and copies work; the copies are writable.
            if (model.length > 0) {
              const w = a.with(0, 7);
              expect(w.frozen).toBe(false);
              w.set(0, 9);
              w.release();
            }
            const sorted = a.toSorted();
            expect(bytesOf(sorted.toTypedArray() as Native)).toEqual(bytesOf(model.slice().sort()));
            sorted.release();
            const f = a.fork();
            expect(f.frozen).toBe(false);
            const forkModel = model.slice();
            for (const o of forkOps) {
              applyArray(f, o);
              applyArray(forkModel, o);
            }
            expect(bytesOf(f.toTypedArray() as Native)).toEqual(bytesOf(forkModel));
            expect(bytesOf(a.toTypedArray() as Native)).toEqual(bytesOf(model));
            f.release();
            a.release();
            expect(a.frozen).toBe(true); // readable after release
            expect(pool.stats().framesInUse).toBe(0);
            expect(pool.stats().pageTableNodes).toBe(0);
          },
        ),
        { numRuns: runs(100) },
      );
    });
  }

  it("a subarray shares the freeze of its space, both ways; release still works", () => {
    const pool = new FramePool({ pageSize: 512 });
    const a = new CowFloat64Array(1000, { pool });
    const tail = a.subarray(500);
    tail.freeze();
    expect([a.frozen, tail.frozen]).toEqual([true, true]);
    expect(() => a.fill(1)).toThrow(ProtectionFault);
    expect(() => tail.set(0, 1)).toThrow(ProtectionFault);
    expect(a.every((x) => x === 0)).toBe(true);
    const f = tail.fork(); // the same window of a forked (writable) space
    f.set(0, 2);
    expect([f.frozen, f.get(0), tail.get(0)]).toEqual([false, 2, 0]);
    for (const x of [f, tail, a]) x.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("freeze after release throws ReleasedError; an attached shared array is frozen already", () => {
    const a = CowFloat64Array.of(1, 2);
    a.release();
    expect(() => a.freeze()).toThrow(ReleasedError);
    const pool = new FramePool({ shared: true, pageSize: 512 });
    const doc = CowFloat64Array.from([1, 2, 3], { pool });
    const seen = CowFloat64Array.attachShared(doc.share());
    expect(seen.frozen).toBe(true);
    seen.freeze();
    expect(() => seen.set(0, 5)).toThrow(ProtectionFault);
    seen.release();
    doc.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("embedded arrays and vectors refuse freeze() with InvalidArgumentError and change nothing; `frozen` follows the space", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 1 << 24, pool });
    const heap = Heap.create(space, { base: 256 });
    const a = CowInt16Array.create(heap, [1, 2, 3]);
    const v = CowVector.create(heap, Float64Array);
    v.push(1, 2);
    expect(() => a.freeze()).toThrow(InvalidArgumentError);
    expect(() => v.freeze()).toThrow(InvalidArgumentError);
    expect(() => new History(v, { freeze: true })).toThrow(InvalidArgumentError);
    expect([space.frozen, a.frozen, v.frozen]).toEqual([false, false, false]);
    v.push(3);
    space.freeze();
    expect([a.frozen, v.frozen]).toEqual([true, true]);
    const frames = pool.stats().framesInUse;
    expect(() => v.pop()).toThrow(ProtectionFault);
    expect(() => v.push(4)).toThrow(ProtectionFault);
    expect(() => a.set(0, 9)).toThrow(ProtectionFault);
    expect(pool.stats().framesInUse).toBe(frames);
    expect([v.join(), a.join()]).toEqual(["1,2,3", "1,2,3"]);
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("property: History({ freeze: true }) of a CowFloat64Array through commits, undo and redo", async () => {
    type Step = { op: "commit"; ops: ArrayOp[] } | { op: "undo" } | { op: "redo" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant("commit" as const), ops: fc.array(arrayOp, { maxLength: 3 }) }),
      },
      { weight: 1, arbitrary: fc.constant({ op: "undo" as const }) },
      { weight: 1, arbitrary: fc.constant({ op: "redo" as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(num, { minLength: 1, maxLength: 300 }),
        fc.array(step, { maxLength: 20 }),
        async (initial, steps) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize: 512 });
          const history = new History(CowFloat64Array.from(initial, { pool }), { freeze: true });
          let models = [Float64Array.from(initial)];
          let cursor = 0;
          for (const s of steps) {
            if (s.op === "commit") {
              const draft = history.fork();
              const next = (models[cursor] as Float64Array).slice();
              for (const o of s.ops) {
                applyArray(draft, o);
                applyArray(next, o);
              }
              history.commit(draft);
              models = [...models.slice(0, cursor + 1), next];
              cursor = models.length - 1;
            } else if (s.op === "undo") {
              if (history.undo() !== undefined) cursor--;
            } else if (history.redo() !== undefined) cursor++;
            const current = history.current;
            expect(current.frozen).toBe(true);
            expect(() => current.set(0, 12345)).toThrow(ProtectionFault);
            expect(bytesOf(current.toTypedArray())).toEqual(bytesOf(models[cursor] as Float64Array));
          }
          history.release();
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(50) },
    );
  });
});

/** A vector write, its indices taken modulo the length at the call. */
type VectorOp =
  | { op: "push"; items: number[] }
  | { op: "extend"; items: number[] }
  | { op: "pop" }
  | { op: "insert"; i: number; items: number[] }
  | { op: "removeRange"; s: number; e: number }
  | { op: "swapRemove"; i: number }
  | { op: "splice"; s: number; d: number; items: number[] }
  | { op: "resize"; n: number }
  | { op: "set"; i: number; v: number }
  | { op: "fill"; v: number; s: number }
  | { op: "reverse" }
  | { op: "sort" };

const items = fc.oneof(fc.array(num, { maxLength: 4 }), fc.array(num, { minLength: 100, maxLength: 400 }));
const vectorOp: fc.Arbitrary<VectorOp> = fc.oneof(
  fc.record({ op: fc.constant("push" as const), items }),
  fc.record({ op: fc.constant("extend" as const), items }),
  fc.constant({ op: "pop" as const }),
  fc.record({ op: fc.constant("insert" as const), i: fc.nat(), items }),
  fc.record({ op: fc.constant("removeRange" as const), s: fc.nat(), e: fc.nat() }),
  fc.record({ op: fc.constant("swapRemove" as const), i: fc.nat() }),
  fc.record({ op: fc.constant("splice" as const), s: fc.nat(), d: fc.nat(300), items }),
  fc.record({ op: fc.constant("resize" as const), n: fc.nat(1500) }),
  fc.record({ op: fc.constant("set" as const), i: fc.nat(), v: num }),
  fc.record({ op: fc.constant("fill" as const), v: num, s: fc.nat() }),
  fc.constant({ op: "reverse" as const }),
  fc.constant({ op: "sort" as const }),
);

/** Applies `o` to the vector `v`, or to the model `m` (a plain Array of doubles). */
function applyVector(v: CowVector | number[], o: VectorOp): void {
  const n = v.length;
  if (Array.isArray(v)) {
    switch (o.op) {
      case "push":
      case "extend":
        v.push(...o.items);
        return;
      case "pop":
        v.pop();
        return;
      case "insert":
        v.splice(o.i % (n + 1), 0, ...o.items);
        return;
      case "removeRange": {
        const [a, b] = [o.s % (n + 1), o.e % (n + 1)].sort((x, y) => x - y) as [number, number];
        v.splice(a, b - a);
        return;
      }
      case "swapRemove": {
        if (n === 0) return;
        const i = o.i % n;
        v[i] = v[n - 1] as number;
        v.pop();
        return;
      }
      case "splice":
        v.splice(o.s % (n + 1), o.d, ...o.items);
        return;
      case "resize":
        if (o.n < n) v.length = o.n;
        else while (v.length < o.n) v.push(0);
        return;
      default: {
        const t = Float64Array.from(v);
        if (o.op === "set") {
          if (n > 0) t[o.i % n] = o.v;
        } else if (o.op === "fill") t.fill(o.v, o.s % (n + 1));
        else if (o.op === "reverse") t.reverse();
        else t.sort();
        for (let i = 0; i < n; i++) v[i] = t[i] as number;
        return;
      }
    }
  }
  switch (o.op) {
    case "push":
      v.push(...o.items);
      return;
    case "extend":
      v.extend(o.items);
      return;
    case "pop":
      v.pop();
      return;
    case "insert":
      v.insert(o.i % (n + 1), ...o.items);
      return;
    case "removeRange": {
      const [a, b] = [o.s % (n + 1), o.e % (n + 1)].sort((x, y) => x - y) as [number, number];
      v.removeRange(a, b);
      return;
    }
    case "swapRemove":
      if (n > 0) v.swapRemove(o.i % n);
      return;
    case "splice":
      v.splice(o.s % (n + 1), o.d, ...o.items);
      return;
    case "resize":
      v.resize(o.n);
      return;
    case "set":
      if (n > 0) v.set(o.i % n, o.v);
      return;
    case "fill":
      v.fill(o.v, o.s % (n + 1));
      return;
    case "reverse":
      v.reverse();
      return;
    case "sort":
      v.sort();
      return;
  }
}

const bytesOfList = (xs: ArrayLike<number>): number[] => bytesOf(Float64Array.from(xs));

describe("review 33: CowVector.freeze()", () => {
  it("property: edits, freeze at a random point, then every edit that would change the vector throws ProtectionFault and changes nothing (length and capacity included); a fork is writable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(vectorOp, { maxLength: 10 }),
        fc.array(fc.oneof(vectorOp, fc.constantFrom({ op: "reserve" as const }, { op: "shrinkToFit" as const })), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(vectorOp, { maxLength: 5 }),
        async (before, attempts, forkOps) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize: 1024 });
          const v = new CowVector(Float64Array, { pool });
          const model: number[] = [];
          for (const o of before) {
            applyVector(v, o);
            applyVector(model, o);
          }
          v.freeze();
          expect(v.frozen).toBe(true);
          for (const o of attempts) {
            const st = pool.stats();
            const was = { length: v.length, capacity: v.capacity };
            let changes: boolean;
            let caught: unknown = null;
            if (o.op === "reserve" || o.op === "shrinkToFit") {
              changes = false;
              try {
                if (o.op === "reserve") v.reserve(v.capacity + 1000);
                else v.shrinkToFit();
              } catch (e) {
                caught = e;
              }
              if (o.op === "reserve") expect(caught).toBeInstanceOf(ProtectionFault); // maps pages
            } else {
              const next = model.slice();
              applyVector(next, o);
              changes = bytesOfList(next).join() !== bytesOfList(model).join();
              try {
                applyVector(v, o);
              } catch (e) {
                caught = e;
              }
            }
            if (changes) expect(caught).toBeInstanceOf(ProtectionFault);
            else if (caught !== null) expect(caught).toBeInstanceOf(ProtectionFault);
            expect({ length: v.length, capacity: v.capacity }).toEqual(was);
            expect(bytesOf(v.toTypedArray())).toEqual(bytesOfList(model));
            expect([pool.stats().framesInUse, pool.stats().pageTableNodes]).toEqual([
              st.framesInUse,
              st.pageTableNodes,
            ]);
          }
          const f = v.fork();
          expect(f.frozen).toBe(false);
          const forkModel = model.slice();
          for (const o of forkOps) {
            applyVector(f, o);
            applyVector(forkModel, o);
          }
          expect(bytesOf(f.toTypedArray())).toEqual(bytesOfList(forkModel));
          expect(bytesOf(v.toTypedArray())).toEqual(bytesOfList(model));
          f.release();
          v.release();
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("length changes that write no page are refused on a frozen vector", () => {
    const v = CowVector.from(Float64Array, [1, 2, 3, 4, 5]);
    v.freeze();
    expect(() => v.pop()).toThrow(ProtectionFault);
    expect(() => v.resize(2)).toThrow(ProtectionFault);
    expect(() => v.resize(5000)).toThrow(ProtectionFault);
    expect(() => v.removeRange(3, 5)).toThrow(ProtectionFault);
    expect(() => v.splice(4)).toThrow(ProtectionFault);
    expect(() => v.swapRemove(4)).toThrow(ProtectionFault);
    expect(v.join()).toBe("1,2,3,4,5");
    // Writes nothing: returns.
    v.push();
    v.extend([]);
    v.removeRange(2, 2);
    v.resize(5);
    expect(v.length).toBe(5);
    v.release();
  });

  it("a vector whose space was frozen directly (as @pagefork/persist loads a frozen version) refuses pop and resize down", () => {
    const v = CowVector.from(Float64Array, [1, 2, 3]);
    v.space.freeze();
    expect(v.frozen).toBe(true);
    expect(() => v.pop()).toThrow(ProtectionFault);
    expect(() => v.resize(0)).toThrow(ProtectionFault);
    expect([v.length, v.join()]).toEqual([3, "1,2,3"]);
    const f = v.fork();
    expect(f.pop()).toBe(3);
    expect([f.length, v.length]).toEqual([2, 3]);
    f.release();
    v.release();
  });

  it("History({ freeze: true }) of vectors: an accidental pop of the current version throws and changes nothing", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const history = new History(new CowVector(Float64Array, { pool }), { freeze: true });
    for (const x of [1, 2, 3]) {
      const draft = history.fork();
      draft.push(x);
      history.commit(draft);
    }
    expect(() => history.current.pop()).toThrow(ProtectionFault);
    expect(history.current.join()).toBe("1,2,3");
    expect(history.undo()?.join()).toBe("1,2");
    expect(() => history.current.push(9)).toThrow(ProtectionFault);
    expect(history.redo()?.join()).toBe("1,2,3");
    history.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
