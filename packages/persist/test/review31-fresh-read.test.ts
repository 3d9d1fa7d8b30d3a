/**
 * Review 31: a read sees the commits made before it. lmdb-js keeps its read
 * transaction until a timer of the next event-loop turn, so a handle that
 * had read in this turn kept reading its old snapshot after a second handle
 * of the same process committed: `list()` lacked the name just saved,
 * `load` gave the version replaced (or VersionNotFoundError after a save, a
 * version after its delete), `stats()` the old counts. Found by
 * review31-store.model (an `await` of the second handle's save settles in
 * microtasks: no turn passes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import { expect, it } from "vitest";
import { openStore, VersionNotFoundError } from "../src/index.js";

it("list, load, loadHistory and stats of one handle see what another handle committed in the same turn", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review31-fresh-"));
  const pool = new FramePool({ pageSize: 256 });
  const a = new AddressSpace({ size: 4096, pool });
  const one = openStore(dir, { sync: false });
  const two = openStore(dir, { sync: false });
  try {
    a.setUint8(0, 1);
    await one.save("x", a);
    expect(one.list()).toEqual(["x"]); // reads: lmdb-js caches this snapshot for the turn
    expect(one.stats().versions).toBe(1);

    const b = a.fork();
    b.setUint8(0, 2);
    await two.save("x", b);
    await two.save("y", b);
    b.release();
    expect(one.list()).toEqual(["x", "y"]);
    expect(one.stats().versions).toBe(2);
    const got = (await one.load("x", { pool })) as AddressSpace;
    expect(got.getUint8(0)).toBe(2);
    got.release();

    await two.delete("x");
    await expect(one.load("x", { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    expect(one.list()).toEqual(["y"]);

    const h = new History(a.fork());
    await two.saveHistory("h", h);
    h.release();
    const back = await one.loadHistory("h", { pool });
    expect([...back].length).toBe(1);
    back.release();
  } finally {
    await one.close();
    await two.close();
    a.release();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(pool.framesInUse).toBe(0);
});
