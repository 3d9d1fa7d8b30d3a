/**
 * Review 29: CowText's String.prototype read methods added this session
 * (`at`, `codePointAt`, `indexOf`, `lastIndexOf`, `includes`, `startsWith`,
 * `endsWith`, `substring`) against a native string edited the same way:
 * on texts of many leaves, Latin-1 (narrow) and wide leaves, astral
 * characters and lone surrogates, on forks (each edited apart) and on
 * embedded texts in a forked space; with odd arguments (NaN, -0,
 * infinities, huge, fractional, strings, objects, bigints, symbols,
 * regular expressions); with conversions that run user code which edits or
 * releases the text (the result must be the native one on the text as the
 * conversions left it, the conversions run in native order); needles
 * crossing leaf and search-window boundaries; ReleasedError after release.
 * Every pool ends with no frame in use.
 */
import { runInNewContext } from "node:vm";
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

type Method = "at" | "codePointAt" | "indexOf" | "lastIndexOf" | "includes" | "startsWith" | "endsWith" | "substring";
const METHODS: readonly Method[] = [
  "at",
  "codePointAt",
  "indexOf",
  "lastIndexOf",
  "includes",
  "startsWith",
  "endsWith",
  "substring",
];
/** Methods whose first argument is a search string. */
const SEARCH = new Set<Method>(["indexOf", "lastIndexOf", "includes", "startsWith", "endsWith"]);

/** The outcome of a call: its value, or the class of what it threw. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    return { ok: false, error: (e as Error).constructor.name };
  }
}

function native(s: string, m: Method, args: unknown[]): Outcome {
  return outcome(() => (String.prototype[m] as (...a: unknown[]) => unknown).apply(s, args));
}

function cow(t: CowText, m: Method, args: unknown[]): Outcome {
  return outcome(() => (t[m] as (...a: unknown[]) => unknown).apply(t, args));
}

/** Expects the same value (Object.is: -0 is not 0) or the same error class. */
function expectSame(got: Outcome, want: Outcome, what: string): void {
  if (want.ok && got.ok) expect(Object.is(got.value, want.value), `${what}: ${got.value} vs ${want.value}`).toBe(true);
  else expect(got, what).toEqual(want);
}

// Odd arguments: every conversion ToIntegerOrInfinity / ToNumber / ToString meets.
const ODD_INDEX: unknown[] = [
  undefined,
  null,
  true,
  false,
  Number.NaN,
  -0,
  0,
  1,
  -1,
  1.5,
  -1.5,
  0.999,
  -0.999,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  1e21,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  "3",
  " 7 ",
  "-2",
  "0x10",
  "abc",
  "",
  [],
  [5],
  [1, 2],
  {},
  { valueOf: () => 4 },
  { toString: () => "6" },
  new Date(3),
  1n,
  Symbol("i"),
];

/** Code units of the texts: narrow and wide, astral pairs, lone surrogates of both kinds. */
const unit = fc.constantFrom("a", "b", "ab", "ba", " ", "é", "Ā", "😀", "\ud83d", "\ude00", "ÿ");
const big = fc.array(unit, { minLength: 0, maxLength: 2500 }).map((a) => a.join(""));
const small = fc.array(unit, { minLength: 0, maxLength: 4 }).map((a) => a.join(""));

type Act = { kind: "delete"; pos: number; count: number } | { kind: "insert"; pos: number; text: string };
const act: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pos: fc.nat(), count: fc.nat(600) }),
  fc.record({ kind: fc.constant("insert" as const), pos: fc.nat(), text: fc.oneof(small, big) }),
);

/** Applies `a` (positions taken modulo the length) to the text and to its model; returns the new model. */
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

/**
 * A query: the method, a needle (a slice of the text at `at` of `len`
 * units, so that it is there and may span leaves; or a short string of the
 * text's alphabet, found many times or not at all; or an odd value), and
 * the position arguments (an integer near or beyond the text, or an odd one).
 */
interface Query {
  method: Method;
  needle: { kind: "slice"; at: number; len: number } | { kind: "short"; s: string } | { kind: "odd"; i: number };
  args: ({ kind: "int"; v: number } | { kind: "odd"; i: number } | { kind: "absent" })[];
}
const position = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("int" as const), v: fc.integer({ min: -3000, max: 9000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("odd" as const), i: fc.nat(ODD_INDEX.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("absent" as const) }) },
);
const query: fc.Arbitrary<Query> = fc.record({
  method: fc.constantFrom(...METHODS),
  needle: fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("slice" as const), at: fc.nat(), len: fc.nat(700) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("short" as const), s: small }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("odd" as const), i: fc.nat(ODD_INDEX.length - 1) }) },
  ),
  args: fc.array(position, { maxLength: 2 }),
});

