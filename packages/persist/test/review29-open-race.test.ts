/**
 * Review 29: `openStore` while another process writes the store.
 *
 * Before LMDB maps `data.mdb`, `openStore` extended a file shorter than
 * LMDB's last page with zero pages (a read past the end of a truncated file
 * through the map is SIGBUS). It took the file's size (stat), then read the
 * meta pages, then `ftruncate`d the file to the last page they named, all
 * outside LMDB's writer lock. A writer in another process could commit
 * between the stat and the read (the meta named a larger last page than the
 * stale size) and then write the pages of its next transaction past that
 * last page, as LMDB does before it writes the next meta page: the
 * `ftruncate` shrank the file and destroyed them, and the history committed
 * next pointed at lost pages ("a page the version shares is missing from the
 * store", in review27-pending.test.ts about one run in three). The size is
 * now taken, and the file extended (never shrunk), under the writer lock.
 *
 * The writer here is a child process run at the moment `openStore` first
 * reads the file (a hook on `readSync`): it commits a transaction that grows
 * the file, then writes bytes past the last page its meta page names, as the
 * page flush of its next transaction would.
 *
 * The format record too was decided from a read outside the write that
 * acted on it: a store found without one was given one with zero counters,
 * and one of an older format raised to this one, in a later transaction.
 * Two processes opening a new store at once: the second reset the counters
 * of the first's saves (stats() off, the counters below zero after their
 * deletes); a newer build raising the store meanwhile was lowered back. The
 * decision is now read again inside the transaction that writes it. Here the
 * other process runs when `openStore` has found no format record (a hook on
 * `getKeysCount`, which it calls then): it opens the store and saves a
 * history.
 *
 * And two processes opening and closing one store in a loop: lmdb-js's LMDB
 * destroys the write mutex in `lock.mdb` when a close finds itself the only
 * user, and an open running beside it then used the destroyed mutex: both
 * failed ("Invalid argument: No transaction to renew", at every open until
 * both closed; also seen in review27-pending when its saver started). Opens
 * and closes are now serialised by a lock file (src/open-lock.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AddressSpace, FramePool } from "@pagefork/core";
import { afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

const hooks = vi.hoisted(() => ({
  beforeRead: null as (() => void) | null,
  beforeCount: null as (() => void) | null,
}));
vi.mock("lmdb", async (importOriginal) => {
  const lmdb = await importOriginal<typeof import("lmdb")>();
  const open = ((...args: Parameters<typeof lmdb.open>) => {
    const env = lmdb.open(...args);
    // Every database of this environment is of this class (lmdb-js makes one per environment).
    const proto = Object.getPrototypeOf(env) as { getKeysCount: (...a: unknown[]) => number };
    const count = proto.getKeysCount;
    proto.getKeysCount = function (this: unknown, ...a: unknown[]) {
      const h = hooks.beforeCount;
      hooks.beforeCount = null;
      h?.();
      return count.apply(this, a);
    };
    return env;
  }) as typeof lmdb.open;
  return { ...lmdb, open };
});
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const readSync = ((...args: Parameters<typeof fs.readSync>) => {
    const h = hooks.beforeRead;
    hooks.beforeRead = null;
    h?.();
    return fs.readSync(...args);
  }) as typeof fs.readSync;
  return { ...fs, readSync, default: { ...fs, readSync } };
});

const PERSIST = fileURLToPath(new URL("..", import.meta.url));
/** Bytes the writer flushes past its last committed page. */
const FLUSHED = 3 * 4096;
/**
 * The other process: commits a 1 MiB value (the file grows), then writes
 * FLUSHED bytes of 0xa5 right after the last page its meta page names, and
 * prints that offset.
 */
const WRITER = `
import { open } from "lmdb";
import { closeSync, openSync, writeSync } from "node:fs";
const dir = process.argv[1];
const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false, noSync: true, overlappingSync: false, cache: false });
const db = env.openDB({ name: "review29-writer", keyEncoding: "binary", encoding: "binary", cache: false });
db.putSync(Buffer.from("k"), Buffer.alloc(1 << 20, 7));
const st = env.getStats();
const end = (st.lastPageNumber + 1) * st.pageSize;
await env.close();
const fd = openSync(dir + "/data.mdb", "r+");
writeSync(fd, Buffer.alloc(${FLUSHED}, 0xa5), 0, ${FLUSHED}, end);
closeSync(fd);
process.stdout.write(String(end));
`;

