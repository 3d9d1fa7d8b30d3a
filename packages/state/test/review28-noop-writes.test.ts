/**
 * Writes that change nothing give the base back, as in Immer (whose set trap
 * ignores a same-value assignment, `Object.is`): a text assigned the content
 * it has, a number or string assigned its value, a list element, a map
 * value or a set element that is already there, a record assigned the base
 * version's view of itself. `produce` must return the base itself (no new
 * version, no new stamps: views keep their identity), take no frame, and
 * `produceWithPatches` must give no patch. Each case is also checked to be a
 * no-op in Immer on the same plain data.
 */
import { createState, produce, produceWithPatches, type State, t } from "@pagefork/state";
import { enableMapSet, produce as immerProduce } from "immer";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

enableMapSet();

const Rec = t.struct({ x: t.u8 });
const S = t.struct({
  n: t.f64,
  f: t.f32,
  str: t.string,
  doc: t.text(),
  empty: t.text(),
  maybe: t.nullable(t.text()),
  l: t.list(t.string),
  texts: t.list(t.text()),
  m: t.map(t.string, t.text()),
  mn: t.map(t.string, t.u8),
  st: t.set(t.u8),
  r: Rec,
  rs: t.list(Rec),
});
type D = t.Draft<typeof S>;
// biome-ignore lint/suspicious/noExplicitAny: the same recipe runs on a draft and on Immer's draft of plain data
type Any = any;

function input(): t.Input<typeof S> {
  return {
    n: 1.5,
    f: 0.1,
    str: "s",
    doc: "hello",
    empty: "",
    maybe: "m",
    l: ["a", "b", "a"],
    texts: ["x", "y"],
    m: new Map([["k", "v"]]),
    mn: new Map([["k", 7]]),
    st: new Set([1, 2]),
    r: { x: 1 },
    rs: [{ x: 1 }, { x: 2 }],
  };
}

/** Plain data for Immer: texts as strings, as their JSON. */
function plain(): Any {
  return input();
}

type Case = [string, (d: D, base: State<typeof S>) => void, ((d: Any, b: Any) => void)?];

const cases: Case[] = [
  [
    "a text replaced by its content",
    (d) => {
      d.doc.replace("hello");
    },
    (d) => {
      d.doc = "hello";
    },
  ],
  [
    "a text spliced with the units it removes",
    (d) => {
      d.doc.splice(1, 2, "el");
    },
    (d) => {
      d.doc = `h${"el"}lo`;
    },
  ],
  [
    "a text assigned its content",
    (d) => {
      d.doc = "hello" as never;
    },
  ],
  [
    "an empty text assigned an empty string",
    (d) => {
      d.empty = "" as never;
    },
  ],
  [
    "a nullable text assigned its content",
    (d) => {
      d.maybe = "m" as never;
    },
  ],
  [
    "a text in a list assigned its content",
    (d) => {
      d.texts[1] = "y" as never;
    },
  ],
  [
    "a text map value set to its content",
    (d) => {
      d.m.set("k", "v" as never);
    },
  ],
  [
    "a number assigned its value",
    (d) => {
      d.n = 1.5;
    },
  ],
  [
    "an f32 assigned the value it rounds to",
    (d) => {
      d.f = 0.1;
    },
  ],
  [
    "a string assigned its value",
    (d) => {
      d.str = "s";
    },
  ],
  [
    "a list element assigned its value",
    (d) => {
      d.l[2] = "a";
    },
  ],
  [
    "a list spliced with the elements it has",
    (d) => {
      d.l.splice(0, 2, "a", "b");
    },
  ],
  [
    "a list filled with what it holds",
    (d) => {
      d.l.fill("a", 0, 1);
    },
  ],
  [
    "a list copyWithin of equal elements",
    (d) => {
      d.l.copyWithin(2, 0, 1);
    },
  ],
  [
    "a list's length assigned its length",
    (d) => {
      d.l.length = 3;
    },
  ],
  [
    "a palindrome list reversed",
    (d) => {
      d.l.reverse();
    },
    (d) => {
      d.l.reverse();
    },
  ],
  [
    "a map value set to its value",
    (d) => {
      d.mn.set("k", 7);
    },
  ],
  [
    "a map key deleted that is absent",
    (d) => {
      d.mn.delete("zz");
    },
  ],
  [
    "a set element added that is present",
    (d) => {
      d.st.add(2);
    },
  ],
  [
    "a set element deleted that is absent",
    (d) => {
      d.st.delete(9);
    },
  ],
  [
    "a record assigned the base's view of itself",
    (d, b) => {
      d.r = b.root.r as never;
    },
    (d, b) => {
      d.r = b.r;
    },
  ],
  [
    "a list element assigned the base's view of itself",
    (d, b) => {
      d.rs[1] = b.root.rs[1] as never;
    },
    (d, b) => {
      d.rs[1] = b.rs[1];
    },
  ],
  [
    "a text assigned the base's view of itself",
    (d, b) => {
      d.doc = b.root.doc as never;
    },
    (d, b) => {
      d.doc = b.doc;
    },
  ],
];

describe("writes that change nothing give the base back", () => {
  for (const [what, recipe, immerRecipe] of cases)
    it(what, () => {
      const b = plain();
      expect(immerProduce(b, (d: Any) => (immerRecipe ?? recipe)(d, b as never))).toBe(b); // a no-op in Immer
      const p = pool();
      const s0 = createState(S, input(), { pool: p });
      const frames = p.framesInUse;
      const r0 = s0.root;
      const s1 = produce(s0, (d) => recipe(d, s0));
      expect(s1 === s0).toBe(true);
      expect(p.framesInUse).toBe(frames);
      const [s2, patches, inverse] = produceWithPatches(s0, (d) => recipe(d, s0));
      expect(s2 === s0).toBe(true);
      expect([patches, inverse]).toEqual([[], []]);
      expect(s0.root === r0).toBe(true);
      s0.release();
      expect(p.framesInUse).toBe(0);
    });

  it("a text assigned other content is still a change", () => {
    const p = pool();
    const s0 = createState(S, input(), { pool: p });
    const s1 = produce(s0, (d) => {
      d.doc = "hellO" as never;
      d.texts[0] = "xx" as never;
      d.m.set("k", "w" as never);
    });
    expect(s1 === s0).toBe(false);
    expect([String(s1.root.doc), String(s1.root.texts[0]), String(s1.root.m.get("k"))]).toEqual(["hellO", "xx", "w"]);
    for (const s of [s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("a record assigned its base view after a write under it keeps the base's content", () => {
    const p = pool();
    const s0 = createState(S, input(), { pool: p });
    const s1 = produce(s0, (d) => {
      d.r.x = 9;
      d.r = s0.root.r as never;
    });
    expect(s1.toJSON()).toEqual(s0.toJSON());
    for (const s of new Set([s1, s0])) s.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("permutations of equal strings and texts", () => {
  it("reversing a list of equal texts changes nothing; its drafts keep their paths", () => {
    const p = pool();
    const s0 = createState(S, { ...input(), texts: ["q", "z", "q"] }, { pool: p });
    const [s1, patches] = produceWithPatches(s0, (d) => {
      d.texts.reverse();
      d.texts.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
      d.texts.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
      d.texts[2]?.insert(0, "!");
    });
    expect((s1.toJSON() as { texts: string[] }).texts).toEqual(["q", "q", "!z"]);
    expect(patches.at(-1)).toEqual({ op: "splice", path: ["texts", 2], index: 0, deleteCount: 0, insert: "!" });
    for (const s of [s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });
});
