/**
 * Sharing versions with worker threads (share.ts, attach.ts, transfer.ts):
 * real worker_threads readers (test/workers/reader.ts), owner writes after
 * share(), pins released in any order across threads, terminated workers,
 * and bad handles.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  InvalidArgumentError,
  InvalidHandleError,
  ProtectionFault,
  ReleasedError,
  type SharedSpaceHandle,
  SharingUnavailableError,
} from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const SIZE = 64 * PAGE; // 2,048 float64s

let readers: Reader[] = [];
let nextKey = 1;

beforeAll(async () => {
  readers = await Promise.all([spawnReader(), spawnReader()]);
});
afterAll(async () => {
  await Promise.all(readers.map((r) => r.terminate()));
});

/** A new space of SIZE bytes whose float64 i holds `fill(i)`. */
function filled(pool: FramePool, fill: (i: number) => number): AddressSpace {
  const s = new AddressSpace({ size: SIZE, pool });
  for (let i = 0; i < SIZE / 8; i++) s.setFloat64(i * 8, fill(i));
  return s;
}

function contents(s: AddressSpace): Float64Array {
  const out = new Float64Array(SIZE / 8);
  for (let i = 0; i < out.length; i++) out[i] = s.getFloat64(i * 8);
  return out;
}

/** Resolves when the owner has swept every pin its readers released (sweeps run on reads of the counters). */
async function settled(pool: FramePool, handles: number): Promise<void> {
  for (let i = 0; i < 200 && pool.stats().sharedHandles !== handles; i++) await new Promise((r) => setTimeout(r, 5));
}

