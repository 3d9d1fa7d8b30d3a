/**
 * Review 32: model-based test of the heap together with commit charge and
 * the out-of-memory hook. Each version is one space: a Heap on pages
 * `[0, HEAP_END)` and a raw region `[HEAP_END, SIZE)` written with the bulk
 * calls and mapped, unmapped and protected by page. The model: per version,
 * the live blocks and their contents (a Uint8Array each) and the raw bytes
 * plus one protection per raw page, copied on fork.
 *
 * The pool has a random `maxBytes` and overcommit policy, and a hook that
 * does nothing, throws, releases a standby space (a filler that holds
 * frames, never operated on), or forks the very version the refused call
 * works on (its pages are then shared: the call needs more frames than it
 * counted; the fork must keep the version as it was before the call). After every command every live version reads
 * as its model (blocks, raw bytes, raw mappings), `diff` of two versions on
 * the raw region is the model's, and the commit charge is the bytes the live
 * spaces map. A call that throws must throw an error the model allows, and
 * must leave every space's bytes and the pool's frames and charge as before
 * (the standby, when the hook released it, excepted). At the end every space
 * is released: the pool holds no frame, node or charge.
 *
 * PAGEFORK_TEST_RUNS_SCALE multiplies the number of runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  Heap,
  OutOfMemoryError,
  type Overcommit,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const PAGES = 24;
const SIZE = PAGES * PS;
const HEAP_PAGES = 16;
const HEAP_END = HEAP_PAGES * PS;
const RAW_PAGES = PAGES - HEAP_PAGES;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const NONE = 0;
const RO = 1;
const RW = 2;

interface Version {
  space: AddressSpace;
  heap: Heap;
  blocks: Map<number, Uint8Array>;
  raw: Uint8Array;
  prot: Uint8Array;
}

type Cmd =
  | { c: "malloc"; i: number; size: number; seed: number }
  | { c: "free"; i: number; k: number }
  | { c: "realloc"; i: number; k: number; size: number; seed: number }
  | { c: "fork" | "release" | "check"; i: number }
  | { c: "write"; i: number; at: number; len: number; seed: number }
  | { c: "fill"; i: number; at: number; len: number; v: number }
  | { c: "copyWithin"; i: number; t: number; s: number; len: number }
  | { c: "unmap" | "map" | "ro" | "rw"; i: number; page: number; n: number }
  | { c: "diff"; i: number; j: number };

const idx = fc.nat(7);
const rawAt = fc.nat(RAW_PAGES * PS - 1);
const size = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 3 * PS }) },
  { weight: 1, arbitrary: fc.integer({ min: 3 * PS, max: 8 * PS }) },
);
const pageRange = { page: fc.nat(RAW_PAGES - 1), n: fc.integer({ min: 1, max: 3 }) };
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ c: fc.constant("malloc" as const), i: idx, size, seed: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("free" as const), i: idx, k: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ c: fc.constant("realloc" as const), i: idx, k: fc.nat(), size, seed: fc.nat() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ c: fc.constantFrom("fork" as const, "release" as const, "check" as const), i: idx }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant("write" as const),
      i: idx,
      at: rawAt,
      len: fc.integer({ min: 0, max: 3 * PS }),
      seed: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant("fill" as const),
      i: idx,
      at: rawAt,
      len: fc.integer({ min: 0, max: 3 * PS }),
      v: fc.nat(255),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant("copyWithin" as const),
      i: idx,
      t: rawAt,
      s: rawAt,
      len: fc.integer({ min: 0, max: 3 * PS }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constantFrom("unmap" as const, "map" as const, "ro" as const, "rw" as const),
      i: idx,
      ...pageRange,
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("diff" as const), i: idx, j: idx }) },
);

type HookMode = "none" | "throw" | "release-standby" | "fork-target";
const setupArb = fc.record({
  maxFrames: fc.constantFrom(Number.POSITIVE_INFINITY, 30, 45, 70, 120),
  overcommit: fc.constantFrom<Overcommit>("never", "heuristic", "always"),
  hook: fc.constantFrom<HookMode>("none", "throw", "release-standby", "fork-target"),
  standbyPages: fc.integer({ min: 0, max: 12 }),
});

class HookError extends Error {}

/** What a call on raw offsets `[a, a + n)` must throw: the first page that is unmapped (segv) or read-only for a write (prot) decides. */
function rawAllowed(v: Version, a: number, n: number, write: boolean): "ok" | "segv" | "prot" {
  if (n === 0) return "ok";
  const last = Math.floor((a + n - 1) / PS);
  for (let p = Math.floor(a / PS); p <= last; p++) {
    if (v.prot[p] === NONE) return "segv";
    if (write && v.prot[p] === RO) return "prot";
  }
  return "ok";
}

