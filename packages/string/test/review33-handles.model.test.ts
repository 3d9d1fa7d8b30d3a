/**
 * Review 33: CowText handles of every origin against plain strings, as
 * fast-check commands. Texts are made standalone (`from`) or embedded in a
 * heap (`create`); more handles come from `fork()`, `adoptText` over a fork
 * of the space, `attachShared` of a shared version, and `attach` in a fork of
 * an embedded text's space; any of those may first get a header of an older
 * layout version, a frozen space or a read-only header page (so the handle
 * is marked stale: its first edit, or a fork's, must raise the header or
 * throw having changed nothing). Spaces get frozen, and pages protected
 * read-only and back; edits put astral characters, lone surrogates, Latin-1
 * and wide runs at leaf boundaries. After every command every live handle
 * reads as its model; an edit that throws must be one the handle's state
 * allows (ProtectionFault while part of its range is not writable,
 * OutOfMemoryError under a pool limit) and must change nothing: its text,
 * its header's version word, the pool's frames; a successful edit leaves the
 * header at the layout its edits write; releasing everything returns every
 * frame.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault, SegmentationFault } from "@pagefork/core";
import { adoptText, CowText, textStateOf } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

const PS = 256;
/** Byte offset of the layout version in a text header (layout.ts H_VERSION). */
const H_VERSION = 4;
/** The layout version a standalone / embedded text's edits write (layout.ts). */
const STANDALONE_LAYOUT = 5;
const EMBEDDED_LAYOUT = 4;
const MAX_DOCS = 8;

interface Doc {
  text: CowText;
  model: string;
  /** The space an embedded text lives in (the test owns it); null for a standalone text. */
  owned: AddressSpace | null;
  /** Byte address of the text's header in its space. */
  header: number;
  /** The layout version its edits write. */
  layout: number;
  /** Attached from a share handle, or a fork of one: lives in a view pool, cannot `share()` again. */
  view: boolean;
}

interface World {
  pool: FramePool;
  docs: Doc[];
  /** Spaces kept alive for shared handles (released last). */
  keep: CowText[];
  limited: boolean;
}

type Model = { docs: number };

// ---- arbitraries -----------------------------------------------------------

const unit = fc.constantFrom("a", "b", " ", "é", "ÿ", "€", "中", "😀", "𝄞", "\ud800", "\udc00", "\ud83d", "\ude00");
const short = fc.array(unit, { minLength: 1, maxLength: 4 }).map((a) => a.join(""));
const latin = fc.tuple(fc.constantFrom("x", "é", "ÿ"), fc.integer({ min: 100, max: 600 })).map(([c, n]) => c.repeat(n));
const wide = fc
  .tuple(fc.constantFrom("€", "😀", "a😀", "\ud800"), fc.integer({ min: 40, max: 300 }))
  .map(([c, n]) => c.repeat(n));
const textArb = fc.oneof(
  { weight: 6, arbitrary: short },
  { weight: 2, arbitrary: latin },
  { weight: 1, arbitrary: wide },
);
const initArb = fc.oneof(fc.constant(""), short, latin, wide, fc.constant("ab€😀".repeat(700)));

/** Where an edit or read goes: a leaf boundary (± 2), the end, or anywhere. */
type Where = { kind: "edge"; i: number; d: number } | { kind: "end"; d: number } | { kind: "any"; i: number };
const whereArb: fc.Arbitrary<Where> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("edge" as const), i: fc.nat(), d: fc.integer({ min: -2, max: 2 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("end" as const), d: fc.integer({ min: -2, max: 0 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("any" as const), i: fc.nat() }) },
);

function resolve(d: Doc, w: Where): number {
  const len = d.model.length;
  let p: number;
  if (w.kind === "end") p = len + w.d;
  else if (w.kind === "any") p = len === 0 ? 0 : w.i % (len + 1);
  else {
    const edges = [0];
    let at = 0;
    for (const c of d.text.chunks()) {
      at += c.length;
      edges.push(at);
    }
    p = (edges[w.i % edges.length] as number) + w.d;
  }
  return Math.max(0, Math.min(len, p));
}

// ---- helpers ---------------------------------------------------------------

function spaceOf(d: Doc): AddressSpace {
  return d.text.space;
}

