/**
 * Review 29: `chunks()` and the code point iterator while the text is
 * edited between their steps. They are live by position, as an Array's
 * iterator is by index: each step reads the text as it is then, from the
 * position the steps before it reached (the units they yielded). Before,
 * `chunks()` read 64 leaves at a time and yielded what it had read after an
 * edit (units no longer there: the first chunk after deleting the whole
 * text was still the old text's second leaf), and the code point iterator
 * held up to a leaf of pre-edit text likewise; a release between steps
 * showed only at the next batch.
 */
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

const unit = fc.constantFrom("a", "b", "ab", " ", "é", "Ā", "😀", "\ud83d", "\ude00");
const big = fc.array(unit, { minLength: 0, maxLength: 3000 }).map((a) => a.join(""));
const small = fc.array(unit, { minLength: 0, maxLength: 4 }).map((a) => a.join(""));

type Act = { kind: "delete"; pos: number; count: number } | { kind: "insert"; pos: number; text: string };
const act: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pos: fc.nat(), count: fc.nat(800) }),
  fc.record({ kind: fc.constant("insert" as const), pos: fc.nat(), text: fc.oneof(small, big) }),
);

/** Applies `a` (positions modulo the length) to the text and its model; returns the new model. */
function apply(t: CowText, s: string, a: Act): string {
  const pos = a.pos % (s.length + 1);
  if (a.kind === "insert") {
    t.insert(pos, a.text);
    return s.slice(0, pos) + a.text + s.slice(pos);
  }
  const count = Math.min(a.count, s.length - pos);
  t.delete(pos, count);
  return s.slice(0, pos) + s.slice(pos + count);
}

/** Edits at some steps: step number -> edit. */
const plan = fc.array(fc.tuple(fc.nat(40), act), { maxLength: 4 });

/** A standalone text, or an embedded one in a space of `pool` (with what releases it). */
function make(pool: FramePool, s: string, embedded: boolean): { t: CowText; done: () => void } {
  if (!embedded) {
    const t = CowText.from(s, { pool });
    return { t, done: () => t.release() };
  }
  const space = new AddressSpace({ size: 2 ** 28, pageSize: 256, pool });
  const t = CowText.create(Heap.create(space, { base: 256 }), s);
  return { t, done: () => space.release() };
}

describe("iteration while the text is edited", () => {
  it("chunks(): each chunk is the text as it is at the position reached", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(big, plan, fc.boolean(), (s0, edits, embedded) => {
        const { t, done } = make(pool, s0, embedded);
        let s = s0;
        let at = 0;
        let step = 0;
        for (const c of t.chunks()) {
          expect(c.length).toBeGreaterThan(0);
          expect(c, `chunk ${step} at ${at}`).toBe(s.slice(at, at + c.length));
          at += c.length;
          for (const [when, a] of edits) if (when === step) s = apply(t, s, a);
          step++;
        }
        expect(at).toBeGreaterThanOrEqual(s.length); // it ends where the text does
        done();
      }),
      { numRuns: runs(200) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("code points: each is the one at the position reached, in the text as it is", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(big, plan, fc.boolean(), (s0, edits, embedded) => {
        const { t, done } = make(pool, s0, embedded);
        let s = s0;
        let at = 0;
        let step = 0;
        for (const cp of t) {
          const want = String.fromCodePoint(s.codePointAt(at) as number);
          expect(cp, `code point ${step} at ${at}`).toBe(want);
          at += cp.length;
          for (const [when, a] of edits) if (when === step * 7) s = apply(t, s, a); // edits among the first ~280 steps
          step++;
        }
        expect(at).toBeGreaterThanOrEqual(s.length);
        done();
      }),
      { numRuns: runs(200) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("the case found: after deleting the whole text, chunks() yields nothing more", () => {
    const t = CowText.from("a".repeat(2000));
    const seen: string[] = [];
    for (const c of t.chunks()) {
      seen.push(c);
      if (seen.length === 1) t.delete(0, t.length);
    }
    expect(seen.length).toBe(1);
    t.release();
  });

  it("a release between two steps throws ReleasedError at the next", () => {
    for (const which of ["chunks", "codePoints"] as const) {
      const pool = new FramePool({ pageSize: 256 });
      const t = CowText.from("ab".repeat(1000), { pool });
      const it = which === "chunks" ? t.chunks() : t[Symbol.iterator]();
      expect(it.next().done).toBe(false);
      t.release();
      expect(() => it.next(), which).toThrow(ReleasedError);
      expect(pool.framesInUse).toBe(0);
    }
  });

  it("without edits, chunks() and iteration read the whole text (many batches)", () => {
    const s = "xé😀\ud83d".repeat(12_000);
    const t = CowText.from(s);
    expect([...t.chunks()].join("")).toBe(s);
    expect([...t]).toEqual([...s]);
    t.release();
  });
});
