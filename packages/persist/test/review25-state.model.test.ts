/**
 * Model test of States in the store: a chain of versions made by `produce`
 * (records, a list, a map, a set, a text with surrogate pairs, a typed
 * array), saved under a few names, loaded back (in the same store object and
 * after reopening the LMDB environment in a fresh one), deleted, released at
 * random; a loaded version may become the working one and be edited and
 * saved again. The model is the JSON each name must hold (a plain object
 * tree, deep-copied per version). A save of a released version is refused
 * and changes nothing. At the end every name loads as the model says, every
 * stored refcount equals the references counted from scratch and, with
 * everything released, the pool holds no frame.
 *
 * Each command prints a replayable call (fast-check shows the failing
 * sequence with `toString`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FramePool } from "@pagefork/core";
import { createState, produce, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

const Item = t.struct({ title: t.string, done: t.bool, tags: t.set(t.string) });
const App = t.struct({
  items: t.list(Item),
  byKey: t.map(t.string, t.u32),
  doc: t.text(),
  grid: t.float64Array(40), // 320 bytes: two pages of 256
  n: t.u32,
});
type S = State<typeof App>;
type D = t.Draft<typeof App>;
interface Json {
  items: { title: string; done: boolean; tags: string[] }[];
  byKey: Record<string, number>;
  doc: string;
  grid: number[];
  n: number;
}
const NAMES = ["a", "b", "c"];
const WORDS = ["", "x", "héllo", "😀", "a longer title that needs a heap block of its own"];

/** One edit, applied to the draft and to the model. */
type Edit = [kind: number, a: number, b: number];
function editDraft(d: D, [kind, a, b]: Edit): void {
  const n = d.items.length;
  switch (kind) {
    case 0:
      d.items.push({ title: WORDS[a % WORDS.length]!, done: b % 2 === 0, tags: new Set([`t${b % 3}`]) });
      break;
    case 1:
      if (n > 0) d.items.splice(a % n, 1);
      break;
    case 2:
      if (n > 0) d.items[a % n]!.title = WORDS[b % WORDS.length]!;
      break;
    case 3:
      if (n > 0) d.items[a % n]!.tags.add(`t${b % 5}`);
      break;
    case 4:
      if (n > 0) d.items[a % n]!.tags.delete(`t${b % 5}`);
      break;
    case 5:
      d.byKey.set(`k${a % 6}`, b);
      break;
    case 6:
      d.byKey.delete(`k${a % 6}`);
      break;
    case 7:
      d.doc.insert(a % (d.doc.length + 1), b % 2 === 0 ? "😀" : "ab");
      break;
    case 8: {
      const p = a % (d.doc.length + 1);
      d.doc.delete(p, Math.min(b % 4, d.doc.length - p));
      break;
    }
    case 9:
      d.grid[a % 40] = b - 500;
      break;
    case 10:
      d.n = b;
      break;
    default:
      if (n > 1) {
        const [x] = d.items.splice(a % n, 1);
        d.items.splice(b % n, 0, x!);
      }
  }
}
function editModel(m: Json, [kind, a, b]: Edit): void {
  const n = m.items.length;
  switch (kind) {
    case 0:
      m.items.push({ title: WORDS[a % WORDS.length]!, done: b % 2 === 0, tags: [`t${b % 3}`] });
      break;
    case 1:
      if (n > 0) m.items.splice(a % n, 1);
      break;
    case 2:
      if (n > 0) m.items[a % n]!.title = WORDS[b % WORDS.length]!;
      break;
    case 3: {
      if (n === 0) break;
      const tags = m.items[a % n]!.tags;
      if (!tags.includes(`t${b % 5}`)) tags.push(`t${b % 5}`);
      break;
    }
    case 4: {
      if (n === 0) break;
      const tags = m.items[a % n]!.tags;
      const i = tags.indexOf(`t${b % 5}`);
      if (i >= 0) tags.splice(i, 1);
      break;
    }
    case 5:
      m.byKey[`k${a % 6}`] = b;
      break;
    case 6:
      delete m.byKey[`k${a % 6}`];
      break;
    case 7: {
      const p = a % (m.doc.length + 1);
      m.doc = m.doc.slice(0, p) + (b % 2 === 0 ? "😀" : "ab") + m.doc.slice(p);
      break;
    }
    case 8: {
      const p = a % (m.doc.length + 1);
      m.doc = m.doc.slice(0, p) + m.doc.slice(p + Math.min(b % 4, m.doc.length - p));
      break;
    }
    case 9:
      m.grid[a % 40] = b - 500;
      break;
    case 10:
      m.n = b;
      break;
    default:
      if (n > 1) {
        const [x] = m.items.splice(a % n, 1);
        m.items.splice(b % n, 0, x!);
      }
  }
}

interface Model {
  working: Json;
  saved: Map<string, Json>;
}
interface Real {
  dir: string;
  store: Store;
  pool: FramePool;
  working: S;
  /** Every version made and not yet released (the working one among them). */
  live: S[];
}
const copy = (j: Json): Json => structuredClone(j);
const json = (s: S) => s.toJSON() as Json;

