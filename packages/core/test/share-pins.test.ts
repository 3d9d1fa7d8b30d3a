/**
 * The pin-word protocol's edges (share.ts, attach.ts): a handle made for one
 * worker but attached by another thread, and a release that lands between the
 * owner's sweep and its next wait. Real worker_threads readers
 * (test/workers/reader.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidArgumentError } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const SIZE = 64 * PAGE;

let reader: Reader;
beforeAll(async () => {
  reader = await spawnReader();
});
afterAll(async () => {
  await reader.terminate();
});

function filled(pool: FramePool, fill: (i: number) => number): AddressSpace {
  const s = new AddressSpace({ size: SIZE, pool });
  for (let i = 0; i < SIZE / 8; i++) s.setFloat64(i * 8, fill(i));
  return s;
}

async function settled(pool: FramePool, handles: number): Promise<void> {
  for (let i = 0; i < 200 && pool.stats().sharedHandles !== handles; i++) await new Promise((r) => setTimeout(r, 5));
}

describe("share({ worker }) and the thread that attached", () => {
  it("a handle made for worker A but attached by thread B keeps its pin when A exits", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i + 0.25);
    const a = await spawnReader();
    // Made for A, attached by `reader` (a forwarded or misrouted handle).
    await reader.call({ op: "attach", key: 1, handle: owner.share({ worker: a.worker }) });
    const never = owner.share({ worker: a.worker }); // issued to A, never attached
    owner.release();
    await a.terminate();
    // The unattached handle is dropped with A; the attached one stays pinned by its reader.
    expect(pool.stats().sharedHandles).toBe(1);
    expect(() => pool.unshare(never)).toThrow(expect.objectContaining({ reason: "released" }));
    // New versions take every free frame: none of the attached version's may be among them.
    const others = [filled(pool, () => -1), filled(pool, () => -2)];
    const seen = (await reader.call({ op: "read", key: 1, addr: 0, count: SIZE / 8 })) as Float64Array;
    expect(Array.from(seen)).toEqual(Array.from({ length: SIZE / 8 }, (_, i) => i + 0.25));
    await reader.call({ op: "release", key: 1 });
    for (const o of others) o.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
  });

  it("a handle attached by the worker it was made for is still dropped when that worker exits", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const a = await spawnReader();
    await a.call({ op: "attach", key: 1, handle: owner.share({ worker: a.worker }) });
    owner.release();
    await a.terminate();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("the owner's wait for releases", () => {
  it("a release that lands between a sweep and the next wait is swept without another use of the pool", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const h1 = owner.share();
    owner.setFloat64(0, 5); // a new version: h2 gets its own pin fork
    const h2 = owner.share();
    owner.release();
    await reader.call({ op: "attach", key: 11, handle: h1 });
    await reader.call({ op: "attach", key: 12, handle: h2 });
    // Internals: the registry's pins, and the frame count without a sweep.
    const reg = pool.shares as unknown as { pins: Map<number, { fork: { space: AddressSpace } }> };
    const inUse = () => (pool as unknown as { inUse: number }).inUse;
    // The sweep visits pins in the order they were made: when it drops pin 2,
    // it has already looked at pin 1. Then the reader releases h1, so the
    // sweep's wake counter is stale, and the owner must not wait on the new one.
    const pin2 = (reg.pins.get(h2.id) as { fork: { space: AddressSpace } }).fork;
    const release = pin2.space.release.bind(pin2.space);
    let second: Promise<unknown> | null = null;
    pin2.space.release = () => {
      release();
      const wake = new Int32Array(h1.pins, 0, 1); // the chunk's wake counter
      const seen = Atomics.load(wake, 0);
      second = reader.call({ op: "release", key: 11 });
      // Block this thread (the sweep has not returned) until the reader's release bumped the counter.
      const t0 = Date.now();
      while (Atomics.load(wake, 0) === seen && Date.now() - t0 < 5000) Atomics.wait(wake, 0, seen, 10);
    };
    await reader.call({ op: "release", key: 12 });
    await second;
    for (let i = 0; i < 100 && reg.pins.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(reg.pins.size).toBe(0);
    expect(inUse()).toBe(0);
  });
});

describe("pin chunks (64 pin words per SharedArrayBuffer)", () => {
  type Reg = { pins: Map<number, unknown>; chunks: Set<unknown> };

  it("handles across several chunks: released in any order, swept without another use, chunks retired", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i * 3);
    const frames = pool.framesInUse;
    const handles = Array.from({ length: 150 }, () => owner.share()); // chunks of 64: 64 + 64 + 22
    expect(new Set(handles.map((h) => h.pins)).size).toBe(3);
    expect(handles.map((h) => h.slot)).toEqual(Array.from({ length: 150 }, (_, i) => i % 64));
    owner.setFloat64(0, -1); // a copy: the pins hold the old page
    const keys: number[] = [];
    for (let i = 0; i < handles.length; i++) {
      if (i % 5 === 4) pool.unshare(handles[i] as (typeof handles)[number]);
      else {
        await reader.call({ op: "attach", key: 1000 + i, handle: handles[i] });
        keys.push(1000 + i);
      }
    }
    const seen = (await reader.call({ op: "read", key: 1000 + 148, addr: 0, count: 2 })) as Float64Array;
    expect(Array.from(seen)).toEqual([0, 3]);
    // Release in a scrambled order (a stride coprime to the count).
    const order = keys.map((_, i) => keys[(i * 37) % keys.length] as number);
    for (const key of order) await reader.call({ op: "release", key });
    const reg = pool.shares as unknown as Reg;
    for (let i = 0; i < 200 && reg.pins.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(reg.pins.size).toBe(0); // swept by the owner's waits, no stats() call
    expect(reg.chunks.size).toBe(1); // only the current chunk is kept
    owner.release();
    expect(pool.framesInUse).toBe(0);
    expect(frames).toBeGreaterThan(0);
    // A handle of a retired chunk is refused as released.
    await expect(reader.call({ op: "attach-bad", handle: handles[0] })).rejects.toMatchObject({ reason: "released" });
  });

  it("a changed slot or chunk is a forged handle and changes nothing", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const h1 = owner.share();
    const h2 = owner.share(); // the same version: only id and slot differ
    const frames = pool.framesInUse;
    const forgeries: unknown[] = [
      { ...h1, slot: h2.slot },
      { ...h1, slot: 64 },
      { ...h1, slot: -1 },
      { ...h1, pins: new SharedArrayBuffer(h1.pins.byteLength) },
      { ...h1, pins: new SharedArrayBuffer(16) },
      { ...h1, pins: undefined },
    ];
    for (const f of forgeries)
      await expect(reader.call({ op: "attach-bad", handle: f })).rejects.toMatchObject({
        name: "InvalidHandleError",
        reason: "forged",
      });
    expect(pool.framesInUse).toBe(frames);
    expect(pool.stats().sharedHandles).toBe(2);
    // Both genuine handles still attach, each once.
    for (const [key, h] of [
      [21, h1],
      [22, h2],
    ] as const) {
      await reader.call({ op: "attach", key, handle: h });
      await reader.call({ op: "release", key });
    }
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("a shared pool's slab sizes and the view pool's", () => {
  it("a shared pool starts with a 32 MiB slab (always mapped fresh by glibc); the reader maps every frame to the same slab as the owner", async () => {
    const pool = new FramePool({ shared: true }); // 4 KiB pages, default slabs
    // Each shared buffer ends with a 16-byte fingerprint past its frames (share-format.ts).
    // Past 32 MiB, glibc's largest mmap threshold: never served from the heap, resident at once (constants.ts).
    expect(pool.slabs[0]?.buffer.byteLength).toBe((1 << 25) + 16);
    expect(pool.slabs[0]?.buffer.byteLength).toBeGreaterThan(32 * 1024 * 1024);
    const size = 72 << 20; // three slabs: 32 + 32 + 64 MiB
    const owner = new AddressSpace({ size, pool });
    const probes: number[] = [];
    for (let a = 0; a < size; a += 4096) {
      owner.setFloat64(a, a / 4096 + 0.5);
      if (a % (1 << 23) === 0 || a % (1 << 25) === (1 << 25) - 4096) probes.push(a);
    }
    expect(pool.slabs.map((s) => s.buffer.byteLength - 16)).toEqual([1 << 25, 1 << 25, 1 << 26]);
    expect(pool.stats().bytesReserved).toBe((1 << 25) * 4); // frames only
    await reader.call({ op: "attach", key: 31, handle: owner.share() });
    for (const a of probes) {
      expect(await reader.call({ op: "read", key: 31, addr: a, count: 1 })).toEqual(new Float64Array([a / 4096 + 0.5]));
      // A fork in the reader writes into its own slab and still reads the owner's frames right.
      expect(await reader.call({ op: "fork-write", key: 31, addr: a, value: -a })).toEqual([-a, a / 4096 + 0.5]);
    }
    await reader.call({ op: "release", key: 31 });
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });

  it("a handle with a bad page, slab or first-slab size is forged and changes nothing", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const h = owner.share();
    const frames = pool.framesInUse;
    const forgeries: unknown[] = [
      { ...h, pageSize: 3 },
      { ...h, pageSize: 128 },
      { ...h, slabBytes: h.slabBytes + 1 },
      { ...h, slabBytes: PAGE / 2 },
      { ...h, slabs: [new SharedArrayBuffer(3 * PAGE), ...h.slabs.slice(1)] },
      { ...h, slabs: [new SharedArrayBuffer(h.slabBytes * 2)] },
    ];
    for (const f of forgeries)
      await expect(reader.call({ op: "attach-bad", handle: f })).rejects.toMatchObject({ reason: "forged" });
    expect(pool.framesInUse).toBe(frames);
    await reader.call({ op: "attach", key: 41, handle: h }); // still attachable
    expect(await reader.call({ op: "read", key: 41, addr: 8, count: 1 })).toEqual(new Float64Array([1]));
    await reader.call({ op: "release", key: 41 });
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });

  it("firstSlabBytes out of range is an InvalidArgumentError", () => {
    for (const firstSlabBytes of [3, 128, 1 << 20])
      expect(() => new FramePool({ pageSize: 256, slabBytes: 1 << 16, firstSlabBytes })).toThrow(InvalidArgumentError);
    expect(new FramePool({ pageSize: 256, slabBytes: 1 << 16, firstSlabBytes: 1024 }).slabs[0]?.buffer.byteLength).toBe(
      1024,
    );
  });
});

describe("handles of one unchanged version share one pin fork", () => {
  it("two shares fork once; a write, a protect or an unmap between them forks again; every reader sees its version", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const b = await spawnReader();
    const h1 = owner.share();
    const h2 = owner.share(); // unchanged: the same pin fork
    expect(pool.stats().spaces).toBe(2); // the owner and one pin fork
    expect(pool.stats().sharedHandles).toBe(2);
    owner.setFloat64(0, -1); // changed: the next share forks again
    const h3 = owner.share();
    expect(pool.stats().spaces).toBe(3);
    owner.protect(0, PAGE, "read-only"); // a mapping change alone also makes a new version
    const h4 = owner.share();
    expect(pool.stats().spaces).toBe(4);
    owner.unmap(SIZE - PAGE, PAGE);
    const h5 = owner.share();
    expect(pool.stats().spaces).toBe(5);
    expect([h1.root === h2.root, h4.mappings.writable[0], h5.mappings.ends.at(-1)]).toEqual([true, false, SIZE - PAGE]);
    await reader.call({ op: "attach", key: 51, handle: h1 });
    await b.call({ op: "attach", key: 52, handle: h2 });
    await reader.call({ op: "attach", key: 53, handle: h3 });
    owner.release();
    // Releasing one holder of the shared fork keeps the version for the other.
    await reader.call({ op: "release", key: 51 });
    const frames = pool.framesInUse;
    expect(await b.call({ op: "read", key: 52, addr: 0, count: 2 })).toEqual(new Float64Array([0, 1]));
    expect(await reader.call({ op: "read", key: 53, addr: 0, count: 2 })).toEqual(new Float64Array([-1, 1]));
    pool.unshare(h4);
    pool.unshare(h5);
    await b.call({ op: "release", key: 52 });
    await settled(pool, 1);
    expect(pool.framesInUse).toBeLessThan(frames); // h1/h2's page 0 went with its last holder
    await reader.call({ op: "release", key: 53 });
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
    await b.terminate();
  });

  it("a worker's exit drops its holder only; the other holder's reader still reads", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i + 7);
    const a = await spawnReader();
    await a.call({ op: "attach", key: 1, handle: owner.share({ worker: a.worker }) });
    await reader.call({ op: "attach", key: 61, handle: owner.share({ worker: reader.worker }) });
    owner.release();
    await a.terminate();
    const others = [filled(pool, () => -1), filled(pool, () => -2)]; // would reuse freed frames
    const seen = (await reader.call({ op: "read", key: 61, addr: 0, count: SIZE / 8 })) as Float64Array;
    expect(Array.from(seen)).toEqual(Array.from({ length: SIZE / 8 }, (_, i) => i + 7));
    await reader.call({ op: "release", key: 61 });
    for (const o of others) o.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });
});
