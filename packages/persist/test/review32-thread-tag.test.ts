/**
 * Review 32: the open lock's tag file (and the lock itself) of a thread that
 * ended without closing its store. A tag file names its thread's OS thread
 * id since review 32, and the next open removes the files of OS threads that
 * no longer run; before, only a dead pid's were removed, so each Worker
 * terminated with a store open left one behind for as long as its process
 * ran, and a lock such a Worker held was taken over only after 30 s
 * (STALE_MS).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { OPEN_LOCK, withOpenLock } from "../src/open-lock.js";

const here = fileURLToPath(new URL(".", import.meta.url));
let script = "";
const dirs: string[] = [];

beforeAll(async () => {
  const out = join(here, "..", "node_modules", ".review32-thread-tag");
  mkdirSync(out, { recursive: true });
  script = await bundle(join(here, "fixtures/tag-worker.ts"), out, "tag-worker", { external: ["lmdb"] });
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tagFiles = (dir: string) => readdirSync(dir).filter((n) => n.startsWith(`${OPEN_LOCK}.`) && n.endsWith(".tag"));

/** Starts the worker on `dir` and waits for its message. */
async function start(dir: string, hold: boolean): Promise<Worker> {
  const w = new Worker(script, { workerData: { dir, hold } });
  await new Promise<void>((resolve, reject) => {
    w.once("message", () => resolve());
    w.once("error", reject);
  });
  return w;
}

/** Starts the worker on `dir`, waits for its message, terminates it. */
async function runAndTerminate(dir: string, hold: boolean): Promise<void> {
  await (await start(dir, hold)).terminate();
}

it("the tag file of a Worker still running is left by an open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review32-tag-"));
  dirs.push(dir);
  const w = await start(dir, false);
  try {
    const theirs = tagFiles(dir);
    expect(theirs).toHaveLength(1);
    const store = openStore(dir, { sync: false });
    try {
      expect(tagFiles(dir)).toHaveLength(2);
      expect(tagFiles(dir)).toEqual(expect.arrayContaining(theirs));
    } finally {
      await store.close();
    }
    expect(tagFiles(dir)).toEqual(theirs);
  } finally {
    await w.terminate();
  }
}, 60_000);

it("the tag files of Workers terminated with a store open are removed by the next open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review32-tag-"));
  dirs.push(dir);
  await runAndTerminate(dir, false);
  const first = tagFiles(dir);
  expect(first).toHaveLength(1); // the Worker's, left behind
  await runAndTerminate(dir, false);
  // The second Worker's open removed the first's (before review 32 both stayed).
  expect(tagFiles(dir)).toHaveLength(1);
  expect(tagFiles(dir)).not.toEqual(first);
  const store = openStore(dir, { sync: false });
  try {
    // Only this thread's own tag file is left.
    expect(tagFiles(dir)).toHaveLength(1);
    expect(tagFiles(dir)[0]).toMatch(new RegExp(`^${OPEN_LOCK.replace(".", "\\.")}\\.${process.pid}\\.`));
    expect(store.list()).toEqual(["w"]);
  } finally {
    await store.close();
  }
  expect(tagFiles(dir)).toEqual([]);
}, 60_000);

it("a lock held by a Worker terminated while holding it is taken over at once, not after 30 s", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review32-tag-"));
  dirs.push(dir);
  await runAndTerminate(dir, true);
  expect(readdirSync(dir)).toContain(OPEN_LOCK); // left held by the dead thread
  const t0 = Date.now();
  withOpenLock(dir, () => {});
  // A logical bound, not a speed: a holder taken for running is waited for STALE_MS (30 s).
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(readdirSync(dir)).not.toContain(OPEN_LOCK);
  const store = openStore(dir, { sync: false });
  try {
    expect(store.list()).toEqual(["w"]);
  } finally {
    await store.close();
  }
}, 60_000);
