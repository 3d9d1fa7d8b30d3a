/**
 * Review 27: damaged version records.
 *
 * - A record that does not parse (not JSON, or misshapen) stuck its name: a
 *   save under the name and a delete of it parsed the old record to release
 *   its roots and threw CorruptionError, at every try, so the name could
 *   never be written or removed again. Now a save replaces it and a delete
 *   removes it; what it referenced cannot be released (its blobs stay: a
 *   leak, never a wrong free), and every other version is untouched.
 * - A record had no checksum: a digit changed in a number the structure keeps
 *   outside its pages (a vector's length, a history's position) still parsed,
 *   passed the shape checks and loaded a wrong value. Records now carry a
 *   SHA-256 of their text (`sum`); one that fails it is a CorruptionError.
 *   A record saved before (no `sum`) loads as it did.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import { open } from "lmdb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CorruptionError, openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

let dir = "";
let pool: FramePool;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-review27-records-"));
  pool = new FramePool({ pageSize: 256 });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Reads or rewrites the raw record text under `name`, behind the store's back. */
async function raw(name: string, change?: (text: string) => string): Promise<string> {
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  const text = versions.get(name) as string;
  if (change !== undefined) await versions.put(name, change(text));
  await env.close();
  return text;
}

const bytes = (s: AddressSpace) => s.read(0, new Uint8Array(600));

function space(fill: number): AddressSpace {
  const s = new AddressSpace({ size: 1 << 14, pool });
  s.fill(fill, 0, 600);
  return s;
}

describe("review 27: a record that does not parse no longer sticks its name", () => {
  const damages: [string, (text: string) => string][] = [
    ["not JSON", () => "{ torn"],
    ["misshapen (no meta)", (t) => JSON.stringify({ ...JSON.parse(t), meta: undefined, sum: undefined })],
    ["failing its checksum", (t) => t.replace(/"pages":(\d+)/, (_m, d) => `"pages":${Number(d) + 1}`)],
  ];
  for (const [what, damage] of damages)
    it(`${what}: load throws CorruptionError; save replaces it, delete removes it; other names untouched`, async () => {
      let store = openStore(dir, { sync: false });
      const a = space(1);
      const b = space(2);
      await store.save("doc", a);
      await store.save("other", b);
      await store.close();
      await raw("doc", damage);
      store = openStore(dir, { sync: false });
      await expect(store.load("doc", { pool })).rejects.toBeInstanceOf(CorruptionError);
      const c = space(3);
      await store.save("doc", c); // threw CorruptionError before, at every try
      const back = (await store.load("doc", { pool })) as AddressSpace;
      expect(bytes(back)).toEqual(bytes(c));
      back.release();
      await store.close();
      await raw("doc", damage);
      store = openStore(dir, { sync: false });
      expect(await store.delete("doc")).toBe(true); // threw before
      expect(store.list()).toEqual(["other"]);
      const o = (await store.load("other", { pool })) as AddressSpace;
      expect(bytes(o)).toEqual(bytes(b));
      o.release();
      await store.close();
      // only leaks (blobs of the damaged records nobody references), never a missing blob or a refcount too low
      for (const p of auditStore(dir)) {
        const rc = /^refcount of \w+: (\d+), referenced (\d+) times$/.exec(p);
        if (rc !== null) expect(Number(rc[1])).toBeGreaterThan(Number(rc[2]));
        else expect(p).toMatch(/stored but not referenced|refcount kept for unreferenced|^counters/);
      }
      for (const s of [a, b, c]) s.release();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("review 27: record checksums", () => {
  it("a vector's length changed in its record: CorruptionError (regression: loaded a shorter vector)", async () => {
    const store = openStore(dir, { sync: false });
    const v = CowVector.from(Float64Array, [1, 2, 3, 4, 5], { pool });
    await store.save("v", v);
    await store.close();
    const text = await raw("v");
    expect(text).toMatch(/"length":5/);
    await raw("v", (t) => t.replace('"length":5', '"length":4'));
    const again = openStore(dir, { sync: false });
    await expect(again.load("v", { pool })).rejects.toMatchObject({ name: "CorruptionError", version: "v" });
    await again.close();
    v.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a history's position changed in its record: CorruptionError (regression: loaded at another position)", async () => {
    const store = openStore(dir, { sync: false });
    const h = new History(space(1));
    for (let i = 2; i < 5; i++) {
      const next = h.current.fork();
      next.fill(i, 0, 10);
      h.commit(next);
    }
    h.undo();
    await store.saveHistory("h", h);
    await store.close();
    await raw("h", (t) => t.replace('"position":2', '"position":1'));
    const again = openStore(dir, { sync: false });
    await expect(again.loadHistory("h", { pool })).rejects.toBeInstanceOf(CorruptionError);
    await again.close();
    h.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a record saved before checksums (no sum) loads as it did; a saved record's text is its JSON plus the sum", async () => {
    const store = openStore(dir, { sync: false });
    const v = CowVector.from(Float64Array, [1, 2, 3], { pool });
    await store.save("v", v);
    await store.close();
    const text = await raw("v", (t) => {
      const r = JSON.parse(t);
      delete r.sum;
      return JSON.stringify(r);
    });
    expect(text).toMatch(/,"sum":"[0-9a-f]{64}"\}$/);
    const again = openStore(dir, { sync: false });
    const back = (await again.load("v", { pool })) as CowVector<Float64ArrayConstructor>;
    expect([...back]).toEqual([1, 2, 3]);
    back.release();
    await again.close();
    v.release();
    expect(pool.framesInUse).toBe(0);
  });
});
