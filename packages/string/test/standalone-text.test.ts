/**
 * textStateOf / adoptText: a standalone CowText rebuilt over a copy of its
 * pages in another space (what a store does), against a plain string; bad
 * input is refused and changes nothing.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { adoptText, CowText, type TextState, textStateOf } from "../src/index.js";

/** A space of `from`'s size and pool holding a copy of its non-zero pages. */
function copyPages(from: AddressSpace): AddressSpace {
  const to = new AddressSpace({ size: from.size, pool: from.pool });
  const empty = new AddressSpace({ size: from.pageSize, pool: from.pool });
  const buf = new Uint8Array(from.pageSize);
  for (const addr of from.diff(empty)) to.write(addr, from.read(addr, buf));
  empty.release();
  return to;
}

describe("adoptText", () => {
  it("a text rebuilt over a copy of its pages equals its model, stays editable and forks; frames balance", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 40 })), { maxLength: 60 }),
        (edits) => {
          const pool = new FramePool({ pageSize: 256 });
          const t = new CowText({ pool, maxPages: 4096 });
          let model = "";
          for (const [p, d, ins] of edits) {
            const at = p % (model.length + 1);
            const del = Math.min(d, model.length - at);
            t.delete(at, del);
            t.insert(at, ins);
            model = model.slice(0, at) + ins + model.slice(at + del);
          }
          const state = JSON.parse(JSON.stringify(textStateOf(t))) as TextState;
          const back = adoptText(copyPages(t.space), state);
          t.release();
          expect(back.toString()).toBe(model);
          const f = back.fork();
          back.insert(0, "x");
          expect(f.toString()).toBe(model);
          expect(back.toString()).toBe(`x${model}`);
          f.release();
          back.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("bad input is refused and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const t = CowText.from("hello", { pool });
    const state = textStateOf(t);
    const space = t.space.fork();
    const frames = pool.framesInUse;
    for (const b of [
      null,
      { ...state, root: 0 },
      { ...state, height: -1 },
      { ...state, root: 2 ** 60 },
      { ...state, length: 0.5 },
    ])
      expect(() => adoptText(space, b as TextState)).toThrow(InvalidArgumentError);
    const other = new AddressSpace({ size: 1 << 16, pool }); // no text header: another kind's space
    other.setUint32(0, 12345);
    expect(() => adoptText(other, state)).toThrow(InvalidArgumentError);
    other.release();
    expect(() => adoptText({} as AddressSpace, state)).toThrow(InvalidArgumentError);
    expect(pool.framesInUse).toBe(frames);
    const ok = adoptText(space, state);
    expect(ok.toString()).toBe("hello");
    ok.release();
    expect(() => adoptText(space, state)).toThrow(ReleasedError);
    expect(() => textStateOf(ok)).toThrow(ReleasedError);
    expect(() => textStateOf({} as CowText)).toThrow(TypeError);
    t.release();
    const s = new AddressSpace({ size: 1 << 20, pageSize: 256 });
    const e = CowText.create(Heap.create(s, { base: 256 }), "x");
    expect(() => textStateOf(e)).toThrow(InvalidArgumentError);
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});
