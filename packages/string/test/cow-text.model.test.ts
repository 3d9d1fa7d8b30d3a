import { FramePool, Heap, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

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
  /** Versions the pool's onOutOfMemory hook released (indices into texts), not yet seen by the model. */
  dropped: number[];
  /** True when the pool has a limit: edits may then be refused. */
  limited: boolean;
}

/** Marks in the model the versions the hook released. */
function sync(m: Model, r: Real): void {
  for (const i of r.dropped) m.versions[i] = null;
  r.dropped.length = 0;
}

/**
 * Runs the edit `run` on version `k`. Without a limit it must succeed. With
 * one it may be refused (OutOfMemoryError), and then the text, its heap's
 * counters and, unless the hook released something, the pool's frames and
 * page-table nodes are as before; or the hook may release this very version
 * (ReleasedError). Returns true when the edit happened.
 */
function edit(m: Model, r: Real, k: number, run: (t: CowText) => void): boolean {
  const t = r.texts[k] as CowText;
  if (!r.limited) {
    run(t);
    return true;
  }
  const before = { text: t.toString(), heap: Heap.attach(t.space, t.pageSize).stats(), ...r.pool.stats() };
  try {
    run(t);
    sync(m, r);
    return true;
  } catch (e) {
    const hookRan = r.dropped.length > 0;
    sync(m, r);
    if (e instanceof ReleasedError) {
      expect(t.released).toBe(true);
      expect(m.versions[k]).toBe(null);
      return false;
    }
    expect(e).toBeInstanceOf(OutOfMemoryError);
    if (m.versions[k] === null) return false; // the hook released it, and still too little was free
    expect(t.toString()).toBe(before.text);
    expect(Heap.attach(t.space, t.pageSize).stats()).toEqual(before.heap);
    const after = r.pool.stats();
    if (hookRan) expect(after.framesInUse).toBeLessThanOrEqual(before.framesInUse);
    else {
      expect(after.framesInUse).toBe(before.framesInUse);
      expect(after.pageTableNodes).toBe(before.pageTableNodes);
    }
    return false;
  }
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
    if (!edit(m, r, k, (t) => t.insert(pos, this.text))) return;
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
    if (!edit(m, r, k, (t) => t.delete(pos, count))) return;
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
          const real: Real = { pool, texts: [new CowText({ pool })], dropped: [], limited: false };
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
        { numRuns: runs(60) },
      );
    });
  }
});

// Longer inserts, so that texts outgrow small limits and heaps.
const bigText = fc
  .tuple(fc.integer({ min: 100, max: 3000 }), unit)
  .map(([n, u]) => u.repeat(Math.ceil(n / u.length)).slice(0, n));
const limitedCommands = [...commands, fc.tuple(fc.nat(), fc.nat(), bigText).map(([v, p, t]) => new Insert(v, p, t))];

describe("CowText against a plain string, under a byte limit and a heap that fills up", () => {
  it("refuses what does not fit and changes nothing; the hook's releases are the only other change", () => {
    const limits = fc.record({
      maxFrames: fc.integer({ min: 12, max: 160 }),
      maxPages: fc.constantFrom(16, 48, 128, undefined),
      // how many of the oldest live versions the onOutOfMemory hook releases (it may hit the one being edited)
      hookReleases: fc.constantFrom(0, 0, 1, 3),
    });
    fc.assert(
      fc.property(limits, fc.commands(limitedCommands, { maxCommands: 80, size: "+1" }), (lim, cmds) => {
        const real: Real = { pool: null as unknown as FramePool, texts: [], dropped: [], limited: true };
        const pool = new FramePool({
          pageSize: 256,
          maxBytes: lim.maxFrames * 256,
          onOutOfMemory: () => {
            let n = lim.hookReleases;
            for (let i = 0; i < real.texts.length && n > 0; i++) {
              const t = real.texts[i] as CowText;
              if (t.released) continue;
              t.release();
              real.dropped.push(i);
              n--;
            }
          },
        });
        real.pool = pool;
        let first: CowText;
        try {
          first = new CowText(lim.maxPages === undefined ? { pool } : { pool, maxPages: lim.maxPages });
        } catch (e) {
          expect(e).toBeInstanceOf(OutOfMemoryError); // the limit is below the two header pages
          expect(pool.stats().framesInUse).toBe(0);
          return;
        }
        real.texts.push(first);
        const model: Model = { versions: [""] };
        real.dropped.length = 0;
        fc.modelRun(() => ({ model, real }), cmds);
        model.versions.forEach((s, i) => {
          if (s !== null) expect(real.texts[i]?.toString()).toBe(s);
          else expect(real.texts[i]?.released).toBe(true);
        });
        for (const t of real.texts) t.release();
        expect(pool.stats().framesInUse).toBe(0);
        expect(pool.stats().pageTableNodes).toBe(0);
      }),
      { numRuns: runs(200) },
    );
  });
});
