/**
 * Review 27: saves that throw midway, against a model.
 *
 * A save or history save is made to throw from inside its LMDB transaction
 * (the k-th page it stores, or its final refcount pass), among ordinary
 * saves, deletes, forks, edits and reopens. After every step each name loads
 * byte for byte as the model says (a failed save leaves the name as it was),
 * a later save of the same name still writes a correct version (the handle's
 * incremental state was not advanced by the failure), and at the end the
 * store's refcounts equal the references recounted from scratch (nothing
 * leaked, nothing freed too early), and every frame is back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import fc from "fast-check";
import { afterEach, expect, it, vi } from "vitest";
import { BlobTxn } from "../src/blobs.js";
import { openStore, type Store, VersionNotFoundError } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

const PS = 256;
const PAGES = 16;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);

type Op =
  | { op: "write"; v: number; page: number; byte: number }
  | { op: "fork"; v: number }
  | { op: "save"; v: number; name: number; fail: number | null }
  | { op: "hist"; vs: number[]; name: number; fail: number | null }
  | { op: "delete"; name: number }
  | { op: "reopen" };

const name = fc.integer({ min: 0, max: 2 });
/** 0..6: the k-th page stored throws; 7..10: the (k-7)-th refcount pass (a history's chunk k-7). */
const fail = fc.option(fc.integer({ min: 0, max: 10 }), { freq: 2 });
const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      v: fc.nat(),
      page: fc.integer({ min: 0, max: PAGES - 1 }),
      byte: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("fork" as const), v: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("save" as const), v: fc.nat(), name, fail }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("hist" as const),
      vs: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      name,
      fail,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reopen" as const) }) },
);

class Injected extends Error {}
/** Failures injected over the whole run (the property must reach some). */
let injected = 0;

/**
 * Runs `fn` with a throw injected inside the store's transactions: at the
 * `at`-th page stored (0 <= at < 7), or at the `(at - 7)`-th refcount pass, which
 * ends each transaction (a history's chunks: the ones before committed); none when `at` < 0.
 * True if it threw there (false: `fn` did not get that far, and succeeded).
 */
async function failing(at: number, fn: () => Promise<unknown>): Promise<boolean> {
  let pages = 0;
  let passes = 0;
  const put = BlobTxn.prototype.putPage;
  const commit = BlobTxn.prototype.commitCounters;
  const a = vi.spyOn(BlobTxn.prototype, "putPage").mockImplementation(function (this: BlobTxn, h, b) {
    if (at >= 0 && at < 7 && pages++ === at) throw new Injected("injected: page store");
    return put.call(this, h, b);
  });
  const c = vi.spyOn(BlobTxn.prototype, "commitCounters").mockImplementation(function (this: BlobTxn) {
    if (at >= 7 && passes++ === at - 7) throw new Injected("injected: refcount pass");
    return commit.call(this);
  });
  try {
    await fn();
    return false;
  } catch (e) {
    if (e instanceof Injected) {
      injected++;
      return true;
    }
    throw e;
  } finally {
    a.mockRestore();
    c.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

async function run(list: Op[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review27-fail-"));
  const pool = new FramePool({ pageSize: PS });
  let store: Store = openStore(dir, { sync: false, historyTxnBytes: 2 * PS });
  const vs: { space: AddressSpace; model: Uint8Array }[] = [
    { space: new AddressSpace({ size: PAGES * PS, pool }), model: new Uint8Array(PAGES * PS) },
  ];
  const saved = new Map<string, Uint8Array | Uint8Array[]>();
  const check = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      const n = `n${i}`;
      const want = saved.get(n);
      if (want === undefined) {
        await expect(store.load(n, { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
        continue;
      }
      if (Array.isArray(want)) {
        const h = await store.loadHistory(n, { pool });
        expect([...h].map((v) => (v as AddressSpace).read(0, new Uint8Array(PAGES * PS)))).toEqual(want);
        h.release();
      } else {
        const v = (await store.load(n, { pool })) as AddressSpace;
        expect(v.read(0, new Uint8Array(PAGES * PS))).toEqual(want);
        v.release();
      }
    }
  };
  try {
    for (const o of list) {
      switch (o.op) {
        case "write": {
          const v = vs[o.v % vs.length] as (typeof vs)[number];
          v.space.fill(o.byte, o.page * PS, (o.page + 1) * PS);
          v.model.fill(o.byte, o.page * PS, (o.page + 1) * PS);
          break;
        }
        case "fork": {
          const v = vs[o.v % vs.length] as (typeof vs)[number];
          vs.push({ space: v.space.fork(), model: v.model.slice() });
          break;
        }
        case "save": {
          const v = vs[o.v % vs.length] as (typeof vs)[number];
          const save = () => store.save(`n${o.name}`, v.space);
          const before = JSON.stringify({ ...store.stats(), fileBytes: 0 });
          const threw = await failing(o.fail ?? -1, save);
          if (!threw) saved.set(`n${o.name}`, v.model.slice());
          else expect(JSON.stringify({ ...store.stats(), fileBytes: 0 })).toBe(before);
          break;
        }
        case "hist": {
          const chosen = o.vs.map((i) => vs[i % vs.length] as (typeof vs)[number]);
          const h = new History(chosen[0]?.space.fork() as AddressSpace);
          for (const v of chosen.slice(1)) h.commit(v.space.fork());
          const save = () => store.saveHistory(`n${o.name}`, h);
          const before = JSON.stringify({ ...store.stats(), fileBytes: 0 });
          const threw = await failing(o.fail ?? -1, save);
          if (threw) expect(JSON.stringify({ ...store.stats(), fileBytes: 0 })).toBe(before);
          if (!threw)
            saved.set(
              `n${o.name}`,
              chosen.map((v) => v.model.slice()),
            );
          h.release();
          break;
        }
        case "delete":
          await store.delete(`n${o.name}`);
          saved.delete(`n${o.name}`);
          break;
        case "reopen":
          await store.close();
          store = openStore(dir, { sync: false, historyTxnBytes: 2 * PS });
          break;
      }
      await check();
    }
    await store.close();
    expect(auditStore(dir)).toEqual([]);
    store = openStore(dir, { sync: false });
    await check();
  } finally {
    await store.close();
    for (const v of vs) v.space.release();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(pool.framesInUse).toBe(0);
}

it("saves and history saves that throw midway leave the store as it was; later saves stay correct; refcounts exact", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(ops, { maxLength: 25 }), (list) => run(list)),
    { numRuns: Math.max(1, Math.round(60 * RUNS_SCALE)) },
  );
  expect(injected).toBeGreaterThan(0);
});
