/**
 * Review 27: an edit inside the finger's leaf (btree.ts insertInLeaf,
 * deleteInLeaf) skips the descent, the plan of the pages it writes and the
 * update of the path above the leaf, on the strength of one invariant: a
 * version's finger (tree.ts LagPath `leaf`) exists only while the lagging
 * path runs down the whole height of the tree to that leaf. These tests hold
 * the invariant and what the shortcut relies on after every edit of typing
 * sessions on forks: the handle's lagging path is the one the pages and the
 * length say (`lagOf`), a descent to the finger's start lands on the finger's
 * leaf, a one-unit edit strictly inside that leaf on a new fork copies one
 * page and nothing else, and the text matches a plain string. A finger edit
 * the pool has no frame for throws OutOfMemoryError and changes nothing.
 * Every pool ends with no frame in use.
 */
import { AddressSpace, FramePool, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { LEAF_COUNT, N_COUNT } from "../src/layout.js";
import { descend, LAG_LEVELS, lagOf, nextLeaf, ownLength, Path } from "../src/tree.js";

const unit = fc.constantFrom("a", "b", " ", "\n", "é", "€", "😀");
const small = fc.array(unit, { minLength: 1, maxLength: 3 }).map((a) => a.join(""));
const long = fc.array(fc.constantFrom("x", "y", "é", "€"), { minLength: 60, maxLength: 700 }).map((a) => a.join(""));

type Op =
  | { kind: "type"; v: number; text: string }
  | { kind: "backspace"; v: number; count: number }
  | { kind: "forward"; v: number; count: number }
  | { kind: "move"; v: number; to: number }
  | { kind: "clearLeaf"; v: number }
  | { kind: "paste"; v: number; text: string }
  | { kind: "fork"; v: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ kind: fc.constant("type" as const), v: fc.nat(), text: small }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("backspace" as const),
      v: fc.nat(),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("forward" as const),
      v: fc.nat(),
      count: fc.integer({ min: 1, max: 400 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("move" as const), v: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("clearLeaf" as const), v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("paste" as const), v: fc.nat(), text: long }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fork" as const), v: fc.nat() }) },
);

interface Version {
  text: CowText;
  model: string;
  cursor: number;
}

const scratch = new Path();

/** The finger invariant and what the pages say of the lagging path, for `t`. */
function checkFinger(t: CowText): void {
  const lp = t.lp;
  // The pages say which path lags unless it lags by 0 (then they say none does).
  if (t.height > 0 && lp.lag >= 0 && t.len !== ownLength(t.space, t.root, t.height))
    expect(lagOf(t.space, t.root, t.height, t.len, scratch)).toBe(lp.lag);
  if (lp.leaf === 0) return;
  expect(t.height).toBeGreaterThan(0);
  expect(lp.lag & LAG_LEVELS).toBe(t.height); // the whole height lags
  const count = t.space.getUint32(lp.leaf + N_COUNT) & LEAF_COUNT;
  if (count > 0 && lp.start < t.len) {
    expect(descend(t, lp.start, false, scratch)).toBe(lp.leaf);
    expect(scratch.offset).toBe(0);
    expect(t.lp).toBe(lp); // a descent down the finger's own path keeps it
  }
}

/** Every leaf of `t` holds at least one unit (an emptied leaf is unlinked and freed). */
function checkLeaves(t: CowText): void {
  if (t.root === 0) return;
  let leaf = descend(t, 0, false, scratch);
  let units = 0;
  while (leaf !== 0) {
    const n = t.space.getUint32(leaf + N_COUNT) & LEAF_COUNT;
    expect(n).toBeGreaterThan(0);
    units += n;
    leaf = nextLeaf(t, scratch);
  }
  expect(units).toBe(t.len);
}

/** Pages a version's space faulted in so far (copies and zero fills). */
function faults(t: CowText): number {
  const s = t.stats();
  return s.copyFaults + s.zeroFillFaults;
}

function runOps(first: CowText, init: string, ops: Op[]): void {
  const vs: Version[] = [{ text: first, model: init, cursor: init.length >> 1 }];
  for (const o of ops) {
    const v = vs[o.v % vs.length] as Version;
    const s = v.model;
    const c = Math.min(v.cursor, s.length);
    if (o.kind === "fork") {
      vs.push({ text: v.text.fork(), model: s, cursor: c });
      continue;
    }
    if (o.kind === "move") {
      v.cursor = o.to % (s.length + 1);
      continue;
    }
    // Every edit goes to a new fork of the version, as W4's replay does.
    const t = v.text.fork();
    const lp = t.lp;
    const count = lp.leaf === 0 ? 0 : t.space.getUint32(lp.leaf + N_COUNT) & LEAF_COUNT;
    // Strictly inside the finger's leaf, with room for one more unit of either width.
    const inside = lp.leaf !== 0 && c > lp.start && c < lp.start + count && count < 120;
    if (o.kind === "type" || o.kind === "paste") {
      t.insert(c, o.text);
      v.model = s.slice(0, c) + o.text + s.slice(c);
      v.cursor = c + o.text.length;
      if (inside && o.text.length === 1) expect(faults(t)).toBe(1);
    } else if (o.kind === "backspace") {
      const n = Math.min(o.count, c);
      if (n > 0) t.delete(c - n, n);
      v.model = s.slice(0, c - n) + s.slice(c);
      v.cursor = c - n;
      if (inside && n === 1 && c - 1 > lp.start) expect(faults(t)).toBe(1);
    } else if (o.kind === "clearLeaf") {
      // Exactly the finger's leaf (or the next unit when there is none): the leaf goes.
      const from = lp.leaf === 0 ? c : lp.start;
      const n = lp.leaf === 0 ? Math.min(1, s.length - c) : count;
      if (n > 0) t.delete(from, n);
      v.model = s.slice(0, from) + s.slice(from + n);
      v.cursor = from;
    } else {
      const n = Math.min(o.count, s.length - c);
      if (n > 0) t.delete(c, n);
      v.model = s.slice(0, c) + s.slice(c + n);
    }
    vs.push({ text: v.text, model: s, cursor: c }); // the version before the edit stays as it was
    v.text = t;
    expect(t.length).toBe(v.model.length);
    checkFinger(t);
    checkLeaves(t);
  }
  for (const v of vs) {
    expect(v.text.toString()).toBe(v.model);
    checkFinger(v.text);
  }
  for (const v of vs) v.text.release();
}

/** `n` code units, mostly Latin-1 lines with some wide and astral characters. */
function seedOf(n: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const line = `line ${i}: ${i % 13 === 0 ? "€😀" : "ab"} text\n`;
    parts.push(line);
    len += line.length;
  }
  return parts.join("").slice(0, n);
}

