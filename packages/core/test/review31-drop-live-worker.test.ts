/**
 * Review 31: `pool.dropWorker(worker)` called by hand while a Node `Worker`
 * still runs (its `threadId` is >= 0; Node sets it to -1 when the thread
 * exits). It dropped the pins that worker had attached too, so the owner
 * reused their frames while the worker still read them: it read another
 * version's bytes (data corruption, silently). Now the pins a running Node
 * worker attached stay, tied to it: its `release()` or its exit drops them;
 * the handles it did not attach are dropped as before. Real worker_threads
 * reader (test/workers/reader.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const SIZE = 64 * PAGE;

function filled(pool: FramePool, fill: (i: number) => number): AddressSpace {
  const s = new AddressSpace({ size: SIZE, pool });
  for (let i = 0; i < SIZE / 8; i++) s.setFloat64(i * 8, fill(i));
  return s;
}

async function settled(pool: FramePool, handles: number): Promise<void> {
  for (let i = 0; i < 200 && pool.stats().sharedHandles !== handles; i++) await new Promise((r) => setTimeout(r, 5));
}

const readers: Reader[] = [];
afterAll(async () => {
  for (const r of readers) await r.terminate();
});

describe("review 31: dropWorker() of a Node worker that still runs", () => {
  it("keeps the pins it attached (it still reads them) and drops the others; its release or exit drops the rest", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i + 0.5);
    const a = await spawnReader();
    readers.push(a);
    await a.call({ op: "attach", key: 1, handle: owner.share({ worker: a.worker }) });
    await a.call({ op: "attach", key: 2, handle: owner.share({ worker: a.worker }) });
    const never = owner.share({ worker: a.worker }); // not attached
    owner.release();
    expect(pool.dropWorker(a.worker)).toBe(1);
    expect(pool.stats().sharedHandles).toBe(2);
    expect(() => pool.unshare(never)).toThrow(expect.objectContaining({ reason: "released" }));
    // New versions take every free frame: none of the attached version's may be among them.
    const others = [filled(pool, () => -1), filled(pool, () => -2)];
    const seen = (await a.call({ op: "read", key: 1, addr: 0, count: SIZE / 8 })) as Float64Array;
    expect(Array.from(seen)).toEqual(Array.from({ length: SIZE / 8 }, (_, i) => i + 0.5));
    // Its release drops one; a second dropWorker still keeps the other; the exit drops it.
    await a.call({ op: "release", key: 1 });
    await settled(pool, 1);
    expect(pool.stats().sharedHandles).toBe(1);
    expect(pool.dropWorker(a.worker)).toBe(0);
    expect(pool.stats().sharedHandles).toBe(1);
    await a.terminate();
    await settled(pool, 0);
    expect(pool.stats().sharedHandles).toBe(0);
    for (const o of others) o.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("after the worker exited, dropWorker() finds nothing left (the exit dropped its attached pins)", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = filled(pool, (i) => i);
    const a = await spawnReader();
    await a.call({ op: "attach", key: 1, handle: owner.share({ worker: a.worker }) });
    owner.release();
    await a.terminate();
    await settled(pool, 0);
    expect(pool.stats().sharedHandles).toBe(0);
    expect(pool.dropWorker(a.worker)).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });
});