/** The arguments of `q` for a text whose model is `s` (a slice needle's position taken modulo the length). */
function argsOf(q: Query, s: string): unknown[] {
  const pos = q.args.flatMap((a) => (a.kind === "absent" ? [] : [a.kind === "int" ? a.v : ODD_INDEX[a.i]]));
  if (!SEARCH.has(q.method)) return pos;
  const n = q.needle;
  const at = n.kind === "slice" ? n.at % (s.length + 1) : 0;
  const needle = n.kind === "slice" ? s.slice(at, at + n.len) : n.kind === "short" ? n.s : ODD_INDEX[n.i];
  return [needle, ...pos];
}

/** Every query against the native string, plus every index of `at`/`codePointAt` near the leaf boundaries. */
function check(t: CowText, s: string, queries: Query[]): void {
  expect(t.toString()).toBe(s);
  for (const q of queries) {
    const args = argsOf(q, s);
    expectSame(cow(t, q.method, args), native(s, q.method, args), `${q.method}(${args.map(String).join(", ")})`);
  }
  // codePointAt / at at every position: pairs split between two leaves included.
  for (let i = -2; i <= s.length + 1; i++) {
    expect(t.codePointAt(i)).toBe(s.codePointAt(i));
    expect(t.at(i)).toBe(s.at(i));
  }
}

