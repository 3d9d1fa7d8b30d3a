/**
 * Review 31: the store API against a model (fast-check `fc.commands`).
 *
 * The model is a Map of name -> what was saved under it: one version's bytes
 * (with its page size, size and frozen flag) or a history's versions and
 * position. Commands: save, saveHistory (chunked: `historyTxnBytes` of two
 * pages after some reopens), load, loadHistory, delete, list, stats, gc,
 * close and reopen (sync true or false), a save through a second handle of
 * this process and writes by another process (both invalidate this handle's
 * incremental baseline), saves that throw midway (an injected failure at the
 * k-th page stored) and bad input (bad names, options, pools, released
 * versions and histories, a history loaded with `load`): each must throw its
 * typed error and change nothing (names, counters, every refcount). The
 * versions saved are address spaces of two page sizes and two sizes, edited,
 * forked, frozen; their pages repeat across versions (bytes 1..4), so blobs
 * are shared between names and histories.
 *
 * After every command the listing is the model's names; after every store
 * command each name loads as the model says. At each reopen and at the end
 * the closed store is audited from scratch (auditStore: every refcount equals
 * the references recounted, no blob leaked or missing, counters exact), and
 * at the end every frame is back in its pool.
 *
 * PAGEFORK_TEST_RUNS_SCALE multiplies the runs (a soak: 10).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AddressSpace, FramePool, History, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { BlobTxn } from "../src/blobs.js";
import { openStore, type Store, VersionNotFoundError } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";
import { type ChildWrite, childBytes } from "./fixtures/model-child.js";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const PAGE_SIZES = [256, 512] as const;
const SIZES_IN_PAGES = [12, 20] as const;
/** Names: plain, non-ASCII, a control character, two lone surrogates (once one key), 500 UTF-8 bytes. */
const NAMES = ["a", "é/ü", "\u0001ctl", "x\uD800", "x\uDC00", `${"ñ".repeat(249)}zz`] as const;
const MAX_VERSIONS = 8;

type Saved =
  | { type: "version"; pageSize: number; bytes: Uint8Array; frozen: boolean }
  | { type: "history"; pageSize: number; versions: Uint8Array[]; position: number };
type Model = { saved: Map<string, Saved> };

interface V {
  space: AddressSpace;
  bytes: Uint8Array;
}
interface Real {
  dir: string;
  store: Store;
  sync: boolean;
  pools: Map<number, FramePool>;
  vs: V[];
  log: string[];
}

const hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 12);
const pick = (r: Real, i: number): V => r.vs[i % r.vs.length] as V;
const bytesOf = (s: AddressSpace): Uint8Array => s.read(0, new Uint8Array(s.size));

/** The store's state as a string: names and counters (not file size), for "nothing changed". */
function snapshot(r: Real): string {
  const st = r.store.stats();
  return JSON.stringify({ list: r.store.list(), ...st, fileBytes: 0 });
}

