/** Schema definitions that would lose a field are refused with a SchemaError. */
import { SchemaError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

describe("t.struct", () => {
  it("refuses an object literal whose `__proto__:` key set its prototype (the field would be dropped)", () => {
    expect(() => t.struct({ __proto__: t.u8, a: t.u8 } as never)).toThrow(SchemaError);
    expect(() => t.struct({ __proto__: t.u8, a: t.u8 } as never)).toThrow(/"__proto__"/);
  });
  it("takes a field named __proto__ written as a computed key", () => {
    const S = t.struct({ ["__proto__"]: t.u8, a: t.u8 });
    expect(S.names).toEqual(["__proto__", "a"]);
    expect(t.struct(Object.assign(Object.create(null), { a: t.u8 })).names).toEqual(["a"]);
  });
});
