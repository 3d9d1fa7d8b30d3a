/**
 * A pool's `maxBytes` limit: a write that needs more frames than the pool may
 * hand out throws OutOfMemoryError and changes nothing at all (a bulk write
 * does not write its first pages and then fail); once another space releases
 * memory, the same call succeeds.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "../src/index.js";
import { bytes, expectRefused, firstDiff, TYPES, typedGet, typedSet } from "./support/helpers.js";

const PS = 256;

/** A pool limited to 4 frames, 3 of them taken by `hog`, 1 (page 0) by `s`. */
function full() {
  const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
  const hog = new AddressSpace({ size: 16 * PS, pool });
  hog.write(0, bytes(1, 3 * PS));
  const s = new AddressSpace({ size: 16 * PS, pool });
  s.setUint8(0, 1);
  expect(pool.stats()).toMatchObject({ framesInUse: 4, maxBytes: 4 * PS });
  return { pool, hog, s, all: [hog, s] };
}

describe("OutOfMemoryError at the pool limit, with nothing changed", () => {
  it("a single typed set of every type, then the same set after memory is freed", () => {
    for (const { name, width } of TYPES) {
      const { pool, hog, s, all } = full();
      const v = name.startsWith("Big") ? 5n : 5;
      const e = expectRefused(pool, all, OutOfMemoryError, () => typedSet(s, name, 3 * PS + width, v), `set${name}`);
      expect(e).toMatchObject({ code: "ERR_OUT_OF_MEMORY", requested: PS });
      // A write to s's own private page needs no frame: still fine at the limit.
      typedSet(s, name, 8, v);
      hog.release();
      typedSet(s, name, 3 * PS + width, v);
      expect(typedGet(s, name, 3 * PS + width)).toBe(v);
      expect(pool.stats().framesInUse).toBe(2);
    }
  });

  it("a copy fault after fork needs a frame; a reuse fault does not", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 2 * PS });
    const a = new AddressSpace({ size: 4 * PS, pool });
    a.write(0, bytes(2, 2 * PS)); // the pool is full
    const b = a.fork();
    expectRefused(pool, [a, b], OutOfMemoryError, () => b.setUint8(10, 1), "copy in the child");
    expectRefused(pool, [a, b], OutOfMemoryError, () => a.setUint8(10, 1), "copy in the parent");
    expectRefused(pool, [a, b], OutOfMemoryError, () => b.write(PS - 2, new Uint8Array(4)), "copy of two pages");
    b.release();
    a.setUint8(10, 1); // refcount 1 again: reuse, no frame
    expect(a.stats()).toMatchObject({ reuseFaults: 1, copyFaults: 0 });
    expect(pool.stats().framesInUse).toBe(2);
  });

  it("a bulk write spanning pages writes nothing at all when its last page cannot be had", () => {
    const { pool, hog, s, all } = full();
    // Page 0 is s's own (no frame needed), pages 1 and 2 need two frames: none left.
    for (const [addr, len] of [
      [10, 2 * PS],
      [PS - 1, 2],
      [0, 3 * PS],
      [2 * PS, 1],
    ] as const) {
      expectRefused(pool, all, OutOfMemoryError, () => s.write(addr, bytes(3, len)), `write(${addr}, ${len} B)`);
    }
    s.write(5, bytes(3, PS - 5)); // only page 0: fits
    hog.discard(0, PS); // one frame back
    expectRefused(pool, all, OutOfMemoryError, () => s.write(10, bytes(4, 2 * PS)), "still one frame short");
    hog.release();
    s.write(10, bytes(4, 2 * PS));
    const want = new Uint8Array(16 * PS);
    want[0] = 1;
    want.set(bytes(3, PS - 5), 5);
    want.set(bytes(4, 2 * PS), 10);
    expect(firstDiff(s.read(0, new Uint8Array(16 * PS)), want)).toBe(-1);
  });

  it("a write that needs exactly the frames left succeeds", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
    const s = new AddressSpace({ size: 8 * PS, pool });
    s.write(0, bytes(5, 2 * PS));
    s.write(PS, bytes(6, 3 * PS)); // page 1 is private, pages 2 and 3 take the last two frames
    expect(pool.stats().framesInUse).toBe(4);
    expectRefused(pool, [s], OutOfMemoryError, () => s.write(0, bytes(7, 5 * PS)), "one page too many");
  });

  it("fill", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.fill(7, 0, 2 * PS + 1), "fill over three pages");
    expectRefused(pool, all, OutOfMemoryError, () => s.fill(0, PS, 2 * PS), "fill with zeros");
    s.fill(7, 0, PS);
    hog.release();
    s.fill(7, 0, 2 * PS + 1);
    expect([s.getUint8(0), s.getUint8(2 * PS), s.getUint8(2 * PS + 1)]).toEqual([7, 7, 0]);
  });

  it("copyWithin", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.copyWithin(PS, 0, PS), "to one new page");
    expectRefused(pool, all, OutOfMemoryError, () => s.copyWithin(PS - 4, 0, 8), "straddling into a new page");
    s.copyWithin(8, 0, 8); // inside page 0
    hog.release();
    s.copyWithin(PS, 0, PS);
    expect([s.getUint8(PS), s.getUint8(PS + 8)]).toEqual([1, 1]);
  });

  it("a write-mode page-span cursor", () => {
    const { pool, hog, s, all } = full();
    expectRefused(pool, all, OutOfMemoryError, () => s.spans(Float64Array, 0, (2 * PS) / 8, "write"), "two pages");
    expectRefused(pool, all, OutOfMemoryError, () => s.spans(Uint8Array, 3 * PS, 1, "write"), "one new page");
    // Read mode never allocates.
    for (const c = s.spans(Float64Array, 0, (4 * PS) / 8, "read"); c.next(); );
    expect(pool.stats().framesInUse).toBe(4);
    hog.release();
    let k = 0;
    for (const c = s.spans(Float64Array, 0, (2 * PS) / 8, "write"); c.next(); ) {
      for (let i = c.start; i < c.end; i++) c.array[i] = k++ + 0.5;
    }
    expect([s.getFloat64(0), s.getFloat64(2 * PS - 8)]).toEqual([0.5, 63.5]);
    expect(pool.stats().framesInUse).toBe(2);
  });

  it("a pool with maxBytes 0 serves reads, forks and the zero frame, but no write", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 0 });
    const s = new AddressSpace({ size: 4 * PS, pool });
    expect(s.getFloat64(8)).toBe(0);
    const t = s.fork();
    expectRefused(pool, [s, t], OutOfMemoryError, () => s.setUint8(0, 0));
    expectRefused(pool, [s, t], OutOfMemoryError, () => t.write(0, new Uint8Array(1)));
    s.write(0, new Uint8Array(0)); // writing nothing needs nothing
    t.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });
});

