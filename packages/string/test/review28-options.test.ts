/**
 * Review 28: a standalone text's options must be an object (or left out), as
 * AddressSpace's are: `new CowText(null)` threw the engine's TypeError
 * ("Cannot read properties of null"), and a string or a number passed
 * silently as the defaults. Now InvalidArgumentError, and no frame is taken.
 */
import { FramePool, InvalidArgumentError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

describe("CowText options", () => {
  it("refuses options that are not an object, taking nothing from the pool", () => {
    const pool = new FramePool({ pageSize: 256 });
    const keep = CowText.from("x", { pool }); // the pool in use: a refused call must not change its frames
    const frames = pool.framesInUse;
    for (const bad of [null, "x", 5, true, Symbol("o"), 1n]) {
      expect(() => new CowText(bad as never), String(bad)).toThrow(InvalidArgumentError);
      expect(() => CowText.from("abc", bad as never), String(bad)).toThrow(InvalidArgumentError);
    }
    expect(pool.framesInUse).toBe(frames);
    keep.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("still takes undefined, {} and an options object", () => {
    for (const ok of [undefined, {}, { pageSize: 512 }]) {
      const t = CowText.from("abc", ok);
      expect(t.toString()).toBe("abc");
      t.release();
    }
    const t = new CowText();
    expect(t.length).toBe(0);
    t.release();
  });
});