/** Everything observable about the versions and the pool (frames, charge), for "a refused call changes nothing". */
function observe(
  pool: FramePool,
  live: readonly Version[],
): { frames: number; committed: number; nodes: number; versions: unknown[]; stats: unknown } {
  const s = pool.stats();
  return {
    frames: s.framesInUse,
    committed: s.committedBytes,
    nodes: s.pageTableNodes,
    versions: live.map((v) => ({
      heap: Array.from(v.space.read(0, new Uint8Array(HEAP_END))),
      raw: Array.from(readRaw(v)),
      maps: v.space.mappings(),
    })),
    stats: live.map((v) => v.space.stats()),
  };
}

/** The raw region of `v` as the model should hold it (unmapped pages read as zero here). */
function readRaw(v: Version): Uint8Array {
  const out = new Uint8Array(RAW_PAGES * PS);
  for (let p = 0; p < RAW_PAGES; p++)
    if (v.prot[p] !== NONE) v.space.read(HEAP_END + p * PS, out.subarray(p * PS, (p + 1) * PS));
  return out;
}

function verify(v: Version, label: string): void {
  for (const [addr, want] of v.blocks) {
    const got = v.space.read(addr, new Uint8Array(want.length));
    expect(Buffer.from(got).equals(Buffer.from(want)), `${label}: block ${addr} (${want.length} B)`).toBe(true);
  }
  const raw = readRaw(v);
  const masked = v.raw.slice();
  for (let p = 0; p < RAW_PAGES; p++) if (v.prot[p] === NONE) masked.fill(0, p * PS, (p + 1) * PS);
  expect(Buffer.from(raw).equals(Buffer.from(masked)), `${label}: raw bytes`).toBe(true);
  // The raw region's mappings are the model's runs.
  const want: { start: number; end: number; protection: string }[] = [
    { start: 0, end: HEAP_END, protection: "read-write" },
  ];
  for (let p = 0; p < RAW_PAGES; p++) {
    if (v.prot[p] === NONE) continue;
    const protection = v.prot[p] === RO ? "read-only" : "read-write";
    const last = want[want.length - 1];
    const start = HEAP_END + p * PS;
    if (last !== undefined && last.end === start && last.protection === protection) last.end = start + PS;
    else want.push({ start, end: start + PS, protection });
  }
  expect(
    v.space.mappings().map((m) => ({ start: m.start, end: m.end, protection: m.protection })),
    `${label}: mappings`,
  ).toEqual(want);
  v.heap.check();
}