describe("an onOutOfMemory hook that releases the very space asking: ReleasedError, nothing leaked", () => {
  /**
   * A pool of 4 frames made full: `keep` holds one, `a` the rest (through
   * `prepare`), `b` is a fork of `a`. The hook releases `a` and `b`, so any
   * call on `b` that needs a frame runs the hook and loses its own space.
   */
  function scenario(prepare: (a: AddressSpace) => void) {
    const victims: AddressSpace[] = [];
    let calls = 0;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 4 * PS,
      onOutOfMemory: () => {
        calls++;
        for (const v of victims) v.release();
      },
    });
    const keep = new AddressSpace({ size: 16 * PS, pool });
    keep.write(0, bytes(9, PS));
    const a = new AddressSpace({ size: 16 * PS, pool });
    prepare(a);
    expect(pool.framesAvailable()).toBe(0);
    const b = a.fork();
    victims.push(a, b);
    return { pool, keep, b, hookCalls: () => calls };
  }

  /** Runs `op` on the fork; it must throw ReleasedError, and `keep` must then hold the pool's only frame. */
  function expectReleased(prepare: (a: AddressSpace) => void, op: (b: AddressSpace) => unknown, label: string): void {
    const { pool, keep, b, hookCalls } = scenario(prepare);
    let thrown: unknown;
    try {
      op(b);
    } catch (e) {
      thrown = e;
    }
    expect(hookCalls(), `${label}: the hook ran`).toBe(1);
    expect(thrown, `${label}: ReleasedError`).toBeInstanceOf(ReleasedError);
    expect(b.released).toBe(true);
    expect(pool.stats(), `${label}: only keep's frame and leaf left`).toMatchObject({
      framesInUse: 1,
      pageTableNodes: 1,
      spaces: 1,
      committedBytes: 16 * PS,
    });
    expect(firstDiff(keep.read(0, new Uint8Array(PS)), bytes(9, PS))).toBe(-1);
    keep.release();
    expect(pool.stats(), label).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, committedBytes: 0 });
  }

  const full = (a: AddressSpace) => a.write(0, bytes(1, 3 * PS));
  const withHeap = (a: AddressSpace) => {
    const h = Heap.create(a); // header page, page map, one small-class page: 3 frames
    h.malloc(8);
  };

  it.each([
    ["write", (b: AddressSpace) => b.write(0, new Uint8Array(600))],
    ["write of one byte", (b: AddressSpace) => b.write(5, new Uint8Array(1))],
    ["fill", (b: AddressSpace) => b.fill(3, 0, 600)],
    ["copyWithin", (b: AddressSpace) => b.copyWithin(0, 5, 600)],
    ["setUint8", (b: AddressSpace) => b.setUint8(0, 1)],
    ["setFloat64", (b: AddressSpace) => b.setFloat64(PS, 1.5)],
    ["spans in write mode", (b: AddressSpace) => b.spans(Float64Array, 0, 75, "write")],
    ["view.fill", (b: AddressSpace) => b.view(Uint8Array, 0, 600).fill(1)],
    ["view.set", (b: AddressSpace) => b.view(Uint8Array, 0, 600).set(new Uint8Array(600))],
    ["view[i] = x", (b: AddressSpace) => (b.view(Int32Array, 0, 8)[2] = 5)],
    ["view.copyWithin", (b: AddressSpace) => b.view(Uint8Array, 0, 600).copyWithin(0, 5)],
    ["view.reverse", (b: AddressSpace) => b.view(Uint8Array, 0, 600).reverse()],
    ["view.sort", (b: AddressSpace) => b.view(Uint8Array, 0, 600).sort()],
  ])("%s", (label, op) => expectReleased(full, op, label));

  it.each([
    ["Heap.create", (b: AddressSpace) => Heap.create(b, { base: 8 * PS })],
    ["malloc", (b: AddressSpace) => Heap.attach(b).malloc(10)],
    ["calloc", (b: AddressSpace) => Heap.attach(b).calloc(300)],
    ["free", (b: AddressSpace) => Heap.attach(b).free(Heap.attach(b).base + 2 * PS + 8)],
    ["allocPage", (b: AddressSpace) => Heap.attach(b).allocPage()],
    ["allocPages", (b: AddressSpace) => Heap.attach(b).allocPages(2)],
    ["realloc", (b: AddressSpace) => Heap.attach(b).realloc(Heap.attach(b).base + 2 * PS + 8, 200)],
  ])("heap: %s", (label, op) => expectReleased(label === "Heap.create" ? full : withHeap, op, label));

  it("reserveFrames, the check every structure goes through", () =>
    expectReleased(full, (b) => b.reserveFrames(1), "reserveFrames"));

  it("a hook that releases only other spaces lets the call go on", () => {
    let victim: AddressSpace | null = null;
    const pool = new FramePool({ pageSize: PS, maxBytes: 2 * PS, onOutOfMemory: () => victim?.release() });
    victim = new AddressSpace({ size: 4 * PS, pool });
    victim.write(0, bytes(2, PS));
    const s = new AddressSpace({ size: 4 * PS, pool });
    s.write(0, bytes(3, PS));
    s.write(PS + 7, bytes(4, 3)); // needs the frame the victim held
    expect(victim.released).toBe(true);
    expect([...s.read(PS + 6, new Uint8Array(5))]).toEqual([0, ...bytes(4, 3), 0]);
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0 });
  });
});

