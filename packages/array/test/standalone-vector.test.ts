/**
 * vectorStateOf / adoptVector: a standalone CowVector rebuilt over a copy of
 * its pages and mappings in another space (what a store does), against a
 * plain array; bad states are refused and change nothing.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adoptVector, CowVector, type VectorState, vectorStateOf } from "../src/index.js";

/** A space like `from` (size, pool, mappings) holding a copy of its non-zero pages. */
function copyPages(from: AddressSpace): AddressSpace {
  const to = new AddressSpace({ size: from.size, pool: from.pool });
  const empty = new AddressSpace({ size: from.pageSize, pool: from.pool });
  const buf = new Uint8Array(from.pageSize);
  for (const addr of from.diff(empty)) to.write(addr, from.read(addr, buf));
  empty.release();
  let at = 0;
  for (const m of from.mappings()) {
    if (m.start > at) to.unmap(at, m.start - at);
    at = m.end;
  }
  if (at < to.size) to.unmap(at, to.size - at);
  return to;
}

describe("adoptVector", () => {
  it("a vector rebuilt over a copy of its pages equals its model, stays writable and forks; frames balance", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(Float64Array, Int32Array, Uint8Array, BigInt64Array),
        fc.array(fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constant("pop" as const)), { maxLength: 400 }),
        fc.boolean(),
        (Kind, ops, shrink) => {
          const pool = new FramePool({ pageSize: 256 });
          const big = Kind === BigInt64Array;
          const v = new CowVector(Kind as Float64ArrayConstructor, { pool, maxLength: 5000 });
          const model: (number | bigint)[] = [];
          for (const op of ops)
            if (op === "pop") {
              v.pop();
              model.pop();
            } else {
              const x = big ? BigInt(op) : op;
              v.push(x as number);
              model.push(Kind === Uint8Array ? op & 255 : x);
            }
          if (shrink) v.shrinkToFit();
          const state = JSON.parse(JSON.stringify(vectorStateOf(v))) as VectorState;
          expect(state).toEqual({ kind: Kind.name, length: model.length, maxLength: 5000 });
          const w = adoptVector(copyPages(v.space), state);
          const cap = v.capacity;
          v.release();
          expect([...w]).toEqual(model);
          expect(w.capacity).toBe(cap);
          const f = w.fork();
          w.push((big ? 7n : 7) as never);
          expect([...f]).toEqual(model);
          expect(w.length).toBe(model.length + 1);
          f.release();
          w.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("bad input is refused and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const v = CowVector.from(Float64Array, [1, 2, 3], { pool, maxLength: 100 });
    const state = vectorStateOf(v);
    const space = v.space.fork();
    const frames = pool.framesInUse;
    const bad: unknown[] = [
      null,
      { ...state, kind: "Float128Array" },
      { ...state, length: 1000 }, // past the mapped range
      { ...state, length: -1 },
      { ...state, maxLength: 10 ** 6 }, // past the space
      { ...state, length: 1.5 },
    ];
    for (const b of bad) expect(() => adoptVector(space, b as VectorState)).toThrow(InvalidArgumentError);
    expect(() => adoptVector({} as AddressSpace, state)).toThrow(InvalidArgumentError);
    const holed = new AddressSpace({ size: 4096, pool });
    holed.unmap(256, 256);
    expect(() => adoptVector(holed, { kind: "Uint8Array", length: 1, maxLength: 10 })).toThrow(InvalidArgumentError);
    holed.release();
    expect(pool.framesInUse).toBe(frames);
    expect(space.released).toBe(false);
    const ok = adoptVector(space, state);
    expect(ok.join()).toBe("1,2,3");
    ok.release();
    expect(space.released).toBe(true);
    expect(() => adoptVector(space, state)).toThrow(ReleasedError);
    expect(() => vectorStateOf(ok)).toThrow(ReleasedError);
    expect(() => vectorStateOf({} as CowVector)).toThrow(TypeError);
    v.release();
    const s = new AddressSpace({ size: 1 << 20, pageSize: 256 });
    const e = CowVector.create(Heap.create(s, { base: 256 }), Int8Array);
    expect(() => vectorStateOf(e as unknown as CowVector)).toThrow(InvalidArgumentError);
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});
