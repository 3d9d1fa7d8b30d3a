/**
 * Review 28: histories saved and loaded at every position, with and without
 * `maxVersions` and `freeze`, against the in-memory History; and a history
 * record whose own fields (position, maxVersions, freeze) do not fit its
 * versions. Such a record is checked by its checksum when it has one; one
 * without (written before review 27) was not shape-checked past its entries:
 * a bad `freeze` or `maxVersions` made the History constructor throw an
 * InvalidArgumentError after every version was built, and those versions'
 * frames were never released; a position outside the versions, or a
 * `maxVersions` below their count, loaded a history other than the one saved.
 * Now: CorruptionError naming the version, nothing kept.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import fc from "fast-check";
import { open } from "lmdb";
import { afterEach, expect, it } from "vitest";
import { CorruptionError, openStore } from "../src/index.js";
import { encodeKey } from "../src/keys.js";
import { auditStore } from "./fixtures/audit.js";

const PS = 256;
const PAGES = 6;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "pagefork-review28-history-"));
  dirs.push(d);
  return d;
}
const bytes = (v: AddressSpace) => v.read(0, new Uint8Array(PAGES * PS));

it("a history of any length, maxVersions, freeze and position round-trips; it goes on as the original", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(PAGES - 1), fc.integer({ min: 0, max: 3 })), { minLength: 0, maxLength: 10 }),
      fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      fc.boolean(),
      fc.nat(12),
      async (edits, maxVersions, freeze, back) => {
        const dir = tmp();
        const pool = new FramePool({ pageSize: PS });
        const store = openStore(dir, { sync: false, historyTxnBytes: PS * 2 });
        const h = new History(
          new AddressSpace({ size: PAGES * PS, pool }),
          maxVersions === undefined ? { freeze } : { maxVersions, freeze },
        );
        for (const [page, b] of edits) {
          const f = h.fork();
          f.fill(b, page * PS, (page + 1) * PS);
          h.commit(f);
        }
        for (let i = 0; i < back; i++) h.undo();
        try {
          await store.saveHistory("h", h);
          const got = await store.loadHistory("h", { pool });
          expect(got.size).toBe(h.size);
          expect(got.position).toBe(h.position);
          expect(got.maxVersions).toBe(h.maxVersions);
          expect(got.freezes).toBe(h.freezes);
          expect([...got].map((v) => bytes(v as AddressSpace))).toEqual([...h].map(bytes));
          expect((got.current as AddressSpace).frozen).toBe((h.current as AddressSpace).frozen);
          // Both go on alike: a commit drops the redo branch and evicts past maxVersions.
          for (const x of [h, got] as History<AddressSpace>[]) {
            const f = x.fork();
            f.fill(9, 0, PS);
            x.commit(f);
          }
          expect(got.size).toBe(h.size);
          expect(got.position).toBe(h.position);
          expect([...got].map((v) => bytes(v as AddressSpace))).toEqual([...h].map(bytes));
          got.release();
        } finally {
          h.release();
          await store.close();
        }
        expect(auditStore(dir)).toEqual([]);
        expect(pool.framesInUse).toBe(0);
      },
    ),
    { numRuns: Math.max(1, Math.round(60 * RUNS_SCALE)) },
  );
});

it("a history record without a checksum whose position, maxVersions or freeze do not fit: CorruptionError, nothing kept", async () => {
  const dir = tmp();
  const pool = new FramePool({ pageSize: PS });
  let store = openStore(dir, { sync: false });
  const h = new History(new AddressSpace({ size: PAGES * PS, pool }));
  for (let i = 0; i < 3; i++) {
    const f = h.fork();
    f.fill(i + 1, i * PS, (i + 1) * PS);
    h.commit(f);
  }
  await store.saveHistory("h", h);
  h.release();
  await store.close();
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, Buffer>({ name: "versions", keyEncoding: "binary", encoding: "string" });
  const { sum: _sum, ...legacy } = JSON.parse(versions.get(encodeKey("h")) as string);
  const bad: [string, object][] = [
    ["freeze", { freeze: "yes" }],
    ["maxVersions 0", { maxVersions: 0 }],
    ["maxVersions below the versions", { maxVersions: 2 }],
    ["maxVersions 1.5", { maxVersions: 1.5 }],
    ["position past the last", { position: 4 }],
    ["position -1", { position: -1 }],
    ["position 1.5", { position: 1.5 }],
  ];
  for (const [, patch] of bad)
    await versions.put(encodeKey(`h ${JSON.stringify(patch)}`), JSON.stringify({ ...legacy, ...patch }));
  await versions.put(encodeKey("ok"), JSON.stringify(legacy));
  await env.close();
  store = openStore(dir, { sync: false });
  const ok = await store.loadHistory("ok", { pool });
  expect([ok.size, ok.position]).toEqual([4, 3]);
  ok.release();
  for (const [what, patch] of bad) {
    const name = `h ${JSON.stringify(patch)}`;
    const e = await store.loadHistory(name, { pool }).catch((x: unknown) => x);
    expect(e, what).toBeInstanceOf(CorruptionError);
    expect(e, what).toMatchObject({ version: name });
    expect(pool.framesInUse, what).toBe(0);
  }
  await store.close();
});
