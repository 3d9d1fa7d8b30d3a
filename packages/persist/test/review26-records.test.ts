/**
 * Review 26: a version record that is valid JSON but misshapen (no meta, a
 * size, level count or page count that cannot be, mappings or an array
 * window that do not fit the space) gives a CorruptionError naming the
 * version, never a TypeError, an InvalidArgumentError about the caller's
 * arguments, or a silently wrong value; and a failed load keeps no frame.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import { open } from "lmdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorruptionError, openStore, type Persistable } from "../src/index.js";

// biome-ignore lint/suspicious/noExplicitAny: records are JSON
type Rec = any;

let dir = "";
const pool = new FramePool({ pageSize: 256 });
const records: Record<string, Rec> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-review26-records-"));
  const store = openStore(dir, { sync: false });
  const space = new AddressSpace({ size: 1 << 16, pool });
  space.setFloat64(0, 1.5);
  space.setFloat64(4096, 2.5);
  const array = new CowFloat64Array(100, { pool });
  array.set(3, 3.5);
  const vector = CowVector.from(Float64Array, [1, 2, 3], { pool });
  const text = CowText.from("hello world".repeat(50), { pool });
  const map = new CowMap([["a", 1]], { pool });
  const all: Record<string, Persistable> = { space, array, vector, text, map };
  for (const [k, v] of Object.entries(all)) await store.save(k, v);
  await store.close();
  for (const v of Object.values(all)) v.release();
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  for (const k of Object.keys(all)) records[k] = JSON.parse(versions.get(k) as string);
  await env.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Puts `rec` under `name` behind the store's back, without its checksum (as
 * a record saved before review 27), so that the shape checks are what refuses it.
 */
async function put(name: string, rec: Rec): Promise<void> {
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  await versions.put(name, JSON.stringify({ ...rec, sum: undefined }));
  await env.close();
}

const damage: [string, (r: Rec) => Rec][] = [
  ["no meta", (r) => ({ ...r, meta: undefined })],
  ["meta an array", (r) => ({ ...r, meta: [] })],
  ["size -256", (r) => ({ ...r, size: -256 })],
  ["size 0", (r) => ({ ...r, size: 0 })],
  ["size not a multiple of the page size", (r) => ({ ...r, size: r.size + 100 })],
  ["size past 2^32 pages", (r) => ({ ...r, size: 2 ** 45 })],
  ["page size 3", (r) => ({ ...r, pageSize: 3 })],
  ["levels 0", (r) => ({ ...r, levels: 0 })],
  ["levels 1000", (r) => ({ ...r, levels: 1000 })],
  ["root null while pages > 0", (r) => ({ ...r, root: null })],
  ["pages one more than the tree holds", (r) => ({ ...r, pages: r.pages + 1 })],
  ["pages negative", (r) => ({ ...r, pages: -1 })],
];

const kindDamage: Record<string, [string, (r: Rec) => Rec][]> = {
  space: [
    ["meta {}", (r) => ({ ...r, meta: {} })],
    ["mappings not page-aligned", (r) => ({ ...r, meta: { ...r.meta, mappings: [[0, 7, 0]] } })],
    ["mappings a string", (r) => ({ ...r, meta: { ...r.meta, mappings: "x" } })],
    ["protection 9", (r) => ({ ...r, meta: { ...r.meta, mappings: [[0, r.size, 9]] } })],
    ["mapping past the end", (r) => ({ ...r, meta: { ...r.meta, mappings: [[0, r.size * 2, 0]] } })],
  ],
  array: [
    ["meta {}", (r) => ({ ...r, meta: {} })],
    ["byteOffset not element-aligned", (r) => ({ ...r, meta: { ...r.meta, byteOffset: 3 } })],
    ["byteOffset past the end", (r) => ({ ...r, meta: { ...r.meta, byteOffset: 1e9 } })],
    ["length past the end", (r) => ({ ...r, meta: { ...r.meta, length: 1e9 } })],
    ["length -1", (r) => ({ ...r, meta: { ...r.meta, length: -1 } })],
  ],
  vector: [["meta {}", (r) => ({ ...r, meta: {} })]],
  text: [
    ["meta {}", (r) => ({ ...r, meta: {} })],
    ["length one more than its pages hold", (r) => ({ ...r, meta: { ...r.meta, len: r.meta.len + 1 } })],
    ["length one less than its pages hold", (r) => ({ ...r, meta: { ...r.meta, len: r.meta.len - 1 } })],
    ["root not a node page", (r) => ({ ...r, meta: { ...r.meta, root: r.meta.root + 8 } })],
  ],
  map: [["meta {}", (r) => ({ ...r, meta: {} })]],
};

describe("review 26: misshapen version records", () => {
  for (const kind of ["space", "array", "vector", "text", "map"])
    for (const [what, change] of [...damage, ...(kindDamage[kind] ?? [])])
      it(`${kind}: ${what} gives a CorruptionError and keeps no frame`, async () => {
        const name = `${kind}: ${what}`;
        await put(name, change(records[kind]));
        const store = openStore(dir, { sync: false });
        const before = pool.framesInUse;
        let caught: unknown;
        let got: Persistable | undefined;
        try {
          got = await store.load(name, { pool });
        } catch (e) {
          caught = e;
        }
        got?.release();
        expect(caught).toBeInstanceOf(CorruptionError);
        expect(caught).toMatchObject({ version: name });
        expect(pool.framesInUse).toBe(before);
        await store.close();
      });

  it("the undamaged records still load (the checks refuse nothing sound)", async () => {
    const store = openStore(dir, { sync: false });
    for (const kind of Object.keys(records)) {
      const v = await store.load(kind, { pool });
      v.release();
    }
    await store.close();
    expect(pool.framesInUse).toBe(0);
  });
});