describe("edits inside the finger's leaf", () => {
  for (const [name, size, ps] of [
    ["empty, 256-byte pages", 0, 256],
    ["height 2, 256-byte pages", 20_000, 256],
    ["height 3, 256-byte pages", 200_000, 256],
    ["4 KiB pages", 60_000, 4096],
  ] as const) {
    it(`keep the finger invariant and match plain strings (${name}), leak no frame`, () => {
      const init = seedOf(size);
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: size > 100_000 ? 60 : 150 }), (ops) => {
          const pool = new FramePool({ pageSize: ps });
          runOps(CowText.from(init, { pool }), init, ops);
          expect(pool.stats().framesInUse).toBe(0);
        }),
        { numRuns: runs(size > 100_000 ? 8 : 40) },
      );
    });
  }

  it("a finger edit the pool has no frame for throws OutOfMemoryError and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 256 * 1024 });
    const init = seedOf(20_000);
    const t = CowText.from(init, { pool });
    // Typing at 10,000 until a descent has gone down the lagging path: a finger.
    let at = 10_000;
    for (const ch of "abc") t.insert(at++, ch);
    expect(t.lp.leaf).not.toBe(0);
    expect(t.lp.start).toBeLessThan(10_000);
    const child = t.fork();
    // Take every frame left.
    const filler = new AddressSpace({ size: 2 ** 20 * 256, pool });
    for (let vpn = 0; pool.framesAvailable() > 0; vpn++) filler.setUint8(vpn * 256, 1);
    const want = `${init.slice(0, 10_000)}abc${init.slice(10_000)}`;
    const inUse = pool.stats().framesInUse;
    const lp = child.lp;
    for (const edit of [() => child.insert(10_003, "d"), () => child.delete(10_001, 1)]) {
      expect(edit).toThrow(OutOfMemoryError);
      expect(child.toString()).toBe(want);
      expect(child.length).toBe(want.length);
      expect(child.lp).toBe(lp);
      expect(pool.stats().framesInUse).toBe(inUse);
      checkFinger(child);
    }
    filler.release();
    child.insert(10_003, "d");
    child.delete(10_001, 1);
    expect(child.toString()).toBe(`${init.slice(0, 10_000)}acd${init.slice(10_000)}`);
    expect(t.toString()).toBe(want);
    checkFinger(child);
    child.release();
    t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
