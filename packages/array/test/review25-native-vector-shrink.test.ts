/**
 * `at`, `with` and `join` when an argument's conversion shrinks the
 * CowVector: as a native length-tracking typed array over a resizable
 * ArrayBuffer, they use the length read BEFORE the conversions (`at` and
 * `with` count negative indices from the old end; `join` joins elements past
 * the new end as empty strings), and `with` re-checks its index against the
 * length after converting `value` (RangeError). Before the fix `at(-1)` read
 * from the new end, `join` used the new length and `with` wrote past the end
 * of its copy instead of throwing.
 */
import { CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { ResizableBuffer, shrinking } from "../../../test/support/shrinking.js";

const INIT = [10, 20, 30, 40, 50, 60, 70, 80];

type Kind = Float64ArrayConstructor | Int16ArrayConstructor | BigInt64ArrayConstructor;
type Arr = { at(i: number): unknown; with(i: number, v: unknown): Iterable<unknown>; join(s?: string): string };
type Call = (a: Arr, shrinkArg: (v: unknown) => never) => unknown;

function outcome(f: () => unknown): unknown {
  try {
    const r = f();
    if (r !== null && typeof r === "object" && Symbol.iterator in r) {
      const out = [...(r as Iterable<unknown>)];
      if (r instanceof CowVector) r.release();
      return out;
    }
    return r;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

function native(kind: Kind, keep: number, call: Call): unknown {
  const w = kind.BYTES_PER_ELEMENT;
  const rab = new ResizableBuffer(INIT.length * w, { maxByteLength: INIT.length * w });
  const a = new kind(rab) as unknown as Arr & { set(x: unknown[]): void };
  a.set(kind === BigInt64Array ? INIT.map(BigInt) : INIT);
  const r = outcome(() => call(a, (v) => shrinking(v, () => rab.resize(keep * w))));
  return [r, [...(a as unknown as Iterable<unknown>)]];
}

function cow(kind: Kind, keep: number, call: Call, pool: FramePool): unknown {
  const v = CowVector.from(
    kind as Float64ArrayConstructor,
    kind === BigInt64Array ? (INIT.map(BigInt) as never) : INIT,
    {
      pool,
    },
  );
  try {
    const r = outcome(() => call(v as unknown as Arr, (x) => shrinking(x, () => v.resize(keep))));
    return [r, [...v]];
  } finally {
    v.release();
  }
}

const big = (k: Kind, n: number): unknown => (k === BigInt64Array ? BigInt(n) : n);

describe("CowVector at/with/join whose argument shrinks it", () => {
  it("matches a native length-tracking typed array", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const kind of [Float64Array, Int16Array, BigInt64Array] as Kind[])
      for (const keep of [0, 2, 7])
        for (const i of [-8, -7, -1, 0, 1, 2, 5, 7, 8]) {
          const calls: [string, Call][] = [
            ["at(e)", (a, s) => a.at(s(i))],
            ["with(e, 9)", (a, s) => a.with(s(i), big(kind, 9))],
            ["with(i, e)", (a, s) => a.with(i, s(big(kind, 9)))],
            ["join(e)", (a, s) => a.join(s("-"))],
          ];
          for (const [name, call] of calls)
            expect(cow(kind, keep, call, pool), `${kind.name} keep ${keep} ${name} [${i}]`).toEqual(
              native(kind, keep, call),
            );
        }
    expect(pool.framesInUse).toBe(0);
  });
});
