/**
 * share() / attachShared() / transferCopy() of CowVector: the handle crosses
 * a structured clone (what postMessage does) in a model test, and a real
 * worker_threads reader in the last test.
 */
import { Worker } from "node:worker_threads";
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  InvalidHandleError,
  ProtectionFault,
  ReleasedError,
  type SharedSpaceHandle,
  SharingUnavailableError,
} from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CowFloat64Array, CowVector, type SharedVectorHandle } from "../src/index.js";
import { turn } from "./support.js";

type Op = { t: "push"; x: number } | { t: "pop" } | { t: "set"; i: number; x: number } | { t: "remove"; i: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("push" as const), x: fc.integer({ min: -1e6, max: 1e6 }) }),
  fc.constant({ t: "pop" as const }),
  fc.record({ t: fc.constant("set" as const), i: fc.nat(), x: fc.integer() }),
  fc.record({ t: fc.constant("remove" as const), i: fc.nat() }),
);

/** Applies `o` to the vector and to the model (a plain array). */
function apply(v: CowVector<Float64ArrayConstructor>, model: number[], o: Op): void {
  if (o.t === "push") {
    v.push(o.x);
    model.push(o.x);
  } else if (o.t === "pop") {
    expect(v.pop()).toBe(model.pop());
  } else if (model.length > 0) {
    const i = o.i % model.length;
    if (o.t === "set") {
      v.set(i, o.x);
      model[i] = o.x;
    } else {
      v.swapRemove(i);
      model[i] = model[model.length - 1] as number;
      model.pop();
    }
  }
}

/** The InvalidHandleError reason `f` throws with, or "none". */
function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof InvalidHandleError ? e.reason : `other: ${String(e)}`;
  }
  return "none";
}

