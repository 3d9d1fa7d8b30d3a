/**
 * Commit charge and overcommit policies, the out-of-memory hook, one-byte
 * refcounts with their overflow table, and sparse 2^40-byte spaces with
 * mappings. Expected figures are worked out in the comments from page sizes
 * and counts, never by calling the code under test.
 */
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "../src/index.js";

const P = 256;

/** Pool counters without the peaks (which a refused call may not lower). */
function counters(pool: FramePool) {
  const { peakBytesInUse: _a, peakCommittedBytes: _b, ...rest } = pool.stats();
  return rest;
}

describe('overcommit "never"', () => {
  it("charges every space its mapped bytes and refuses a fork past maxBytes, changing nothing", () => {
    const pool = new FramePool({ pageSize: P, maxBytes: 10 * P, overcommit: "never" });
    const a = new AddressSpace({ size: 4 * P, pool }); // charge 4 pages
    a.setUint8(0, 1);
    const b = a.fork(); // 8 pages
    expect(pool.stats().committedBytes).toBe(8 * P);
    const before = counters(pool);
    expect(() => b.fork()).toThrow(OutOfMemoryError); // 12 pages > 10
    expect(counters(pool)).toEqual(before);
    expect(() => new AddressSpace({ size: 3 * P, pool })).toThrow(OutOfMemoryError);
    expect(counters(pool)).toEqual(before);
    // Unmapping part of a space returns its charge; then the fork fits.
    b.unmap(2 * P, 2 * P); // b maps 2 pages: 6 committed
    const c = b.fork(); // 8
    expect(pool.stats().committedBytes).toBe(8 * P);
    expect(() => c.map(2 * P, 3 * P)).toThrow(InvalidArgumentError); // leaves the space
    expect(() => c.map(2 * P, 2 * P)).not.toThrow(); // 10: exactly the limit
    expect(() => b.map(2 * P, P)).toThrow(OutOfMemoryError);
    // Faults never fail under "never": every committed page can be backed.
    for (const s of [a, b, c]) for (let p = 0; p < 4; p++) if (s !== b || p < 2) s.setUint8(p * P, 9);
    expect(pool.framesInUse).toBeLessThanOrEqual(10);
    for (const s of [a, b, c]) s.release();
    expect(pool.stats()).toMatchObject({ committedBytes: 0, framesInUse: 0, peakCommittedBytes: 10 * P });
  });

  it("counts charges past 2^31 and 2^32 bytes exactly, and refuses at a limit that large", () => {
    const GiB = 2 ** 30;
    const pool = new FramePool({ pageSize: P, maxBytes: 6 * GiB, overcommit: "never" });
    const a = new AddressSpace({ size: GiB, pool });
    a.setUint8(0, 1);
    const forks = [a.fork(), a.fork(), a.fork(), a.fork(), a.fork()]; // 6 GiB: the limit
    expect(pool.stats().committedBytes).toBe(6 * GiB);
    const before = counters(pool);
    expect(() => a.fork()).toThrow(OutOfMemoryError);
    expect(counters(pool)).toEqual(before);
    for (const f of forks.splice(0, 3)) f.release();
    expect(pool.stats()).toMatchObject({ committedBytes: 3 * GiB, peakCommittedBytes: 6 * GiB });
    for (const f of forks) f.release();
    a.release();
    expect(pool.stats()).toMatchObject({ committedBytes: 0, peakCommittedBytes: 6 * GiB, framesInUse: 0 });
  });
});

describe('overcommit "heuristic"', () => {
  it("grants sparse spaces and maps, and refuses a fork only when every frame is in use", () => {
    const pool = new FramePool({ pageSize: P, maxBytes: 2 * P, overcommit: "heuristic" });
    const a = new AddressSpace({ size: 2 ** 40, pool }); // far past maxBytes: granted
    const b = a.fork();
    a.setUint8(0, 1);
    a.setUint8(2 ** 39, 1); // both frames in use
    const before = counters(pool);
    expect(() => a.fork()).toThrow(OutOfMemoryError);
    expect(counters(pool)).toEqual(before);
    b.release();
    a.discard(0, P);
    expect(() => a.fork().release()).not.toThrow();
    a.release();
  });
});

