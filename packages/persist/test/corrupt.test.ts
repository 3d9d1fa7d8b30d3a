/**
 * Damage: a flipped byte in a stored page, a page missing, a truncated data
 * file, a store or record of a newer format, a directory holding another
 * LMDB database. Each gives a typed error naming what it can (version and
 * page), never a wrong value.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool } from "@pagefork/core";
import { open } from "lmdb";
import { afterEach, beforeEach, expect, it } from "vitest";
import { CorruptionError, FORMAT_VERSION, FormatVersionError, openStore } from "../src/index.js";

const PAGE = 4096;
let dir = "";
let pool: FramePool;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-corrupt-"));
  pool = new FramePool({ pageSize: PAGE });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Saves "doc": pages 0..3 filled with a marker byte each, page 2 with `marker` bytes that occur once in the file. */
async function saveDoc(marker: Uint8Array): Promise<void> {
  const store = openStore(dir, { sync: true });
  const s = new AddressSpace({ size: 16 * PAGE, pool });
  for (let p = 0; p < 4; p++) s.fill(p + 1, p * PAGE, (p + 1) * PAGE);
  s.write(2 * PAGE + 100, marker);
  await store.save("doc", s);
  s.release();
  await store.close();
}

const MARKER = new TextEncoder().encode("a marker that occurs once: 9f2c1e7a");

it("a flipped byte in a stored page: CorruptionError naming the version and the page", async () => {
  await saveDoc(MARKER);
  const file = join(dir, "data.mdb");
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from(MARKER));
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(Buffer.from(MARKER), at + 1)).toBe(-1);
  bytes[at + 3] ^= 1;
  writeFileSync(file, bytes);
  const store = openStore(dir);
  const before = pool.framesInUse;
  const e = await store.load("doc", { pool }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CorruptionError);
  expect(e).toMatchObject({ version: "doc", page: 2, code: "ERR_STORE_CORRUPT" });
  expect(pool.framesInUse).toBe(before); // the half-built version was released
  await store.close();
});

it("a missing page: CorruptionError naming the page", async () => {
  await saveDoc(MARKER);
  // Remove page 1's blob behind the store's back.
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const blobs = env.openDB<Buffer, Buffer>({ name: "blobs", keyEncoding: "binary", encoding: "binary" });
  const page1 = Buffer.alloc(PAGE, 2);
  let victim: Buffer | undefined;
  for (const { key, value } of blobs.getRange())
    if (Buffer.compare(value as Buffer, page1) === 0) victim = key as Buffer;
  expect(victim).toBeDefined();
  await blobs.remove(victim as Buffer);
  await env.close();
  const store = openStore(dir);
  await expect(store.load("doc", { pool })).rejects.toMatchObject({ name: "CorruptionError", version: "doc", page: 1 });
  await store.close();
});

it("a truncated data file: CorruptionError (at open or at load), never a crash or a wrong value", async () => {
  const store = openStore(dir, { sync: false });
  const s = new AddressSpace({ size: 400 * PAGE, pool });
  for (let p = 0; p < 300; p++) s.fill((p % 250) + 1, p * PAGE, (p + 1) * PAGE);
  await store.save("base", s);
  for (let i = 0; i < 20; i++) {
    const f = s.fork();
    f.setUint8(i * 13 * PAGE, 255);
    await store.save(`v${i}`, f);
    f.release();
  }
  await store.close();
  const file = join(dir, "data.mdb");
  const whole = readFileSync(file);
  for (const frac of [0.2, 0.5, 0.9, 0.97, 0.99]) {
    writeFileSync(file, whole.subarray(0, Math.floor((whole.length * frac) / PAGE) * PAGE));
    let st: ReturnType<typeof openStore>;
    try {
      st = openStore(dir);
    } catch (e) {
      expect(e, `cut at ${frac}`).toBeInstanceOf(CorruptionError);
      continue;
    }
    let damaged = 0;
    for (const name of st.list()) {
      try {
        const v = (await st.load(name, { pool })) as AddressSpace;
        // Whatever loads is exact.
        const expected = name === "base" ? 0 : 255;
        if (name !== "base") expect(v.getUint8(Number(name.slice(1)) * 13 * PAGE)).toBe(expected);
        v.release();
      } catch (e) {
        expect(e, `cut at ${frac}`).toBeInstanceOf(CorruptionError);
        damaged++;
      }
    }
    await st.close();
    expect(damaged, `cut at ${frac}: some version must have lost pages`).toBeGreaterThan(0);
  }
  writeFileSync(file, whole.subarray(0, 100)); // shorter than LMDB's meta pages
  expect(() => openStore(dir)).toThrow(CorruptionError);
});

it("a sound file a few pages short of LMDB's last page (pages allocated and freed in one transaction) opens", async () => {
  const store = openStore(dir, { sync: false });
  const s = new AddressSpace({ size: 80 * 256, pool: new FramePool({ pageSize: 256 }) });
  for (const p of [0, 1, 2, 8, 16, 3, 24, 32]) s.fill(p + 1, p * 256, (p + 1) * 256);
  await store.save("d", s);
  await store.delete("d");
  await store.close();
  const again = openStore(dir);
  expect(again.list()).toEqual([]);
  await again.close();
  s.release();
});

it("a store of a newer format: FormatVersionError at open; a record of a newer format: at load", async () => {
  await saveDoc(MARKER);
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  const record = JSON.parse(versions.get("doc") as string);
  await versions.put("doc", JSON.stringify({ ...record, format: FORMAT_VERSION + 1 }));
  // Closed before the store opens: the store reads its keys as bytes (keys.ts), and lmdb-js
  // misreads a database opened at once with two key encodings in one process.
  await env.close();
  const store = openStore(dir);
  await expect(store.load("doc", { pool })).rejects.toBeInstanceOf(FormatVersionError);
  await store.close();
  const again = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  await again.openDB<unknown, string>({ name: "meta", encoding: "json" }).put("format", {
    magic: "pagefork-persist",
    version: FORMAT_VERSION + 1,
  });
  await again.close();
  const e = (() => {
    try {
      openStore(dir);
    } catch (x) {
      return x;
    }
  })();
  expect(e).toBeInstanceOf(FormatVersionError);
  expect(e).toMatchObject({ found: FORMAT_VERSION + 1, supported: FORMAT_VERSION });
  expect(String((e as Error).message)).toMatch(/newer/);
});

it("another LMDB database in the directory: FormatVersionError (not a pagefork store)", async () => {
  const env = open({ path: dir, noSubdir: false, maxDbs: 8 });
  const other = env.openDB<string, string>({ name: "versions", encoding: "string" });
  await other.put("x", "not a record");
  await env.close();
  expect(() => openStore(dir)).toThrow(/not a pagefork store/);
});

it("a version record that is not JSON: CorruptionError naming the version", async () => {
  await saveDoc(MARKER);
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  await versions.put("doc", "{ torn");
  await env.close();
  const store = openStore(dir);
  await expect(store.load("doc", { pool })).rejects.toMatchObject({
    name: "CorruptionError",
    version: "doc",
    page: null,
  });
  await store.close();
});
