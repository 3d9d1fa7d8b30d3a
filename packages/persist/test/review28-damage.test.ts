/**
 * Review 28: damaged records in `stats()`, and reclaiming what they held.
 *
 * - `stats()` threw CorruptionError for the whole store when one record was
 *   damaged; it now reports the name in `unreadable` (a record of a newer
 *   format too) and the figures of the rest.
 * - A save over a damaged record, or a delete of one, drops it without
 *   releasing what it referenced (its roots are unknown): its pages stayed
 *   stored and counted for good. `stats().unreclaimed` counts those drops,
 *   and `gc()` recounts every reference, frees what none reaches and fixes
 *   the refcounts (checked by the from-scratch audit).
 * - `gc()` while a damaged record is stored refuses (CorruptionError naming
 *   it) and changes nothing.
 * - An intent record that does not parse made every `openStore` throw a
 *   SyntaxError; the recovery now drops it like a damaged record.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool } from "@pagefork/core";
import fc from "fast-check";
import { open } from "lmdb";
import { afterEach, expect, it } from "vitest";
import { CorruptionError, FORMAT_VERSION, openStore, VersionNotFoundError } from "../src/index.js";
import { encodeKey } from "../src/keys.js";
import { auditStore } from "./fixtures/audit.js";

const PS = 256;
const PAGES = 8;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "pagefork-review28-damage-"));
  dirs.push(d);
  return d;
}

/** Rewrites the record (or any key) `key` of a closed store with `edit` of its text. */
async function tamper(dir: string, key: string, edit: (text: string) => string): Promise<void> {
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, Buffer>({ name: "versions", keyEncoding: "binary", encoding: "string" });
  const text = versions.get(encodeKey(key)) ?? "";
  await versions.put(encodeKey(key), edit(text));
  await env.close();
}
/** Flips the last digit of the record's checksum: it then fails its checksum. */
const breakSum = (t: string) => t.replace(/.("\}$)/, (_m, end: string) => `${t.at(-3) === "0" ? "1" : "0"}${end}`);

function space(pool: FramePool, seed: number): AddressSpace {
  const s = new AddressSpace({ size: PAGES * PS, pool });
  for (let p = 0; p < PAGES; p++) s.fill(((seed * 31 + p * 7) % 250) + 1, p * PS, (p + 1) * PS);
  return s;
}

it("stats() reports a damaged record and one of a newer format instead of throwing", async () => {
  const dir = tmp();
  const pool = new FramePool({ pageSize: PS });
  let store = openStore(dir, { sync: false });
  for (const [n, seed] of [
    ["a", 1],
    ["b", 2],
    ["c", 3],
  ] as const) {
    const s = space(pool, seed);
    await store.save(n, s);
    s.release();
  }
  const sound = store.stats();
  await store.close();
  await tamper(dir, "b", breakSum);
  await tamper(dir, "c", (t) => JSON.stringify({ ...JSON.parse(t), format: FORMAT_VERSION + 1 }));
  store = openStore(dir, { sync: false });
  const st = store.stats();
  expect(st.versions).toBe(3);
  expect(st.unreadable).toEqual(["b", "c"]);
  expect(st.logicalBytes).toBe(sound.logicalBytes / 3);
  expect(st.pages).toBe(sound.pages);
  expect(st.unreclaimed).toBe(0);
  await expect(store.load("b", { pool })).rejects.toBeInstanceOf(CorruptionError);
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("a save over a damaged record and a delete of one leave its pages; gc() frees them and fixes the refcounts", async () => {
  const dir = tmp();
  const pool = new FramePool({ pageSize: PS });
  let store = openStore(dir, { sync: false });
  const keep = space(pool, 1);
  const shared = keep.fork();
  shared.fill(99, 0, PS); // shares pages 1..7 with `keep`
  await store.save("keep", keep);
  await store.save("x", shared);
  const other = space(pool, 5);
  await store.save("y", other);
  await store.close();
  await tamper(dir, "x", breakSum);
  await tamper(dir, "y", breakSum);
  store = openStore(dir, { sync: false });
  // gc() refuses while a damaged record is stored, and changes nothing.
  const before = auditStore(dir);
  const e = await store.gc().catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CorruptionError);
  expect(e).toMatchObject({ version: "x" });
  expect(String((e as Error).message)).toMatch(/delete the name or save over it first/);
  expect(auditStore(dir)).toEqual(before);
  const fresh = space(pool, 9);
  await store.save("x", fresh); // replaces the damaged record
  expect(await store.delete("y")).toBe(true); // removes the other
  expect(store.stats().unreclaimed).toBe(2);
  await store.close();
  const leaks = auditStore(dir);
  expect(leaks.length).toBeGreaterThan(0); // the damaged records' pages and counts are still there
  store = openStore(dir, { sync: false });
  const pagesBefore = store.stats().pages;
  const r = await store.gc();
  expect(r.blobsFreed).toBeGreaterThan(0);
  expect(r.bytesFreed).toBeGreaterThan(0);
  expect(r.refcountsFixed).toBeGreaterThan(0); // `keep`'s pages were counted by the dropped `x` too
  const st = store.stats();
  expect(st.unreclaimed).toBe(0);
  expect(st.pages).toBeLessThan(pagesBefore);
  expect(await store.gc()).toEqual({ blobsFreed: 0, bytesFreed: 0, refcountsFixed: 0 });
  for (const [n, s] of [
    ["keep", keep],
    ["x", fresh],
  ] as const) {
    const v = (await store.load(n, { pool })) as AddressSpace;
    expect(v.read(0, new Uint8Array(PAGES * PS))).toEqual(s.read(0, new Uint8Array(PAGES * PS)));
    v.release();
  }
  await store.close();
  expect(auditStore(dir)).toEqual([]);
  // Later saves and deletes keep the counts exact.
  store = openStore(dir, { sync: false });
  expect(await store.delete("keep")).toBe(true);
  await store.save("x", shared);
  await store.close();
  expect(auditStore(dir)).toEqual([]);
  for (const s of [keep, shared, other, fresh]) s.release();
  expect(pool.framesInUse).toBe(0);
});

it("an intent record that does not parse is dropped by the recovery (openStore threw a SyntaxError)", async () => {
  const dir = tmp();
  await openStore(dir, { sync: false }).close();
  // Without a writer (as written before review 27): abandoned, so the recovery reads it.
  await tamper(dir, "\u0000pending\u0000h\u000000000000", () => "[[torn");
  const store = openStore(dir, { sync: false });
  expect(store.list()).toEqual([]);
  expect(store.stats().unreclaimed).toBe(1);
  expect(await store.gc()).toEqual({ blobsFreed: 0, bytesFreed: 0, refcountsFixed: 0 });
  await store.close();
  expect(auditStore(dir)).toEqual([]);
});

type Op =
  | { op: "save"; name: number; v: number }
  | { op: "write"; v: number; page: number; byte: number }
  | { op: "delete"; name: number }
  | { op: "damage"; name: number }
  | { op: "gc" };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("save" as const), name: fc.nat(3), v: fc.nat(2) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      v: fc.nat(2),
      page: fc.nat(PAGES - 1),
      byte: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), name: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("damage" as const), name: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("gc" as const) }) },
);

