/**
 * Node images and format versions: nodes are stored sparse (format 2), a
 * store written by format 1 (dense nodes; fixtures/format1-data.mdb.gz, made
 * by the first release) still loads, is raised to format 2 and stays
 * consistent when written to, and malformed node images are refused. A
 * store of format 2 holding maps and sets of table layout 1 (1 KiB pages, the
 * log at 2^27; fixtures/format2-maps-data.mdb.gz, written by bdadef7, the
 * last build before layout 2) loads, is raised to format 3, and its
 * collections keep working in layout 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { AddressSpace, FramePool } from "@pagefork/core";
import { type CowKey, type CowMap, type CowSet, collectionStateOf } from "@pagefork/map";
import type { CowText } from "@pagefork/string";
import { open } from "lmdb";
import { afterEach, beforeEach, expect, it } from "vitest";
import { FORMAT_VERSION, openStore } from "../src/index.js";
import { decodeNode, encodeNode, NODE_MAGIC } from "../src/node-image.js";
import { auditStore } from "./fixtures/audit.js";

const here = fileURLToPath(new URL(".", import.meta.url));
let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-format-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The space the fixture saved as "space": 80 pages of 256 bytes, page p filled with p + 1 at pages 0, 3, 9, 40, 79. */
function fixtureSpace(pool: FramePool): AddressSpace {
  const s = new AddressSpace({ size: 80 * 256, pool });
  for (const p of [0, 3, 9, 40, 79]) s.fill(p + 1, p * 256, (p + 1) * 256);
  return s;
}

const bytesOf = (s: AddressSpace) => Buffer.from(s.read(0, new Uint8Array(s.size)));

/** The store in `dir` passes its audit and records the current format in its meta table. */
async function expectCurrentFormat(dir: string): Promise<void> {
  expect(auditStore(dir)).toEqual([]);
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false, readOnly: true });
  expect(env.openDB({ name: "meta", encoding: "json" }).get("format")).toEqual({
    magic: "pagefork-persist",
    version: FORMAT_VERSION,
  });
  await env.close();
}

it("a node of one entry is stored as 40 bytes, not 8 + fanout x 32", async () => {
  const store = openStore(dir, { sync: false });
  const pool = new FramePool({ pageSize: 256 });
  const s = new AddressSpace({ size: 80 * 256, pool }); // fanout 8: three levels reach page 79
  s.fill(1, 79 * 256, 80 * 256);
  const r = await store.save("one", s);
  expect([r.pagesWritten, r.nodesWritten]).toEqual([1, 3]);
  expect(store.stats().nodeBytes).toBe(3 * (8 + 32));
  const back = (await store.load("one", { pool })) as AddressSpace;
  expect(bytesOf(back).equals(bytesOf(s))).toBe(true);
  back.release();
  s.release();
  await store.close();
});

it("a store of format 1 loads, is raised to format 2, and stays consistent when written to", async () => {
  writeFileSync(join(dir, "data.mdb"), gunzipSync(readFileSync(join(here, "fixtures/format1-data.mdb.gz"))));
  expect(auditStore(dir)).toEqual([]); // the audit reads dense nodes too
  const pool = new FramePool({ pageSize: 256 });
  const want = fixtureSpace(pool);
  let store = openStore(dir, { sync: false });
  expect(store.list()).toEqual(["hist", "space", "text"]);
  const s = (await store.load("space", { pool })) as AddressSpace;
  expect(bytesOf(s).equals(bytesOf(want))).toBe(true);
  const t = (await store.load("text", { pool })) as CowText;
  expect(t.toString()).toBe("format one ".repeat(40));
  const h = await store.loadHistory("hist", { pool });
  const imgs = [...h].map((v) => bytesOf(v as AddressSpace));
  expect(imgs.length).toBe(4);
  expect(imgs[0]?.equals(bytesOf(want))).toBe(true);
  for (let i = 1; i < 4; i++) expect(imgs[i]?.[9 * 256]).toBe(200 + i - 1);
  // Written to: sparse nodes beside dense ones, old dense nodes freed.
  const next = s.fork();
  next.fill(7, 41 * 256, 42 * 256);
  await store.save("space", next);
  await store.delete("text");
  t.insert(0, ">");
  await store.save("text2", t);
  await store.close();
  await expectCurrentFormat(dir);
  store = openStore(dir, { sync: false });
  const n2 = (await store.load("space", { pool })) as AddressSpace;
  expect(bytesOf(n2).equals(bytesOf(next))).toBe(true);
  expect(((await store.load("text2", { pool })) as CowText).toString()).toBe(`>${"format one ".repeat(40)}`);
  await store.close();
  for (const x of [n2, next, s, t, want]) x.release();
  h.release();
});

