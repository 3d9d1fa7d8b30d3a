/**
 * The root of a standalone text may lag (layout version 4, see
 * src/layout.ts): one entry of the root, at most, is left behind its
 * subtree's length, and every descent finds it from the handle's length and
 * the children's own lengths. Differential tests against plain strings on
 * texts tall enough for it (height 2 at 256-byte pages), with forks edited in
 * any order (so the descent's hint misses), copies attached elsewhere
 * (`transferCopy`, which carry only root, height and length), and trees of
 * layout version 3, whose inner nodes hold no total.
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

/** What the tests read of a handle (its internal registers). */
interface Fields {
  root: number;
  height: number;
}

function fields(t: CowText): Fields {
  return t as unknown as Fields;
}

/** Every inner node of `t` (byte addresses), root first. */
function innerNodes(space: AddressSpace, root: number, height: number): number[] {
  if (height === 0) return [];
  const out = [root];
  const n = space.getUint32(root) & 0xffff;
  for (let i = 0; i < n; i++)
    out.push(...innerNodes(space, space.getUint32(root + 8 + i * 8) * space.pageSize, height - 1));
  return out;
}

/** Rewrites every inner node as layout version 3 wrote it: count word without INNER_TOTAL, second word 0. */
function asVersion3(space: AddressSpace, root: number, height: number): void {
  for (const node of innerNodes(space, root, height)) {
    space.setUint32(node, space.getUint32(node) & 0xffff);
    space.setUint32(node + 4, 0);
  }
}

/** ~9,000 code units, mostly Latin-1: height 2 at 256-byte pages (more than 31 leaves). */
const seed = Array.from({ length: 300 }, (_, i) => `line ${i}: ${i % 7 === 0 ? "ε€" : "ab"} and more text\n`).join("");

const unit = fc.constantFrom("a", "b", " ", "\n", "é", "€", "😀");
const small = fc.array(unit, { minLength: 1, maxLength: 3 }).map((a) => a.join(""));
const long = fc.array(unit, { minLength: 200, maxLength: 600 }).map((a) => a.join(""));

type Op =
  | { kind: "insert"; v: number; pos: number; text: string }
  | { kind: "delete"; v: number; pos: number; count: number }
  | { kind: "fork"; v: number }
  | { kind: "copy"; v: number }
  | { kind: "read"; v: number; a: number; b: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("insert" as const), v: fc.nat(), pos: fc.nat(), text: small }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), v: fc.nat(), pos: fc.nat(), text: long }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      v: fc.nat(),
      pos: fc.nat(),
      count: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fork" as const), v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("copy" as const), v: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("read" as const), v: fc.nat(), a: fc.nat(), b: fc.nat() }),
  },
);

/** Runs `ops` on versions of `first` (whose content is `init`), checking each against its string; releases all. */
function runOps(pool: FramePool, first: CowText, init: string, ops: Op[]): void {
  const texts = [first];
  const model = [init];
  for (const o of ops) {
    const k = o.v % texts.length;
    const t = texts[k] as CowText;
    const s = model[k] as string;
    if (o.kind === "insert") {
      const p = o.pos % (s.length + 1);
      t.insert(p, o.text);
      model[k] = s.slice(0, p) + o.text + s.slice(p);
    } else if (o.kind === "delete") {
      const p = o.pos % (s.length + 1);
      const c = Math.min(o.count, s.length - p);
      t.delete(p, c);
      model[k] = s.slice(0, p) + s.slice(p + c);
    } else if (o.kind === "fork") {
      texts.push(t.fork());
      model.push(s);
    } else if (o.kind === "copy") {
      // A copy carries root, height and length only: the lagging entry must be found from the pages.
      const c = CowText.attachShared(structuredClone(t.transferCopy()));
      expect(c.toString()).toBe(s);
      const p = s.length >> 1;
      expect(c.slice(p, p + 40)).toBe(s.slice(p, p + 40));
      c.release();
    } else {
      const a = o.a % (s.length + 1);
      expect(t.slice(a, a + (o.b % 300))).toBe(s.slice(a, a + (o.b % 300)));
      expect(t.charCodeAt(a)).toBe(s.charCodeAt(a));
    }
    expect(t.length).toBe((model[k] as string).length);
  }
  texts.forEach((t, i) => {
    expect(t.toString()).toBe(model[i]);
  });
  for (const t of texts) t.release();
  expect(pool.stats().framesInUse).toBe(0);
  expect(pool.stats().pageTableNodes).toBe(0);
}

describe("CowText whose root lags", () => {
  it("a keystroke in a fork copies only the leaf when the one before went to the same leaf (layout version 5)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const base = CowText.from(seed, { pool });
    expect(fields(base).height).toBe(2);
    let v = base;
    const versions = [base];
    for (let i = 0; i < 50; i++) {
      v = v.fork();
      v.insert(4000 + i, "x");
      versions.push(v);
      // Each fork's first fault also copies the page-table path; counted are the pages.
      if (i > 0) expect(v.stats().copyFaults + v.stats().zeroFillFaults).toBe(1);
    }
    expect(v.slice(3990, 4060)).toBe(seed.slice(3990, 4000) + "x".repeat(50) + seed.slice(4000, 4010));
    for (const t of versions) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("matches plain strings under edits of forks in any order, and in copies that carry only root, height and length", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        runOps(pool, CowText.from(seed, { pool }), seed, ops);
      }),
      { numRuns: runs(120) },
    );
  });

  it("reads and edits a tree of layout version 3, whose inner nodes hold no total (standalone)", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        const t = CowText.from(seed + seed + seed, { pool }); // height 2 with 80+ leaves
        expect(fields(t).height).toBe(2);
        asVersion3(t.space, fields(t).root, fields(t).height);
        runOps(pool, t, seed + seed + seed, ops);
      }),
      { numRuns: runs(60) },
    );
  });

  it("an embedded text of layout version 3 is edited in a fork and attached again with the right length", () => {
    const space = new AddressSpace({ size: 2 ** 30, pageSize: 256 });
    const heap = Heap.create(space, { base: 256 });
    const t = CowText.create(heap, seed);
    asVersion3(space, fields(t).root, fields(t).height);
    space.setUint32(t.address + 4, 3); // the header's layout version word
    const child = space.fork();
    const t2 = CowText.attach(Heap.attach(child, 256), t.address);
    expect(child.getUint32(t.address + 4)).toBe(4);
    let model = seed;
    for (let i = 0; i < 200; i++) {
      const p = (i * 7919) % (model.length + 1);
      if (i % 3 === 2) {
        t2.delete(p, Math.min(5, model.length - p));
        model = model.slice(0, p) + model.slice(p + 5);
      } else {
        t2.insert(p, "yz");
        model = `${model.slice(0, p)}yz${model.slice(p)}`;
      }
    }
    // The embedded root never lags: a fresh handle reads the length from the root's entries.
    const again = CowText.attach(Heap.attach(child, 256), t.address);
    expect(again.length).toBe(model.length);
    expect(again.toString()).toBe(model);
    expect(t.toString()).toBe(seed);
    child.release();
    space.release();
  });
});
