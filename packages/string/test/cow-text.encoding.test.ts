/**
 * Narrow (one byte per code unit, Latin-1) and wide (UTF-16) leaves: every
 * version against a plain JS string, with text that is mostly Latin-1 and
 * sometimes not (so leaves are written narrow, widened in place, split into
 * pieces of either encoding), plus a frame-leak check; and attaching to a
 * text of the older layout version 2, whose leaves are all wide.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

// Latin-1 most of the time, including its edges (0x00, 0x7f, 0x80, 0xff);
// now and then a unit above 0xff: 0x100, BMP, an astral pair, lone surrogates.
const latin = fc.constantFrom("a", "z", " ", "\n", "\u0000", "\u007f", "\u0080", "é", "\u00ff");
const other = fc.constantFrom("\u0100", "€", "中", "😀", "\ud800", "\udfff");
const unit = fc.oneof({ weight: 12, arbitrary: latin }, { weight: 1, arbitrary: other });
const textArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(unit, { minLength: 1, maxLength: 3 }).map((a) => a.join("")) },
  { weight: 2, arbitrary: fc.array(latin, { minLength: 200, maxLength: 900 }).map((a) => a.join("")) },
  { weight: 1, arbitrary: fc.array(unit, { minLength: 100, maxLength: 600 }).map((a) => a.join("")) },
);
const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("insert" as const), v: fc.nat(), pos: fc.nat(), text: textArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("delete" as const), v: fc.nat(), pos: fc.nat(), n: fc.nat(400) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fork" as const), v: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("check" as const), v: fc.nat(), pos: fc.nat(), n: fc.nat(300) }),
  },
);

describe("CowText leaf encodings", () => {
  it("matches a plain string in every version, whatever mix of Latin-1 and other text, and leaks no frame", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        const texts = [new CowText({ pool })];
        const model = [""];
        for (const op of ops) {
          const k = op.v % texts.length;
          const t = texts[k] as CowText;
          const s = model[k] as string;
          if (op.kind === "insert") {
            const pos = op.pos % (s.length + 1);
            t.insert(pos, op.text);
            model[k] = s.slice(0, pos) + op.text + s.slice(pos);
          } else if (op.kind === "delete") {
            const pos = op.pos % (s.length + 1);
            const n = Math.min(op.n, s.length - pos);
            t.delete(pos, n);
            model[k] = s.slice(0, pos) + s.slice(pos + n);
          } else if (op.kind === "fork") {
            texts.push(t.fork());
            model.push(s);
          } else {
            const pos = op.pos % (s.length + 1);
            expect(t.slice(pos, pos + op.n)).toBe(s.slice(pos, pos + op.n));
            expect(t.charCodeAt(pos)).toBe(s.charCodeAt(pos));
          }
        }
        texts.forEach((t, i) => {
          const s = model[i] as string;
          expect(t.length).toBe(s.length);
          expect(t.toString()).toBe(s);
          expect([...t]).toEqual([...s]);
          for (let j = 0; j < s.length; j += 37) expect(t.charAt(j)).toBe(s.charAt(j));
        });
        for (const t of texts) t.release();
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: runs(150) },
    );
  });

  it("keeps every unit of a narrow leaf that a non-Latin-1 insert widens in place or splits", () => {
    const pool = new FramePool({ pageSize: 256 });
    const base = CowText.from("x".repeat(100), { pool }); // one narrow leaf
    const widened = base.fork();
    widened.insert(50, "€"); // 101 units: fits a wide leaf of 126, rewritten in place
    const split = base.fork();
    split.insert(50, "😀".repeat(20)); // 140 units: more than a wide leaf holds
    const edge = base.fork();
    edge.insert(100, "\u00ff\u0100"); // 0xff stays narrow-able, 0x100 does not
    expect(base.toString()).toBe("x".repeat(100));
    expect(widened.toString()).toBe(`${"x".repeat(50)}€${"x".repeat(50)}`);
    expect(split.toString()).toBe(`${"x".repeat(50)}${"😀".repeat(20)}${"x".repeat(50)}`);
    expect(edge.toString()).toBe(`${"x".repeat(100)}\u00ff\u0100`);
    expect(edge.charCodeAt(100)).toBe(0xff);
    expect(edge.charCodeAt(101)).toBe(0x100);
    for (const t of [base, widened, split, edge]) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("matches a plain string while keystrokes at moving cursors split leaves and fill inner nodes", () => {
    // Typing runs at random places of a text of a few hundred leaves: leaf
    // splits at the cursor, tails joining the next leaf, and inner nodes that
    // overflow into their next sibling or split, at heights 2 and 3.
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), keys: fc.integer({ min: 50, max: 700 }), back: fc.nat(5) }), {
          minLength: 5,
          maxLength: 25,
        }),
        (runs) => {
          const pool = new FramePool({ pageSize: 256 });
          let model = "";
          for (let i = 0; i < 400; i++) model += String.fromCharCode(97 + (i % 26)).repeat(1 + ((i * 37) % 200));
          // Full leaves under full inner nodes but the last: the first overflows split, later ones share.
          const t = CowText.from(model, { pool });
          const versions: [CowText, string][] = [];
          let v = t;
          for (const [r, run] of runs.entries()) {
            v = v.fork();
            let pos = run.at % (model.length + 1);
            for (let k = 0; k < run.keys; k++) {
              if (run.back > 0 && k % (run.back + 3) === 0 && pos > 0) {
                v.delete(pos - 1, 1);
                model = model.slice(0, pos - 1) + model.slice(pos);
                pos--;
              } else {
                const ch = r % 7 === 6 && k % 50 === 0 ? "€" : String.fromCharCode(65 + (k % 26));
                v.insert(pos, ch);
                model = model.slice(0, pos) + ch + model.slice(pos);
                pos++;
              }
            }
            versions.push([v, model]);
          }
          for (const [ver, s] of versions) {
            expect(ver.length).toBe(s.length);
            expect(ver.toString()).toBe(s);
            for (let j = 0; j < s.length; j += 997) expect(ver.slice(j, j + 300)).toBe(s.slice(j, j + 300));
          }
          for (const [ver] of versions) ver.release();
          t.release();
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(12) },
    );
  });

  it("holds 252 Latin-1 units in a 256-byte leaf and 126 wide ones", () => {
    const pool = new FramePool({ pageSize: 256 });
    const narrow = CowText.from("a".repeat(252), { pool });
    const wide = CowText.from("€".repeat(126), { pool });
    expect([narrow.height, wide.height]).toEqual([0, 0]); // one leaf each
    const over = narrow.fork();
    over.insert(252, "b");
    expect(over.height).toBe(1);
    for (const t of [narrow, wide, over]) t.release();
  });

  it("fills a leaf to its count word's limit at the largest page size, in both encodings", () => {
    const pool = new FramePool({ pageSize: 65536 });
    const narrow = CowText.from("n".repeat(65532), { pool }); // one narrow leaf: the count is 0xfffc
    const wide = CowText.from("€".repeat(32766), { pool });
    expect([narrow.height, wide.height]).toEqual([0, 0]);
    const n2 = narrow.fork();
    n2.insert(65532, "!"); // one more unit splits it
    n2.insert(0, "€"); // and widens the first piece
    expect(n2.toString()).toBe(`€${"n".repeat(65532)}!`);
    expect(n2.charCodeAt(65533)).toBe(33);
    expect(narrow.toString()).toBe("n".repeat(65532));
    expect(wide.slice(32765)).toBe("€");
    for (const t of [narrow, wide, n2]) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("puts the short tail of a split into the next leaf when it has room: no new page", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = CowText.from("a".repeat(300), { pool }); // leaves of 252 and 48 units under one root
    const heapOf = (t: CowText) => Heap.attach(t.space, 256).stats().pagesAllocated;
    const b = a.fork();
    b.insert(252, "b"); // the end of the full leaf: its split's last piece, "b", goes to the next leaf
    expect(heapOf(b)).toBe(heapOf(a));
    expect(b.stats().copyFaults).toBe(2); // the next leaf and the root; the full leaf is left as it was
    const c = b.fork();
    c.insert(100, "€".repeat(60)); // a wide split whose tail (152 units) cannot join the next leaf wide
    for (const [t, s] of [
      [a, "a".repeat(300)],
      [b, `${"a".repeat(252)}b${"a".repeat(48)}`],
      [c, `${"a".repeat(100)}${"€".repeat(60)}${"a".repeat(152)}b${"a".repeat(48)}`],
    ] as const) {
      expect(t.toString()).toBe(s);
      expect(t.length).toBe(s.length);
    }
    for (const t of [a, b, c]) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("attaches to a text of layout version 2 (all leaves wide) and marks it version 4", () => {
    const space = new AddressSpace({ size: 2 ** 24, pageSize: 256 });
    const heap = Heap.create(space, { base: 256 });
    const t = CowText.create(heap, "€".repeat(300)); // wide leaves only: a version-2 tree as well
    space.setUint32(t.address + 4, 2); // the header's layout version word
    const child = space.fork();
    const t2 = CowText.attach(Heap.attach(child, 256), t.address);
    expect(child.getUint32(t.address + 4)).toBe(4);
    t2.insert(0, "abc");
    expect(t2.toString()).toBe(`abc${"€".repeat(300)}`);
    const ro = space.fork();
    ro.protect(0, ro.size, "read-only");
    expect(CowText.attach(Heap.attach(ro, 256), t.address).toString()).toBe("€".repeat(300)); // read-only: left as version 2
    expect(ro.getUint32(t.address + 4)).toBe(2);
    ro.release();
    space.freeze();
    expect(CowText.attach(heap, t.address).toString()).toBe("€".repeat(300)); // frozen: left as version 2
    expect(space.getUint32(t.address + 4)).toBe(2);
    for (const bad of [1, 6]) {
      const c = child.fork();
      c.setUint32(t.address + 4, bad);
      expect(() => CowText.attach(Heap.attach(c, 256), t.address)).toThrow(InvalidArgumentError);
      c.release();
    }
    child.release();
    space.release();
  });
});