describe("a commit charge whose hook releases the space forked or mapped into: ReleasedError, nothing charged", () => {
  const SIZE = 16 * PS;
  for (const overcommit of ["never", "heuristic"] as const) {
    it(`fork under overcommit "${overcommit}"`, () => {
      let victim: AddressSpace | null = null;
      const pool = new FramePool({
        pageSize: PS,
        maxBytes: overcommit === "never" ? 2 * SIZE : 2 * PS,
        overcommit,
        onOutOfMemory: () => victim?.release(),
      });
      const keep = new AddressSpace({ size: SIZE, pool });
      keep.setUint8(0, 1);
      const a = new AddressSpace({ size: SIZE, pool });
      a.setUint8(0, 2); // heuristic: every frame in use; never: the commit charge is at its limit
      victim = a;
      expect(() => a.fork()).toThrow(ReleasedError);
      expect(a.released).toBe(true);
      expect(pool.stats()).toMatchObject({ spaces: 1, committedBytes: SIZE, framesInUse: 1 });
      keep.release();
      expect(pool.stats()).toMatchObject({ spaces: 0, committedBytes: 0, framesInUse: 0, pageTableNodes: 0 });
    });
  }

  it('map under overcommit "never"', () => {
    let victim: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: SIZE,
      overcommit: "never",
      onOutOfMemory: () => victim?.release(),
    });
    const a = new AddressSpace({ size: SIZE, pool });
    a.unmap(0, 2 * PS);
    const filler = new AddressSpace({ size: 2 * PS, pool }); // the charge is at its limit again
    victim = a;
    expect(() => a.map(0, PS)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ spaces: 1, committedBytes: 2 * PS });
    filler.release();
    expect(pool.stats()).toMatchObject({ spaces: 0, committedBytes: 0, framesInUse: 0, pageTableNodes: 0 });
  });
});

