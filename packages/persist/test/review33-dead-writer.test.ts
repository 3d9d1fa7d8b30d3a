/**
 * Review 33: the intent records of a history save whose thread ended between
 * two chunks (a Worker terminated, or ended by an uncaught error) are
 * released by the next open, as the open lock's tag file and lock of such a
 * thread are since review 32 (review32-thread-tag.test.ts). Intent records
 * named their writer's pid and Node thread id only, and another thread of a
 * running process was always taken for a live writer: the chunks the Worker
 * had committed stayed stored and counted until the process exited (a leak
 * of every page and node of them, with an intent record the store never
 * dropped). They carry the writer's OS thread id now, asked of
 * `/proc/<pid>/task/<tid>`.
 *
 * Never a wrong release: the records of a Worker still between two chunks
 * (alive) are left by an open in another thread.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { auditStore, intentKeys } from "./fixtures/audit.js";

const here = fileURLToPath(new URL(".", import.meta.url));
let script = "";
const dirs: string[] = [];

beforeAll(async () => {
  const out = join(here, "..", "node_modules", ".review33-dead-writer");
  mkdirSync(out, { recursive: true });
  script = await bundle(join(here, "fixtures/history-worker.ts"), out, "history-worker", { external: ["lmdb"] });
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the worker on a new store and waits until it stopped between two chunks of its history save. */
async function between(): Promise<{ dir: string; worker: Worker }> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review33-writer-"));
  dirs.push(dir);
  const worker = new Worker(script, { workerData: { dir } });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", (m) => (m === "between" ? resolve() : reject(new Error(`worker said ${m}`))));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited (${code}) before its first chunk`)));
  });
  return { dir, worker };
}

/** What the store holds, seen through a handle of this thread: names and pages. */
async function held(dir: string): Promise<{ names: string[]; pages: number; nodes: number }> {
  const store = openStore(dir, { sync: false });
  try {
    const s = store.stats();
    return { names: store.list(), pages: s.pages, nodes: s.nodes };
  } finally {
    await store.close();
  }
}

it("the intent records of a Worker terminated between two chunks are released by the next open", async () => {
  const { dir, worker } = await between();
  await worker.terminate();
  expect(intentKeys(dir)).toHaveLength(1); // its first chunk, committed
  // The open releases them: nothing is named (the history was never committed), so nothing is
  // stored. Before, the chunk's page and nodes stayed, held by an intent record never dropped.
  expect(await held(dir)).toEqual({ names: [], pages: 0, nodes: 0 });
  expect(intentKeys(dir)).toEqual([]);
  expect(auditStore(dir)).toEqual([]);
}, 60_000);

it("the intent records of a Worker still between two chunks are left by an open in another thread", async () => {
  const { dir, worker } = await between();
  try {
    const live = await held(dir);
    expect(live.names).toEqual([]);
    expect(live.pages).toBe(1); // the first version's page, retained by the chunk
    expect(intentKeys(dir)).toHaveLength(1);
    expect(auditStore(dir)).toEqual([]); // the audit counts the intent record's roots
  } finally {
    await worker.terminate();
  }
  expect(await held(dir)).toEqual({ names: [], pages: 0, nodes: 0 });
  expect(intentKeys(dir)).toEqual([]);
}, 60_000);