/** gc() calls that freed or fixed something (the property must reach some). */
let reclaimed = 0;

it("saves, deletes, damaged records and gc() against a model: what loads is exact; gc() leaves the audit clean", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(ops, { maxLength: 30 }), async (list) => {
      const dir = tmp();
      const pool = new FramePool({ pageSize: PS });
      const vs = [0, 1, 2].map((i) => {
        const s = space(pool, i);
        return { s, m: s.read(0, new Uint8Array(PAGES * PS)) };
      });
      const model = new Map<string, Uint8Array | "damaged">();
      let store = openStore(dir, { sync: false });
      try {
        for (const o of list) {
          switch (o.op) {
            case "save": {
              const v = vs[o.v] as (typeof vs)[number];
              await store.save(`n${o.name}`, v.s);
              model.set(`n${o.name}`, v.m.slice());
              break;
            }
            case "write": {
              const v = vs[o.v] as (typeof vs)[number];
              const f = v.s.fork(); // a new version (the store's kept fork shares the old one's frames)
              v.s.release();
              v.s = f;
              f.fill(o.byte, o.page * PS, (o.page + 1) * PS);
              v.m.fill(o.byte, o.page * PS, (o.page + 1) * PS);
              break;
            }
            case "delete":
              expect(await store.delete(`n${o.name}`)).toBe(model.delete(`n${o.name}`));
              break;
            case "damage":
              if (!model.has(`n${o.name}`)) break;
              await store.close();
              await tamper(dir, `n${o.name}`, breakSum);
              model.set(`n${o.name}`, "damaged");
              store = openStore(dir, { sync: false });
              break;
            case "gc": {
              const damaged = [...model].filter(([, m]) => m === "damaged").map(([n]) => n);
              if (damaged.length > 0) {
                await expect(store.gc()).rejects.toBeInstanceOf(CorruptionError);
                break;
              }
              const r = await store.gc();
              if (r.blobsFreed + r.refcountsFixed > 0) reclaimed++;
              expect(store.stats().unreclaimed).toBe(0);
              await store.close();
              expect(auditStore(dir)).toEqual([]);
              store = openStore(dir, { sync: false });
              break;
            }
          }
          const st = store.stats();
          expect(st.unreadable).toEqual(
            [...model]
              .filter(([, m]) => m === "damaged")
              .map(([n]) => n)
              .sort(),
          );
          expect(st.versions).toBe(model.size);
        }
        for (let i = 0; i < 4; i++) {
          const want = model.get(`n${i}`);
          if (want === undefined)
            await expect(store.load(`n${i}`, { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
          else if (want === "damaged")
            await expect(store.load(`n${i}`, { pool })).rejects.toBeInstanceOf(CorruptionError);
          else {
            const v = (await store.load(`n${i}`, { pool })) as AddressSpace;
            expect(v.read(0, new Uint8Array(PAGES * PS))).toEqual(want);
            v.release();
          }
        }
        for (const [n, m] of [...model]) if (m === "damaged") await store.delete(n);
        const r = await store.gc();
        if (r.blobsFreed + r.refcountsFixed > 0) reclaimed++;
        await store.close();
        expect(auditStore(dir)).toEqual([]);
      } finally {
        await store.close();
        for (const v of vs) v.s.release();
      }
      expect(pool.framesInUse).toBe(0);
    }),
    { numRuns: Math.max(1, Math.round(40 * RUNS_SCALE)) },
  );
  expect(reclaimed).toBeGreaterThan(0);
});