/** True when some page an edit of `d` could write is not writable now (frozen, read-only, shared). */
function mayRefuse(d: Doc): boolean {
  const s = spaceOf(d);
  try {
    if (d.owned === null) s.checkWritable(0, s.size);
    else s.checkWritable(PS, s.size - PS);
    return false;
  } catch {
    return true;
  }
}

/** Doc `i` counting from the first (i >= 0) or back from the newest (i < 0). */
function pick(w: World, i: number): Doc {
  const n = w.docs.length;
  return w.docs[i >= 0 ? i % n : n - 1 - ((-i - 1) % n)] as Doc;
}

function check(d: Doc): void {
  expect(d.text.length).toBe(d.model.length);
  expect(d.text.toString()).toBe(d.model);
}

function checkAll(w: World): void {
  for (const d of w.docs) check(d);
}

function release(d: Doc): void {
  if (d.owned !== null) d.owned.release();
  else d.text.release();
}

/**
 * Runs the edit `f` on `d`; when it throws, the error must be one the state
 * allows and nothing may have changed. Returns whether it was done.
 */
function edit(w: World, d: Doc, f: () => void): boolean {
  const frames = w.pool.framesInUse;
  const version = spaceOf(d).getUint32(d.header + H_VERSION);
  const refusable = mayRefuse(d);
  try {
    f();
  } catch (e) {
    const allowed =
      ((e instanceof ProtectionFault || e instanceof SegmentationFault) && refusable) ||
      (e instanceof OutOfMemoryError && w.limited);
    if (!allowed) throw e;
    check(d);
    expect(spaceOf(d).getUint32(d.header + H_VERSION)).toBe(version);
    expect(w.pool.framesInUse).toBe(frames);
    return false;
  }
  return true;
}

/** After a successful edit that changed the text: the header is at the layout the edits write. */
function checkRaised(d: Doc): void {
  expect(spaceOf(d).getUint32(d.header + H_VERSION)).toBeGreaterThanOrEqual(d.layout);
}

// ---- commands --------------------------------------------------------------

class CreateCmd implements fc.Command<Model, World> {
  constructor(
    readonly embedded: boolean,
    readonly init: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs < MAX_DOCS;
  }
  run(m: Model, w: World): void {
    const frames = w.pool.framesInUse;
    if (this.embedded) {
      let space: AddressSpace | null = null;
      try {
        space = new AddressSpace({ size: 4096 * PS, pool: w.pool });
        const text = CowText.create(Heap.create(space, { base: PS }), this.init);
        w.docs.push({
          text,
          model: this.init,
          owned: space,
          header: text.address,
          layout: EMBEDDED_LAYOUT,
          view: false,
        });
      } catch (e) {
        if (!(e instanceof OutOfMemoryError && w.limited)) throw e;
        space?.release();
        expect(w.pool.framesInUse).toBe(frames);
        return;
      }
    } else {
      try {
        const text = CowText.from(this.init, { pool: w.pool, maxPages: 4096 });
        w.docs.push({ text, model: this.init, owned: null, header: 0, layout: STANDALONE_LAYOUT, view: false });
      } catch (e) {
        if (!(e instanceof OutOfMemoryError && w.limited)) throw e;
        expect(w.pool.framesInUse).toBe(frames);
        return;
      }
    }
    m.docs++;
  }
  toString(): string {
    return `create(${this.embedded ? "embedded" : "standalone"}, ${JSON.stringify(this.init.slice(0, 20))}…${this.init.length})`;
  }
}

type Origin = "fork" | "adopt" | "shared";

/**
 * A new handle on doc `i`'s text: `fork()`, `adoptText` over a fork of its
 * space, or `attachShared` (standalone), or `attach` in a fork of the space
 * (embedded, whatever `origin`); with `old`, the new space's header is first
 * set to the layout version before the one its edits write; then, with
 * `freeze` / `protect`, the new space is frozen / its header page made
 * read-only before the handle is made.
 */
