/**
 * Review 28: the recovery of intent records asks whether each writer is
 * still running once per writer, not twice per record. It asked
 * `process.kill(pid, 0)` for every record before its transaction and again
 * inside it: a history save of another live process 2,000 chunks in made
 * every `openStore` and `saveHistory` of the name send ~4,000 signals. The
 * verdicts are the same (a live writer's records are kept, a dead one's
 * released), checked here too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { afterEach, expect, it, vi } from "vitest";
import { openStore } from "../src/index.js";
import { decodeKey, encodeKey } from "../src/keys.js";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that ran and exited (so no process has it, barring reuse). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(r.stdout.toString());
}

it("each writer is asked about once per recovery; a live writer's records stay, a dead one's go", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review28-abandoned-"));
  dirs.push(dir);
  await openStore(dir, { sync: false }).close();
  const live = process.ppid; // alive, and not this process
  const dead = deadPid();
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, Buffer>({ name: "versions", keyEncoding: "binary", encoding: "string" });
  const key = (pid: number, chunk: number) =>
    encodeKey(`\u0000pending\u0000h\u0000p${pid}t0s0\u0000${String(chunk).padStart(8, "0")}`);
  for (let c = 0; c < 20; c++) {
    await versions.put(key(live, c), "[]");
    await versions.put(key(dead, c), "[]");
  }
  await env.close();
  const kill = vi.spyOn(process, "kill");
  const store = openStore(dir, { sync: false });
  const asked = kill.mock.calls.map((c) => c[0]);
  expect(asked.filter((p) => p === live).length).toBeLessThanOrEqual(1);
  expect(asked.filter((p) => p === dead).length).toBeLessThanOrEqual(1);
  kill.mockRestore();
  await store.close();
  const after = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false, readOnly: true });
  const left = [
    ...after.openDB<string, Buffer>({ name: "versions", keyEncoding: "binary", encoding: "string" }).getKeys(),
  ].map((k) => decodeKey(k as unknown as Buffer));
  await after.close();
  expect(left.length).toBe(20);
  for (const k of left) expect(k).toContain(`p${live}t0s0`);
});
