/**
 * Review 26: a load or loadHistory that fails partway (the pool runs out of
 * frames, or a page of a later version is damaged) throws its typed error and
 * keeps no frame; the store is unchanged and loads again once the cause is gone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, History, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { open } from "lmdb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CorruptionError, openStore } from "../src/index.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-review26-partial-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("review 26: loads that fail partway", () => {
  it("a load or loadHistory refused by the pool's limit keeps no frame, and loads in a larger pool", async () => {
    const src = new FramePool({ pageSize: 256 });
    const store = openStore(dir, { sync: false });
    const s = new AddressSpace({ size: 256 * 256, pool: src });
    for (let p = 0; p < 200; p++) s.fill(p + 1, p * 256, (p + 1) * 256);
    await store.save("big", s);
    let t = CowText.from("x".repeat(20000), { pool: src });
    const h = new History(t);
    for (let i = 0; i < 20; i++) {
      t = t.fork();
      t.insert(i * 900, "y".repeat(300));
      h.commit(t);
    }
    await store.saveHistory("hist", h);
    for (const maxFrames of [10, 100, 150]) {
      const small = new FramePool({ pageSize: 256, maxBytes: maxFrames * 256 });
      await expect(store.load("big", { pool: small })).rejects.toBeInstanceOf(OutOfMemoryError);
      expect(small.framesInUse).toBe(0);
      await expect(store.loadHistory("hist", { pool: small })).rejects.toBeInstanceOf(OutOfMemoryError);
      expect(small.framesInUse).toBe(0);
    }
    const big = new FramePool({ pageSize: 256 });
    const back = (await store.load("big", { pool: big })) as AddressSpace;
    expect(back.getUint8(199 * 256)).toBe(200);
    back.release();
    const hb = await store.loadHistory("hist", { pool: big });
    expect((hb.current as CowText).toString()).toBe(t.toString());
    hb.release();
    expect(big.framesInUse).toBe(0);
    h.release();
    s.release();
    await store.close();
    expect(src.framesInUse).toBe(0);
  });

  it("a damaged page of a later history version: CorruptionError, no frame kept", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = openStore(dir, { sync: false });
    const marker = "a marker that occurs once in the store: 5c1d";
    let t = CowText.from("z".repeat(3000), { pool });
    const h = new History(t);
    for (let i = 0; i < 6; i++) {
      t = t.fork();
      t.insert(10 * i, i === 4 ? marker : "w");
      h.commit(t);
    }
    await store.saveHistory("hist", h);
    h.release();
    await store.close();
    // Flip a byte of the page holding the marker (written by version 5 only).
    const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
    const blobs = env.openDB<Buffer, Buffer>({ name: "blobs", keyEncoding: "binary", encoding: "binary" });
    let hit = 0;
    for (const { key, value } of blobs.getRange()) {
      const at = value.indexOf(Buffer.from(marker, "latin1"));
      if (at < 0) continue;
      const bad = Buffer.from(value);
      bad[at] = (bad[at] as number) ^ 1;
      await blobs.put(key, bad);
      hit++;
    }
    await env.close();
    expect(hit).toBe(1);
    const again = openStore(dir, { sync: false });
    const e = await again.loadHistory("hist", { pool }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptionError);
    expect(e).toMatchObject({ version: "hist" });
    expect(pool.framesInUse).toBe(0);
    await again.close();
  });
});