/** Checks that every name loads as the model says (and only through its own call). */
async function checkAll(m: Model, r: Real): Promise<void> {
  expect(r.store.list().slice().sort()).toEqual([...m.saved.keys()].sort());
  for (const [name, s] of m.saved) {
    const pool = r.pools.get(s.pageSize) as FramePool;
    if (s.type === "version") {
      const v = (await r.store.load(name, { pool })) as AddressSpace;
      const got = bytesOf(v);
      const frozen = v.frozen;
      v.release();
      expect(hex(got), `${JSON.stringify(name)} loads as saved`).toBe(hex(s.bytes));
      expect(frozen).toBe(s.frozen);
      await expect(r.store.loadHistory(name, { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    } else {
      const h = await r.store.loadHistory(name, { pool });
      const got = [...h].map((v) => hex(bytesOf(v as AddressSpace)));
      const position = h.position;
      h.release();
      expect(got, `history ${JSON.stringify(name)} loads as saved`).toEqual(s.versions.map(hex));
      expect(position).toBe(s.position);
      await expect(r.store.load(name, { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    }
  }
  // Distinct non-zero pages of the saved versions: what the store must hold.
  const pages = new Set<string>();
  for (const s of m.saved.values())
    for (const b of s.type === "version" ? [s.bytes] : s.versions)
      for (let at = 0; at < b.length; at += s.pageSize) {
        const page = b.subarray(at, at + s.pageSize);
        if (page.some((x) => x !== 0)) pages.add(hex(page));
      }
  const st = r.store.stats();
  expect([st.versions, st.pages, st.unreadable, st.unreclaimed]).toEqual([m.saved.size, pages.size, [], 0]);
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly v: number,
    readonly page: number,
    readonly byte: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const v = pick(r, this.v);
    if (v.space.frozen) return;
    const ps = v.space.pageSize;
    const at = (this.page % (v.space.size / ps)) * ps;
    v.space.fill(this.byte, at, at + ps);
    v.bytes.fill(this.byte, at, at + ps);
  }
  toString = () => `write(v${this.v}, p${this.page}, ${this.byte})`;
}

class Fork implements fc.AsyncCommand<Model, Real> {
  constructor(readonly v: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const v = pick(r, this.v);
    const f = { space: v.space.fork(), bytes: v.bytes.slice() };
    if (r.vs.length < MAX_VERSIONS) r.vs.push(f);
    else {
      const i = (this.v + 1) % r.vs.length;
      (r.vs[i] as V).space.release();
      r.vs[i] = f;
    }
  }
  toString = () => `fork(v${this.v})`;
}

class NewSpace implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly ps: number,
    readonly pages: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const pool = r.pools.get(this.ps) as FramePool;
    const v = {
      space: new AddressSpace({ size: this.ps * this.pages, pool }),
      bytes: new Uint8Array(this.ps * this.pages),
    };
    if (r.vs.length < MAX_VERSIONS) r.vs.push(v);
    else {
      (r.vs[0] as V).space.release();
      r.vs[0] = v;
    }
  }
  toString = () => `new(${this.ps} x ${this.pages})`;
}

class Freeze implements fc.AsyncCommand<Model, Real> {
  constructor(readonly v: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    pick(r, this.v).space.freeze();
  }
  toString = () => `freeze(v${this.v})`;
}

class Save implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly v: number,
    readonly name: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const v = pick(r, this.v);
    const name = NAMES[this.name] as string;
    await r.store.save(name, v.space);
    m.saved.set(name, { type: "version", pageSize: v.space.pageSize, bytes: v.bytes.slice(), frozen: v.space.frozen });
    await checkAll(m, r);
  }
  toString = () => `save(v${this.v}, name${this.name})`;
}

class SaveHistory implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly vs: number[],
    readonly name: number,
    readonly undo: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const first = pick(r, this.vs[0] as number);
    // One page size per history (a History of mixed page sizes is not what this tests).
    const chosen = this.vs.map((i) => pick(r, i)).filter((v) => v.space.pageSize === first.space.pageSize);
    const h = new History((chosen[0] as V).space.fork());
    for (const v of chosen.slice(1)) h.commit(v.space.fork());
    const undo = this.undo % chosen.length;
    for (let i = 0; i < undo; i++) h.undo();
    const name = NAMES[this.name] as string;
    try {
      await r.store.saveHistory(name, h);
    } finally {
      h.release();
    }
    m.saved.set(name, {
      type: "history",
      pageSize: first.space.pageSize,
      versions: chosen.map((v) => v.bytes.slice()),
      position: chosen.length - 1 - undo,
    });
    await checkAll(m, r);
  }
  toString = () => `saveHistory([${this.vs.map((v) => `v${v}`)}], name${this.name}, undo ${this.undo})`;
}

/** Loads a name's version (or a history's current one) and keeps it as a version to edit and save again. */
class Adopt implements fc.AsyncCommand<Model, Real> {
  constructor(readonly name: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const name = NAMES[this.name] as string;
    const s = m.saved.get(name);
    if (s === undefined) return;
    const pool = r.pools.get(s.pageSize) as FramePool;
    let space: AddressSpace;
    if (s.type === "version") space = (await r.store.load(name, { pool })) as AddressSpace;
    else {
      const h = await r.store.loadHistory(name, { pool });
      space = (h.current as AddressSpace).fork();
      h.release();
    }
    const bytes = s.type === "version" ? s.bytes.slice() : (s.versions[s.position] as Uint8Array).slice();
    expect(hex(bytesOf(space))).toBe(hex(bytes));
    if (r.vs.length < MAX_VERSIONS) r.vs.push({ space, bytes });
    else {
      (r.vs[1] as V).space.release();
      r.vs[1] = { space, bytes };
    }
  }
  toString = () => `adopt(name${this.name})`;
}