describe("read methods against a native string", () => {
  it("standalone texts and their forks, edited apart", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(
        big,
        fc.array(act, { maxLength: 6 }),
        fc.array(act, { maxLength: 4 }),
        fc.array(query, { minLength: 1, maxLength: 25 }),
        (s0, acts, forkActs, queries) => {
          const t = CowText.from(s0, { pool });
          let s = s0;
          for (const a of acts) s = apply(t, s, a);
          const f = t.fork();
          let sf = s;
          for (const a of forkActs) sf = apply(f, sf, a);
          check(t, s, queries);
          check(f, sf, queries);
          t.release();
          check(f, sf, queries); // the fork reads on alone
          f.release();
        },
      ),
      { numRuns: runs(150) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("embedded texts in a forked space, and read-only shared texts", () => {
    const pool = new FramePool({ pageSize: 256, shared: true });
    fc.assert(
      fc.property(
        big,
        fc.array(act, { maxLength: 4 }),
        fc.array(act, { maxLength: 4 }),
        fc.array(query, { minLength: 1, maxLength: 20 }),
        (s0, acts, childActs, queries) => {
          const space = new AddressSpace({ size: 2 ** 28, pageSize: 256, pool });
          const t = CowText.create(Heap.create(space, { base: 256 }), s0);
          let s = s0;
          for (const a of acts) s = apply(t, s, a);
          const child = space.fork();
          const c = CowText.attach(Heap.attach(child, 256), t.address);
          let sc = s;
          for (const a of childActs) sc = apply(c, sc, a);
          check(t, s, queries);
          check(c, sc, queries);
          // A standalone text's read-only view in "another thread".
          const own = CowText.from(sc, { pool });
          const seen = CowText.attachShared(own.share());
          check(seen, sc, queries);
          seen.release();
          own.release();
          child.release();
          space.release();
        },
      ),
      { numRuns: runs(60) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("odd arguments, each method, each argument slot", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = "abc😀\ud83d-abcab".repeat(40);
    const t = CowText.from(s, { pool });
    for (const m of METHODS) {
      for (const x of ODD_INDEX) {
        const lists: unknown[][] = SEARCH.has(m)
          ? [[x], ["abc", x], ["ab", x, 1], [x, 3], ["", x]]
          : m === "substring"
            ? [[x], [x, 5], [5, x], []]
            : [[x], []];
        for (const args of lists) expectSame(cow(t, m, args), native(s, m, args), `${m}(${args.map(String)})`);
      }
    }
    expect(t.toString()).toBe(s);
    t.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("as functions", () => {
  it("each method has the native length (count of required parameters)", () => {
    const diffs = METHODS.map((n) => [n, CowText.prototype[n].length, String.prototype[n].length]).filter(
      ([, a, b]) => a !== b,
    );
    expect(diffs).toEqual([]);
  });
});

describe("needles across leaf and window boundaries", () => {
  /** A text of `n` units of 'a' and 'b' built by many edits (uneven leaves), with `marker` at `at`. */
  function build(pool: FramePool, n: number, marker: string, at: number, wide: boolean): [CowText, string] {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const t = new CowText({ pool });
    let s = "";
    const alpha = wide ? ["a", "Ā"] : ["a", "b"];
    while (s.length < n) {
      const k = 1 + (rnd() % 300);
      let piece = "";
      for (let j = 0; j < k; j++) piece += alpha[rnd() & 1];
      const pos = rnd() % (s.length + 1);
      t.insert(pos, piece);
      s = s.slice(0, pos) + piece + s.slice(pos);
    }
    t.delete(n, s.length - n);
    s = s.slice(0, n);
    t.insert(at, marker);
    s = s.slice(0, at) + marker + s.slice(at);
    return [t, s];
  }

  it("every start position before a match, every end position after it", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const wide of [false, true]) {
      for (const marker of ["x", "xy", "x\ud83d\ude00y", `x${"ab".repeat(150)}y`]) {
        const [t, s] = build(pool, 3000, marker, 1700, wide);
        expect([...t.chunks()].length).toBeGreaterThan(10);
        // Every start within two first windows (2 * max(leaf, 2 * needle)) of the match, then a sample.
        for (let from = 0; from <= s.length; from += from >= 1000 && from < 1800 ? 1 : 37) {
          expect(t.indexOf(marker, from)).toBe(s.indexOf(marker, from));
          expect(t.includes(marker, from)).toBe(s.includes(marker, from));
          expect(t.lastIndexOf(marker, s.length - from)).toBe(s.lastIndexOf(marker, s.length - from));
          expect(t.startsWith(marker, from)).toBe(s.startsWith(marker, from));
          expect(t.endsWith(marker, from)).toBe(s.endsWith(marker, from));
        }
        // Needles of the text itself, ending at every leaf boundary region.
        for (let p = 0; p < s.length; p += 13) {
          const needle = s.slice(p, p + 1 + (p % 400));
          expect(t.indexOf(needle)).toBe(s.indexOf(needle));
          expect(t.lastIndexOf(needle)).toBe(s.lastIndexOf(needle));
        }
        t.release();
      }
    }
    expect(pool.framesInUse).toBe(0);
  });

  it("long texts: windows that reach their largest size (64 leaves) and needles longer than a window's start", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const wide of [false, true]) {
      const marker = "x".repeat(5) + (wide ? "Ā" : "y");
      const [t, s] = build(pool, 120_000, marker, 90_000, wide);
      for (let from = 0; from < 90_000; from += 997) {
        expect(t.indexOf(marker, from)).toBe(90_000);
        expect(t.lastIndexOf(marker, 119_000 - from)).toBe(s.lastIndexOf(marker, 119_000 - from));
      }
      expect(t.indexOf(marker, 90_001)).toBe(-1);
      expect(t.lastIndexOf(marker, 89_999)).toBe(-1);
      const longNeedle = s.slice(60_000, 95_000); // spans hundreds of leaves and the marker
      expect(t.indexOf(longNeedle)).toBe(s.indexOf(longNeedle));
      expect(t.lastIndexOf(longNeedle)).toBe(s.lastIndexOf(longNeedle));
      expect(t.includes(longNeedle, 60_001)).toBe(s.includes(longNeedle, 60_001));
      expect(t.startsWith(longNeedle, 60_000)).toBe(true);
      expect(t.endsWith(longNeedle, 95_000)).toBe(true);
      expect(t.endsWith(longNeedle, 95_001)).toBe(s.endsWith(longNeedle, 95_001));
      t.release();
    }
    expect(pool.framesInUse).toBe(0);
  });

  /**
   * Where the windows of a search end (forward: `from` onwards) or start
   * (backward: from `last + m` back), as search.ts schedules them: one
   * narrow leaf's worth of units (or twice the needle), doubling up to 64
   * leaves; consecutive windows overlap by m - 1. White-box on purpose: a
   * match straddling one of these boundaries by every offset is the case an
   * off-by-one in the overlap misses, and placing it by search costs
   * O(text^2). (Should the schedule change, update it here.)
   */
  function boundaries(from: number, len: number, m: number, leafCap: number, forward: boolean): number[] {
    const cap = Math.max(leafCap * 64, 2 * m);
    let size = Math.max(leafCap, 2 * m);
    const out: number[] = [];
    if (forward) {
      for (let a = from; ; size = Math.min(size * 2, cap)) {
        const b = Math.min(len, a + size);
        if (b === len) return out;
        out.push(b);
        a = b - (m - 1);
      }
    }
    for (let b = from + m; ; size = Math.min(size * 2, cap)) {
      const a = Math.max(0, b - size);
      if (a === 0) return out;
      out.push(a);
      b = a + m - 1;
    }
  }

  it("a match straddling every window boundary by every offset (windows up to their largest)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const leafCap = 252;
    for (const [wide, m] of [
      [false, 3],
      [true, 3],
      [false, 300],
    ] as const) {
      const marker = `x${"Ā".repeat(m - 2)}y`.slice(0, m);
      const [t, s0] = build(pool, 70_000, "", 0, wide);
      const len = s0.length + m;
      const offsets = (b: number) =>
        m < 10
          ? Array.from({ length: m + 2 }, (_, j) => b - m + j)
          : [b - m, b - m + 1, b - m + 2, b - 150, b - 2, b - 1, b];
      const cases: [boolean, number, number][] = [];
      for (const from of [0, 5])
        for (const b of boundaries(from, len, m, leafCap, true))
          for (const p of offsets(b)) cases.push([true, from, p]);
      for (const back of [0, 7]) {
        const last = len - m - back;
        for (const a of boundaries(last, len, m, leafCap, false))
          for (const p of offsets(a)) cases.push([false, last, p]);
      }
      expect(cases.length).toBeGreaterThan(40);
      for (const [forward, at, p] of cases) {
        t.insert(p, marker);
        const s = s0.slice(0, p) + marker + s0.slice(p);
        if (forward) expect(t.indexOf(marker, at), `indexOf from ${at}, match at ${p}`).toBe(s.indexOf(marker, at));
        else expect(t.lastIndexOf(marker, at), `lastIndexOf from ${at}, match at ${p}`).toBe(s.lastIndexOf(marker, at));
        t.delete(p, m);
      }
      expect(t.toString()).toBe(s0);
      t.release();
    }
    expect(pool.framesInUse).toBe(0);
  });

  it("codePointAt joins a pair whose halves lie in two leaves", () => {
    const pool = new FramePool({ pageSize: 256 });
    let found = 0;
    for (let k = 0; k < 130 && found < 3; k++) {
      const s = "x".repeat(k) + "😀".repeat(300);
      const t = CowText.from(s, { pool });
      let at = 0;
      for (const c of t.chunks()) {
        at += c.length;
        const last = c.charCodeAt(c.length - 1);
        if (last >= 0xd800 && last <= 0xdbff && at < s.length) {
          found++;
          expect(t.codePointAt(at - 1)).toBe(0x1f600);
          expect(t.codePointAt(at)).toBe(0xde00);
          expect(t.indexOf("😀", at - 1)).toBe(s.indexOf("😀", at - 1));
        }
      }
      t.release();
    }
    expect(found).toBeGreaterThan(0); // the case occurred
    expect(pool.framesInUse).toBe(0);
  });
});

describe("conversions that run user code", () => {
  it("conversions run in native order (IsRegExp, ToString, then the positions)", () => {
    const s = "one two one two";
    const t = CowText.from(s);
    for (const m of METHODS) {
      const log: string[] = [];
      const spy = (name: string, v: unknown) => ({
        get [Symbol.match]() {
          log.push(`${name}.match`);
          return undefined;
        },
        toString() {
          log.push(`${name}.toString`);
          return String(v);
        },
        valueOf() {
          log.push(`${name}.valueOf`);
          return v;
        },
      });
      const args = [spy("a", SEARCH.has(m) ? "two" : 2), spy("b", 3), spy("c", 1)];
      const want = native(s, m, args);
      const nativeLog = log.splice(0);
      const got = cow(t, m, args);
      expect(log, m).toEqual(nativeLog);
      expectSame(got, want, m);
    }
    t.release();
  });

  it("a conversion that edits the text: the result is native on the text as it left it", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(
        big,
        act,
        query,
        fc.nat(2),
        fc.constantFrom("valueOf", "toString", "match"),
        (s0, a, q, slot, hook) => {
          const t = CowText.from(s0, { pool });
          let s = s0;
          const args = argsOf(q, s);
          const k = Math.min(slot, args.length);
          const plain = args[k];
          // The argument in slot k edits the text when first converted (by
          // CowText; the native call that follows converts it again, and then
          // it edits nothing), and converts as `plain` does.
          let armed = true;
          const edit = (when: string) => {
            if (armed && hook === when) {
              armed = false;
              s = apply(t, s, a);
            }
          };
          args[k] = {
            get [Symbol.match]() {
              edit("match");
              return undefined;
            },
            toString() {
              edit("toString");
              return String(plain);
            },
            valueOf() {
              edit("valueOf");
              return typeof plain === "symbol" || typeof plain === "bigint" ? 0 : plain;
            },
          };
          const got = cow(t, q.method, args);
          armed = false;
          expectSame(got, native(s, q.method, args), `${q.method} ${hook}`);
          expect(t.toString()).toBe(s);
          t.release();
        },
      ),
      { numRuns: runs(400) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("endsWith without endPosition ends at the length the search string's toString left", () => {
    const t = CowText.from("abc");
    const grow = {
      toString: () => {
        t.insert(3, "xyz");
        return "xyz";
      },
    } as unknown as string;
    expect(t.endsWith(grow)).toBe(true); // "abcxyz".endsWith("xyz")
    const shrink = {
      toString: () => {
        t.delete(3, 3);
        return "bc";
      },
    } as unknown as string;
    expect(t.endsWith(shrink)).toBe(true); // "abc".endsWith("bc")
    t.release();
  });

  it("a conversion that releases the text gives ReleasedError", () => {
    for (const m of METHODS) {
      for (const slot of m === "at" || m === "codePointAt" ? [0] : [0, 1]) {
        const pool = new FramePool({ pageSize: 256 });
        const t = CowText.from("ab".repeat(400), { pool });
        const arg = {
          valueOf: () => {
            t.release();
            return 1;
          },
          toString: () => {
            t.release();
            return "b";
          },
        };
        const args = slot === 0 ? [arg, 1] : ["b", arg];
        expect(() => (t[m] as (...a: unknown[]) => unknown).apply(t, args), `${m} slot ${slot}`).toThrow(ReleasedError);
        expect(pool.framesInUse).toBe(0);
      }
    }
  });
});

describe("regular expressions and bad arguments", () => {
  it("includes, startsWith, endsWith refuse a RegExp (TypeError); indexOf, lastIndexOf search its text", () => {
    const s = "a/a/ b /a/g";
    const t = CowText.from(s);
    const notRe = /a/;
    (notRe as unknown as Record<symbol, unknown>)[Symbol.match] = false; // IsRegExp false: searched as "/a/"
    const slotOnly = /a/;
    (slotOnly as unknown as Record<symbol, unknown>)[Symbol.match] = undefined; // IsRegExp by its slots
    const needles: unknown[] = [
      /a/,
      /a/g,
      notRe,
      slotOnly,
      runInNewContext("/a/"), // another realm's RegExp
      runInNewContext("const r = /a/; r[Symbol.match] = undefined; r"), // found by its slots
      { [Symbol.match]: true, toString: () => "a" },
      { [Symbol.match]: 0, toString: () => "a" },
      new Proxy(/a/, {}),
      RegExp.prototype,
    ];
    for (const m of SEARCH) {
      for (const [i, n] of needles.entries()) expectSame(cow(t, m, [n]), native(s, m, [n]), `${m}(needle ${i})`);
    }
    expect(() => t.includes(/a/ as unknown as string)).toThrow(TypeError);
    expect(t.indexOf(/a/ as unknown as string)).toBe(1);
    expect(t.toString()).toBe(s);
    t.release();
  });

  it("every method throws ReleasedError once the text is released or freed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const t = CowText.from("abc".repeat(200), { pool });
    const space = new AddressSpace({ size: 2 ** 24, pageSize: 256, pool });
    const e = CowText.create(Heap.create(space, { base: 256 }), "abc".repeat(200));
    t.release();
    e.free();
    for (const x of [t, e]) {
      for (const m of METHODS) {
        expect(() => (x[m] as (...a: unknown[]) => unknown).call(x, "a", 0), m).toThrow(ReleasedError);
        expect(() => (x[m] as (...a: unknown[]) => unknown).call(x), m).toThrow(ReleasedError);
      }
    }
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});