/** One run: returns normally or throws an assertion error naming the command. */
function run(
  setup: { maxFrames: number; overcommit: Overcommit; hook: HookMode; standbyPages: number },
  cmds: Cmd[],
): void {
  let standby: AddressSpace | null = null;
  let hookRuns = 0;
  /** The version the current command works on, and the forks the hook made of it. */
  let target: Version | null = null;
  const hookForks: AddressSpace[] = [];
  let forksMade = 0;
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: setup.maxFrames * PS,
    overcommit: setup.overcommit,
    onOutOfMemory: () => {
      hookRuns++;
      if (setup.hook === "throw") throw new HookError("hook");
      if (setup.hook === "release-standby" && standby !== null) {
        standby.release();
        standby = null;
      }
      // at most a few forks per run (each is one more version to check after every call)
      if (
        setup.hook === "fork-target" &&
        target !== null &&
        !target.space.released &&
        hookForks.length + forksMade < 6
      ) {
        forksMade++;
        try {
          hookForks.push(target.space.fork());
        } catch (e) {
          if (!(e instanceof OutOfMemoryError)) throw e; // the fork's own charge refused
        }
      }
    },
  });
  const versions: Version[] = [];
  try {
    let first: AddressSpace;
    try {
      first = new AddressSpace({ size: SIZE, pool });
    } catch (e) {
      // under "never" a limit below one space's size refuses the first space
      expect(e).toBeInstanceOf(OutOfMemoryError);
      expect(setup.overcommit === "never" && setup.maxFrames < PAGES).toBe(true);
      return;
    }
    const heap = Heap.create(first, { limit: HEAP_END });
    versions.push({
      space: first,
      heap,
      blocks: new Map(),
      raw: new Uint8Array(RAW_PAGES * PS),
      prot: new Uint8Array(RAW_PAGES).fill(RW),
    });
    if (setup.standbyPages > 0) {
      try {
        const s = new AddressSpace({ size: setup.standbyPages * PS, pool });
        for (let p = 0; p < setup.standbyPages; p++) s.setUint8(p * PS, 1);
        standby = s;
      } catch (e) {
        if (!(e instanceof OutOfMemoryError || e instanceof HookError)) throw e;
        // a standby that did not fit: the hook may have released nothing; go on without it
        standby = null;
      }
    }
    const charge = () => {
      let n = versions.reduce((t, v) => t + v.space.mappings().reduce((u, m) => u + m.end - m.start, 0), 0);
      if (standby !== null) n += standby.size;
      return n;
    };
    for (let step = 0; step < cmds.length; step++) {
      const cmd = cmds[step] as Cmd;
      const label = `step ${step} ${JSON.stringify(cmd)}`;
      const v = versions[cmd.i % versions.length] as Version;
      target = v;
      /** Runs the real call; on a throw, checks it is allowed and changed nothing. Returns whether it succeeded. */
      const attempt = (fn: () => void, allowed: "ok" | "segv" | "prot"): boolean => {
        const hadStandby = standby !== null;
        const before = observe(pool, versions);
        const hooksBefore = hookRuns;
        let thrown: unknown = null;
        try {
          fn();
        } catch (e) {
          thrown = e;
        }
        const forked = hookForks.length > 0;
        // The hook's forks hold `v` as it was when the call began (nothing written before the reservation).
        for (const f of hookForks.splice(0))
          versions.push({
            space: f,
            heap: Heap.attach(f, 0),
            blocks: new Map([...v.blocks].map(([a, b]) => [a, b.slice()])),
            raw: v.raw.slice(),
            prot: v.prot.slice(),
          });
        if (allowed === "segv") {
          expect(thrown, label).toBeInstanceOf(SegmentationFault);
        } else if (allowed === "prot") {
          expect(thrown, label).toBeInstanceOf(ProtectionFault);
        } else if (thrown !== null) {
          // only the pool may refuse: OutOfMemoryError, or the hook's own error
          const ok = thrown instanceof OutOfMemoryError || (thrown instanceof HookError && hookRuns > hooksBefore);
          if (!ok) throw thrown;
          // the heap's own range may be full (malloc, realloc); anything else needs a pool limit
          if (!(thrown instanceof OutOfMemoryError && (cmd.c === "malloc" || cmd.c === "realloc")))
            expect(setup.maxFrames, `${label}: refused without a limit`).not.toBe(Number.POSITIVE_INFINITY);
        }
        if (thrown !== null) {
          if ((hadStandby && standby === null) || forked) {
            // the hook released the standby or forked: every version reads as before, the pool's counts moved
            const now = observe(pool, versions.slice(0, before.versions.length));
            expect(now.versions, `${label}: versions changed by a refused call`).toEqual(before.versions);
          } else expect(observe(pool, versions), `${label}: changed by a refused call`).toEqual(before);
          return false;
        }
        return true;
      };
      switch (cmd.c) {
        case "malloc": {
          let addr = 0;
          const data = bytes(cmd.seed, cmd.size);
          const ok = attempt(() => {
            addr = v.heap.malloc(cmd.size);
          }, "ok");
          if (ok) {
            expect(v.heap.usableSize(addr), label).toBeGreaterThanOrEqual(cmd.size);
            if (attempt(() => v.space.write(addr, data), "ok")) v.blocks.set(addr, data);
            else v.blocks.set(addr, v.space.read(addr, new Uint8Array(cmd.size))); // contents undefined: take what it holds
          }
          break;
        }
        case "free": {
          if (v.blocks.size === 0) break;
          const addr = [...v.blocks.keys()][cmd.k % v.blocks.size] as number;
          if (attempt(() => v.heap.free(addr), "ok")) v.blocks.delete(addr);
          break;
        }
        case "realloc": {
          if (v.blocks.size === 0) break;
          const addr = [...v.blocks.keys()][cmd.k % v.blocks.size] as number;
          const old = v.blocks.get(addr) as Uint8Array;
          let to = 0;
          if (
            attempt(() => {
              to = v.heap.realloc(addr, cmd.size);
            }, "ok")
          ) {
            v.blocks.delete(addr);
            const keep = Math.min(old.length, cmd.size);
            const got = v.space.read(to, new Uint8Array(keep));
            expect(
              Buffer.from(got).equals(Buffer.from(old.subarray(0, keep))),
              `${label}: realloc kept the prefix`,
            ).toBe(true);
            const data = new Uint8Array(cmd.size);
            data.set(old.subarray(0, keep));
            data.set(bytes(cmd.seed, cmd.size - keep), keep);
            if (attempt(() => v.space.write(to + keep, data.subarray(keep)), "ok")) v.blocks.set(to, data);
            else v.blocks.set(to, v.space.read(to, new Uint8Array(cmd.size)));
          }
          break;
        }
        case "fork": {
          let child: AddressSpace | null = null;
          if (
            attempt(() => {
              child = v.space.fork();
            }, "ok")
          ) {
            const c = child as unknown as AddressSpace;
            versions.push({
              space: c,
              heap: Heap.attach(c, 0),
              blocks: new Map([...v.blocks].map(([a, b]) => [a, b.slice()])),
              raw: v.raw.slice(),
              prot: v.prot.slice(),
            });
          }
          break;
        }
        case "release": {
          if (versions.length === 1) break;
          v.space.release();
          versions.splice(versions.indexOf(v), 1);
          break;
        }
        case "check":
          verify(v, label);
          break;
        case "write": {
          const len = Math.min(cmd.len, RAW_PAGES * PS - cmd.at);
          const data = bytes(cmd.seed, len);
          if (attempt(() => v.space.write(HEAP_END + cmd.at, data), rawAllowed(v, cmd.at, len, true)))
            v.raw.set(data, cmd.at);
          break;
        }
        case "fill": {
          const len = Math.min(cmd.len, RAW_PAGES * PS - cmd.at);
          const a = HEAP_END + cmd.at;
          if (attempt(() => v.space.fill(cmd.v, a, a + len), rawAllowed(v, cmd.at, len, true)))
            v.raw.fill(cmd.v, cmd.at, cmd.at + len);
          break;
        }
        case "copyWithin": {
          const len = Math.min(cmd.len, RAW_PAGES * PS - Math.max(cmd.t, cmd.s));
          const src = rawAllowed(v, cmd.s, len, false);
          const dst = rawAllowed(v, cmd.t, len, true);
          const allowed = src !== "ok" ? src : dst;
          if (attempt(() => v.space.copyWithin(HEAP_END + cmd.t, HEAP_END + cmd.s, HEAP_END + cmd.s + len), allowed))
            v.raw.copyWithin(cmd.t, cmd.s, cmd.s + len);
          break;
        }
        case "unmap":
        case "map":
        case "ro":
        case "rw": {
          const n = Math.min(cmd.n, RAW_PAGES - cmd.page);
          const a = HEAP_END + cmd.page * PS;
          const pages = v.prot.subarray(cmd.page, cmd.page + n);
          if (cmd.c === "unmap") {
            v.space.unmap(a, n * PS);
            pages.fill(NONE);
            v.raw.fill(0, cmd.page * PS, (cmd.page + n) * PS);
          } else if (cmd.c === "map") {
            if (pages.some((p) => p !== NONE)) break; // map refuses an overlap (InvalidArgumentError), tested elsewhere
            if (attempt(() => v.space.map(a, n * PS, "read-write"), "ok")) pages.fill(RW);
          } else {
            const allowed = pages.some((p) => p === NONE) ? "segv" : "ok";
            if (attempt(() => v.space.protect(a, n * PS, cmd.c === "ro" ? "read-only" : "read-write"), allowed))
              pages.fill(cmd.c === "ro" ? RO : RW);
          }
          break;
        }
        case "diff": {
          const w = versions[cmd.j % versions.length] as Version;
          const got = v.space.diff(w.space).filter((a) => a >= HEAP_END);
          const want: number[] = [];
          for (let p = 0; p < RAW_PAGES; p++) {
            const x = v.prot[p] === NONE ? new Uint8Array(PS) : v.raw.subarray(p * PS, (p + 1) * PS);
            const y = w.prot[p] === NONE ? new Uint8Array(PS) : w.raw.subarray(p * PS, (p + 1) * PS);
            if (!Buffer.from(x).equals(Buffer.from(y))) want.push(HEAP_END + p * PS);
          }
          expect(got, label).toEqual(want);
          // "frames" reports every page whose frame differs: a superset of the pages whose bytes differ
          const frames = new Set(v.space.diff(w.space, { compare: "frames" }));
          for (const a of v.space.diff(w.space)) expect(frames.has(a), `${label}: frames diff has ${a}`).toBe(true);
          expect(w.space.diff(v.space), `${label}: diff is symmetric`).toEqual(v.space.diff(w.space));
          break;
        }
      }
      expect(pool.stats().committedBytes, `${label}: charge`).toBe(charge());
      if (setup.maxFrames !== Number.POSITIVE_INFINITY)
        expect(pool.stats().framesInUse, `${label}: frames within the limit`).toBeLessThanOrEqual(setup.maxFrames);
    }
    for (const [k, v] of versions.entries()) verify(v, `end v${k}`);
    // released spaces refuse every call with ReleasedError
    const gone = versions.pop() as Version;
    gone.space.release();
    expect(() => gone.heap.malloc(8)).toThrow(ReleasedError);
    expect(() => gone.space.fill(0, 0, 1)).toThrow(ReleasedError);
    expect(() => gone.space.copyWithin(0, 1, 2)).toThrow(ReleasedError);
    expect(() => gone.space.diff(gone.space)).toThrow(ReleasedError);
  } finally {
    for (const v of versions) v.space.release();
    (standby as AddressSpace | null)?.release();
  }
  const s = pool.stats();
  expect([s.framesInUse, s.pageTableNodes, s.committedBytes]).toEqual([0, 0, 0]);
}

describe("review32: heap, bulk writes and mappings in forks, under commit charge and the out-of-memory hook", () => {
  it(
    "every version reads as its model; refused calls change nothing; the charge is the mapped bytes; no leak",
    async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          setupArb,
          fc.array(cmdArb, { minLength: 10, maxLength: 80, size: "max" }),
          async (setup, cmds) => {
            if (++runs % 10 === 0) await new Promise((r) => setImmediate(r));
            run(setup, cmds);
          },
        ),
        { numRuns: Math.ceil(150 * RUNS_SCALE) },
      );
    },
    60_000 * RUNS_SCALE,
  );
});
