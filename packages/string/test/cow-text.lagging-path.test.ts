/**
 * A standalone text's inner nodes may lag down one path (layout version 5,
 * see src/layout.ts): typing into one leaf writes that leaf only, and an edit
 * elsewhere first brings the path up to date. Differential tests against
 * plain strings with local edits (a cursor per version, as typing does) on
 * texts of height 2 and 3, forks edited in any order, copies that carry only
 * root, height and length (`transferCopy`, `adoptText`) edited afterwards,
 * mixed Latin-1 and wide text with surrogate pairs, and page sizes whose
 * packed path holds fewer levels; every pool ends with no frame in use.
 */
import { FramePool } from "@pagefork/core";
import { adoptText, CowText, textStateOf } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

/** Mixed text: Latin-1, wide BMP, and astral (surrogate pair) units. */
const unit = fc.constantFrom("a", "b", " ", "\n", "é", "ÿ", "€", "😀");
const small = fc.array(unit, { minLength: 1, maxLength: 3 }).map((a) => a.join(""));
const long = fc.array(unit, { minLength: 100, maxLength: 700 }).map((a) => a.join(""));

type Op =
  | { kind: "type"; v: number; text: string }
  | { kind: "backspace"; v: number; count: number }
  | { kind: "move"; v: number; to: number }
  | { kind: "paste"; v: number; text: string }
  | { kind: "cut"; v: number; count: number }
  | { kind: "fork"; v: number }
  | { kind: "copy"; v: number }
  | { kind: "read"; v: number; a: number; b: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("type" as const), v: fc.nat(), text: small }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("backspace" as const),
      v: fc.nat(),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("move" as const), v: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("paste" as const), v: fc.nat(), text: long }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("cut" as const), v: fc.nat(), count: fc.integer({ min: 1, max: 3000 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fork" as const), v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("copy" as const), v: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("read" as const), v: fc.nat(), a: fc.nat(), b: fc.nat() }) },
);

interface Version {
  text: CowText;
  model: string;
  cursor: number;
}

/** Checks the whole text and a few slices against the model. */
function checkVersion(v: Version): void {
  expect(v.text.length).toBe(v.model.length);
  expect(v.text.toString()).toBe(v.model);
}

/**
 * Runs `ops` on versions of `first` (holding `init`), each version with its
 * own cursor; a "copy" rebuilds the version from root, height and length
 * (alternately through transferCopy + attachShared and through adoptText
 * over a fork of its space), edits the rebuilt one and compares.
 */
function runOps(first: CowText, init: string, ops: Op[]): void {
  const vs: Version[] = [{ text: first, model: init, cursor: init.length >> 1 }];
  let copies = 0;
  for (const o of ops) {
    const v = vs[o.v % vs.length] as Version;
    const s = v.model;
    const c = Math.min(v.cursor, s.length);
    if (o.kind === "type" || o.kind === "paste") {
      v.text.insert(c, o.text);
      v.model = s.slice(0, c) + o.text + s.slice(c);
      v.cursor = c + o.text.length;
    } else if (o.kind === "backspace" || o.kind === "cut") {
      const n = Math.min(o.count, c);
      if (n > 0) v.text.delete(c - n, n);
      v.model = s.slice(0, c - n) + s.slice(c);
      v.cursor = c - n;
    } else if (o.kind === "move") {
      v.cursor = o.to % (s.length + 1);
    } else if (o.kind === "fork") {
      vs.push({ text: v.text.fork(), model: s, cursor: c });
    } else if (o.kind === "copy") {
      // Root, height and length only: the lagging path must be found from the pages.
      const copy =
        copies++ % 2 === 0
          ? CowText.attachShared(structuredClone(v.text.transferCopy())).fork()
          : adoptText(v.text.space.fork(), JSON.parse(JSON.stringify(textStateOf(v.text))));
      expect(copy.toString()).toBe(s);
      const at = Math.min(c, s.length);
      copy.insert(at, "é😀x");
      copy.delete(Math.max(0, at - 2), Math.min(2, at));
      const want = `${s.slice(0, at)}é😀x${s.slice(at)}`;
      const cut = Math.max(0, at - 2);
      expect(copy.toString()).toBe(want.slice(0, cut) + want.slice(cut + Math.min(2, at)));
      copy.release();
    } else {
      const a = o.a % (s.length + 1);
      expect(v.text.slice(a, a + (o.b % 400))).toBe(s.slice(a, a + (o.b % 400)));
      expect(v.text.charCodeAt(a)).toBe(s.charCodeAt(a));
    }
    expect(v.text.length).toBe(v.model.length);
  }
  for (const v of vs) checkVersion(v);
  for (const v of vs) v.text.release();
}

/** `n` code units of mixed text: mostly Latin-1 lines, some wide and astral characters. */
function seedOf(n: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const line = `line ${i}: ${i % 11 === 0 ? "ε€😀" : "ab"} and more text ÿ\n`;
    parts.push(line);
    len += line.length;
  }
  return parts.join("").slice(0, n);
}

