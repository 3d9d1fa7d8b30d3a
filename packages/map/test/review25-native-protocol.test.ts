/**
 * CowMap/CowSet against Map/Set: every native method exists with the native
 * `length`; the iterator aliases are the native ones (Map: [Symbol.iterator]
 * is entries; Set: keys and [Symbol.iterator] are values); iterators stay
 * done after exhaustion. Before: forEach had length 2 (TypeScript counts
 * `thisArg?`), the native one 1.
 */
import { FramePool } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

function arityDiffs(proto: object, native: object): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const n of Object.getOwnPropertyNames(native)) {
    const g = Object.getOwnPropertyDescriptor(native, n)?.value;
    if (n === "constructor" || typeof g !== "function") continue;
    const f = (proto as Record<string, unknown>)[n];
    if (typeof f !== "function") out.push([n, -1, g.length]);
    else if (f.length !== g.length) out.push([n, f.length, g.length]);
  }
  return out;
}

describe("CowMap and CowSet against Map and Set", () => {
  it("have every native method (ES2025 set methods aside on Node 20) with the native length", () => {
    expect(arityDiffs(CowMap.prototype, Map.prototype)).toEqual([]);
    expect(arityDiffs(CowSet.prototype, Set.prototype)).toEqual([]);
  });

  it("alias their iterators as Map and Set do; iterators stay done", () => {
    expect(CowMap.prototype[Symbol.iterator]).toBe(CowMap.prototype.entries);
    expect(CowSet.prototype[Symbol.iterator]).toBe(CowSet.prototype.values);
    expect(CowSet.prototype.keys).toBe(CowSet.prototype.values);
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap([["a", 1]], { pool });
    const s = new CowSet(["a"], { pool });
    const steps = (it: Iterator<unknown>) => [it.next(), it.next(), it.next()];
    for (const k of ["keys", "values", "entries"] as const) {
      expect(steps(m[k]()), `map ${k}`).toEqual(steps(new Map([["a", 1]])[k]()));
      expect(steps(s[k]()), `set ${k}`).toEqual(steps(new Set(["a"])[k]()));
    }
    m.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});
