/**
 * cowArrayClassOf: each of the eleven element kinds, given as its native
 * constructor, its name or core's ElementKind, gives the one Cow*Array class
 * of that kind (checked against the class's instances, not the table it is
 * built from); anything else gives undefined.
 */
import { CowFloat64Array, cowArrayClassOf } from "@pagefork/array";
import { ElementKind, elementKinds, FramePool, type SpanArrayConstructor } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { KINDS } from "./support.js";

/** The hand-written kinds of the array tests (support.ts): the expected pairs are not the table under test. */
const PAIRS = KINDS.map((k) => [k.Native as SpanArrayConstructor, k.Cow as unknown] as const);

describe("cowArrayClassOf", () => {
  it.each(PAIRS.map(([Native, Cow]) => [Native.name, Native, Cow] as const))(
    "%s: by constructor, by name and by ElementKind gives the class whose arrays convert as the native kind",
    (name, Native, Cow) => {
      const kind = elementKinds.find((k) => k.Native === Native) as ElementKind;
      expect(cowArrayClassOf(Native)).toBe(Cow);
      expect(cowArrayClassOf(name)).toBe(Cow);
      expect(cowArrayClassOf(kind)).toBe(Cow);
      const C = cowArrayClassOf(Native) as typeof CowFloat64Array;
      const pool = new FramePool({ pageSize: 256 });
      const a = new C(3, { pool });
      const big = Native === BigInt64Array || Native === BigUint64Array;
      const v = big ? 2n ** 64n - 1n : 300.7;
      (a as unknown as { set(i: number, v: unknown): void }).set(1, v);
      const native = new Native(3);
      native[1] = v as never;
      expect([a[Symbol.toStringTag], C.BYTES_PER_ELEMENT, a.get(1)]).toEqual([
        `Cow${name}`,
        Native.BYTES_PER_ELEMENT,
        native[1],
      ]);
      a.release();
      expect(pool.framesInUse).toBe(0);
    },
  );

  it("gives undefined for anything that is not one of the eleven kinds", () => {
    class Sub extends Float64Array {}
    const notOfTable = new ElementKind(8, Float64Array); // same code and constructor, but not core's instance
    const others: unknown[] = [
      DataView,
      Array,
      ArrayBuffer,
      Sub,
      CowFloat64Array,
      "Float64",
      "float64array",
      "CowFloat64Array",
      "constructor",
      "toString",
      "__proto__",
      "",
      notOfTable,
      null,
      undefined,
      8,
      {},
      Object.create(ElementKind.prototype),
    ];
    for (const x of others) expect(cowArrayClassOf(x), String(x)).toBeUndefined();
  });
});
