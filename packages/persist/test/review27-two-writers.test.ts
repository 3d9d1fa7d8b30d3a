/**
 * Review 27: two processes writing one store at once. LMDB serialises write
 * transactions across processes (its lock file), and every save reads the
 * record and refcounts it replaces inside its own write transaction, so the
 * two interleave save by save: each child saves its own names and one name
 * both write (`shared`, `hist`), deletes its old names, while the file grows.
 * Afterwards every name loads as one of the versions written under it, the
 * refcounts equal the references recounted from scratch (auditStore), and
 * the page counters match.
 *
 * Failed once (review 30's brief): a name child 0 had deleted was listed,
 * every refcount exact, i.e. a whole delete transaction lost. Cause: the
 * other child's LMDB open, beside a commit (review30-open-write.test.ts).
 * On a failure the message carries each child's log (every write, what
 * `delete` returned, the newest transaction id after it) and the listing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AddressSpace, FramePool } from "@pagefork/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";
import { newestTxnId, TWO_PAGE, TWO_PAGES, twoByte } from "./fixtures/two-writers-child.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".two-writers-test");
const ROUNDS = 40;
let dir = "";
let child = "";

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/two-writers-child.ts"), out, "two-writers-child", { external: ["lmdb"] });
  dir = mkdtempSync(join(tmpdir(), "pagefork-two-writers-"));
}, 120_000);
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

function runChild(id: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c: ChildProcess = spawn(process.execPath, [child, dir, String(id), String(ROUNDS)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let err = "";
    c.stdout?.on("data", (d: Buffer) => {
      text += d.toString();
    });
    c.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    c.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`child ${id} exited ${code}: ${err}`))));
  });
}

/** The bytes of child `id`'s version of round `r`. */
function image(id: number, r: number): Uint8Array {
  const img = new Uint8Array(TWO_PAGE * TWO_PAGES);
  for (let k = 0; k <= r; k++)
    for (let p = 0; p < TWO_PAGES; p++) {
      const b = twoByte(id, k, p);
      if (b !== 0) img.fill(b, p * TWO_PAGE, (p + 1) * TWO_PAGE);
    }
  return img;
}

it("two processes saving, replacing and deleting in one store at once: every name loads as written, refcounts exact", async () => {
  // the store made first, so that neither child creates it while the other opens it
  await openStore(dir, { sync: false }).close();
  const outs = await Promise.all([runChild(0), runChild(1)]);
  const logs = outs.map((o, id) => `child ${id}:\n${o}`).join("");
  for (const o of outs) expect(o.endsWith("done\n"), logs).toBe(true);
  for (const [id, o] of outs.entries())
    expect(o.match(/ false @/g) ?? [], `a delete of child ${id} found nothing to delete\n${logs}`).toEqual([]);
  const audit = auditStore(dir);
  const store = openStore(dir, { sync: false });
  const pool = new FramePool({ pageSize: TWO_PAGE });
  const names = store.list().sort();
  const own = [0, 1].flatMap((id) => [ROUNDS - 3, ROUNDS - 2, ROUNDS - 1].map((r) => `c${id}-${r}`));
  const diagnosis = `listed: ${names.join(" ")}; newest txn id: ${newestTxnId(dir)}\n${logs}`;
  expect(audit, diagnosis).toEqual([]);
  expect(names, diagnosis).toEqual([...own, "hist", "shared"].sort());
  const read = (v: AddressSpace) => v.read(0, new Uint8Array(TWO_PAGE * TWO_PAGES));
  for (const id of [0, 1])
    for (const r of [ROUNDS - 3, ROUNDS - 2, ROUNDS - 1]) {
      const v = (await store.load(`c${id}-${r}`, { pool })) as AddressSpace;
      expect(read(v)).toEqual(image(id, r));
      v.release();
    }
  const shared = (await store.load("shared", { pool })) as AddressSpace;
  const got = read(shared);
  expect([0, 1].some((id) => Buffer.from(got).equals(Buffer.from(image(id, ROUNDS - 1))))).toBe(true);
  shared.release();
  const h = await store.loadHistory("hist", { pool });
  expect(h.size).toBe(2);
  h.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});
