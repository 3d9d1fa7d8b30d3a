/** Texts as `createState` and `produce` build them: contents, edits, room in the leaves, failure. */
import { OutOfMemoryError } from "@pagefork/core";
import { createState, produce, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const Doc = t.struct({ doc: t.text() });

type Edit = { at: number; del: number; ins: string };

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  del: fc.nat(300),
  ins: fc.string({ unit: "binary", maxLength: 300 }),
});

describe("a text built by createState", () => {
  it("reads back exactly, and edits by produce match a plain string (any length, lone surrogates included)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 2000 }),
        fc.array(editArb, { maxLength: 8 }),
        (text, edits) => {
          const p = pool();
          const versions: State<typeof Doc>[] = [createState(Doc, { doc: text }, { pool: p })];
          let model = text;
          expect(versions[0]?.root.doc.toString()).toBe(text);
          for (const e of edits) {
            const at = e.at % (model.length + 1);
            const del = Math.min(e.del, model.length - at);
            const prev = versions[versions.length - 1] as State<typeof Doc>;
            versions.push(produce(prev, (d) => void d.doc.splice(at, del, e.ins)));
            model = model.slice(0, at) + e.ins + model.slice(at + del);
            expect(versions[versions.length - 1]?.root.doc.toString()).toBe(model);
          }
          expect(versions[0]?.root.doc.toString()).toBe(text);
          for (const v of versions) v.release();
          expect(p.framesInUse).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("leaves room in its leaves: typing one character into a built text allocates no new page", () => {
    // A text cut into leaves filled to the brim splits a leaf on the first keystroke
    // into it: a new page, a zero-fill fault. See buildText in build.ts.
    const p = pool();
    const text = "lorem ipsum dolor sit amet ".repeat(400); // 10,800 code units
    const s0 = createState(Doc, { doc: text }, { pool: p });
    for (const at of [0, 1, 95, 96, 97, 500, 5_401, text.length - 1, text.length]) {
      const s1 = produce(s0, (d) => d.doc.insert(at, "x"));
      expect(s1.stats().zeroFillFaults).toBe(0);
      expect(s1.root.doc.toString()).toBe(`${text.slice(0, at)}x${text.slice(at)}`);
      s1.release();
    }
    s0.release();
    expect(p.framesInUse).toBe(0);
  });

  it("OutOfMemoryError while the text is being built: thrown, and nothing is kept", () => {
    const text = "abcdefghij".repeat(1000);
    let refused = 0;
    for (let pages = 4; pages <= 160; pages += 4) {
      const p = pool(pages * 256);
      let s: State<typeof Doc> | undefined;
      try {
        s = createState(Doc, { doc: text }, { pool: p });
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        refused++;
      }
      if (s !== undefined) {
        expect(s.root.doc.toString()).toBe(text);
        s.release();
      }
      expect(p.framesInUse).toBe(0);
      expect(p.stats().spaces).toBe(0);
    }
    expect(refused).toBeGreaterThan(10); // limits inside the text's ~140 pages were tried
  });
});

describe("text reads: index conversion as String.prototype", () => {
  /** What `f` returns, or the class of what it throws. */
  const outcome = (f: () => unknown) => {
    try {
      return `ok:${String(f())}`;
    } catch (e) {
      return `throws:${(e as Error).constructor.name}`;
    }
  };
  const args: unknown[] = [undefined, 0, 1, -1, 2.7, Number.NaN, Number.POSITIVE_INFINITY, "1", null, 1n, Symbol("i")];

  it("slice, charAt and charCodeAt of a view and of a draft, empty (no text made yet) or not, answer as a native string (regression: an empty text ignored its arguments)", () => {
    for (const s of ["", "a😀b"]) {
      const st = createState(Doc, { doc: s }, { pool: pool() });
      const views = [st.root.doc];
      const next = produce(st, (d) => {
        views.push(d.doc as unknown as typeof st.root.doc);
        for (const v of views)
          for (const a of args) {
            const call = (o: unknown, m: string, ...x: unknown[]) =>
              outcome(() => (o as Record<string, (...y: unknown[]) => unknown>)[m]?.(...x));
            for (const m of ["charAt", "charCodeAt"])
              expect([s, m, String(a), call(v, m, a)]).toEqual([s, m, String(a), call(s, m, a)]);
            for (const b of args)
              expect([s, String(a), String(b), call(v, "slice", a, b)]).toEqual([
                s,
                String(a),
                String(b),
                call(s, "slice", a, b),
              ]);
          }
      });
      expect(next).toBe(st);
      st.release();
    }
  });
});
