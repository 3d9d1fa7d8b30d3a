/**
 * The overflow refcount table (ref-overflow.ts) against a native Map model:
 * random adds and deletes over a few pfns chosen to collide (the table starts
 * at 16 slots and doubles at half load, so runs wrap around its end and
 * backward-shift deletion moves entries across the wrap), then every key of
 * the model and a few absent ones read back exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RefOverflow } from "../src/ref-overflow.js";

type Op = { kind: "add"; pfn: number; delta: number } | { kind: "delete"; pfn: number };

const pfns = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), pfn: pfns, delta: fc.integer({ min: -3, max: 300 }) }),
  fc.record({ kind: fc.constant("delete" as const), pfn: pfns }),
);

describe("RefOverflow", () => {
  it("matches a Map under random adds and deletes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new RefOverflow();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === "add") {
            const n = (model.get(o.pfn) ?? 0) + o.delta;
            model.set(o.pfn, n);
            expect(t.add(o.pfn, o.delta)).toBe(n);
          } else {
            model.delete(o.pfn);
            t.delete(o.pfn);
          }
          expect(t.size).toBe(model.size);
        }
        for (const [pfn, n] of model) expect(t.get(pfn)).toBe(n);
        for (const pfn of [1, 2, 17, 33, 2 ** 31 - 1]) if (!model.has(pfn)) expect(t.get(pfn)).toBe(0);
        // Emptied, it reads 0 everywhere and holds nothing.
        for (const pfn of [...model.keys()]) t.delete(pfn);
        expect(t.size).toBe(0);
        for (const pfn of model.keys()) expect(t.get(pfn)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps 10,000 entries exact through growth and deletion of every other one", () => {
    const t = new RefOverflow();
    expect(t.byteLength).toBe(0); // no slots before a first overflow
    expect(t.get(5)).toBe(0);
    t.delete(5);
    for (let p = 1; p <= 10_000; p++) t.add(p * 7919, p);
    for (let p = 1; p <= 10_000; p += 2) t.delete(p * 7919);
    expect(t.size).toBe(5_000);
    for (let p = 1; p <= 10_000; p++) expect(t.get(p * 7919)).toBe(p % 2 === 0 ? p : 0);
    expect(t.byteLength).toBe(2 * 4 * 32_768); // doubled at half load: 16,384 slots were too few for 10,000
  });
});