describe('overcommit "always" and the onOutOfMemory hook', () => {
  it("a fault past the limit asks the hook, which releases the oldest versions, and retries once", () => {
    const versions: AddressSpace[] = [];
    const events: string[] = [];
    const pool = new FramePool({
      pageSize: P,
      maxBytes: 4 * P,
      onOutOfMemory: (e) => {
        events.push(`${e.kind}:${e.requestedBytes}`);
        // Drop the oldest versions until a frame is free (an old version may
        // share all its frames with newer ones, so one release may free nothing).
        while (e.pool.framesAvailable() * P < e.requestedBytes && versions.length > 0)
          (versions.shift() as AddressSpace).release();
      },
    });
    let cur = new AddressSpace({ size: 16 * P, pool });
    // Each version writes page v % 2 after forking: the older version keeps the
    // old frame, so every version costs one more frame until the hook drops one.
    for (let v = 0; v < 10; v++) {
      const next = cur.fork();
      versions.push(cur);
      cur = next;
      cur.setUint8((v % 2) * P, v + 1);
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e === `fault:${P}`)).toBe(true);
    expect(pool.framesInUse).toBeLessThanOrEqual(4);
    expect([cur.getUint8(0), cur.getUint8(P)]).toEqual([9, 10]);
    // The surviving versions are the newest ones, intact.
    const last = versions[versions.length - 1] as AddressSpace; // before v = 9
    expect([last.getUint8(0), last.getUint8(P)]).toEqual([9, 8]);
    for (const s of versions) s.release();
    cur.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0, spaces: 0 });
  });

  it("a hook that frees nothing, or throws, ends in OutOfMemoryError and changes nothing", () => {
    let calls = 0;
    const pool = new FramePool({
      pageSize: P,
      maxBytes: P,
      onOutOfMemory: () => {
        calls++;
        if (calls === 2) throw new Error("hook failed");
      },
    });
    const a = new AddressSpace({ size: 4 * P, pool });
    a.setUint8(0, 1);
    const before = counters(pool);
    expect(() => a.setUint8(P, 1)).toThrow(OutOfMemoryError);
    let caught: unknown;
    try {
      a.write(P, new Uint8Array(3 * P));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    expect((caught as Error).cause).toBeInstanceOf(Error);
    expect(calls).toBe(2);
    expect(counters(pool)).toEqual(before);
    expect([a.getUint8(0), a.getUint8(P)]).toEqual([1, 0]);
    a.release();
  });

  it("a hook that releases the faulting space itself makes the write throw ReleasedError", () => {
    let victim: AddressSpace | null = null;
    const pool = new FramePool({ pageSize: P, maxBytes: P, onOutOfMemory: () => victim?.release() });
    const a = new AddressSpace({ size: 4 * P, pool });
    a.setUint8(0, 1);
    victim = a;
    expect(() => a.setUint8(P, 1)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0, committedBytes: 0 });
  });

  it("a map or fork whose charge the hook answers by releasing that very space throws ReleasedError, charging nothing", () => {
    let victim: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: P,
      maxBytes: 4 * P,
      overcommit: "never",
      onOutOfMemory: () => victim?.release(),
    });
    const a = new AddressSpace({ size: 4 * P, pool });
    a.unmap(2 * P, 2 * P);
    const b = new AddressSpace({ size: 2 * P, pool }); // the limit is fully committed
    victim = a;
    expect(() => a.map(2 * P, P)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ spaces: 1, committedBytes: 2 * P });
    const c = new AddressSpace({ size: 2 * P, pool });
    victim = c;
    expect(() => c.fork()).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ spaces: 1, committedBytes: 2 * P });
    b.release();
    expect(pool.stats()).toMatchObject({ spaces: 0, committedBytes: 0, framesInUse: 0 });
  });

  it("a bulk write (write, fill, copyWithin, write spans) whose frames the hook finds by releasing that space throws ReleasedError and takes no frame", () => {
    const calls: ((s: AddressSpace) => unknown)[] = [
      (s) => s.write(0, new Uint8Array(2 * P).fill(7)),
      (s) => s.fill(7, 0, 2 * P),
      (s) => s.copyWithin(0, 2 * P, 4 * P),
      (s) => s.spans(Uint8Array, 0, 2 * P, "write"),
    ];
    for (const call of calls) {
      let victim: AddressSpace | null = null;
      let ballast: AddressSpace | null = null;
      const pool = new FramePool({
        pageSize: P,
        maxBytes: 4 * P,
        onOutOfMemory: () => {
          victim?.release();
          ballast?.release(); // room enough: the write would go on, into a released space
        },
      });
      const a = new AddressSpace({ size: 4 * P, pool });
      a.setUint8(2 * P, 1);
      ballast = new AddressSpace({ size: 3 * P, pool });
      for (let i = 0; i < 3; i++) ballast.setUint8(i * P, 1);
      victim = a;
      expect(() => call(a)).toThrow(ReleasedError);
      expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0, committedBytes: 0 });
    }
  });

  it("a heap call whose frames the hook finds by releasing the heap's space throws ReleasedError and takes no frame", () => {
    let victim: AddressSpace | null = null;
    let ballast: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: P,
      maxBytes: 4 * P,
      onOutOfMemory: () => {
        victim?.release();
        ballast?.release();
      },
    });
    const s = new AddressSpace({ size: 64 * P, pool });
    const heap = Heap.create(s); // one frame: the header page
    const child = s.fork(); // the header page is now shared: a heap call in the child copies it
    ballast = new AddressSpace({ size: 3 * P, pool });
    for (let i = 0; i < 3; i++) ballast.setUint8(i * P, 1);
    victim = child;
    expect(() => Heap.attach(child).malloc(100)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ framesInUse: 1, spaces: 1 });
    expect(heap.stats().blocks).toBe(0);
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0, committedBytes: 0 });
  });

  it("refuses bad options", () => {
    expect(() => new FramePool({ overcommit: "sometimes" as never })).toThrow(InvalidArgumentError);
    expect(() => new FramePool({ onOutOfMemory: 3 as never })).toThrow(InvalidArgumentError);
    expect(() => new FramePool({ reclaimDropped: "yes" as never })).toThrow(InvalidArgumentError);
  });
});