class HandleCmd implements fc.Command<Model, World> {
  constructor(
    readonly i: number,
    readonly origin: Origin,
    readonly old: boolean,
    readonly freeze: boolean,
    readonly protect: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0 && m.docs < MAX_DOCS;
  }
  run(m: Model, w: World): void {
    const d = pick(w, this.i);
    const frames = w.pool.framesInUse;
    let made: Doc;
    try {
      made = this.make(d, w);
    } catch (e) {
      if (!(e instanceof OutOfMemoryError && w.limited)) throw e;
      expect(w.pool.framesInUse).toBe(frames);
      return;
    }
    w.docs.push(made);
    check(made);
    m.docs++;
  }
  private prepare(s: AddressSpace, header: number, layout: number): void {
    const page = Math.floor(header / PS) * PS;
    if (this.old && s.getUint32(header + H_VERSION) >= layout) {
      s.protect(page, PS, "read-write");
      s.setUint32(header + H_VERSION, layout - 1);
    }
    if (this.protect) s.protect(page, PS, "read-only");
    if (this.freeze) s.freeze();
  }
  private make(d: Doc, w: World): Doc {
    if (d.owned !== null) {
      const f = d.owned.fork();
      try {
        this.prepare(f, d.header, EMBEDDED_LAYOUT);
        const text = CowText.attach(Heap.attach(f, PS), d.header);
        return { text, model: d.model, owned: f, header: d.header, layout: EMBEDDED_LAYOUT, view: false };
      } catch (e) {
        f.release();
        throw e;
      }
    }
    if (this.origin === "fork" || (this.origin === "shared" && d.view)) {
      return { ...d, text: d.text.fork() };
    }
    if (this.origin === "adopt") {
      const state = textStateOf(d.text);
      const f = d.text.space.fork();
      try {
        this.prepare(f, 0, STANDALONE_LAYOUT);
        return { ...d, text: adoptText(f, state) };
      } catch (e) {
        f.release();
        throw e;
      }
    }
    // shared: a fork with an older header (kept alive to the end) shares its version
    const src = this.old ? d.text.fork() : d.text;
    if (this.old) {
      w.keep.push(src);
      src.space.protect(0, PS, "read-write");
      if (src.space.getUint32(H_VERSION) >= STANDALONE_LAYOUT) src.space.setUint32(H_VERSION, STANDALONE_LAYOUT - 1);
    }
    return { ...d, text: CowText.attachShared(src.share()), view: true };
  }
  toString(): string {
    return `handle(${this.i}, ${this.origin}${this.old ? ", old" : ""}${this.freeze ? ", freeze" : ""}${this.protect ? ", protect" : ""})`;
  }
}

class FreezeCmd implements fc.Command<Model, World> {
  constructor(readonly i: number) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(_m: Model, w: World): void {
    const d = pick(w, this.i);
    spaceOf(d).freeze();
  }
  toString(): string {
    return `freeze(${this.i})`;
  }
}

/**
 * Maps page `page` of doc `i`'s space (-1: its header's page; -2: the whole
 * space) read-only or read-write (ignored where the space refuses).
 */
