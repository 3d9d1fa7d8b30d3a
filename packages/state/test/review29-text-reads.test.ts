/**
 * Review 29: a text view and a text draft answer `String.prototype`'s reads
 * (at, codePointAt, indexOf, lastIndexOf, includes, startsWith, endsWith,
 * substring) as a native string with the same content does, also while the
 * text value is not created yet (empty) and with odd arguments (error class
 * included). Model: a plain string edited the same way.
 */
import { createState, produce, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ doc: t.text(), other: t.text() });

const READS = [
  "at",
  "codePointAt",
  "indexOf",
  "lastIndexOf",
  "includes",
  "startsWith",
  "endsWith",
  "substring",
] as const;
type Read = (typeof READS)[number];

/** Odd arguments: indices of every kind, needles, and values native refuses (symbol, bigint, RegExp). */
const arg = fc.oneof(
  fc.integer({ min: -40, max: 400 }),
  fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 1.5, -1.5),
  fc.constantFrom(undefined, null, true, "", "3", "ab", "\ud83d", "\ude00"),
  fc.string({ unit: fc.constantFrom("a", "b", "\ud83d", "\ude00", "é"), maxLength: 3 }),
  fc.constantFrom(Symbol("s"), 1n, /a/, { valueOf: () => 2 }),
);

/** What calling `name` on `target` does: its value, or the class of what it throws. */
function outcome(target: object | string, name: Read, args: unknown[]): unknown {
  try {
    return { value: (String.prototype[name] as (...a: unknown[]) => unknown).apply(target, args) };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}
function viaMethod(target: Record<Read, (...a: unknown[]) => unknown>, name: Read, args: unknown[]): unknown {
  try {
    return { value: target[name](...args) };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

const text = fc.string({ unit: fc.constantFrom("a", "b", "ab", "\ud83d\ude00", "\ud83d", "é", "\n"), maxLength: 300 });

describe("review 29: text views and drafts answer String.prototype's reads", () => {
  it("views, drafts and an empty (never created) text match a native string", () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.tuple(fc.constantFrom(...READS), fc.array(arg, { maxLength: 3 })), { minLength: 1, maxLength: 12 }),
        (content, calls) => {
          const p = pool();
          const s0 = createState(S, { doc: "", other: "" }, { pool: p });
          const s1 = produce(s0, (d) => {
            d.doc.insert(0, content);
          });
          for (const [name, args] of calls) {
            const want = outcome(content, name, args);
            const view = s1.root.doc as unknown as Record<Read, (...a: unknown[]) => unknown>;
            expect(viaMethod(view, name, args)).toEqual(want);
            const empty = s1.root.other as unknown as Record<Read, (...a: unknown[]) => unknown>;
            expect(viaMethod(empty, name, args)).toEqual(outcome("", name, args));
          }
          produce(s1, (d) => {
            for (const [name, args] of calls) {
              const draft = d.doc as unknown as Record<Read, (...a: unknown[]) => unknown>;
              expect(viaMethod(draft, name, args)).toEqual(outcome(content, name, args));
            }
          });
          s1.release();
          s0.release();
          expect(p.framesInUse).toBe(0);
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 150) },
    );
  });

  it("a draft reads its own edits; the methods' lengths are String.prototype's", () => {
    const p = pool();
    const s0 = createState(S, { doc: "hello world", other: "" }, { pool: p });
    let seen: unknown[] = [];
    const s1 = produce(s0, (d) => {
      d.doc.insert(5, ",");
      seen = [d.doc.indexOf("world"), d.doc.at(-1), d.doc.substring(7, 4), d.doc.includes(","), d.doc.endsWith("o", 5)];
    });
    expect(seen).toEqual([7, "d", "o, ", true, true]);
    expect([s0.root.doc.includes(","), s1.root.doc.startsWith("hello,")]).toEqual([false, true]);
    for (const name of READS)
      expect([name, (s1.root.doc as unknown as Record<Read, () => void>)[name].length]).toEqual([
        name,
        String.prototype[name].length,
      ]);
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
