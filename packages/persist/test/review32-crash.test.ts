/**
 * Review 32, crash safety: a child process (fixtures/crash-child.ts) runs
 * random saves, chunked history saves (one version per transaction, intent
 * records between), deletes, gc and lists over six names, and is killed with
 * SIGKILL at a random moment; the parent reopens the store and checks:
 *
 * - every name holds what the child's last acknowledged operation on it left
 *   (its promise resolved, and the child said so on stdout before the kill),
 *   or what the one operation in flight at the kill would have left: a
 *   version loads byte for byte as `imageAt(v)`, a history has exactly the
 *   versions and position saved, never a part of them (no partial version);
 *   a name whose acknowledged state is absent and not being written is not
 *   listed;
 * - `store.gc()` after the reopen frees nothing and fixes no refcount (so
 *   nothing still referenced is freed and nothing leaked), and every gc the
 *   child ran freed nothing either;
 * - `auditStore` (refcounts recounted from scratch, no orphan blob, no
 *   dangling reference, counters) finds nothing, and no intent record is
 *   left (review 33: the checks above count an intent record's roots as
 *   references, so one whose pages the names also hold went unseen, and
 *   the test passed with the recovery of intent records disabled);
 * - every `delete` the child acknowledged found what the model says, every
 *   `list` listed the model's names.
 *
 * Half the rounds run the child with `sync: false`: a killed process loses
 * nothing acknowledged there either (LMDB's pages are in the OS page cache;
 * only a crash of the machine can lose them, see the README).
 *
 * Seeds: PAGEFORK_TEST_SEED (else random, printed on failure) and the three
 * after it, each its own store; PAGEFORK_TEST_RUNS_SCALE multiplies the
 * rounds per seed (6).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AddressSpace, FramePool } from "@pagefork/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";
import { openStore, VersionNotFoundError } from "../src/index.js";
import { auditStore, intentKeys } from "./fixtures/audit.js";
import { imageAt, KILL_PAGE } from "./fixtures/kill-model.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".review32-crash");
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const ROUNDS = Math.max(1, Math.round(6 * RUNS_SCALE));
const SEED = Number(process.env.PAGEFORK_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
let child = "";
const dirs: string[] = [];

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/crash-child.ts"), out, "crash-child", { external: ["lmdb"] });
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** What a name holds: nothing, one version, or a history (its versions and position). */
type State = null | { v: number } | { vs: number[]; position: number };
/** A child's operation as it printed it. */
type Op =
  | { op: "save"; name: string; v: number }
  | { op: "history"; name: string; vs: number[]; position: number }
  | { op: "delete"; name: string; found?: boolean }
  | { op: "gc"; blobsFreed?: number; refcountsFixed?: number }
  | { op: "list"; names?: string[] };

/**
 * Starts a child ahead: it boots and imports while the parent checks the
 * store the previous child left (Node's start and lmdb's import are most of
 * a round), and opens the store only when `runAndKill` lets it.
 */