type Cmd = fc.AsyncCommand<Model, Real>;

class Edits implements Cmd {
  constructor(readonly edits: Edit[]) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const next = produce(r.working, (d) => {
      for (const e of this.edits) editDraft(d, e);
    });
    for (const e of this.edits) editModel(m.working, e);
    if (next !== r.working) r.live.push(next);
    r.working = next;
    expect(json(r.working)).toEqual(m.working);
  }
  toString = () => `edits(${JSON.stringify(this.edits)})`;
}

class Save implements Cmd {
  constructor(readonly name: string) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.save(this.name, r.working);
    m.saved.set(this.name, copy(m.working));
    expect(r.store.list()).toEqual([...m.saved.keys()].sort());
  }
  toString = () => `save(${JSON.stringify(this.name)})`;
}

class Load implements Cmd {
  constructor(
    readonly name: string,
    readonly adopt: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const want = m.saved.get(this.name);
    if (want === undefined) {
      const frames = r.pool.framesInUse;
      await expect(r.store.load(this.name, { pool: r.pool, schema: App })).rejects.toThrow();
      expect(r.pool.framesInUse).toBe(frames);
      return;
    }
    const l = (await r.store.load(this.name, { pool: r.pool, schema: App })) as S;
    expect(json(l)).toEqual(want);
    if (this.adopt) {
      r.live.push(l);
      r.working = l;
      m.working = copy(want);
    } else l.release();
  }
  toString = () => `load(${JSON.stringify(this.name)}, adopt=${this.adopt})`;
}

class Delete implements Cmd {
  constructor(readonly name: string) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await r.store.delete(this.name)).toBe(m.saved.delete(this.name));
    expect(r.store.list()).toEqual([...m.saved.keys()].sort());
  }
  toString = () => `delete(${JSON.stringify(this.name)})`;
}

class Reopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.close();
    expect(auditStore(r.dir)).toEqual([]);
    r.store = openStore(r.dir, { sync: false });
    for (const [name, want] of m.saved) {
      const l = (await r.store.load(name, { pool: r.pool, schema: App })) as S;
      expect(json(l)).toEqual(want);
      l.release();
    }
  }
  toString = () => "reopen()";
}

class ReleaseOld implements Cmd {
  constructor(readonly i: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const others = r.live.filter((v) => v !== r.working);
    if (others.length === 0) return;
    const v = others[this.i % others.length]!;
    v.release();
    r.live.splice(r.live.indexOf(v), 1);
    // A released version is refused, and the refusal changes nothing.
    const before = [r.store.list(), r.store.stats(), r.pool.framesInUse];
    await expect(r.store.save("a", v)).rejects.toThrow();
    expect([r.store.list(), r.store.stats(), r.pool.framesInUse]).toEqual(before);
  }
  toString = () => `releaseOld(${this.i})`;
}

const editArb = fc.tuple(fc.nat(11), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Edit>;
const nameArb = fc.constantFrom(...NAMES);
const commands = [
  fc.array(editArb, { minLength: 1, maxLength: 6 }).map((e) => new Edits(e)),
  fc.array(editArb, { minLength: 1, maxLength: 6 }).map((e) => new Edits(e)),
  nameArb.map((n) => new Save(n)),
  fc.tuple(nameArb, fc.boolean()).map(([n, a]) => new Load(n, a)),
  nameArb.map((n) => new Delete(n)),
  fc.constant(new Reopen()),
  fc.nat().map((i) => new ReleaseOld(i)),
];

function initial(): Json {
  return {
    items: [{ title: "first", done: false, tags: ["t0"] }],
    byKey: { k0: 1 },
    doc: "hello 😀",
    grid: Array.from({ length: 40 }, (_, i) => i / 2),
    n: 0,
  };
}

it("States saved, loaded, deleted and reopened match the model; refcounts audit; no frame leaks", async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
      const dir = mkdtempSync(join(tmpdir(), "review25-state-"));
      const pool = new FramePool({ pageSize: 256 });
      const init = initial();
      const s0 = createState(
        App,
        {
          items: init.items.map((x) => ({ ...x, tags: new Set(x.tags) })),
          byKey: new Map(Object.entries(init.byKey)),
          doc: init.doc,
          grid: new Float64Array(init.grid),
          n: 0,
        },
        { pool },
      );
      const real: Real = { dir, store: openStore(dir, { sync: false }), pool, working: s0, live: [s0] };
      const model: Model = { working: initial(), saved: new Map() };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        for (const [name, want] of model.saved) {
          const l = (await real.store.load(name, { pool, schema: App })) as S;
          expect(json(l)).toEqual(want);
          l.release();
        }
      } finally {
        for (const v of real.live) v.release();
        await real.store.close();
      }
      expect(auditStore(dir)).toEqual([]);
      expect(pool.framesInUse).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }),
    { numRuns: 150 },
  );
});