class ProtectCmd implements fc.Command<Model, World> {
  constructor(
    readonly i: number,
    readonly page: number,
    readonly ro: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(_m: Model, w: World): void {
    const d = pick(w, this.i);
    const s = spaceOf(d);
    if (s.frozen) return;
    const page = this.page === -1 ? Math.floor(d.header / PS) : this.page;
    try {
      if (this.page === -2) s.protect(0, s.size, this.ro ? "read-only" : "read-write");
      else s.protect(page * PS, PS, this.ro ? "read-only" : "read-write");
    } catch (e) {
      if (!(e instanceof ProtectionFault)) throw e; // a shared (attached) space
    }
  }
  toString(): string {
    const what = this.page === -1 ? "header page" : this.page === -2 ? "all" : `page ${this.page}`;
    return `protect(${this.i}, ${what}, ${this.ro ? "read-only" : "read-write"})`;
  }
}

class InsertCmd implements fc.Command<Model, World> {
  constructor(
    readonly i: number,
    readonly at: Where,
    readonly text: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(_m: Model, w: World): void {
    const d = pick(w, this.i);
    const p = resolve(d, this.at);
    if (edit(w, d, () => d.text.insert(p, this.text))) {
      d.model = d.model.slice(0, p) + this.text + d.model.slice(p);
      checkRaised(d);
    }
    checkAll(w);
  }
  toString(): string {
    return `insert(${this.i}, ${JSON.stringify(this.at)}, ${JSON.stringify(this.text.slice(0, 12))}…${this.text.length})`;
  }
}

class DeleteCmd implements fc.Command<Model, World> {
  constructor(
    readonly i: number,
    readonly at: Where,
    readonly n: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(_m: Model, w: World): void {
    const d = pick(w, this.i);
    const p = resolve(d, this.at);
    const n = Math.min(this.n, d.model.length - p);
    if (edit(w, d, () => d.text.delete(p, n)) && n > 0) {
      d.model = d.model.slice(0, p) + d.model.slice(p + n);
      checkRaised(d);
    }
    checkAll(w);
  }
  toString(): string {
    return `delete(${this.i}, ${JSON.stringify(this.at)}, ${this.n})`;
  }
}

class ReadCmd implements fc.Command<Model, World> {
  constructor(
    readonly i: number,
    readonly at: Where,
    readonly n: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(_m: Model, w: World): void {
    const d = pick(w, this.i);
    const t = d.text;
    const s = d.model;
    const p = resolve(d, this.at);
    expect(t.slice(p, p + this.n)).toBe(s.slice(p, p + this.n));
    expect(t.codePointAt(p)).toBe(s.codePointAt(p));
    if (p > 0) expect(t.codePointAt(p - 1)).toBe(s.codePointAt(p - 1));
    const needle = s.slice(p, p + Math.min(this.n, 3));
    expect(t.indexOf(needle)).toBe(s.indexOf(needle));
    expect(t.lastIndexOf(needle)).toBe(s.lastIndexOf(needle));
    expect([...t].length).toBe([...s].length);
  }
  toString(): string {
    return `read(${this.i}, ${JSON.stringify(this.at)}, ${this.n})`;
  }
}

class ReleaseCmd implements fc.Command<Model, World> {
  constructor(readonly i: number) {}
  check(m: Readonly<Model>): boolean {
    return m.docs > 0;
  }
  run(m: Model, w: World): void {
    const k = this.i % w.docs.length;
    release(w.docs[k] as Doc);
    w.docs.splice(k, 1);
    m.docs--;
    checkAll(w);
  }
  toString(): string {
    return `release(${this.i})`;
  }
}

const commands = [
  fc.tuple(fc.boolean(), initArb).map(([e, s]) => new CreateCmd(e, s)),
  fc
    .tuple(fc.nat(), fc.constantFrom<Origin>("fork", "adopt", "shared"), fc.boolean(), fc.boolean(), fc.boolean())
    .map(([i, o, old, fr, pr]) => new HandleCmd(i, o, old, fr, pr)),
  // Forks of the newest handles: a stale one's fork is writable and stale too.
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom<Origin>("fork", "adopt"))
    .map(([i, o]) => new HandleCmd(-1 - i, o, false, false, false)),
  fc.nat().map((i) => new FreezeCmd(i)),
  fc
    .tuple(fc.nat(), fc.oneof(fc.integer({ min: -2, max: -1 }), fc.integer({ min: 0, max: 40 })), fc.boolean())
    .map(([i, p, ro]) => new ProtectCmd(i, p, ro)),
  fc.tuple(fc.nat(), whereArb, textArb).map(([i, at, t]) => new InsertCmd(i, at, t)),
  fc.tuple(fc.nat(), whereArb, textArb).map(([i, at, t]) => new InsertCmd(i, at, t)),
  fc
    .tuple(fc.nat(), whereArb, fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 700 })))
    .map(([i, at, n]) => new DeleteCmd(i, at, n)),
  fc.tuple(fc.nat(), whereArb, fc.integer({ min: 0, max: 300 })).map(([i, at, n]) => new ReadCmd(i, at, n)),
  fc.nat().map((i) => new ReleaseCmd(i)),
];

function play(limit: number, cmds: Iterable<fc.Command<Model, World>>): void {
  const pool = new FramePool({ pageSize: PS, shared: true, ...(limit > 0 ? { maxBytes: limit * PS } : {}) });
  const w: World = { pool, docs: [], keep: [], limited: limit > 0 };
  try {
    fc.modelRun(() => ({ model: { docs: 0 }, real: w }), cmds);
  } finally {
    for (const d of w.docs) release(d);
    for (const t of w.keep) t.release();
  }
  expect(pool.framesInUse).toBe(0);
}

describe("review 33: handles of every origin (fork, adopt, shared, attach; old headers, frozen, protected)", () => {
  for (const limit of [0, 180]) {
    it(`match plain strings and change nothing when they throw${limit > 0 ? `, pool of ${limit} frames` : ""}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: "max" }), async (cmds) => {
          await eventLoopTurns();
          play(limit, cmds);
        }),
        { numRuns: runs(150) },
      );
    });
  }
});