function startChild(dir: string, sync: boolean, seed: number, first: number): ChildProcess {
  return spawn(process.execPath, [child, dir, sync ? "sync" : "nosync", String(seed), String(first), "gate"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** The child started for the next round (killed at the end if the test fails first). */
let ahead: ChildProcess | null = null;
afterAll(() => {
  ahead?.kill("SIGKILL");
});

/** Lets `proc` (started ahead) run until `ms` after its "ready", SIGKILLs it, resolves to its stdout lines. */
function runAndKill(proc: ChildProcess, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    // A child that never gets ready (waiting on a lock nobody releases) fails the round with its
    // output instead of hanging the test until its timeout.
    let stuck = false;
    const watchdog = setTimeout(() => {
      stuck = true;
      proc.kill("SIGKILL");
    }, 60_000);
    proc.stdout?.on("data", (d: Buffer) => {
      text += d.toString();
      if (timer === undefined && text.includes("ready\n")) timer = setTimeout(() => proc.kill("SIGKILL"), ms);
    });
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    proc.on("exit", (_code, signal) => {
      clearTimeout(watchdog);
      if (stuck) reject(new Error(`child not ready after 60 s: ${text} ${err}`));
      else if (signal !== "SIGKILL") reject(new Error(`child exited without being killed: ${err}`));
      else resolve(text.split("\n"));
    });
    proc.stdin?.end("go\n");
  });
}

const xorshift = (seed: number) => {
  let s = seed >>> 0 || 1;
  return (n: number): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
};

const images = new Map<number, Uint8Array>();
function imageOf(v: number): Uint8Array {
  let img = images.get(v);
  if (img === undefined) {
    img = imageAt(v);
    images.set(v, img);
    if (images.size > 64) images.delete(images.keys().next().value as number);
  }
  return img;
}

/** What a listed name was read as: one version's bytes, or a history's and its position. */
type Observed = { got: Uint8Array } | { gots: Uint8Array[]; position: number };

/** Loads `name` as it is stored (a version, else a history). */
async function observe(store: ReturnType<typeof openStore>, name: string, pool: FramePool): Promise<Observed> {
  try {
    const s = (await store.load(name, { pool })) as AddressSpace;
    const got = s.read(0, new Uint8Array(s.size));
    s.release();
    return { got };
  } catch (e) {
    if (!(e instanceof VersionNotFoundError)) throw e;
  }
  const h = await store.loadHistory(name, { pool });
  const gots = [...h].map((x) => (x as AddressSpace).read(0, new Uint8Array((x as AddressSpace).size)));
  const position = h.position;
  h.release();
  return { gots, position };
}

/** True when what `observe` read is state `c`, byte for byte. */
function matches(o: Observed, c: State): boolean {
  if (c === null) return false;
  if ("v" in c) return "got" in o && Buffer.compare(o.got, imageOf(c.v)) === 0;
  return (
    "gots" in o &&
    o.position === c.position &&
    o.gots.length === c.vs.length &&
    c.vs.every((v, i) => Buffer.compare(o.gots[i] as Uint8Array, imageOf(v)) === 0)
  );
}

async function runSeed(seed: number): Promise<{ acked: number; kills: number }> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-review32-crash-"));
  dirs.push(dir);
  const rand = xorshift(seed);
  const acked = new Map<string, State>();
  let next = 0;
  let ackCount = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const where = `seed ${seed} round ${round} (PAGEFORK_TEST_SEED=${SEED})`;
    const sync = round % 2 === 1;
    const proc = ahead ?? startChild(dir, sync, seed * 1000 + round, next);
    ahead = null;
    const lines = await runAndKill(proc, rand(250));
    // Replay the child's log against the model.
    let pending: { name: string; state: State } | null = null;
    for (const line of lines) {
      if (!line.startsWith("B ") && !line.startsWith("A ")) continue;
      const op = JSON.parse(line.slice(2)) as Op;
      if (line.startsWith("B ")) {
        if (op.op === "save") {
          pending = { name: op.name, state: { v: op.v } };
          next = Math.max(next, op.v + 1);
        } else if (op.op === "history") pending = { name: op.name, state: { vs: op.vs, position: op.position } };
        else if (op.op === "delete") pending = { name: op.name, state: null };
        else pending = null;
        continue;
      }
      ackCount++;
      if (op.op === "gc") {
        expect({ freed: op.blobsFreed, fixed: op.refcountsFixed }, `child's gc, ${where}`).toEqual({
          freed: 0,
          fixed: 0,
        });
      } else if (op.op === "list") {
        const want = [...acked]
          .filter(([, s]) => s !== null)
          .map(([n]) => n)
          .sort();
        expect(op.names, `child's list, ${where}`).toEqual(want);
      } else {
        if (op.op === "delete")
          expect(op.found, `child's delete of ${op.name}, ${where}`).toBe((acked.get(op.name) ?? null) !== null);
        const p = pending as { name: string; state: State };
        acked.set(p.name, p.state);
      }
      pending = null;
    }
    // The next round's child (its first version number is known now) boots during the check.
    if (round + 1 < ROUNDS) ahead = startChild(dir, (round + 1) % 2 === 1, seed * 1000 + round + 1, next);
    // Reopen: every name is its acknowledged state or the one in flight, whole.
    const store = openStore(dir, { sync: false });
    try {
      const pool = new FramePool({ pageSize: KILL_PAGE });
      const listed = new Set(store.list());
      for (const name of new Set([...acked.keys(), ...listed, ...(pending === null ? [] : [pending.name])])) {
        const candidates: State[] = [acked.get(name) ?? null];
        if (pending !== null && pending.name === name) candidates.push(pending.state);
        let now: State;
        if (!listed.has(name)) {
          expect(candidates, `${name} is gone, ${where}`).toContainEqual(null);
          now = null;
        } else {
          const o = await observe(store, name, pool);
          const hit = candidates.find((c) => matches(o, c));
          expect(hit, `${name} holds neither of ${JSON.stringify(candidates)}, ${where}`).not.toBeUndefined();
          now = hit as State;
        }
        acked.set(name, now);
      }
      expect(pool.framesInUse).toBe(0);
      // No leak: the store holds exactly the distinct non-zero pages of what the names hold (the
      // chunks of a history save cut short were released at the reopen, not kept by their intent).
      const distinct = new Set<string>();
      const zero = new Uint8Array(KILL_PAGE);
      for (const s of acked.values())
        for (const v of s === null ? [] : "v" in s ? [s.v] : s.vs) {
          const img = imageOf(v);
          for (let p = 0; p < img.length; p += KILL_PAGE) {
            const page = img.subarray(p, p + KILL_PAGE);
            if (Buffer.compare(page, zero) !== 0) distinct.add(createHash("sha256").update(page).digest("hex"));
          }
        }
      expect(store.stats().pages, `stored pages, ${where}`).toBe(distinct.size);
      // Nothing referenced is freed, nothing unreferenced kept: gc has nothing to do.
      const g = await store.gc();
      expect({ freed: g.blobsFreed, fixed: g.refcountsFixed }, `gc after reopen, ${where}`).toEqual({
        freed: 0,
        fixed: 0,
      });
      expect(store.stats().unreclaimed).toBe(0);
    } finally {
      await store.close();
    }
    expect(auditStore(dir), where).toEqual([]);
    // No intent record is left: the reopen released those of the killed child's history save (a
    // record whose roots only reach pages and nodes the names hold too is found by nothing else:
    // gc and the audit count its roots as references).
    expect(intentKeys(dir), where).toEqual([]);
  }
  return { acked: ackCount, kills: ROUNDS };
}

it(
  `every acknowledged save, history save and delete survives SIGKILL; gc after reopen frees nothing (4 seeds x ${ROUNDS} kills)`,
  async () => {
    let acks = 0;
    for (let k = 0; k < 4; k++) {
      const r = await runSeed(SEED + k);
      expect(r.kills).toBe(ROUNDS);
      acks += r.acked;
    }
    // The children got to work before their kills (a count, not a rate).
    expect(acks, `PAGEFORK_TEST_SEED=${SEED}`).toBeGreaterThan(0);
  },
  240_000 * Math.max(1, RUNS_SCALE),
);
