/**
 * Review 33: a string assigned over a text (`d.doc = value` of a controlled
 * `<textarea>`, Immer's only way to change a string) and an array or typed
 * array assigned over a typed array (Immer does not draft typed arrays, so
 * its idiom is `d.grid = next`, a copy with a few cells changed).
 * Regression: both were built anew: a keystroke into a 20,000-character text
 * copied every leaf (~100 frames of 256 bytes), a one-cell change of a
 * 64K-cell grid every page (~2,000 frames), and an equal typed array made a
 * new version. Now the text is spliced between its common prefix and suffix
 * and the typed array written where it differs; the patches are as before
 * (one `replace` of the field), both ways.
 */
import { FramePool } from "@pagefork/core";
import { createState, produce, produceWithPatches, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { expectRoundTrip } from "./support/round-trip.js";

const S = t.struct({ doc: t.text(), grid: t.float64Array(65536), docs: t.list(t.text()), big: t.bigInt64Array(4) });
const doc = Array.from({ length: 2000 }, (_, i) => `line ${i % 10}..\n`).join("");
const input = () => ({
  doc,
  grid: Float64Array.from({ length: 65536 }, (_, i) => i),
  docs: ["abc", "def"],
  big: [1n, 2n, 3n, 4n],
});

describe("review 33: a string over a text, an array over a typed array, written where they differ", () => {
  it("a keystroke assigned as the whole string copies a few frames; patches both ways", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(S, input(), { pool });
    const frames = pool.framesInUse;
    const at = 10_000;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      const v = d.doc.toString();
      d.doc = `${v.slice(0, at)}x${v.slice(at)}` as never;
    });
    expect(s1.root.doc.toString()).toBe(`${doc.slice(0, at)}x${doc.slice(at)}`);
    expect(pool.framesInUse - frames).toBeLessThan(12); // was ~100: every leaf
    expect(patches).toEqual([{ op: "replace", path: ["doc"], value: s1.root.doc.toString() }]);
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("edits at the ends, a deletion, a replacement of everything, list elements: the right text", () => {
    const s0 = createState(S, input());
    const cases: [string, (v: string) => string][] = [
      ["prepend", (v) => `>${v}`],
      ["append", (v) => `${v}<`],
      ["delete", (v) => v.slice(0, 5) + v.slice(900)],
      ["repeat inside", (v) => v.replace("line 1..", "line 1..line 1..")],
      ["replace all", () => "new"],
      ["empty", () => ""],
      ["surrogates", (v) => `😀${v}😀`],
    ];
    for (const [name, f] of cases) {
      const s1 = produce(s0, (d) => {
        d.doc = f(d.doc.toString()) as never;
        d.docs[1] = f(d.docs[1]!.toString()) as never;
      });
      expect([name, s1.root.doc.toString()]).toEqual([name, f(doc)]);
      expect([name, s1.root.docs[1]!.toString()]).toEqual([name, f("def")]);
      s1.release();
    }
    s0.release();
  });

  it("a copy of the grid with one cell changed copies a few frames; an equal copy changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(S, input(), { pool });
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.grid = Float64Array.from(d.grid, (x, i) => (i === 40_000 ? -1 : x)) as never;
    });
    expect(s1.root.grid[40_000]).toBe(-1);
    expect(s1.root.grid[39_999]).toBe(39_999);
    expect(pool.framesInUse - frames).toBeLessThan(12); // was ~2,050: every page
    expect(patches.length).toBe(1);
    const same = produce(s0, (d) => {
      d.grid = d.grid.slice() as never;
      d.big = [1n, 2n, 3n, 4n] as never;
    });
    expect(same === s0).toBe(true);
    const s2 = produce(s0, (d) => {
      d.big = ["1", 2n, "30", 4n] as never; // BigInt kinds take decimal strings, as when built
    });
    expect([...s2.root.big]).toEqual([1n, 2n, 30n, 4n]);
    s2.release();
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });
});