describe("space.reserveFrames: the one reservation check before writes", () => {
  it("passes while the frames are there, refuses past them, and changes nothing", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
    const s = new AddressSpace({ size: 16 * PS, pool });
    s.write(0, bytes(5, PS));
    s.reserveFrames(0);
    s.reserveFrames(3);
    const e = expectRefused(pool, [s], OutOfMemoryError, () => s.reserveFrames(4), "reserveFrames(4)");
    expect(e).toMatchObject({ code: "ERR_OUT_OF_MEMORY", requested: 4 * PS });
    expect(pool.stats().framesInUse).toBe(1);
    s.release();
  });

  it("runs the pool's hook once when short, and goes on when the hook freed enough", () => {
    const olds: AddressSpace[] = [];
    let calls = 0;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 4 * PS,
      onOutOfMemory: (ev) => {
        calls++;
        expect(ev).toMatchObject({ kind: "fault", requestedBytes: 3 * PS });
        for (const o of olds.splice(0)) o.release();
      },
    });
    const old = new AddressSpace({ size: 16 * PS, pool });
    old.write(0, bytes(1, 3 * PS));
    olds.push(old);
    const s = new AddressSpace({ size: 16 * PS, pool });
    s.reserveFrames(3);
    expect(calls).toBe(1);
    expect(old.released).toBe(true);
    s.write(0, bytes(2, 3 * PS)); // the frames reserved are there
    expect(pool.stats().framesInUse).toBe(3);
    s.release();
  });

  it("refuses bad counts and released spaces with typed errors", () => {
    const s = new AddressSpace({ size: 16 * PS, pageSize: PS });
    for (const bad of [-1, 1.5, Number.NaN, "2", 2n, null]) {
      expect(() => s.reserveFrames(bad as number), String(bad)).toThrow(InvalidArgumentError);
    }
    s.release();
    expect(() => s.reserveFrames(0)).toThrow(ReleasedError);
  });
});