/** Two saves started together (each runs whole: its transaction is synchronous). */
class SaveTwo implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly v: number,
    readonly w: number,
    readonly a: number,
    readonly b: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const v = pick(r, this.v);
    const w = pick(r, this.w);
    const a = NAMES[this.a] as string;
    const b = NAMES[this.b] as string;
    await Promise.all([r.store.save(a, v.space), r.store.save(b, w.space)]);
    m.saved.set(a, { type: "version", pageSize: v.space.pageSize, bytes: v.bytes.slice(), frozen: v.space.frozen });
    m.saved.set(b, { type: "version", pageSize: w.space.pageSize, bytes: w.bytes.slice(), frozen: w.space.frozen });
    await checkAll(m, r);
  }
  toString = () => `saveTwo(v${this.v} -> name${this.a}, v${this.w} -> name${this.b})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly name: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const name = NAMES[this.name] as string;
    expect(await r.store.delete(name)).toBe(m.saved.delete(name));
    await checkAll(m, r);
  }
  toString = () => `delete(name${this.name})`;
}

class Gc implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await r.store.gc()).toEqual({ blobsFreed: 0, bytesFreed: 0, refcountsFixed: 0 });
    await checkAll(m, r);
  }
  toString = () => "gc()";
}

class Reopen implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly sync: boolean,
    readonly chunked: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.close();
    await r.store.close(); // idempotent
    expect(() => r.store.list()).toThrow(ReleasedError);
    await expect(r.store.save("a", (r.vs[0] as V).space)).rejects.toBeInstanceOf(ReleasedError);
    expect(auditStore(r.dir)).toEqual([]);
    r.sync = this.sync;
    r.store = openStore(r.dir, this.chunked ? { sync: this.sync, historyTxnBytes: 512 } : { sync: this.sync });
    await checkAll(m, r);
  }
  toString = () => `reopen(sync ${this.sync}, chunked ${this.chunked})`;
}

/** A save or delete through a second handle of this process (closed after). */
class OtherHandle implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly v: number,
    readonly name: number,
    readonly del: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const other = openStore(r.dir, { sync: r.sync });
    const name = NAMES[this.name] as string;
    try {
      if (this.del) expect(await other.delete(name)).toBe(m.saved.delete(name));
      else {
        const v = pick(r, this.v);
        await other.save(name, v.space);
        m.saved.set(name, {
          type: "version",
          pageSize: v.space.pageSize,
          bytes: v.bytes.slice(),
          frozen: v.space.frozen,
        });
      }
    } finally {
      await other.close();
    }
    await checkAll(m, r);
  }
  toString = () => `other handle: ${this.del ? "delete" : `save(v${this.v},`} name${this.name})`;
}

let child = "";
const out = join(fileURLToPath(new URL(".", import.meta.url)), "..", "node_modules", ".review31-model");

/** Writes by another process, while this handle stays open. */
class OtherProcess implements fc.AsyncCommand<Model, Real> {
  constructor(readonly writes: ChildWrite[]) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const text = await new Promise<string>((resolve, reject) => {
      const c: ChildProcess = spawn(process.execPath, [child, r.dir, r.sync ? "1" : "0", JSON.stringify(this.writes)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let so = "";
      let se = "";
      c.stdout?.on("data", (d: Buffer) => {
        so += d.toString();
      });
      c.stderr?.on("data", (d: Buffer) => {
        se += d.toString();
      });
      c.on("exit", (code) => (code === 0 ? resolve(so) : reject(new Error(`child exited ${code}: ${se}`))));
    });
    const want: string[] = [];
    for (const w of this.writes) {
      if (w.op === "delete") want.push(`delete ${JSON.stringify(w.name)} ${m.saved.delete(w.name)}`);
      else {
        m.saved.set(w.name, { type: "version", pageSize: w.pageSize, bytes: childBytes(w), frozen: false });
        want.push(`save ${JSON.stringify(w.name)}`);
      }
    }
    expect(text.trim().split("\n")).toEqual([...want, "done"]);
    await checkAll(m, r);
  }
  toString = () => `other process: ${JSON.stringify(this.writes)}`;
}

class Injected extends Error {}

/** A save or history save that throws at the k-th page it stores: the store as before. */
class FailMidway implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly v: number,
    readonly name: number,
    readonly at: number,
    readonly history: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const v = pick(r, this.v);
    const name = NAMES[this.name] as string;
    const before = snapshot(r);
    let n = 0;
    const put = BlobTxn.prototype.putPage;
    const at = this.at;
    const spy = vi.spyOn(BlobTxn.prototype, "putPage").mockImplementation(function (this: BlobTxn, h, b) {
      if (n++ === at) throw new Injected("injected");
      return put.call(this, h, b);
    });
    let threw = false;
    const h = this.history ? new History(v.space.fork()) : null;
    try {
      if (h !== null) {
        h.commit(v.space.fork());
        await r.store.saveHistory(name, h);
      } else await r.store.save(name, v.space);
    } catch (e) {
      if (!(e instanceof Injected)) throw e;
      threw = true;
    } finally {
      spy.mockRestore();
      h?.release();
    }
    if (threw) expect(snapshot(r)).toBe(before);
    else if (this.history)
      m.saved.set(name, {
        type: "history",
        pageSize: v.space.pageSize,
        versions: [v.bytes.slice(), v.bytes.slice()],
        position: 1,
      });
    else
      m.saved.set(name, {
        type: "version",
        pageSize: v.space.pageSize,
        bytes: v.bytes.slice(),
        frozen: v.space.frozen,
      });
    await checkAll(m, r);
  }
  toString = () => `fail ${this.history ? "saveHistory" : "save"}(v${this.v}, name${this.name}) at page ${this.at}`;
}

/** Bad input: a typed error, nothing changed. */
class Bad implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: number,
    readonly v: number,
    readonly name: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const s = r.store;
    const v = pick(r, this.v);
    const name = NAMES[this.name] as string;
    const saved = m.saved.get(name);
    const before = snapshot(r);
    const released = v.space.fork();
    released.release();
    const releasedHistory = new History(v.space.fork());
    releasedHistory.release();
    // A pool of another page size than the name's (than v's when the name is unknown).
    const other = r.pools.get((saved?.pageSize ?? v.space.pageSize) === 256 ? 512 : 256) as FramePool;
    // biome-ignore lint/suspicious/noExplicitAny: bad input on purpose
    const any = (x: unknown) => x as any;
    const cases: [() => Promise<unknown>, new (...a: never[]) => Error][] = [
      [() => s.save("", v.space), InvalidArgumentError],
      [() => s.save("\u0000x", v.space), InvalidArgumentError],
      [() => s.save("ñ".repeat(251), v.space), InvalidArgumentError],
      [() => s.save(any(7), v.space), InvalidArgumentError],
      [() => s.save(name, released), InvalidArgumentError],
      [() => s.save(name, any({})), InvalidArgumentError],
      [() => s.save(name, any(null)), InvalidArgumentError],
      [() => s.saveHistory(name, releasedHistory), InvalidArgumentError],
      [() => s.saveHistory(name, any(v.space)), InvalidArgumentError],
      [() => s.delete(""), InvalidArgumentError],
      [() => s.delete(any(undefined)), InvalidArgumentError],
      [() => s.load(name, any({})), InvalidArgumentError],
      [() => s.load(name, any(null)), InvalidArgumentError],
      [() => s.load("\u0000", { pool: other }), InvalidArgumentError],
      [
        () => s.load(name, { pool: other }),
        saved === undefined || saved.type === "history" ? VersionNotFoundError : InvalidArgumentError,
      ],
      [
        () => s.loadHistory(name, { pool: other }),
        saved === undefined || saved.type === "version" ? VersionNotFoundError : InvalidArgumentError,
      ],
      [async () => openStore("", { sync: r.sync }), InvalidArgumentError],
      [async () => openStore(r.dir, any(null)), InvalidArgumentError],
    ];
    const [call, type] = cases[this.kind % cases.length] as (typeof cases)[number];
    await expect(call()).rejects.toBeInstanceOf(type);
    expect(snapshot(r)).toBe(before);
    await checkAll(m, r);
  }
  toString = () => `bad(#${this.kind}, v${this.v}, name${this.name})`;
}

