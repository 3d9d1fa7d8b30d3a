/**
 * Review 26: `adoptText` with a state whose length is not the one its pages
 * hold (off by one either way, or by more; at heights 0 to 2, with and
 * without a lagging path) or whose root is not a node page throws
 * InvalidArgumentError and changes nothing, at adoption when O(1) can tell,
 * else (a lagging path must be found first) at every read and edit. Before,
 * it adopted the text: its `length` disagreed with `toString()`, and an
 * insert at the end wrote a NUL past the last leaf's units. Sound states
 * still adopt, lagging or not.
 */
import { FramePool, InvalidArgumentError } from "@pagefork/core";
import { adoptText, CowText, textStateOf } from "@pagefork/string";
import { describe, expect, it } from "vitest";

/** Texts of height 0, 1 and 2, each also after typing in one leaf (its inner nodes then lag). */
function texts(pool: FramePool): [string, CowText][] {
  const out: [string, CowText][] = [];
  for (const [name, s] of [
    ["height 0", "hello"],
    ["height 1", "hello world ".repeat(100)],
    ["height 2", "abcdefghij€".repeat(1500)],
  ] as const) {
    out.push([name, CowText.from(s, { pool })]);
    const typed = CowText.from(s, { pool });
    for (let i = 0; i < 10; i++) typed.insert(Math.min(3 + i, typed.length), "x");
    out.push([`${name}, typed into`, typed]);
  }
  return out;
}

describe("review 26: adoptText checks the length against the pages", () => {
  it("refuses a length the pages do not hold, or a root that is not a node page, changing nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const [name, t] of texts(pool)) {
      const st = textStateOf(t);
      const bad = [
        { ...st, length: st.length + 1 },
        { ...st, length: st.length - 1 },
        { ...st, length: st.length + 300 },
        { ...st, root: st.root + 4 },
        { ...st, root: 0, length: st.length },
      ];
      for (const state of bad) {
        const space = t.space.fork();
        const frames = pool.framesInUse;
        const header = space.getUint32(4);
        let adopted: CowText | null = null;
        try {
          adopted = adoptText(space, state);
        } catch (e) {
          expect(e, `${name}: ${JSON.stringify(state)}`).toBeInstanceOf(InvalidArgumentError);
          expect(pool.framesInUse).toBe(frames);
          expect(space.getUint32(4)).toBe(header);
          expect(space.released).toBe(false);
          space.release();
          continue;
        }
        // Adoption is O(1): a text whose path lags finds the mismatch at its first read or edit,
        // which throws and changes nothing, every time.
        const bad = adopted;
        expect(bad.lazyRoot && textStateOf(t).height > 0, `${name}: ${JSON.stringify(state)} adopted`).toBe(true);
        const after = pool.framesInUse;
        for (let k = 0; k < 2; k++) {
          expect(() => bad.insert(bad.length, "X")).toThrow(InvalidArgumentError);
          expect(() => bad.toString()).toThrow(InvalidArgumentError);
          expect(() => bad.charCodeAt(0)).toThrow(InvalidArgumentError);
          expect(() => bad.delete(0, 1)).toThrow(InvalidArgumentError);
          expect(() => [...bad.chunks()]).toThrow(InvalidArgumentError);
        }
        expect(pool.framesInUse).toBe(after);
        bad.release();
      }
      const back = adoptText(t.space.fork(), st);
      expect(back.length).toBe(t.length);
      expect(back.toString()).toBe(t.toString());
      back.insert(back.length, "X");
      expect(back.toString()).toBe(`${t.toString()}X`);
      back.release();
      t.release();
    }
    expect(pool.framesInUse).toBe(0);
  });
});
