/**
 * Review 27: a history save in one process while another opens the store,
 * or saves a history under the same name.
 *
 * `saveHistory` commits its versions in chunks, each leaving an intent
 * record (the roots it retained) until the last writes the record; the
 * intent records of a save cut short by a crash are released by the next
 * `openStore`, and by the next `saveHistory` of the name. Both released the
 * intent records of a save still running in another process: its chunks'
 * roots were released under it, and the history it then committed pointed
 * at freed nodes (CorruptionError at load, refcounts below the references).
 * Intent records now name their writer (pid); only those of this process
 * or of one no longer running are released.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FramePool } from "@pagefork/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";
import { PENDING_PAGE } from "./fixtures/pending-child.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".pending-test");
let child = "";
const dirs: string[] = [];

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/pending-child.ts"), out, "pending-child", { external: ["lmdb"] });
}, 120_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(args: string[]): { c: ChildProcess; lines: Promise<string>; ready: Promise<void> } {
  const c = spawn(process.execPath, [child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  let err = "";
  let onReady: () => void = () => {};
  let notReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    notReady = reject;
  });
  c.stdout?.on("data", (d: Buffer) => {
    text += d.toString();
    if (text.includes("ready\n")) onReady();
  });
  c.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const lines = new Promise<string>((resolve, reject) =>
    c.on("exit", (code, signal) => {
      // a child that died before "ready" fails the test instead of leaving it waiting
      notReady(new Error(`child exited ${code ?? signal} before it was ready: ${err}`));
      if (code === 0 || signal === "SIGKILL") resolve(text);
      else reject(new Error(`child exited ${code ?? signal}: ${err}`));
    }),
  );
  // Handled here too: a test that fails before awaiting them leaves no unhandled rejection.
  ready.catch(() => {});
  lines.catch(() => {});
  return { c, lines, ready };
}

/** Kills `child` (SIGKILL) unless it has exited, and waits for its exit. */
async function stop(child: ReturnType<typeof start> | undefined): Promise<void> {
  if (child === undefined) return;
  if (child.c.exitCode === null && child.c.signalCode === null) child.c.kill("SIGKILL");
  await child.lines.catch(() => {});
}

async function check(dir: string, names: string[], n: number): Promise<void> {
  expect(auditStore(dir)).toEqual([]);
  const store = openStore(dir, { sync: false });
  const pool = new FramePool({ pageSize: PENDING_PAGE });
  for (const name of names) {
    const h = await store.loadHistory(name, { pool });
    expect(h.size).toBe(n);
    h.release();
  }
  await store.close();
  expect(pool.framesInUse).toBe(0);
}

it("a store opened again and again by another process while a history save runs: the history loads, refcounts exact", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-pending-"));
  dirs.push(dir);
  await openStore(dir, { sync: false }).close();
  const opener = start(["open", dir]);
  let saver: ReturnType<typeof start> | undefined;
  try {
    await opener.ready;
    saver = start(["history", dir, "hist", "400"]);
    expect(await saver.lines).toBe("done\n");
  } finally {
    // Killed whatever happened: a child left running kept writing the directory, and
    // afterAll's rmSync failed with ENOTEMPTY on top of the failure.
    await stop(saver);
    await stop(opener);
  }
  await check(dir, ["hist"], 400);
});

it("two processes saving a history under one name at once: the one committed last loads, refcounts exact", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-pending-"));
  dirs.push(dir);
  await openStore(dir, { sync: false }).close();
  const a = start(["history", dir, "hist", "300"]);
  const b = start(["history", dir, "hist", "300"]);
  try {
    expect(await Promise.all([a.lines, b.lines])).toEqual(["done\n", "done\n"]);
  } finally {
    await stop(a);
    await stop(b);
  }
  await check(dir, ["hist"], 300);
});