const vi_ = fc.nat({ max: MAX_VERSIONS - 1 });
const name_ = fc.nat({ max: NAMES.length - 1 });
const childWrite: fc.Arbitrary<ChildWrite> = fc.oneof(
  fc.record({
    op: fc.constant("save" as const),
    name: fc.constantFrom(...NAMES),
    pageSize: fc.constantFrom(...PAGE_SIZES),
    pages: fc.constantFrom(...SIZES_IN_PAGES),
    fill: fc.array(fc.tuple(fc.nat({ max: 11 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }),
  }),
  fc.record({ op: fc.constant("delete" as const), name: fc.constantFrom(...NAMES) }),
);

const commands = (withChild: boolean) => [
  fc
    .tuple(vi_, fc.nat({ max: 19 }), fc.integer({ min: 0, max: 4 }))
    .map(([v, p, b]) => new Write(v, p, b) as fc.AsyncCommand<Model, Real>),
  fc.tuple(vi_, fc.nat({ max: 19 }), fc.integer({ min: 1, max: 4 })).map(([v, p, b]) => new Write(v, p, b)),
  vi_.map((v) => new Fork(v)),
  fc.tuple(fc.constantFrom(...PAGE_SIZES), fc.constantFrom(...SIZES_IN_PAGES)).map(([ps, n]) => new NewSpace(ps, n)),
  vi_.map((v) => new Freeze(v)),
  fc.tuple(vi_, name_).map(([v, n]) => new Save(v, n)),
  fc.tuple(vi_, name_).map(([v, n]) => new Save(v, n)),
  fc
    .tuple(fc.array(vi_, { minLength: 1, maxLength: 4 }), name_, fc.nat({ max: 3 }))
    .map(([vs, n, u]) => new SaveHistory(vs, n, u)),
  name_.map((n) => new Delete(n)),
  name_.map((n) => new Adopt(n)),
  fc.tuple(vi_, vi_, name_, name_).map(([v, w, a, b]) => new SaveTwo(v, w, a, b)),
  fc.constant(new Gc()),
  fc.tuple(fc.boolean(), fc.boolean()).map(([s, c]) => new Reopen(s, c)),
  fc.tuple(vi_, name_, fc.boolean()).map(([v, n, d]) => new OtherHandle(v, n, d)),
  fc.tuple(vi_, name_, fc.nat({ max: 8 }), fc.boolean()).map(([v, n, a, h]) => new FailMidway(v, n, a, h)),
  fc.tuple(fc.nat({ max: 40 }), vi_, name_).map(([k, v, n]) => new Bad(k, v, n)),
  ...(withChild ? [fc.array(childWrite, { minLength: 1, maxLength: 3 }).map((w) => new OtherProcess(w))] : []),
];

async function runModel(cmds: Iterable<fc.AsyncCommand<Model, Real>>, sync: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review31-model-"));
  const pools = new Map(PAGE_SIZES.map((ps) => [ps as number, new FramePool({ pageSize: ps })]));
  const first = pools.get(256) as FramePool;
  const r: Real = {
    dir,
    store: openStore(dir, { sync }),
    sync,
    pools,
    vs: [{ space: new AddressSpace({ size: 256 * 12, pool: first }), bytes: new Uint8Array(256 * 12) }],
    log: [],
  };
  const m: Model = { saved: new Map() };
  try {
    await fc.asyncModelRun(() => ({ model: m, real: r }), cmds);
    await r.store.close();
    expect(auditStore(dir)).toEqual([]);
    r.store = openStore(dir, { sync: false });
    await checkAll(m, r);
    // Deleting every name leaves nothing stored.
    for (const name of [...m.saved.keys()]) await r.store.delete(name);
    const st = r.store.stats();
    expect([st.versions, st.pages, st.nodes, st.pageBytes, st.nodeBytes]).toEqual([0, 0, 0, 0, 0]);
  } finally {
    vi.restoreAllMocks();
    await r.store.close();
    for (const v of r.vs) v.space.release();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const p of pools.values()) expect(p.framesInUse).toBe(0);
  await new Promise((res) => setImmediate(res));
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(
    join(fileURLToPath(new URL(".", import.meta.url)), "fixtures/model-child.ts"),
    out,
    "model-child",
    {
      external: ["lmdb"],
    },
  );
}, 120_000);
afterAll(() => vi.restoreAllMocks());

it("review 31: the store against a model (save, history, load, delete, list, gc, reopen, second handle, failures, bad input)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands(false), { maxCommands: 30 }), fc.boolean(), (cmds, sync) =>
      runModel(cmds, sync),
    ),
    { numRuns: Math.max(1, Math.round(40 * RUNS_SCALE)) },
  );
});

it("review 31: the store against a model, with writes by another process", async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands(true), { maxCommands: 15 }), (cmds) => runModel(cmds, false)),
    { numRuns: Math.max(1, Math.round(6 * RUNS_SCALE)) },
  );
});
