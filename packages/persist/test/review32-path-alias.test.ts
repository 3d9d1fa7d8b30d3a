/**
 * Review 32: two handles of one thread on one store opened through two
 * spellings of its path (absolute and relative, or through a symlink). The
 * open lock kept this thread's tag file per path string: the second open
 * replaced the tag file (same file name, a new inode), and the first
 * handle's next write transaction linked the new inode as the lock but
 * released only its own old inode: the lock stayed, held in the name of this
 * live thread, and every later write of either handle waited 30 s
 * (STALE_MS) to take it over. Now the lock and tag are keyed by the
 * directory's real path.
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { AddressSpace, FramePool } from "@pagefork/core";
import { expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { OPEN_LOCK } from "../src/open-lock.js";

it("handles opened through two spellings of one directory write without waiting on each other", async () => {
  const base = mkdtempSync(join(tmpdir(), "pagefork-review32-alias-"));
  const dir = join(base, "db");
  const link = join(base, "link");
  try {
    const a = openStore(dir, { sync: false });
    symlinkSync(dir, link);
    const b = openStore(relative(process.cwd(), link), { sync: false });
    const pool = new FramePool({ pageSize: 4096 });
    const v = new AddressSpace({ size: 4096, pool });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      v.setUint32(0, i);
      await a.save("x", v);
      await b.save("y", v);
      // No lock is left behind between write transactions.
      expect(readdirSync(dir)).not.toContain(OPEN_LOCK);
    }
    // A logical bound, not a speed: a lock left behind is taken over only after 30 s.
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(b.list()).toEqual(["x", "y"]);
    await a.close();
    await b.close();
    v.release();
    expect(readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}, 120_000);