let dir = "";
let child = "";
beforeAll(async () => {
  const out = join(PERSIST, "node_modules", ".open-race-test");
  mkdirSync(out, { recursive: true });
  child = await bundle(join(PERSIST, "test/fixtures/pending-child.ts"), out, "pending-child", { external: ["lmdb"] });
}, 120_000);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-open-race-"));
});
afterEach(() => {
  hooks.beforeRead = null;
  hooks.beforeCount = null;
  rmSync(dir, { recursive: true, force: true });
});

it("openStore while another process commits and flushes its next pages: the file is never cut short", async () => {
  const pool = new FramePool({ pageSize: 4096 });
  const first = openStore(dir, { sync: false });
  const a = new AddressSpace({ size: 64 * 4096, pool });
  for (let p = 0; p < 16; p++) a.fill(p + 1, p * 4096, (p + 1) * 4096);
  await first.save("a", a);
  await first.close();

  let end = -1;
  let err = "";
  hooks.beforeRead = () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", WRITER, dir], {
      cwd: PERSIST,
      encoding: "utf8",
    });
    err = r.stderr;
    end = Number(r.stdout);
  };
  const store = openStore(dir, { sync: false });
  expect(err).toBe("");
  expect(end).toBeGreaterThan(0);
  const bytes = readFileSync(join(dir, "data.mdb"));
  expect(bytes.length).toBeGreaterThanOrEqual(end + FLUSHED);
  expect(bytes.subarray(end, end + FLUSHED).every((b) => b === 0xa5)).toBe(true);
  const b = (await store.load("a", { pool })) as AddressSpace;
  expect(b.getUint8(5 * 4096)).toBe(6);
  b.release();
  a.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("two processes opening a new store at once: the counters of the first one's saves are kept", async () => {
  let err = "";
  let out = "";
  hooks.beforeCount = () => {
    const r = spawnSync(process.execPath, [child, "history", dir, "hist", "20"], { encoding: "utf8" });
    err = r.stderr;
    out = r.stdout;
  };
  const store = openStore(dir, { sync: false });
  expect(err).toBe("");
  expect(out).toBe("done\n");
  const st = store.stats();
  expect(st.pages).toBeGreaterThan(0);
  await store.close();
  expect(auditStore(dir)).toEqual([]);
  const again = openStore(dir, { sync: false });
  expect(await again.delete("hist")).toBe(true);
  expect(again.stats()).toMatchObject({ pages: 0, pageBytes: 0, nodes: 0, nodeBytes: 0 });
  await again.close();
  expect(auditStore(dir)).toEqual([]);
});

/** Runs the pending-test child with `args`; resolves to its stdout, rejects with its stderr. */
function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    c.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    c.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    c.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

it("two processes opening and closing one store in a loop: every open succeeds", async () => {
  await openStore(dir, { sync: false }).close();
  const loops = [run(["open", dir, "600"]), run(["open", dir, "600"])];
  expect(await Promise.all(loops)).toEqual(["ready\ndone\n", "ready\ndone\n"]);
  expect(readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]); // the open lock was released
}, 120_000);

it("an open lock left by a process that died holding it is taken over", async () => {
  await openStore(dir, { sync: false }).close();
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const lock = join(dir, "pagefork-open.lock");
  writeFileSync(lock, `${gone.stdout}:0:0`);
  const store = openStore(dir, { sync: false });
  expect(existsSync(lock)).toBe(false);
  await store.close();
  // Killed between its create and its write: empty, taken over once old.
  writeFileSync(lock, "");
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  await openStore(dir, { sync: false }).close();
  // Of a running process (its pid reused, say) but older than any open or close takes.
  writeFileSync(lock, `${process.pid}:0:999999`);
  utimesSync(lock, old, old);
  await openStore(dir, { sync: false }).close();
  expect(readdirSync(dir).sort()).toEqual(["data.mdb", "lock.mdb"]);
});

it("a store left open at exit is closed under the open lock", async () => {
  // lmdb-js closes a store left open when the process exits; outside the open lock that close
  // could destroy the write mutex under another process's open (1 in 60 such exits beside a
  // process opening and closing the store in a loop, before review 29).
  await openStore(dir, { sync: false }).close();
  const c = spawn(process.execPath, [child, "open-wait-exit", dir], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  c.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => c.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve) =>
    c.stdout.on("data", (d: Buffer) => d.toString().includes("opened") && resolve()),
  );
  const lock = join(dir, "pagefork-open.lock");
  writeFileSync(lock, `${process.pid}:0:999999`); // held by this (live) process
  c.stdin.end(); // the child exits without close()
  const early = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
  unlinkSync(lock);
  expect(await exited, err).toBe(0);
  expect(early, "the child closed the store without waiting for the open lock").toBe(false);
});
