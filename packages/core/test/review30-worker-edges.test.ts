/**
 * Review 30: edges of handing versions to a real worker thread. A handle
 * attached after the owner released the version and dropped every space of
 * its pool; transferCopy() moved to a worker (the owner's copy is detached
 * then), of an empty space, of a size that is not a page multiple, of a space
 * with holes and read-only ranges; the local slabs of a worker's forks once
 * the worker released them; and an old handle attached after the owner's
 * pool grew new slabs and a new node arena, next to a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidHandleError } from "../src/index.js";
import { probe } from "./support/probe.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;

let reader: Reader;
beforeAll(async () => {
  reader = await spawnReader();
});
afterAll(async () => {
  await reader.terminate();
});

async function settled(pool: FramePool): Promise<void> {
  for (let i = 0; i < 200 && pool.stats().sharedHandles > 0; i++) await new Promise((r) => setTimeout(r, 5));
}

function filled(pool: FramePool, pages: number, seed: number): { s: AddressSpace; model: Uint8Array } {
  const s = new AddressSpace({ size: pages * PAGE, pool });
  const model = new Uint8Array(pages * PAGE);
  for (let i = 0; i < model.length; i += 7) {
    model[i] = (i + seed) % 251 || 1;
    s.setUint8(i, model[i] as number);
  }
  return { s, model };
}

describe("a handle attached after the owner let go of everything", () => {
  it("the version's pin keeps it: the worker reads it, and its release returns the last frames", async () => {
    const make = () => {
      const pool = new FramePool({ shared: true, pageSize: PAGE });
      const { s, model } = filled(pool, 16, 3);
      const h = s.share();
      s.setUint8(0, 99); // the owner writes on, then releases the live version
      s.release();
      return { pool, h, model };
    };
    const { pool, h, model } = make();
    expect(pool.stats()).toMatchObject({ spaces: 1, sharedHandles: 1 }); // the pin fork alone
    await reader.call({ op: "attach", key: 1, handle: h });
    expect(await reader.call({ op: "bytes", key: 1 })).toEqual(model);
    await reader.call({ op: "fork", key: 1, into: 2 });
    await reader.call({ op: "set8", key: 2, addr: 5, value: 7 });
    await reader.call({ op: "release", key: 1 }); // the fork still holds the pin
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.stats().sharedHandles).toBe(1);
    const forked = model.slice();
    forked[5] = 7;
    expect(await reader.call({ op: "bytes", key: 2 })).toEqual(forked);
    const after = (await reader.call({ op: "release-stats", key: 2 })) as { framesInUse: number; spaces: number };
    expect(after).toEqual({ framesInUse: 0, spaces: 0 });
    await settled(pool);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0, committedBytes: 0 });
  });

  it("a handle the owner unshared after releasing everything is refused as released", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const { s } = filled(pool, 4, 1);
    const h = s.share();
    s.release();
    pool.unshare(h);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0 });
    await expect(reader.call({ op: "attach", key: 3, handle: h })).rejects.toMatchObject({
      name: "InvalidHandleError",
      reason: "released",
    });
  });
});

describe("an old handle attached after the owner's pool grew", () => {
  it("reads its version over the slabs and node arena it carries; a new handle reads the new one", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 8 * PAGE });
    const { s, model } = filled(pool, 8, 5);
    const old = s.share();
    const keep: AddressSpace[] = [];
    // Forks written on every page: new frames, new slabs and (past 256 nodes) a new arena.
    for (let i = 0; i < 400; i++) {
      const f = s.fork();
      for (let p = 0; p < 8; p++) f.setUint8(p * PAGE + 1, (i % 250) + 1);
      keep.push(f);
    }
    const now = s.share();
    expect(now.slabs.length).toBeGreaterThan(old.slabs.length);
    expect(now.nodes.byteLength).toBeGreaterThan(old.nodes.byteLength);
    // The new handle first (the worker's cache of the pool's slabs then holds more than the old one carries).
    await reader.call({ op: "attach", key: 10, handle: now });
    await reader.call({ op: "attach", key: 11, handle: old });
    expect(await reader.call({ op: "bytes", key: 11 })).toEqual(model);
    expect(await reader.call({ op: "bytes", key: 10 })).toEqual(model);
    const last = keep[keep.length - 1] as AddressSpace;
    const h3 = last.share();
    await reader.call({ op: "attach", key: 12, handle: h3 });
    const m3 = model.slice();
    for (let p = 0; p < 8; p++) m3[p * PAGE + 1] = (399 % 250) + 1;
    expect(await reader.call({ op: "bytes", key: 12 })).toEqual(m3);
    // Forks of both in the worker write privately.
    await reader.call({ op: "fork", key: 11, into: 13 });
    await reader.call({ op: "set8", key: 13, addr: 0, value: 200 });
    expect(((await reader.call({ op: "bytes", key: 11 })) as Uint8Array)[0]).toBe(model[0]);
    for (const k of [10, 11, 12, 13]) await reader.call({ op: "release", key: k });
    for (const f of keep) f.release();
    s.release();
    await settled(pool);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0, pageTableNodes: 0 });
  });
});

describe("local slabs of a worker's forks", () => {
  it("are empty once the worker released its forks; the forked view pool is not reused by the next attach", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const { s, model } = filled(pool, 64, 9);
    await reader.call({ op: "attach", key: 20, handle: s.share() });
    await reader.call({ op: "fork", key: 20, into: 21 });
    for (let p = 0; p < 64; p++) await reader.call({ op: "set8", key: 21, addr: p * PAGE, value: 1 });
    const during = (await reader.call({ op: "view-stats", key: 21 })) as { framesInUse: number; bytesReserved: number };
    expect(during.framesInUse).toBe(64);
    const poolA = await reader.call({ op: "pool", key: 20 });
    expect(await reader.call({ op: "release-stats", key: 21 })).toEqual({ framesInUse: 0, spaces: 1 });
    expect(await reader.call({ op: "release-stats", key: 20 })).toEqual({ framesInUse: 0, spaces: 0 });
    await reader.call({ op: "attach", key: 22, handle: s.share() });
    expect(await reader.call({ op: "pool", key: 22 })).not.toBe(poolA);
    expect(await reader.call({ op: "bytes", key: 22 })).toEqual(model);
    await reader.call({ op: "release", key: 22 });
    s.release();
    await settled(pool);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0 });
  });
});

describe("transferCopy() moved to a worker", () => {
  const cases: [string, () => AddressSpace][] = [
    [
      "an empty space (no page written)",
      () => new AddressSpace({ size: 8 * PAGE, pool: new FramePool({ pageSize: PAGE }) }),
    ],
    [
      "a size that is not a page multiple",
      () => {
        const s = new AddressSpace({ size: 3 * PAGE + 5, pool: new FramePool({ pageSize: PAGE }) });
        s.setUint8(3 * PAGE + 4, 9);
        s.setUint8(1, 8);
        return s;
      },
    ],
    [
      "holes, read-only ranges, a discarded page and a page written with zeros",
      () => {
        const s = new AddressSpace({ size: 8 * PAGE, pool: new FramePool({ pageSize: PAGE }) });
        for (let p = 0; p < 8; p++) s.setUint8(p * PAGE + 1, p + 1);
        s.setUint8(7 * PAGE + 1, 0);
        s.unmap(2 * PAGE, PAGE);
        s.protect(4 * PAGE, 2 * PAGE, "read-only");
        s.discard(6 * PAGE, PAGE);
        return s;
      },
    ],
    [
      "a frozen fork of an attached shared version",
      () => {
        const pool = new FramePool({ shared: true, pageSize: PAGE });
        const o = new AddressSpace({ size: 4 * PAGE, pool });
        for (let p = 0; p < 4; p++) o.setUint8(p * PAGE + 1, 40 + p);
        const seen = AddressSpace.attach(o.share());
        o.release();
        const f = seen.fork();
        f.setUint8(PAGE + 1, 1);
        f.freeze();
        seen.release();
        return f;
      },
    ],
  ];
  for (const [name, make] of cases)
    it(`${name}: the worker reads what the owner reads; the owner's moved copy is refused`, async () => {
      const s = make();
      const copy = s.transferCopy();
      const expected = probe(s, PAGE);
      const here = AddressSpace.attach(copy); // same thread, before it moves
      expect(probe(here, PAGE)).toEqual(expected);
      here.release();
      await reader.call({ op: "attach-copy", key: 30, copy }, [copy.bytes]);
      expect(await reader.call({ op: "probe", key: 30, pageSize: PAGE })).toEqual(expected);
      await reader.call({ op: "release", key: 30 });
      expect(copy.bytes.byteLength).toBe(0); // moved (an empty copy's empty buffer too)
      if (copy.pages.length > 0) expect(() => AddressSpace.attach(copy)).toThrow(InvalidHandleError);
      const pool = s.pool;
      s.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0, sharedHandles: 0 });
    });
});

describe("a worker reading while the owner writes, forks and releases at the same time", () => {
  it("every pass in the worker, and every fork it makes, reads the version as shared", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 16 * PAGE });
    const { s, model } = filled(pool, 32, 11);
    const h = s.share();
    await reader.call({ op: "attach", key: 40, handle: h });
    const loop = reader.call({ op: "read-loop", key: 40, ms: 1500 }) as Promise<{
      passes: number;
      differ: number;
      forkDiffer: number;
      first: Uint8Array;
    }>;
    // The owner, concurrently: writes every page (copy-on-write), forks, releases forks and old versions.
    let live = s;
    const end = Date.now() + 1500;
    let round = 0;
    while (Date.now() < end) {
      const next = live.fork();
      for (let p = 0; p < 32; p++) next.setUint8(p * PAGE + (round % PAGE), round & 255);
      live.release();
      live = next;
      round++;
      if (round % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    const r = await loop;
    expect(r.first).toEqual(model);
    expect(r.passes).toBeGreaterThan(0);
    expect([r.differ, r.forkDiffer]).toEqual([0, 0]);
    await reader.call({ op: "release", key: 40 });
    live.release();
    await settled(pool);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0 });
  });
});
