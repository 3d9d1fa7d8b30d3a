/**
 * Review 31: the open lock file is never seen without its holder's tag.
 *
 * Before, a holder created the lock file empty (O_EXCL) and wrote its tag
 * after; an empty lock file older than 1 s is taken for one left by a
 * process killed in between, so a holder stalled longer than that between
 * the two calls (preempted, a slow disk) was taken over by a waiter, and
 * both went on holding the lock. Now the tag is written into a per-thread
 * tag file first, and the lock is taken by linking that file to the lock's
 * name (which fails while it exists), in one step.
 *
 * Here the write of the tag stalls 1.5 s (node:fs's writeSync, mocked) while
 * another process saves in a loop, contending for the lock: once this
 * process holds the lock, the lock file must be its own (its tag) for as
 * long as it holds it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { dropOpenLockTag, OPEN_LOCK, withOpenLock } from "../src/open-lock.js";
import { auditStore } from "./fixtures/audit.js";

const stall = vi.hoisted(() => ({ ms: 0 }));
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const wait = new Int32Array(new SharedArrayBuffer(4));
  return {
    ...real,
    writeSync: (...a: Parameters<typeof real.writeSync>) => {
      if (stall.ms > 0 && typeof a[1] === "string" && /^\d+:\d+:\d+(:\d+)?$/.test(a[1])) {
        Atomics.wait(wait, 0, 0, stall.ms); // the holder is preempted while it writes its tag
        stall.ms = 0;
      }
      return (real.writeSync as (...x: unknown[]) => number)(...a);
    },
  };
});

const here = fileURLToPath(new URL(".", import.meta.url));

it("a holder stalled writing its tag is not taken over: the lock file is its own while it holds it", async () => {
  const out = join(here, "..", "node_modules", ".review31-lock-tag");
  fs.mkdirSync(out, { recursive: true });
  const child = await bundle(join(here, "fixtures/open-write-child.ts"), out, "open-write-child", {
    external: ["lmdb"],
  });
  const dir = fs.mkdtempSync(join(tmpdir(), "pagefork-review31-lock-"));
  await openStore(dir, { sync: false }).close();
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [child, "writer", dir, "1000000"]);
  let text = "";
  proc.stdout.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const exit = new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
  try {
    while (!text.includes("ready")) await new Promise((r) => setTimeout(r, 20));
    proc.stdin.write("loop\n");
    await new Promise((r) => setTimeout(r, 300)); // the child saving, the lock taken and released
    const lock = join(dir, OPEN_LOCK);
    const read = () => {
      try {
        return fs.readFileSync(lock, "utf8");
      } catch {
        return "(no lock file)";
      }
    };
    const seen: string[] = [];
    stall.ms = 1500;
    withOpenLock(dir, () => {
      seen.push(read());
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); // hold it a while
      seen.push(read());
    });
    expect(stall.ms).toBe(0); // the stall happened
    for (const s of seen) expect(s).toMatch(new RegExp(`^${process.pid}:`));
    proc.stdin.write("stop\n");
    expect(await exit).toBe(0);
    expect(auditStore(dir)).toEqual([]);
    dropOpenLockTag(dir); // this thread's tag file (a store's close removes it; no store is open here)
    expect(fs.readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it("tag files of processes that no longer run are removed by the next open; a closed store leaves none", async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), "pagefork-review31-tags-"));
  try {
    await openStore(dir, { sync: false }).close();
    const gone = spawn(process.execPath, ["-e", ""]);
    const pid = gone.pid as number;
    await new Promise((r) => gone.on("exit", r));
    const dead = join(dir, `${OPEN_LOCK}.${pid}.0.tag`);
    fs.writeFileSync(dead, `${pid}:0:0`);
    const live = join(dir, `${OPEN_LOCK}.1.0.tag`); // pid 1 runs
    fs.writeFileSync(live, "1:0:0");
    const s = openStore(dir, { sync: false });
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    await s.close();
    fs.unlinkSync(live);
    expect(fs.readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