it("node images: encode and decode round-trip; malformed images are refused", () => {
  const dense = Buffer.alloc(8 + 8 * 32);
  dense.writeUInt32LE(NODE_MAGIC, 0);
  dense[4] = 1;
  dense[5] = 3;
  dense.fill(5, 8 + 2 * 32, 8 + 3 * 32);
  dense.fill(9, 8 + 7 * 32, 8 + 8 * 32);
  const image = encodeNode(dense);
  expect(image.length).toBe(8 + 2 * 32);
  expect(image.readUInt16LE(6)).toBe(0b10000100);
  expect(decodeNode(image, 1)?.equals(dense)).toBe(true);
  expect(decodeNode(dense, 1)).toBe(dense); // a dense (format 1) node reads as it is
  expect(decodeNode(image, 0)).toBeNull(); // another level
  expect(decodeNode(image.subarray(0, image.length - 1), 1)).toBeNull(); // short
  expect(decodeNode(Buffer.concat([image, Buffer.alloc(32, 1)]), 1)).toBeNull(); // long
  const wide = Buffer.from(image);
  wide.writeUInt16LE(0b100000100, 6); // an entry past fanout 8
  expect(decodeNode(wide, 1)).toBeNull();
  const empty = Buffer.from(image);
  empty.fill(0, 8, 40); // a present entry that is empty: not canonical
  expect(decodeNode(empty, 1)).toBeNull();
  const magic = Buffer.from(image);
  magic[0] ^= 1;
  expect(decodeNode(magic, 1)).toBeNull();
});

/** What the format-2 fixture's "map" holds: the recipe its writer ran, replayed on a native Map. */
function fixtureMapModel(): Map<CowKey, unknown> {
  const m = new Map<CowKey, unknown>();
  for (let i = 0; i < 600; i++) m.set(`k${i}`, i + 0.25);
  for (let i = 0; i < 600; i += 7) m.delete(`k${i}`);
  m.set("str", "format two");
  m.set("obj", { a: [1, 2, "x"], b: null });
  m.set(7, true);
  return m;
}

it("a store of format 2 with layout-1 maps and sets (made before layout 2) loads, keeps layout 1 through writes, and is raised to format 3", async () => {
  writeFileSync(join(dir, "data.mdb"), gunzipSync(readFileSync(join(here, "fixtures/format2-maps-data.mdb.gz"))));
  expect(auditStore(dir)).toEqual([]);
  const pool = new FramePool({ pageSize: 1024 }); // the map page size of the build that wrote it
  let store = openStore(dir, { sync: false });
  expect(store.list()).toEqual(["hist", "map", "set"]);
  const model = fixtureMapModel();
  const m = (await store.load("map", { pool })) as CowMap<CowKey, unknown>;
  expect(collectionStateOf(m).layout).toBe(1);
  expect(m.space.getUint32(2 ** 27)).not.toBe(0); // its log starts at 2^27 (layout 1), written out
  expect(m.size).toBe(517);
  expect([...m]).toEqual([...model]);
  for (const [k, v] of model) expect(m.get(k)).toEqual(v);
  const set = (await store.load("set", { pool })) as CowSet<number>;
  expect(collectionStateOf(set).layout).toBe(1);
  expect([...set]).toEqual(Array.from({ length: 300 }, (_, i) => i * 3));
  const h = await store.loadHistory("hist", { pool });
  expect([...h].map((v) => (v as CowMap<string, number>).get("v"))).toEqual([0, 1, 2, 3]);
  expect((h.current as CowMap<string, number>).get("only2")).toBe(2);
  // Written to: enough keys to double the buckets several times and grow the log, and deletes.
  const next = m.fork();
  for (let i = 0; i < 5000; i++) {
    next.set(`n${i}`, i);
    model.set(`n${i}`, i);
  }
  for (let i = 1; i < 600; i += 3) {
    next.delete(`k${i}`);
    model.delete(`k${i}`);
  }
  expect(collectionStateOf(next).layout).toBe(1);
  expect([...next]).toEqual([...model]);
  expect([...m]).toEqual([...fixtureMapModel()]); // the loaded version is unchanged
  await store.save("map2", next);
  await store.close();
  await expectCurrentFormat(dir);
  expect(FORMAT_VERSION).toBe(3);
  store = openStore(dir, { sync: false });
  const back = (await store.load("map2", { pool })) as CowMap<CowKey, unknown>;
  expect(collectionStateOf(back).layout).toBe(1);
  expect([...back]).toEqual([...model]);
  await store.close();
  for (const x of [back, next, m, set]) x.release();
  h.release();
  expect(pool.framesInUse).toBe(0);
});
