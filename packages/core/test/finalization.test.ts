/**
 * Leak safety: a space dropped without `release()` is found by the garbage
 * collector and its frames, page-table nodes and commit charge return to the
 * pool through the FinalizationRegistry. Runs the collector explicitly
 * (`--expose-gc`, switched on at run time), and waits for the registry's
 * callbacks, which run in a later task.
 */
import { describe, expect, it, vi } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { AddressSpace, FramePool, OutOfMemoryError, ReleasedError } from "../src/index.js";

/** Makes `n` versions with private pages and drops them all, without release. */
function dropVersions(pool: FramePool, n: number): void {
  let s = new AddressSpace({ size: 64 * 256, pool });
  for (let i = 0; i < n; i++) {
    const next = s.fork();
    next.setUint32((i % 64) * 256, i);
    s = next;
  }
}

describe("dropped spaces are reclaimed", () => {
  it("frames, page-table nodes and commit charge return to the pool", async () => {
    const pool = new FramePool({ pageSize: 256 });
    dropVersions(pool, 200);
    expect(pool.framesInUse).toBeGreaterThan(0);
    const ok = await collectUntil(() => pool.framesInUse === 0);
    expect(ok).toBe(true);
    expect(pool.stats()).toMatchObject({
      framesInUse: 0,
      pageTableNodes: 0,
      committedBytes: 0,
      spaces: 0,
      spacesReclaimed: 201,
    });
  });

  it("released spaces are not reclaimed twice; live ones keep their pages", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const keep = new AddressSpace({ size: 4096, pool });
    keep.setUint8(0, 9);
    (() => {
      const a = keep.fork();
      a.setUint8(0, 1);
      a.release();
      const b = keep.fork();
      b.setUint8(256, 2); // dropped without release
    })();
    expect(await collectUntil(() => pool.stats().spacesReclaimed === 1)).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 1, spaces: 1, spacesReclaimed: 1 });
    expect(keep.getUint8(0)).toBe(9);
    keep.release();
    expect(() => keep.getUint8(0)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("a slot freed by the collector is handed out again with its fault counters at zero", async () => {
    const pool = new FramePool({ pageSize: 256 });
    (() => {
      const s = new AddressSpace({ size: 4096, pool });
      s.setUint8(0, 1); // zero-fill
      const f = s.fork();
      f.setUint8(0, 2); // copy fault
      f.setUint8(256, 2); // zero-fill
    })(); // both dropped without release
    expect(await collectUntil(() => pool.stats().spacesReclaimed === 2)).toBe(true);
    const a = new AddressSpace({ size: 4096, pool });
    const b = new AddressSpace({ size: 4096, pool }); // the two freed slots, whatever their order
    for (const s of [a, b])
      expect([s.stats().zeroFillFaults, s.stats().copyFaults, s.stats().reuseFaults]).toEqual([0, 0, 0]);
    a.release();
    b.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0 });
  });

  it("dropped in a long synchronous loop (past the registration nursery), still reclaimed", async () => {
    const pool = new FramePool({ pageSize: 256 });
    dropVersions(pool, 5000);
    expect(pool.framesInUse).toBeGreaterThan(0);
    expect(await collectUntil(() => pool.framesInUse === 0)).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, spacesReclaimed: 5001 });
  });

  it("registers a space only if it outlives the nursery: a bounded history registers none in its loop", async () => {
    const register = vi.spyOn(FinalizationRegistry.prototype, "register");
    try {
      const pool = new FramePool({ pageSize: 256 });
      const ring: AddressSpace[] = [new AddressSpace({ size: 64 * 256, pool })];
      for (let i = 1; i <= 5000; i++) {
        const next = (ring[ring.length - 1] as AddressSpace).fork();
        next.setUint32((i % 64) * 256, i);
        ring.push(next);
        if (ring.length > 100) ring.shift()?.release();
      }
      expect(register).toHaveBeenCalledTimes(0); // every released fork left the nursery unregistered
      await Promise.resolve(); // the flush microtask registers the 100 live ones, each once
      expect(register).toHaveBeenCalledTimes(100);
      register.mockClear();
      const kept: AddressSpace[] = [];
      for (let i = 0; i < 3000; i++) kept.push((ring[99] as AddressSpace).fork());
      expect(register.mock.calls.length).toBeGreaterThan(0); // long-lived ones are registered in the loop
      await Promise.resolve();
      expect(register).toHaveBeenCalledTimes(3000);
      expect(new Set(register.mock.calls.map((c) => c[0])).size).toBe(3000);
      for (const s of [...ring, ...kept]) s.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
    } finally {
      register.mockRestore();
    }
  });

  it("with reclaimDropped: false nothing is reclaimed (release() is the only path)", async () => {
    const pool = new FramePool({ pageSize: 256, reclaimDropped: false });
    dropVersions(pool, 20);
    const frames = pool.framesInUse;
    await collectUntil(() => false, 10);
    expect(pool.framesInUse).toBe(frames);
    expect(pool.stats().spacesReclaimed).toBe(0);
  });
});

describe("dropped attached versions", () => {
  it("an attached version dropped without release() unpins the owner's version once collected", async () => {
    const pool = new FramePool({ pageSize: 256, shared: true });
    const owner = new AddressSpace({ size: 64 * 256, pool });
    for (let i = 0; i < 64; i++) owner.setUint32(i * 256, i);
    (() => {
      const seen = AddressSpace.attach(owner.share());
      const mine = seen.fork(); // a fork in the view pool, dropped too
      mine.setUint32(0, 99);
    })();
    owner.release();
    expect(pool.framesInUse).toBe(64); // pinned
    const ok = await collectUntil(() => pool.framesInUse === 0);
    expect(ok).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, sharedHandles: 0 });
  });
});

describe("a space's page-table root lives in its registry slot", () => {
  it("a space taking a freed slot starts empty: no root is inherited from the slot's last space", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 4096, pool });
    a.setFloat64(0, 7);
    a.setFloat64(1024, 8);
    a.release(); // frees its slot (and frames)
    const b = new AddressSpace({ size: 4096, pool }); // takes that slot
    expect([b.getFloat64(0), b.getFloat64(1024)]).toEqual([0, 0]);
    expect(pool.framesInUse).toBe(0);
    b.setFloat64(0, 1);
    const c = b.fork();
    c.setFloat64(0, 2);
    expect([b.getFloat64(0), c.getFloat64(0)]).toEqual([1, 2]);
    c.release();
    b.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
    // The same through a slot the collector freed.
    dropVersions(pool, 50);
    expect(await collectUntil(() => pool.framesInUse === 0)).toBe(true);
    const d = new AddressSpace({ size: 64 * 256, pool });
    for (let p = 0; p < 64; p++) expect(d.getUint32(p * 256)).toBe(0);
    d.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
  });

  it("a pool whose registry is full refuses a new space or a fork with OutOfMemoryError, changing nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 4096, pool });
    a.setFloat64(0, 3.5);
    const registry = pool.spaces;
    const next = registry.next;
    registry.next = 2 ** 23; // as if every slot were taken (none is free: nothing was released)
    const before = pool.stats();
    expect(() => a.fork()).toThrow(OutOfMemoryError);
    expect(() => new AddressSpace({ size: 4096, pool })).toThrow(OutOfMemoryError);
    expect(pool.stats()).toEqual(before);
    expect(a.getFloat64(0)).toBe(3.5);
    registry.next = next;
    const b = a.fork();
    b.setFloat64(0, 4.5);
    expect([a.getFloat64(0), b.getFloat64(0)]).toEqual([3.5, 4.5]);
    b.release();
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, committedBytes: 0 });
  });
});
