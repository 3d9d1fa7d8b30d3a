/**
 * Review 25: share()/attach with real worker_threads readers
 * (test/workers/reader.ts): the owner writes, forks and releases while
 * readers read their snapshots; readers that exit without releasing; stale
 * and twice-attached handles; many attach/release cycles, after which the
 * pool holds no frame, no space and no pin.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const PAGES = 32;
const SIZE = PAGES * PAGE;
const N = SIZE / 8;

let r1: Reader;
let r2: Reader;
beforeAll(async () => {
  [r1, r2] = await Promise.all([spawnReader(), spawnReader()]);
});
afterAll(async () => {
  await Promise.all([r1.terminate(), r2.terminate()]);
});

async function settled(pool: FramePool, handles: number): Promise<void> {
  for (let i = 0; i < 400 && pool.stats().sharedHandles !== handles; i++) await new Promise((r) => setTimeout(r, 5));
}

function fillVersion(s: AddressSpace, tag: number): Float64Array {
  const model = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    model[i] = tag * 1e6 + i;
    s.setFloat64(i * 8, model[i] as number);
  }
  return model;
}

describe("readers read their version while the owner writes, forks and releases", () => {
  it("every read equals the bytes at share() time; nothing is left afterwards", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    let live = new AddressSpace({ size: SIZE, pool });
    let model = fillVersion(live, 1);
    const readers = [r1, r2];
    let key = 100;
    for (let round = 0; round < 12; round++) {
      const handed: { reader: Reader; key: number; model: Float64Array }[] = [];
      for (const reader of readers) {
        const k = key++;
        await reader.call({ op: "attach", key: k, handle: live.share({ worker: reader.worker }) });
        handed.push({ reader, key: k, model: model.slice() });
      }
      // Reads run in the workers while this thread rewrites, forks and releases.
      const reads = handed.map((x) => x.reader.call({ op: "read", key: x.key, addr: 0, count: N }));
      for (let j = 0; j < 4; j++) {
        const next = live.fork();
        live.release();
        live = next;
        model = fillVersion(live, round * 10 + j + 2);
        // Versions that take and return frames, so freed frames would be reused at once.
        const churn = new AddressSpace({ size: SIZE, pool });
        fillVersion(churn, -1);
        churn.release();
      }
      const seen = (await Promise.all(reads)) as Float64Array[];
      for (let i = 0; i < handed.length; i++)
        expect(Array.from(seen[i] as Float64Array)).toEqual(Array.from((handed[i] as { model: Float64Array }).model));
      // A worker's private fork writes its own frames, never the owner's.
      const [mine, theirs] = (await r1.call({ op: "fork-write", key: handed[0]?.key, addr: 8, value: -5 })) as number[];
      expect([mine, theirs]).toEqual([-5, handed[0]?.model[1]]);
      expect(live.getFloat64(8)).toBe(model[1]);
      for (const x of handed) await x.reader.call({ op: "release", key: x.key });
    }
    live.release();
    await settled(pool, 0);
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.stats().spaces).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("handles refused in a worker change nothing", () => {
  it("a handle attached twice is refused as attached; after unshare, a stale handle is refused as released", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    const model = fillVersion(s, 7);
    const h = s.share();
    await r1.call({ op: "attach", key: 1, handle: h });
    await expect(r2.call({ op: "attach", key: 1, handle: h })).rejects.toMatchObject({
      name: "InvalidHandleError",
      reason: "attached",
    });
    expect(() => pool.unshare(h)).toThrow(expect.objectContaining({ reason: "attached" }));
    const stale = s.share();
    pool.unshare(stale);
    await expect(r2.call({ op: "attach", key: 2, handle: stale })).rejects.toMatchObject({ reason: "released" });
    expect(() => pool.unshare(stale)).toThrow(expect.objectContaining({ reason: "released" }));
    s.release();
    // The first reader still reads its version, and unpins it.
    const seen = (await r1.call({ op: "read", key: 1, addr: 0, count: N })) as Float64Array;
    expect(Array.from(seen)).toEqual(Array.from(model));
    await r1.call({ op: "release", key: 1 });
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
  });
});

describe("readers that exit without releasing", () => {
  it("share({ worker }): the exit drops its pins, attached or not; dropWorker after that finds nothing", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    fillVersion(s, 3);
    const w = await spawnReader();
    await w.call({ op: "attach", key: 1, handle: s.share({ worker: w.worker }) });
    s.setFloat64(0, 1); // a second version
    await w.call({ op: "attach", key: 2, handle: s.share({ worker: w.worker }) });
    s.share({ worker: w.worker }); // never attached
    expect(pool.stats().sharedHandles).toBe(3);
    s.release();
    await w.terminate();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.dropWorker(w.worker)).toBe(0);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
  });

  it("without { worker }: the pin stays for the pool's lifetime and its frames are never reused", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    fillVersion(s, 4);
    const w = await spawnReader();
    const h = s.share();
    await w.call({ op: "attach", key: 1, handle: h });
    s.release();
    await w.terminate();
    // Documented: unshare refuses an attached handle; the frames stay pinned.
    expect(pool.stats().sharedHandles).toBe(1);
    expect(pool.framesInUse).toBe(PAGES);
    expect(() => pool.unshare(h)).toThrow(expect.objectContaining({ reason: "attached" }));
    expect(() => AddressSpace.attach(h)).toThrow(expect.objectContaining({ reason: "attached" }));
    const other = new AddressSpace({ size: SIZE, pool });
    fillVersion(other, 5);
    expect(pool.framesInUse).toBe(2 * PAGES);
    other.release();
    expect(pool.framesInUse).toBe(PAGES);
  });
});

describe("share({ worker }) for a worker that exited already", () => {
  it("drops the pin at once: the exit that would drop it was emitted before", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    fillVersion(s, 6);
    const w = await spawnReader();
    await w.terminate();
    const h = s.share({ worker: w.worker }); // postMessage to it would drop the handle
    expect(pool.stats().sharedHandles).toBe(0);
    expect(() => AddressSpace.attach(h)).toThrow(expect.objectContaining({ reason: "released" }));
    s.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
    // A live worker's handle made right after is pinned and dropped as usual.
    const live = new AddressSpace({ size: SIZE, pool });
    fillVersion(live, 7);
    const h2 = live.share({ worker: r1.worker });
    expect(pool.stats().sharedHandles).toBe(1);
    pool.unshare(h2);
    live.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("dropWorker on a live worker, many times", () => {
  it("keeps at most one exit listener per worker (none once its pins were dropped), and the exit still drops later pins", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    fillVersion(s, 8);
    const w = await spawnReader();
    const before = w.worker.listenerCount("exit");
    for (let i = 0; i < 20; i++) {
      s.share({ worker: w.worker });
      s.share({ worker: w.worker });
      expect(w.worker.listenerCount("exit")).toBe(before + 1);
      expect(pool.dropWorker(w.worker)).toBe(2);
    }
    // Review 31: the listener holds the pool; it goes with the worker's last pin.
    expect(w.worker.listenerCount("exit")).toBe(before);
    await w.call({ op: "attach", key: 1, handle: s.share({ worker: w.worker }) });
    s.release();
    await w.terminate();
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});

describe("many attach/release cycles", () => {
  it("200 hand-offs to two readers, some unshared before delivery, leave no frame, space or pin", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    let live = new AddressSpace({ size: SIZE, pool });
    fillVersion(live, 9);
    for (let i = 0; i < 100; i++) {
      const h1 = live.share({ worker: r1.worker });
      const h2 = live.share({ worker: r2.worker });
      if (i % 5 === 0) pool.unshare(h2);
      const calls = [r1.call({ op: "attach", key: 5000 + i, handle: h1 })];
      if (i % 5 !== 0) calls.push(r2.call({ op: "attach", key: 5000 + i, handle: h2 }));
      await Promise.all(calls);
      live.setFloat64((i % N) * 8, -i);
      if (i % 7 === 0) {
        const f = live.fork();
        live.release();
        live = f;
      }
      const rel = [r1.call({ op: "release", key: 5000 + i })];
      if (i % 5 !== 0) rel.push(r2.call({ op: "release", key: 5000 + i }));
      await Promise.all(rel);
    }
    live.release();
    await settled(pool, 0);
    const st = pool.stats();
    expect([st.sharedHandles, st.spaces, st.framesInUse, st.pageTableNodes]).toEqual([0, 0, 0, 0]);
  });
});