describe("one-byte refcounts", () => {
  it("a frame shared by more than 254 page-table leaves moves to the overflow table and back", () => {
    const pool = new FramePool({ pageSize: P, reclaimDropped: false });
    const base = new AddressSpace({ size: 8 * P, pool }); // one leaf of 8 PTEs (fanout 8)
    base.setUint8(0, 42);
    const forks: AddressSpace[] = [];
    // Each fork writes page 1: its leaf is copied, so page 0's frame gains one leaf reference.
    for (let i = 0; i < 600; i++) {
      const f = base.fork();
      f.setUint8(P, i & 0xff);
      forks.push(f);
    }
    const st = pool.stats();
    expect(st.overflowRefcounts).toBe(1); // only page 0's frame passed 254
    expect(st.framesInUse).toBe(601); // page 0 once, page 1 per fork
    const all = [base, ...forks];
    const pss = all.reduce((n, s) => n + s.stats().pss, 0);
    expect(pss).toBe(pool.bytesInUse);
    for (const f of forks) expect(f.getUint8(0)).toBe(42);
    // Writing page 0 in a fork copies it (shared), and the count drops by one.
    forks[0]!.setUint8(0, 7);
    expect(base.getUint8(0)).toBe(42);
    for (const f of forks.splice(0, 500)) f.release();
    expect(pool.stats().overflowRefcounts).toBe(0); // 101 references left
    expect(pool.stats().metadataBytesPerFrame).toBeLessThan(6); // 1 refcount byte + free-list slots
    for (const s of [base, ...forks]) s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});

describe("sparse 2^40-byte spaces with mappings", () => {
  it("maps, protects and unmaps far past 4 GiB; unmap of a huge shared range is cheap and exact", () => {
    const pool = new FramePool({ pageSize: 4096 });
    const T = 2 ** 40;
    const s = new AddressSpace({ size: T, pool });
    s.unmap(0, T);
    s.map(2 ** 39, 2 ** 32, "read-write"); // 4 GiB window at 512 GiB
    s.setFloat64(2 ** 39 + 2 ** 32 - 8, 1.5);
    s.setFloat64(2 ** 39, 2.5);
    expect(() => s.getFloat64(2 ** 39 - 8)).toThrow(SegmentationFault);
    expect(() => s.getFloat64(2 ** 39 + 2 ** 32)).toThrow(SegmentationFault);
    const t = s.fork();
    t.protect(2 ** 39, 2 ** 32, "read-only");
    expect(() => t.setFloat64(2 ** 39, 0)).toThrow(ProtectionFault);
    expect(t.getFloat64(2 ** 39 + 2 ** 32 - 8)).toBe(1.5);
    expect(s.diff(t)).toEqual([]);
    s.setFloat64(2 ** 39 + 2 ** 31, 3);
    expect(s.diff(t)).toEqual([2 ** 39 + 2 ** 31]);
    expect(pool.framesInUse).toBe(3);
    s.unmap(2 ** 39, 2 ** 32); // shared subtrees dropped whole
    expect(s.stats()).toMatchObject({ rss: 0, mappedBytes: 0 });
    expect(pool.framesInUse).toBe(2); // t's two pages remain
    expect(t.getFloat64(2 ** 39)).toBe(2.5);
    s.release();
    t.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });
});
