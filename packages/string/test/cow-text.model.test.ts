import { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/**
 * Differential model test: every CowText version against a plain JS string.
 * The model of a fork is the same string (strings are immutable).
 */
interface Model {
  versions: (string | null)[]; // null: released
}
interface Real {
  pool: FramePool;
  texts: CowText[];
}

// Text drawn to stress UTF-16: ASCII, BMP, astral pairs, lone surrogates, and
// long runs that split leaves (a 256-byte page holds 126 code units).
const unit = fc.oneof(fc.constantFrom("a", "b", " ", "\n"), fc.constantFrom("é", "€", "😀", "𝄞", "\ud800", "\udfff"));
const textArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(unit, { minLength: 0, maxLength: 4 }).map((a) => a.join("")) },
  { weight: 1, arbitrary: fc.array(unit, { minLength: 100, maxLength: 700 }).map((a) => a.join("")) },
);

function pick(m: Model, i: number): number {
  const live = m.versions.flatMap((v, k) => (v === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}

class Insert implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly pos: number,
    readonly text: string,
  ) {}
  check = (m: Readonly<Model>) => pick(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const s = m.versions[k] as string;
    const pos = this.pos % (s.length + 1);
    r.texts[k]?.insert(pos, this.text);
    m.versions[k] = s.slice(0, pos) + this.text + s.slice(pos);
    expect(r.texts[k]?.toString()).toBe(m.versions[k]);
    expect(r.texts[k]?.length).toBe(m.versions[k]?.length);
  }
  toString = () => `insert(v${this.v}, ${this.pos}, ${JSON.stringify(this.text)})`;
}

class Delete implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly pos: number,
    readonly count: number,
  ) {}
  check = (m: Readonly<Model>) => pick(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const s = m.versions[k] as string;
    const pos = this.pos % (s.length + 1);
    const count = Math.min(this.count, s.length - pos);
    r.texts[k]?.delete(pos, count);
    m.versions[k] = s.slice(0, pos) + s.slice(pos + count);
    expect(r.texts[k]?.toString()).toBe(m.versions[k]);
  }
  toString = () => `delete(v${this.v}, ${this.pos}, ${this.count})`;
}

class Fork implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => pick(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.texts.push((r.texts[k] as CowText).fork());
    m.versions.push(m.versions[k] as string);
  }
  toString = () => `fork(v${this.v})`;
}

class Release implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => pick(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.texts[k]?.release();
    m.versions[k] = null;
    // Every other version is untouched by a release.
    m.versions.forEach((s, i) => {
      if (s !== null) expect(r.texts[i]?.toString()).toBe(s);
    });
  }
  toString = () => `release(v${this.v})`;
}

class Read implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly a: number,
    readonly b: number,
  ) {}
  check = (m: Readonly<Model>) => pick(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const s = m.versions[k] as string;
    const t = r.texts[k] as CowText;
    expect(t.slice(this.a, this.b)).toBe(s.slice(this.a, this.b));
    expect(t.slice(-this.a)).toBe(s.slice(-this.a));
    expect(t.charAt(this.a)).toBe(s.charAt(this.a));
    expect(t.charCodeAt(this.b)).toBe(s.charCodeAt(this.b));
    expect([...t]).toEqual([...s]);
  }
  toString = () => `read(v${this.v}, ${this.a}, ${this.b})`;
}

const commands = [
  fc.tuple(fc.nat(), fc.nat(), textArb).map(([v, p, t]) => new Insert(v, p, t)),
  fc.tuple(fc.nat(), fc.nat(), textArb).map(([v, p, t]) => new Insert(v, p, t)),
  fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.nat(3), fc.nat(400))).map(([v, p, c]) => new Delete(v, p, c)),
  fc.nat().map((v) => new Fork(v)),
  fc.nat().map((v) => new Release(v)),
  fc
    .tuple(fc.nat(), fc.integer({ min: -50, max: 800 }), fc.integer({ min: -50, max: 800 }))
    .map(([v, a, b]) => new Read(v, a, b)),
];

describe("CowText against a plain string", () => {
  for (const pageSize of [256, 1024]) {
    it(`matches the model under random edits, forks and releases (pageSize ${pageSize})`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
          const pool = new FramePool({ pageSize });
          const real: Real = { pool, texts: [new CowText({ pool })] };
          const model: Model = { versions: [""] };
          fc.modelRun(() => ({ model, real }), cmds);
          model.versions.forEach((s, i) => {
            if (s !== null) expect(real.texts[i]?.toString()).toBe(s);
          });
          for (const t of real.texts) t.release();
          // Frame-leak check: every frame and page-table node is back.
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        }),
        { numRuns: 60 },
      );
    });
  }
});
