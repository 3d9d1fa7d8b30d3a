/**
 * Review 33: a handle made for worker A (`share({ worker: A })`) and attached
 * by another worker B keeps its pin when A exits (B reads it). Before, the pin
 * was then tied to nothing: B terminated without releasing it, and the
 * version (its pin fork, its frames) stayed pinned for as long as the pool
 * lived. Now, when the owner has met B (made a handle for it), the pin is
 * tied to B at A's exit (B's exit drops it), dropped at A's exit when B has
 * exited already, or, when B was not met yet, tied to B by the first handle
 * made for it. Never a wrong drop: while B runs, it reads the version as it
 * was at share() time, whatever the owner writes and frees meanwhile.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const PAGES = 8;
const SIZE = PAGES * PAGE;

function bytesOf(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  space.read(0, out);
  return out;
}

/** Waits (up to ~2 s) for the owner to see releases and exits: the pool's handle count at `want` or below. */
async function settled(pool: FramePool, want = 0): Promise<number> {
  for (let i = 0; i < 400 && pool.stats().sharedHandles > want; i++) await new Promise((r) => setTimeout(r, 5));
  return pool.stats().sharedHandles;
}

/** The owner's version, a handle of it made for `a` and attached by `b`, and b's view of it. */
async function forwarded(pool: FramePool, a: Reader, b: Reader) {
  const v = new AddressSpace({ size: SIZE, pool });
  for (let p = 0; p < PAGES; p++) v.fill(p + 1, p * PAGE, (p + 1) * PAGE);
  const h = v.share({ worker: a.worker });
  await b.call({ op: "attach", key: 1, handle: h });
  const model = bytesOf(v);
  // The owner overwrites and drops its version: only the pin keeps the bytes b reads.
  for (let p = 0; p < PAGES; p++) v.fill(0xee, p * PAGE, (p + 1) * PAGE);
  v.release();
  return model;
}

/** Reuses every free frame of `pool` with other bytes, then frees them again. */
function churn(pool: FramePool): void {
  const s = new AddressSpace({ size: SIZE * 4, pool });
  s.fill(0xdd, 0, SIZE * 4);
  s.release();
}

async function finalCheck(pool: FramePool): Promise<void> {
  expect(await settled(pool)).toBe(0);
  expect(pool.stats()).toMatchObject({ sharedHandles: 0, framesInUse: 0, spaces: 0, pageTableNodes: 0 });
}

describe("a handle made for worker A, attached by worker B", () => {
  it("A exits, then B is terminated unreleased: the pin goes with B (B met before A's exit)", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const a = await spawnReader();
    const b = await spawnReader();
    // The owner meets b: a handle made for it.
    const other = new AddressSpace({ size: SIZE, pool });
    other.setUint8(0, 9);
    await b.call({ op: "attach", key: 2, handle: other.share({ worker: b.worker }) });
    other.release();
    const model = await forwarded(pool, a, b);
    await a.terminate();
    expect(await settled(pool, 2)).toBe(2); // a's exit leaves both of b's pins
    churn(pool);
    expect(await b.call({ op: "bytes", key: 1 })).toEqual(model); // never a wrong drop
    await b.terminate(); // neither released
    await finalCheck(pool); // before review 33: 1 handle, its frames and pin fork left for good
  }, 60_000);

  it("B is met only after A's exit: the first handle made for B ties the pin to it", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const a = await spawnReader();
    const b = await spawnReader();
    const model = await forwarded(pool, a, b);
    await a.terminate();
    expect(await settled(pool, 1)).toBe(1);
    const other = new AddressSpace({ size: SIZE, pool });
    await b.call({ op: "attach", key: 2, handle: other.share({ worker: b.worker }) });
    other.release();
    churn(pool);
    expect(await b.call({ op: "bytes", key: 1 })).toEqual(model);
    await b.terminate();
    await finalCheck(pool);
  }, 60_000);

  it("B is terminated first, then A exits: the pin goes at A's exit", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const a = await spawnReader();
    const b = await spawnReader();
    const other = new AddressSpace({ size: SIZE, pool });
    await b.call({ op: "attach", key: 2, handle: other.share({ worker: b.worker }) });
    other.release();
    await forwarded(pool, a, b);
    await b.terminate();
    expect(await settled(pool, 1)).toBe(1); // b's own pin went with it; a's handle is tied to a
    await a.terminate();
    await finalCheck(pool);
  }, 60_000);

  it("B released it: dropped, whatever became of A", async () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const a = await spawnReader();
    const b = await spawnReader();
    const model = await forwarded(pool, a, b);
    await a.terminate();
    churn(pool);
    expect(await b.call({ op: "bytes", key: 1 })).toEqual(model);
    await b.call({ op: "release", key: 1 });
    await finalCheck(pool);
    await b.terminate();
  }, 60_000);

  it("B never met and terminated unreleased: the pin stays (the owner cannot tell B ended)", async () => {
    // The documented limit (docs/workers.md): a thread the owner never made a handle for cannot
    // be told dead, and dropping its pin while it runs would free frames it reads.
    const pool = new FramePool({ shared: true, pageSize: PAGE });
    const a = await spawnReader();
    const b = await spawnReader();
    await forwarded(pool, a, b);
    await a.terminate();
    await b.terminate();
    expect(await settled(pool)).toBe(1);
  }, 60_000);
});
