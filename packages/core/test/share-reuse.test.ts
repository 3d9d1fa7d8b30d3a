/**
 * A reader thread reuses what it built for an owner pool (attach.ts's
 * OwnerCache): the slab views, and the view pool of an attachment that ended
 * without a fork. Sequences of hand-offs from one pool, with owner writes
 * (that add slabs) between them, attachments held side by side, forks in the
 * reader, and releases in any order, against a model: a plain Float64Array
 * copied at each share().
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
/** Pages of the space: 512 frames at 256 B per page overflow the 64 KiB slabs below. */
const PAGES = 512;
const SIZE = PAGES * PAGE;
const FLOATS = SIZE / 8;

let reader: Reader;
let nextKey = 1;

beforeAll(async () => {
  reader = await spawnReader();
});
afterAll(async () => {
  await reader.terminate();
});

/** Resolves when the owner has swept every pin its reader released. */
async function settled(pool: FramePool, handles: number): Promise<void> {
  for (let i = 0; i < 200 && pool.stats().sharedHandles !== handles; i++) await new Promise((r) => setTimeout(r, 5));
}

type Step =
  | { t: "write"; page: number; span: number; value: number }
  | { t: "hand"; fork: boolean; keep: boolean }
  | { t: "release-held" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    t: fc.constant("write" as const),
    page: fc.nat(PAGES - 1),
    span: fc.integer({ min: 1, max: 64 }),
    value: fc.integer({ min: 1, max: 1 << 20 }),
  }),
  fc.record({ t: fc.constant("hand" as const), fork: fc.boolean(), keep: fc.boolean() }),
  fc.constant({ t: "release-held" as const }),
);

describe("a reader reuses its view of an owner pool", () => {
  it("every attachment reads its snapshot, whatever came before in the thread; nothing leaks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const pool = new FramePool({ shared: true, pageSize: PAGE, slabBytes: 1 << 16 });
        const owner = new AddressSpace({ size: SIZE, pool });
        const model = new Float64Array(FLOATS);
        const held: number[] = [];
        for (const s of steps) {
          if (s.t === "write") {
            // The first float64 of each page of the span: new pages take fresh frames (and slabs).
            for (let p = s.page; p < Math.min(PAGES, s.page + s.span); p++) {
              owner.setFloat64(p * PAGE, s.value + p);
              model[(p * PAGE) / 8] = s.value + p;
            }
          } else if (s.t === "hand") {
            const key = nextKey++;
            const want = model.slice();
            await reader.call({ op: "attach", key, handle: owner.share() });
            const seen = (await reader.call({ op: "read", key, addr: 0, count: FLOATS })) as Float64Array;
            expect(seen).toEqual(want);
            if (s.fork) {
              const got = (await reader.call({ op: "fork-write", key, addr: SIZE - 8, value: -1 })) as number[];
              expect(got).toEqual([-1, want[FLOATS - 1]]);
            }
            if (s.keep) held.push(key);
            else await reader.call({ op: "release", key });
          } else {
            for (const key of held.splice(0)) await reader.call({ op: "release", key });
          }
        }
        for (const key of held) await reader.call({ op: "release", key });
        owner.release();
        await settled(pool, 0);
        expect(pool.stats().sharedHandles).toBe(0);
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it("a released, unforked view pool serves the next handle; a forked one never does", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const owner = new AddressSpace({ size: SIZE, pool });
    const poolOf = async (fork: boolean): Promise<number> => {
      const key = nextKey++;
      owner.setFloat64(0, key);
      await reader.call({ op: "attach", key, handle: owner.share() });
      expect(await reader.call({ op: "read", key, addr: 0, count: 1 })).toEqual(new Float64Array([key]));
      if (fork) await reader.call({ op: "fork-write", key, addr: 8, value: 1 });
      const id = (await reader.call({ op: "pool", key })) as number;
      await reader.call({ op: "release", key });
      return id;
    };
    // The garbage collector may drop a spare pool between two hand-offs (it
    // is held weakly), so count reuses over a run rather than expect each.
    let reused = 0;
    let last = await poolOf(false);
    for (let i = 0; i < 20; i++) {
      const id = await poolOf(false);
      if (id === last) reused++;
      last = id;
    }
    expect(reused).toBeGreaterThan(0);
    const forked = await poolOf(true);
    expect(await poolOf(false)).not.toBe(forked);
    owner.release();
    await settled(pool, 0);
    expect(pool.framesInUse).toBe(0);
  });
});