describe("share and attach across threads", () => {
  it("owner writes after share() never change what a worker reads", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(SIZE / 8 - 1), fc.double({ noNaN: true })), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(SIZE / 8 - 1), fc.double({ noNaN: true })), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (before, after, releaseOwner) => {
          const pool = new FramePool({ shared: true, pageSize: PAGE });
          const owner = filled(pool, (i) => i);
          for (const [i, x] of before) owner.setFloat64(i * 8, x);
          const expected = contents(owner); // the model: a plain copy at share time
          const key = nextKey++;
          const reader = readers[key % readers.length] as Reader;
          await reader.call({ op: "attach", key, handle: owner.share() });
          for (const [i, x] of after) owner.setFloat64(i * 8, x);
          if (releaseOwner) owner.release();
          const seen = (await reader.call({ op: "read", key, addr: 0, count: SIZE / 8 })) as Float64Array;
          expect(Array.from(seen)).toEqual(Array.from(expected));
          await reader.call({ op: "release", key });
          if (!releaseOwner) owner.release();
          await settled(pool, 0);
          expect(pool.framesInUse).toBe(0);
          expect(pool.stats().spaces).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("refcounts balance after releases in any order across threads", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(SIZE / 8 - 1), { maxLength: 10 }),
        fc.context(),
        async (versions, edits, ctx) => {
          const pool = new FramePool({ shared: true, pageSize: PAGE });
          let cur = filled(pool, (i) => i * 2);
          const spaces: AddressSpace[] = [];
          const pins: { key: number; reader: Reader }[] = [];
          for (let v = 0; v < versions; v++) {
            for (const e of edits) cur.setFloat64(e * 8, v * 1000 + e);
            for (const reader of readers) {
              const key = nextKey++;
              await reader.call({ op: "attach", key, handle: cur.share() });
              pins.push({ key, reader });
            }
            spaces.push(cur);
            cur = cur.fork();
          }
          spaces.push(cur);
          // Release owners' versions and readers' pins interleaved, in a shuffled order.
          const steps: (() => Promise<unknown>)[] = [
            ...spaces.map((s) => async () => s.release()),
            ...pins.map((p) => () => p.reader.call({ op: "release", key: p.key })),
          ];
          const order = fc.sample(fc.shuffledSubarray(steps, { minLength: steps.length }), 1)[0] as typeof steps;
          ctx.log(`order of ${order.length} releases`);
          for (const step of order) await step();
          await settled(pool, 0);
          expect(pool.framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
          expect(pool.stats().spaces).toBe(0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("a terminated worker leaks nothing", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i + 0.5);
    const reader = await spawnReader();
    await reader.call({ op: "attach", key: 1, handle: owner.share({ worker: reader.worker }) });
    owner.share({ worker: reader.worker }); // never attached
    owner.setFloat64(0, 9); // a copy: the pins hold the old page
    owner.release();
    expect(pool.framesInUse).toBeGreaterThan(0);
    expect(pool.stats().sharedHandles).toBe(2);
    await reader.terminate();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
  });

  it("a write in the worker throws ProtectionFault; fork() there gives a private writable copy", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const reader = readers[0] as Reader;
    const key = nextKey++;
    await reader.call({ op: "attach", key, handle: owner.share() });
    await expect(reader.call({ op: "write", key, addr: 8 })).rejects.toMatchObject({ name: "ProtectionFault" });
    expect(await reader.call({ op: "fork-write", key, addr: 8, value: 77 })).toEqual([77, 1]);
    expect(owner.getFloat64(8)).toBe(1);
    await reader.call({ op: "release", key });
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });

  it("slabs added after a handle reach the worker with the next handle", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, slabBytes: 1 << 16 });
    const owner = new AddressSpace({ size: 1 << 22, pool });
    owner.setFloat64(0, 1);
    const reader = readers[1] as Reader;
    const k1 = nextKey++;
    await reader.call({ op: "attach", key: k1, handle: owner.share() });
    const slabsBefore = pool.slabs.length;
    for (let a = 0; a < 1 << 22; a += PAGE) owner.setFloat64(a, a); // grows the pool by many slabs
    expect(pool.slabs.length).toBeGreaterThan(slabsBefore);
    const k2 = nextKey++;
    await reader.call({ op: "attach", key: k2, handle: owner.share() });
    const last = (1 << 22) - PAGE;
    expect(await reader.call({ op: "read", key: k2, addr: last, count: 1 })).toEqual(new Float64Array([last]));
    expect(await reader.call({ op: "read", key: k1, addr: last, count: 1 })).toEqual(new Float64Array([0]));
    await reader.call({ op: "release", key: k1 });
    await reader.call({ op: "release", key: k2 });
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("bad handles get typed errors and change nothing", () => {
  function setup() {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    return { pool, owner };
  }

  it("forged handles", async () => {
    const { pool, owner } = setup();
    const handle = owner.share();
    const frames = pool.framesInUse;
    const forgeries: unknown[] = [
      null,
      42,
      {},
      { format: "pagefork.shared-space/2" },
      { ...handle, format: "pagefork.shared-space/1" }, // the previous format
      { ...handle, root: handle.root + 1 },
      { ...handle, levels: handle.levels + 1 },
      { ...handle, levels: handle.levels + 16 }, // same low 4 bits: the space keeps levels - 1 in 4 bits of its flags
      { ...handle, id: handle.id + 1 },
      { ...handle, poolId: handle.poolId + 1 },
      { ...handle, slabs: [] },
      { ...handle, nodes: new ArrayBuffer(8) },
    ];
    for (const f of forgeries) {
      expect(() => AddressSpace.attach(f as SharedSpaceHandle)).toThrow(InvalidHandleError);
      await expect((readers[0] as Reader).call({ op: "attach-bad", handle: f })).rejects.toMatchObject({
        name: "InvalidHandleError",
        reason: "forged",
      });
    }
    let caught: unknown;
    try {
      pool.unshare({ format: "x" } as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidHandleError);
    expect((caught as InvalidHandleError).reason).toBe("forged");
    // Nothing changed: the genuine handle still attaches, frames as before.
    expect(pool.framesInUse).toBe(frames);
    const seen = AddressSpace.attach(handle);
    expect(seen.getFloat64(8)).toBe(1);
    seen.release();
    owner.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("handles from another pool", () => {
    const a = setup();
    const b = setup();
    const handle = a.owner.share();
    const frames = b.pool.framesInUse;
    let caught: unknown;
    try {
      b.pool.unshare(handle);
    } catch (e) {
      caught = e;
    }
    expect((caught as InvalidHandleError).reason).toBe("foreign");
    b.owner.share(); // b's registry exists now: still foreign
    expect(() => b.pool.unshare(handle)).toThrow(InvalidHandleError);
    expect(b.pool.framesInUse).toBe(frames);
    expect(a.pool.stats().sharedHandles).toBe(1);
    a.pool.unshare(handle);
    expect(a.pool.stats().sharedHandles).toBe(0);
  });

  it("released and attached handles", async () => {
    const { pool, owner } = setup();
    const h1 = owner.share();
    pool.unshare(h1);
    expect(() => pool.unshare(h1)).toThrow(InvalidHandleError);
    await expect((readers[0] as Reader).call({ op: "attach-bad", handle: h1 })).rejects.toMatchObject({
      reason: "released",
    });
    const h2 = owner.share();
    const key = nextKey++;
    await (readers[0] as Reader).call({ op: "attach", key, handle: h2 });
    const frames = pool.framesInUse;
    await expect((readers[1] as Reader).call({ op: "attach-bad", handle: h2 })).rejects.toMatchObject({
      reason: "attached",
    });
    let caught: unknown;
    try {
      pool.unshare(h2);
    } catch (e) {
      caught = e;
    }
    expect((caught as InvalidHandleError).reason).toBe("attached");
    expect(pool.framesInUse).toBe(frames);
    await (readers[0] as Reader).call({ op: "release", key });
    await settled(pool, 0);
    await expect((readers[1] as Reader).call({ op: "attach-bad", handle: h2 })).rejects.toMatchObject({
      reason: "released",
    });
    owner.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("share() refuses plain pools, released spaces and bad options", () => {
    const plain = new AddressSpace({ size: 4096 });
    expect(() => plain.share()).toThrow(SharingUnavailableError);
    plain.release();
    expect(() => plain.share()).toThrow(ReleasedError);
    const { pool, owner } = setup();
    const frames = pool.framesInUse;
    expect(() => owner.share(7 as never)).toThrow(InvalidArgumentError);
    expect(() => owner.share({ worker: 7 as never })).toThrow(InvalidArgumentError);
    expect(pool.stats().spaces).toBe(1);
    expect(pool.framesInUse).toBe(frames);
    const seen = AddressSpace.attach(owner.share());
    expect(() => seen.share()).toThrow(SharingUnavailableError);
    expect(() => seen.setFloat64(0, 1)).toThrow(ProtectionFault);
    seen.release();
    owner.release();
    expect(pool.framesInUse).toBe(0);
    expect(() => new FramePool({ shared: "yes" as never })).toThrow(InvalidArgumentError);
  });
});

describe("transferCopy", () => {
  it("copies the version's bytes and mappings into a transferable buffer", () => {
    const s = new AddressSpace({ size: 8 * PAGE, pageSize: PAGE });
    s.setFloat64(PAGE, 3.25);
    s.protect(0, PAGE, "read-only");
    s.unmap(4 * PAGE, PAGE);
    const copy = structuredClone(s.transferCopy());
    s.setFloat64(PAGE, 4);
    const there = AddressSpace.attach(copy);
    expect(there.getFloat64(PAGE)).toBe(3.25);
    expect(there.mappings()).toEqual(s.mappings());
    expect(() => there.setFloat64(PAGE, 1)).toThrow(ProtectionFault);
    const mine = there.fork();
    mine.setFloat64(PAGE, 5);
    expect(() => mine.setFloat64(0, 1)).toThrow(ProtectionFault); // the original read-only mapping
    expect([there.getFloat64(PAGE), mine.getFloat64(PAGE)]).toEqual([3.25, 5]);
    mine.release();
    there.release();
    expect(there.pool.framesInUse).toBe(0);
    expect(() => AddressSpace.attach({ ...copy, bytes: new ArrayBuffer(3) })).toThrow(InvalidHandleError);
    expect(copy.pages).toEqual([PAGE]); // only the page written is copied
    s.release();
  });
});
