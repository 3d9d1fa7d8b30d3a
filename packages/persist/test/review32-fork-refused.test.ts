/**
 * Review 32: a save that throws changes nothing. `save` took its fork of the
 * version (kept for the next incremental save) only after the transaction
 * had committed; under `overcommit: "never"` a pool with no room left for
 * that fork refused it (OutOfMemoryError) after the commit: the save threw,
 * yet the store held the version under the new name. (A save that hashes
 * pages reads them through a fork, or diffs against a new empty space,
 * inside the transaction, and a full pool refused those there, aborting it;
 * a save diffed against the version saved last that found no page changed
 * made neither.) Now the fork is taken before the transaction.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, OutOfMemoryError } from "@pagefork/core";
import { expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

it("a save whose kept fork the pool refuses throws and changes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review32-fork-"));
  try {
    const store = openStore(dir, { sync: false });
    // Room for two 8-page spaces: the version and the fork the store keeps of it.
    const pool = new FramePool({ pageSize: 4096, overcommit: "never", maxBytes: 16 * 4096 });
    const v1 = new AddressSpace({ size: 8 * 4096, pool });
    v1.setUint32(0, 1);
    await store.save("a", v1);
    const before = store.stats();
    // Under a new name: diffed against "a"'s kept fork (no page differs), then the fork to keep
    // for "b" is refused.
    await expect(store.save("b", v1)).rejects.toThrow(OutOfMemoryError);
    expect(store.list()).toEqual(["a"]);
    expect(store.stats()).toEqual(before);
    // The name saved before is as it was, and still saves incrementally.
    const back = (await store.load("a", { pool: new FramePool({ pageSize: 4096 }) })) as AddressSpace;
    expect(back.getUint32(0)).toBe(1);
    back.release();
    await store.close();
    v1.release();
    expect(pool.framesInUse).toBe(0);
    expect(auditStore(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
