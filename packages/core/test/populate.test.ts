/**
 * `FramePoolOptions.populate`: a background thread writes one word per 4 KiB
 * of each new slab. Checked here: what the owner writes survives the thread's
 * writes, even while both write the same slab (compared with a plain
 * Uint8Array model); the thread does take the page faults off the owner's
 * thread (counted in /proc/thread-self/stat on Linux, against an unpopulated
 * pool in the same test) while mapping only a few MiB ahead, not whole slabs; bad options and a missing worker get typed errors
 * and create nothing; every frame comes back on release.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AddressSpace, FramePool, InvalidArgumentError, SharingUnavailableError } from "../src/index.js";

const MIB = 1 << 20;

/** Minor page faults of this thread so far (field 10 of /proc/thread-self/stat), or null off Linux. */
function threadMinorFaults(): number | null {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
  } catch {
    return null;
  }
}

/** Resident bytes of the process (/proc/self/statm), or null off Linux. */
function residentBytes(): number | null {
  try {
    return Number(readFileSync("/proc/self/statm", "utf8").split(" ")[1]) * 4096;
  } catch {
    return null;
  }
}

/** Seeded bytes (xorshift32). */
function pattern(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Index of the first byte where `a` and `b` differ, or -1 (vitest's deep equality walks 16 MiB by string keys). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("populate", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("keeps every byte the owner writes while the thread populates the same slab", async () => {
    const bytes = 16 * MIB;
    // One slab of 16 MiB, handed to the thread at once: the owner's writes below race its populating writes.
    const pool = new FramePool({ pageSize: 1024, populate: true, firstSlabBytes: bytes, slabBytes: bytes });
    expect(pool.populated).toBe(true);
    expect(pool.shared).toBe(false);
    const space = new AddressSpace({ size: bytes - 1024, pool });
    const model = pattern(0x51ab, space.size);
    space.write(0, model);
    const early = space.fork();
    const second = pattern(0x7e57, space.size >>> 1);
    early.write(space.size >>> 2, second); // copy-on-write faults while the thread may still be populating
    await sleep(200); // let the thread finish (16 MiB is ~4,096 writes)
    expect(firstDifference(space.read(0, new Uint8Array(space.size)), model)).toBe(-1);
    const expected = model.slice();
    expected.set(second, space.size >>> 2);
    expect(firstDifference(early.read(0, new Uint8Array(early.size)), expected)).toBe(-1);
    space.release();
    early.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("takes the first-touch page faults off the owner's thread", async () => {
    if (threadMinorFaults() === null || residentBytes() === null) return; // Linux only: nothing to count elsewhere
    // 64 MiB: past glibc's largest mmap threshold (32 MiB), so the plain pool's slab is fresh memory, never reused.
    const bytes = 64 * MIB;
    const faultsWriting = (pool: FramePool): number => {
      const space = new AddressSpace({ size: 4 * MIB, pool });
      const page = new Uint8Array(1024).fill(7);
      const before = threadMinorFaults() as number;
      for (let addr = 0; addr < space.size; addr += 1024) space.write(addr, page); // 4,096 fresh frames
      const faults = (threadMinorFaults() as number) - before;
      space.release();
      return faults;
    };
    const rss0 = residentBytes() as number;
    const populated = new FramePool({ pageSize: 1024, populate: true, firstSlabBytes: bytes, slabBytes: bytes });
    // The pool asks for its first 4 MiB at once (POPULATE_LEAD_BYTES): wait until they are resident (at most 5 s;
    // the count below decides). The writes then take 4 MiB of fresh frames, each MiB asking for one more.
    for (let t = 0; t < 100 && (residentBytes() as number) - rss0 < 3 * MIB; t++) await sleep(50);
    await sleep(200);
    // Bounded: the thread maps the lead, not the whole 64 MiB slab.
    expect((residentBytes() as number) - rss0).toBeLessThan(16 * MIB);
    const plain = new FramePool({ pageSize: 1024, firstSlabBytes: bytes, slabBytes: bytes });
    const plainFaults = faultsWriting(plain);
    const populatedFaults = faultsWriting(populated);
    // 4 MiB of fresh frames is 1,024 pages of 4 KiB: the plain pool faults on each; the populated one on none of them.
    expect(plainFaults).toBeGreaterThanOrEqual(900);
    expect(populatedFaults).toBeLessThan(plainFaults / 4);
  });

  it("refuses a non-boolean populate with a typed error and creates nothing", () => {
    for (const bad of ["yes", 1, 0, {}]) {
      let caught: unknown;
      try {
        new FramePool({ populate: bad as never });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect(String((caught as Error).message)).toMatch(/populate/);
    }
  });

  it("a populated pool is not a shared one: share() still needs shared: true", () => {
    const pool = new FramePool({ populate: true });
    const space = new AddressSpace({ size: 4096, pool });
    expect(pool.slabs.every((s) => s.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(() => space.share()).toThrow(SharingUnavailableError);
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("where no worker thread can start, populate: true throws SharingUnavailableError", async () => {
    vi.resetModules();
    const proc = process as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined; // as on Node before 20.16; Node has no global Worker either
    try {
      const fresh = await import("../src/index.js"); // a copy of the core whose populating thread is not started yet
      expect(() => new fresh.FramePool({ populate: true })).toThrow(SharingUnavailableError);
      expect(() => new fresh.FramePool({ populate: true })).toThrow(/worker thread/);
      const plain = new fresh.FramePool(); // other pools are unaffected
      expect(plain.populated).toBe(false);
    } finally {
      proc.getBuiltinModule = saved;
      vi.resetModules();
    }
  });
});
