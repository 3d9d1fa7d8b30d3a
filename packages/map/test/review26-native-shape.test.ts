/**
 * What a CowMap and a CowSet show of themselves, against Map and Set on
 * Node 20: `Symbol.toStringTag` as a read-only data property of the
 * prototype (it was an accessor), iterators whose prototype chain reaches
 * %IteratorPrototype% as Map and Set iterators do (it stopped at
 * Object.prototype, so the ES2025 iterator helpers of newer engines were
 * missing), and the live iteration of a Map iterator across writes.
 */
import { CowMap, CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

describe.each([
  ["CowMap", CowMap.prototype, Map.prototype],
  ["CowSet", CowSet.prototype, Set.prototype],
] as const)("%s", (tag, proto, native) => {
  it("has Symbol.toStringTag as the native prototype has it", () => {
    const d = Object.getOwnPropertyDescriptor(proto, Symbol.toStringTag);
    const n = Object.getOwnPropertyDescriptor(native, Symbol.toStringTag);
    expect(d).toEqual({ ...n, value: tag });
    const x = tag === "CowMap" ? new CowMap() : new CowSet();
    expect(Object.prototype.toString.call(x)).toBe(`[object ${tag}]`);
    expect(String(x)).toBe(`[object ${tag}]`);
    x.release();
  });

  it("makes iterators whose prototype chain reaches %IteratorPrototype%, as the native iterators'", () => {
    const x = tag === "CowMap" ? new CowMap([[1, 1]]) : new CowSet([1]);
    const nativeIt = tag === "CowMap" ? new Map().keys() : new Set().keys();
    expect(Object.prototype.isPrototypeOf.call(IteratorPrototype, nativeIt)).toBe(true);
    for (const it of [x.keys(), x.values(), x.entries(), x[Symbol.iterator]()] as Iterator<unknown>[]) {
      expect(Object.prototype.isPrototypeOf.call(IteratorPrototype, it)).toBe(true);
      expect((it as unknown as Iterable<unknown>)[Symbol.iterator]()).toBe(it);
      expect(Object.prototype.toString.call(it)).toBe(`[object ${tag} Iterator]`);
    }
    expect([...x.keys()]).toEqual([1]);
    x.release();
  });
});

it("a CowMap iterator sees later additions and skips deleted entries, as a Map iterator", () => {
  const ops = (m: Map<number, number> | CowMap<number, number>) => {
    const it = m.entries();
    const out: unknown[] = [it.next()];
    m.delete(2);
    m.set(4, 4);
    m.set(2, 5); // deleted then set again: a new entry at the end
    out.push(it.next());
    m.clear();
    m.set(9, 9); // after clear the iterator goes on with the new entries
    out.push(it.next(), it.next(), it.next());
    m.set(10, 10); // done stays done
    out.push(it.next());
    return out;
  };
  const m = new CowMap<number, number>([
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  expect(ops(m)).toEqual(
    ops(
      new Map([
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ),
  );
  m.release();
});
