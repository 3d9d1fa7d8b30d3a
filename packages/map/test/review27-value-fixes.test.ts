/**
 * Differences from structuredClone found by review27-value-model.test.ts,
 * each pinned by a small case (each failed before its fix):
 * - an Error's message with a lone surrogate came back with U+FFFD (the
 *   message skipped the codec's string patches);
 * - a `cause` inherited from the prototype was stored as the error's own
 *   (structuredClone keeps an own cause only).
 */
import { CowMap } from "@pagefork/map";
import { describe, expect, it } from "vitest";

function roundTrip(v: unknown): unknown {
  const m = new CowMap<string, unknown>(null, { pageSize: 256 });
  try {
    m.set("k", v);
    return m.get("k");
  } finally {
    m.release();
  }
}

describe("Error values as structuredClone keeps them", () => {
  it("keeps lone surrogates in an Error's message, at the root and nested", () => {
    const e = new RangeError("\ud800 bad \udfff");
    expect(structuredClone(e).message).toBe("\ud800 bad \udfff");
    expect((roundTrip(e) as Error).message).toBe("\ud800 bad \udfff");
    const nested = roundTrip(new Map([["x", [new Error("a\udc00", { cause: new Error("\ud83d") })]]])) as Map<
      string,
      Error[]
    >;
    const got = nested.get("x")?.[0] as Error;
    expect([got.message, (got.cause as Error).message]).toEqual(["a\udc00", "\ud83d"]);
  });

  it("keeps an own cause only", () => {
    class Inherits extends Error {}
    (Inherits.prototype as { cause?: unknown }).cause = "from the prototype";
    const e = new Inherits("m");
    expect("cause" in structuredClone(e)).toBe(false);
    expect("cause" in (roundTrip(e) as Error)).toBe(false);
    expect((roundTrip(new Error("m", { cause: undefined })) as Error).cause).toBe(undefined);
    expect("cause" in (roundTrip(new Error("m", { cause: undefined })) as Error)).toBe(true);
  });
});