describe("CowVector share", () => {
  it("changes after share() never reach the attached vector; its fork grows privately; every frame comes back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 600 }),
        fc.array(op, { maxLength: 300 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 300 }),
        async (before, after, more) => {
          await turn();
          const pool = new FramePool({ shared: true, pageSize: 256 });
          const v = new CowVector(Float64Array, { pool, maxLength: 4096 });
          const model: number[] = [];
          for (const o of before) apply(v, model, o);
          const snapshot = model.slice();
          const handle = structuredClone(v.share());
          for (const o of after) apply(v, model, o);
          const seen = CowVector.attachShared(handle, Float64Array);
          expect(Array.from(seen)).toEqual(snapshot);
          expect([seen.length, seen.maxLength]).toEqual([snapshot.length, 4096]);
          expect(seen.capacity).toBeGreaterThanOrEqual(snapshot.length);
          expect(() => seen.push(1)).toThrow(ProtectionFault);
          if (snapshot.length > 0) expect(() => seen.set(0, 1)).toThrow(ProtectionFault);
          expect(Array.from(seen)).toEqual(snapshot);
          const mine = seen.fork();
          mine.push(...more); // grows past the attached capacity: maps more of the reservation
          expect(Array.from(mine)).toEqual([...snapshot, ...more]);
          expect(Array.from(seen)).toEqual(snapshot);
          expect(Array.from(v)).toEqual(model);
          mine.release();
          seen.release();
          v.release();
          expect(pool.framesInUse).toBe(0);
          expect(pool.stats().spaces).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("transferCopy() rebuilds the vector in a plain pool, bigint kinds too", () => {
    const v = CowVector.of(BigInt64Array, 1n, -2n, 3n);
    const copy = structuredClone(v.transferCopy());
    v.push(4n);
    const seen = CowVector.attachShared(copy, BigInt64Array);
    expect(seen.join()).toBe("1,-2,3");
    expect(() => seen.push(5n)).toThrow(ProtectionFault);
    const untyped = CowVector.attachShared(v.transferCopy()); // no kind given: taken from the handle
    expect(untyped.join()).toBe("1,-2,3,4");
    seen.release();
    untyped.release();
    v.release();
  });

  it("refuses bad handles with typed errors, changing nothing", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const v = CowVector.from(Float64Array, [1, 2, 3], { pool, maxLength: 1000 });
    const handle = v.share();
    const array = CowFloat64Array.from([1], { pool });
    const other = array.share();
    const frames = pool.framesInUse;
    const handles = pool.stats().sharedHandles;
    const bad: [unknown, string][] = [
      [null, "forged"],
      [{}, "forged"],
      [other, "type"],
      [{ ...handle, kind: "Float128" }, "forged"],
      [{ ...handle, length: 1001 }, "forged"],
      [{ ...handle, length: -1 }, "forged"],
      [{ ...handle, maxLength: 1e9 }, "forged"],
      [{ ...handle, capacityBytes: 1e12 }, "forged"],
      [{ ...handle, length: 40, capacityBytes: 256 }, "forged"],
      [{ ...handle, space: null }, "forged"],
    ];
    for (const [h, reason] of bad) expect(reasonOf(() => CowVector.attachShared(h as SharedVectorHandle))).toBe(reason);
    expect(reasonOf(() => CowVector.attachShared(handle, Int32Array))).toBe("type");
    expect(() => CowVector.attachShared(handle, Object as never)).toThrow(TypeError);
    expect(pool.framesInUse).toBe(frames);
    expect(pool.stats().sharedHandles).toBe(handles);
    const seen = CowVector.attachShared(handle, Float64Array); // still attachable: nothing changed
    expect(seen.join()).toBe("1,2,3");
    expect(reasonOf(() => CowVector.attachShared(handle))).toBe("attached");
    seen.release();
    pool.unshare(other.space as SharedSpaceHandle);
    array.release();
    v.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses plain pools, embedded and released vectors", () => {
    const plain = CowVector.of(Float64Array, 1);
    expect(() => plain.share()).toThrow(SharingUnavailableError);
    plain.release();
    expect(() => plain.share()).toThrow(ReleasedError);
    expect(() => plain.transferCopy()).toThrow(ReleasedError);
    const space = new AddressSpace({ size: 1 << 20, pool: new FramePool({ shared: true, pageSize: 256 }) });
    const heap = Heap.create(space, { base: 256 });
    const e = CowVector.create(heap, Float64Array);
    e.push(1);
    expect(() => e.share()).toThrow(InvalidArgumentError);
    expect(() => e.transferCopy()).toThrow(InvalidArgumentError);
    space.release();
  });

  it("a worker thread reads the version shared, while the owner keeps pushing", async () => {
    const worker = new Worker(new URL("./workers/entry.mjs", import.meta.url), {
      workerData: { script: new URL("./workers/vector-reader.ts", import.meta.url).href },
      execArgv: ["--conditions=source"],
    });
    try {
      const pool = new FramePool({ shared: true, pageSize: 256 });
      const v = CowVector.from(
        Float64Array,
        Array.from({ length: 1000 }, (_, i) => i),
        { pool },
      );
      const want = v.toTypedArray();
      const reply = new Promise<{ ok: boolean; result?: { seen: Float64Array; mine: Float64Array }; error?: unknown }>(
        (resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        },
      );
      worker.postMessage({ handle: v.share({ worker }), push: -1 });
      for (let i = 0; i < 5000; i++) v.push(i); // grows the vector (and the pool) while the worker reads
      v.set(0, 42);
      const r = await reply;
      expect(r.error).toBeUndefined();
      expect(r.result?.seen).toEqual(want);
      expect(r.result?.mine).toEqual(Float64Array.from([...want, -1]));
      v.release();
      for (let i = 0; i < 200 && pool.stats().sharedHandles > 0; i++) await new Promise((s) => setTimeout(s, 5));
      expect(pool.framesInUse).toBe(0);
    } finally {
      await worker.terminate();
    }
  });
});
