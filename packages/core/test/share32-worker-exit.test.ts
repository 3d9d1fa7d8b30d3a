/**
 * Session 32: a worker that exits in the middle of its attaches. Handles are
 * all made for worker A (`share({ worker: A })`); some go to A, some are
 * forwarded to worker B. A is terminated while its attach, fork and write
 * requests are still in flight (after 0 to 3 ms): whichever of them ran,
 * A's exit drops every pin A attached or never attached, and none that B
 * attached. Then the owner writes every page again and makes new versions
 * (reusing any frame a dropped pin freed), and B must still read each
 * version it attached as it was at share() time; after B releases them,
 * the pool holds no pin, frame, space or page-table node.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { spawnReader } from "./support/workers.js";

const PAGE = 256;
const PAGES = 16;
const SIZE = PAGES * PAGE;
const HANDLES = 20;

function bytesOf(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  space.read(0, out);
  return out;
}

async function settled(pool: FramePool): Promise<void> {
  for (let i = 0; i < 400 && pool.stats().sharedHandles > 0; i++) await new Promise((r) => setTimeout(r, 5));
}

describe("a worker terminated with attaches in flight", () => {
  for (const delay of [0, 1, 3]) {
    it(`after ${delay} ms: its pins go, the ones another worker attached stay and read their versions`, async () => {
      const pool = new FramePool({ shared: true, pageSize: PAGE });
      let live = new AddressSpace({ size: SIZE, pool });
      const a = await spawnReader();
      const b = await spawnReader();
      const inFlight: Promise<unknown>[] = [];
      const atB = new Map<number, Uint8Array>();
      for (let i = 0; i < HANDLES; i++) {
        for (let p = 0; p < PAGES; p++) live.setUint8(p * PAGE + i, i + 1);
        const h = live.share({ worker: a.worker });
        if (i % 3 === 0) {
          await b.call({ op: "attach", key: i, handle: h });
          atB.set(i, bytesOf(live));
        } else {
          inFlight.push(a.call({ op: "attach", key: i, handle: h }).catch(() => "exited"));
          if (i % 4 === 1) inFlight.push(a.call({ op: "fork-write", key: i, addr: 8, value: 3 }).catch(() => "exited"));
        }
      }
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      await a.terminate();
      await Promise.all(inFlight);
      // Only B's attachments are left pinned.
      expect(pool.stats().sharedHandles).toBe(atB.size);
      // The owner rewrites every page, in new versions too: any frame a dropped pin freed is reused.
      const old = live;
      live = live.fork();
      old.release();
      for (let p = 0; p < PAGES; p++) live.fill(0xee, p * PAGE, (p + 1) * PAGE);
      const extra = live.fork();
      for (let p = 0; p < PAGES; p++) extra.fill(0xdd, p * PAGE, (p + 1) * PAGE);
      for (const [key, model] of atB) expect(await b.call({ op: "bytes", key })).toEqual(model);
      for (const key of atB.keys()) await b.call({ op: "release", key });
      await b.terminate();
      extra.release();
      live.release();
      await settled(pool);
      expect(pool.stats()).toMatchObject({ sharedHandles: 0, framesInUse: 0, spaces: 0, pageTableNodes: 0 });
    }, 60_000);
  }
});