describe("CowText whose inner nodes lag down one path", () => {
  it("matches plain strings under local edits of forks in any order (height 2, 256-byte pages)", () => {
    const init = seedOf(9_000);
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        runOps(CowText.from(init, { pool }), init, ops);
        expect(pool.stats().framesInUse).toBe(0);
        expect(pool.stats().pageTableNodes).toBe(0);
      }),
      { numRuns: runs(120) },
    );
  });

  it("matches plain strings on a text of height 3, whose path lags on two and three levels", () => {
    const pool = new FramePool({ pageSize: 256 });
    const init = seedOf(200_000);
    const base = CowText.from(init, { pool });
    expect((base as unknown as { height: number }).height).toBe(3);
    const frames = pool.stats().framesInUse;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        runOps(base.fork(), init, ops);
        expect(pool.stats().framesInUse).toBe(frames);
      }),
      { numRuns: runs(40) },
    );
    expect(base.toString()).toBe(init);
    base.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("matches plain strings at 4 KiB and 64 KiB pages, whose packed path holds fewer levels", () => {
    for (const pageSize of [4096, 65536]) {
      const init = seedOf(pageSize === 4096 ? 600_000 : 40_000);
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
          const pool = new FramePool({ pageSize });
          runOps(CowText.from(init, { pool }), init, ops);
          expect(pool.stats().framesInUse).toBe(0);
        }),
        { numRuns: runs(8) },
      );
    }
  });

  it("a version keeps its own lagging path: the parent read after its fork typed elsewhere", () => {
    const pool = new FramePool({ pageSize: 256 });
    const init = seedOf(20_000);
    const a = CowText.from(init, { pool });
    a.insert(100, "xyz"); // a's path lags towards the first leaf
    const b = a.fork();
    b.insert(19_000, "ÿ€😀"); // b moves the path to a late leaf
    b.insert(19_003, "q");
    a.insert(103, "w"); // a extends its own path, whose pages b shares
    const ins = (x: string, p: number, y: string) => x.slice(0, p) + y + x.slice(p);
    const wantA = ins(ins(init, 100, "xyz"), 103, "w");
    const wantB = ins(ins(ins(init, 100, "xyz"), 19_000, "ÿ€😀"), 19_003, "q");
    expect(a.toString()).toBe(wantA);
    expect(b.toString()).toBe(wantB);
    expect(a.slice(90, 110)).toBe(wantA.slice(90, 110));
    expect(b.slice(18_990, 19_010)).toBe(wantB.slice(18_990, 19_010));
    a.release();
    b.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a finger (the lagging leaf, its start) serves only the path it was found on, in the versions that share it", () => {
    const pool = new FramePool({ pageSize: 256 });
    const ins = (x: string, p: number, y: string) => x.slice(0, p) + y + x.slice(p);
    const cut = (x: string, p: number, n: number) => x.slice(0, p) + x.slice(p + n);
    let want = "a".repeat(400); // narrow leaves of 252 and 148 units under one root
    const t = CowText.from(want, { pool });
    t.insert(300, "b"); // the path now lags towards the second leaf
    t.insert(301, "c"); // a descent down that path: the second leaf is the finger, starting at 252
    want = ins(ins(want, 300, "b"), 301, "c");
    const u = t.fork(); // shares the finger
    u.delete(10, 2); // the path moves to the first leaf: the second one now starts at 250 in u
    u.insert(301, "d"); // back in the second leaf, at 51 of its units
    u.insert(250, "e"); // at the boundary of the two leaves: the end of the first
    u.delete(299, 3);
    const wantU = cut(ins(ins(cut(want, 10, 2), 301, "d"), 250, "e"), 299, 3);
    t.insert(302, "f"); // t keeps typing through the finger it shares with u
    t.delete(301, 1);
    want = cut(ins(want, 302, "f"), 301, 1);
    expect(u.toString()).toBe(wantU);
    expect(t.toString()).toBe(want);
    expect([u.slice(240, 320), t.slice(240, 320)]).toEqual([wantU.slice(240, 320), want.slice(240, 320)]);
    t.release();
    u.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("typing into one leaf of a height-3 text copies one page per version", () => {
    const pool = new FramePool({ pageSize: 256 });
    const init = seedOf(200_000);
    let v = CowText.from(init, { pool });
    const all = [v];
    for (let i = 0; i < 40; i++) {
      v = v.fork();
      v.insert(100_000 + (i % 20), "k");
      all.push(v);
      if (i > 0) expect(v.stats().copyFaults + v.stats().zeroFillFaults).toBe(1);
    }
    expect(v.slice(100_000, 100_020)).toBe("k".repeat(20));
    for (const t of all) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
