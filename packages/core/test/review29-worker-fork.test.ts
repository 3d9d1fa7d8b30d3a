/**
 * The local slabs of a fork of an attached version, in a real worker thread
 * (review29-local-slabs.test.ts has the details and the model): a worker
 * attaches a handle, forks it and writes one page. Its view pool reserved
 * the owner's next slab (16 MiB) for that page; now at most 64 KiB. The
 * owner's version never changes, and every frame and pin comes back once
 * both threads released everything. The worker runs inline code that
 * registers the tsx loader and imports the package's sources (no build).
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const SOURCES = new URL("../src/index.ts", import.meta.url).href;

/** The worker: attach, fork, write one page, report what it read and the view pool's local slab bytes. */
const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { register } = await import("tsx/esm/api");
  register();
  const { AddressSpace } = await import(workerData.sources);
  parentPort.on("message", (h) => {
    const seen = AddressSpace.attach(h);
    const f = seen.fork();
    f.setFloat64(0, 99);
    let adopted = 0;
    for (const s of h.slabs) adopted += s.byteLength;
    const local = seen.pool.stats().bytesReserved - adopted;
    const read = [f.getFloat64(0), seen.getFloat64(0), f.getFloat64(4096), seen.getFloat64(4096)];
    f.release();
    seen.release();
    parentPort.postMessage({ local, read, frames: seen.pool.stats().framesInUse });
  });
  parentPort.postMessage("ready");
})();
`;

describe("a fork of an attached version in a worker thread", () => {
  it("reserves at most 64 KiB of local slab for one page, leaves the owner's version alone, and returns everything", async () => {
    const pool = new FramePool({ shared: true });
    const owner = new AddressSpace({ size: 1 << 20, pool });
    owner.setFloat64(0, 1);
    owner.setFloat64(4096, 2);
    const worker = new Worker(CODE, { eval: true, workerData: { sources: SOURCES } });
    try {
      const messages: unknown[] = [];
      let wake: (() => void) | null = null;
      worker.on("message", (m) => {
        messages.push(m);
        wake?.();
      });
      const next = async (): Promise<unknown> => {
        while (messages.length === 0) await new Promise<void>((r) => (wake = r));
        return messages.shift();
      };
      expect(await next()).toBe("ready");
      worker.postMessage(owner.share({ worker }));
      const r = (await next()) as { local: number; read: number[]; frames: number };
      expect(r.read).toEqual([99, 1, 2, 2]);
      expect(r.local).toBeGreaterThan(0);
      expect(r.local).toBeLessThanOrEqual(64 * 1024);
      expect(r.frames).toBe(0);
      expect([owner.getFloat64(0), owner.getFloat64(4096)]).toEqual([1, 2]);
      // The worker's release reaches the owner through the pin word (swept on this read).
      expect(pool.stats().sharedHandles).toBe(0);
    } finally {
      await worker.terminate();
    }
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, pageTableNodes: 0 });
  });
});
