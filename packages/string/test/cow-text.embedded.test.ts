import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;

function world(options: { maxBytes?: number; limit?: number } = {}) {
  const pool = new FramePool({ pageSize: PS, maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY });
  const space = new AddressSpace({ size: 2 ** 40, pool });
  const heap = Heap.create(space, { base: PS, limit: options.limit ?? 2 ** 30 });
  return { pool, space, heap };
}

/** What a refused call must leave unchanged. */
function state(heap: Heap, texts: CowText[]) {
  const { framesInUse, pageTableNodes } = heap.space.pool.stats();
  return { texts: texts.map((t) => t.toString()), heap: heap.stats(), framesInUse, pageTableNodes };
}

describe("CowText in a heap (embedded)", () => {
  it("creates texts side by side in one heap, each a small header block, forked with the space", () => {
    const { pool, space, heap } = world();
    const empty = CowText.create(heap);
    expect(empty.embedded).toBe(true);
    expect(empty.length).toBe(0);
    expect(heap.stats().blocks).toBe(1);
    expect(heap.stats().usableBytes).toBe(24); // one 32-byte slot: an empty text holds no page
    expect(heap.stats().pagesAllocated).toBe(0);
    const a = CowText.create(heap, "alpha");
    const b = CowText.create(heap, "b".repeat(1000));
    expect(new Set([empty.address, a.address, b.address]).size).toBe(3);
    const child = space.fork();
    const h2 = Heap.attach(child, PS);
    const a2 = CowText.attach(h2, a.address);
    const b2 = CowText.attach(h2, b.address);
    expect(a2.address).toBe(a.address);
    expect([a2.toString(), b2.length]).toEqual(["alpha", 1000]);
    a2.insert(5, " beta");
    b2.delete(0, 990);
    expect([a.toString(), b.length]).toEqual(["alpha", 1000]);
    expect([a2.toString(), b2.toString()]).toEqual(["alpha beta", "b".repeat(10)]);
    heap.check();
    h2.check();
    child.release();
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("keeps the header in the space up to date after every edit: a new handle sees it", () => {
    const { space, heap } = world();
    const t = CowText.create(heap);
    let model = "";
    for (let i = 0; i < 400; i++) {
      const s = `${i},`.repeat(1 + (i % 40));
      const p = (i * 7919) % (model.length + 1);
      t.insert(p, s);
      model = model.slice(0, p) + s + model.slice(p);
      if (i % 3 === 0) {
        const d = (i * 104729) % model.length;
        const n = Math.min(model.length - d, 1 + ((i * 13) % 300));
        t.delete(d, n);
        model = model.slice(0, d) + model.slice(d + n);
      }
      const again = CowText.attach(heap, t.address);
      expect(again.length).toBe(model.length);
      if (i % 50 === 0) expect(again.toString()).toBe(model);
    }
    t.delete(0, t.length); // empty again: no node page left
    expect(CowText.attach(heap, t.address).length).toBe(0);
    expect(heap.stats().pagesAllocated).toBe(0);
    heap.check();
    space.release();
  });

  it("free() returns every page and the header block; the text in other forks stays", () => {
    const { pool, space, heap } = world();
    const before = heap.stats();
    const keep = CowText.create(heap, "keep");
    const t = CowText.create(heap, "z".repeat(20_000));
    const child = space.fork();
    t.free();
    t.free(); // idempotent
    expect(t.released).toBe(true);
    expect(() => t.length).toThrow(ReleasedError);
    expect(() => t.insert(0, "x")).toThrow(ReleasedError);
    keep.free();
    const after = heap.stats();
    expect([after.blocks, after.pagesAllocated]).toEqual([before.blocks, before.pagesAllocated]);
    heap.check();
    const t2 = CowText.attach(Heap.attach(child, PS), t.address);
    expect(t2.toString()).toBe("z".repeat(20_000));
    // the freed header is no text any more
    expect(() => CowText.attach(heap, t.address)).toThrow(InvalidArgumentError);
    child.release();
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("refuses fork() and release() on an embedded text, and attach() of anything but a text header", () => {
    const { space, heap } = world();
    const t = CowText.create(heap, "abc");
    const frames = space.pool.framesInUse;
    expect(() => t.fork()).toThrow(InvalidArgumentError);
    expect(() => t.fork()).toThrow(/fork that space/);
    expect(() => t.release()).toThrow(InvalidArgumentError);
    expect(t.toString()).toBe("abc");
    expect(space.pool.framesInUse).toBe(frames);
    const block = heap.malloc(16);
    space.setUint32(block, 0x31545854); // the magic, but no version
    for (const bad of [0, 1, t.address + 8, t.address + 1, block, heap.base, -8, Number.NaN, "x", 2 ** 41])
      expect(() => CowText.attach(heap, bad as number)).toThrow(InvalidArgumentError);
    expect(() => CowText.attach({} as Heap, t.address)).toThrow(InvalidArgumentError);
    expect(() => CowText.create(null as unknown as Heap)).toThrow(InvalidArgumentError);
    expect(() => CowText.create(heap, 5 as unknown as string)).toThrow(TypeError);
    // a standalone text: free() is release(), address 0, not embedded
    const s = CowText.from("s");
    expect([s.embedded, s.address]).toEqual([false, 0]);
    s.free();
    expect(s.released).toBe(true);
    space.release();
    expect(() => t.toString()).toThrow(ReleasedError);
    expect(() => CowText.attach(heap, t.address)).toThrow(ReleasedError);
  });

  it("attaches in a frozen space without writing; edits there throw ProtectionFault and change nothing", () => {
    const { space, heap } = world();
    const t = CowText.create(heap, "x".repeat(500));
    const child = space.fork();
    child.freeze();
    const h2 = Heap.attach(child, PS);
    const t2 = CowText.attach(h2, t.address);
    expect(t2.length).toBe(500);
    const before = state(h2, [t2]);
    expect(() => t2.insert(3, "y")).toThrow(ProtectionFault);
    expect(() => t2.insert(3, "y".repeat(300))).toThrow(ProtectionFault);
    expect(() => t2.delete(0, 500)).toThrow(ProtectionFault);
    expect(() => t2.delete(0, 200)).toThrow(ProtectionFault);
    expect(() => t2.free()).toThrow(ProtectionFault);
    expect(() => CowText.create(h2, "new")).toThrow(ProtectionFault);
    expect(state(h2, [t2])).toEqual(before);
    child.release();
    space.release();
  });

  it("refuses, changing nothing, what the heap's range or the pool's limit cannot hold", () => {
    // a heap of 48 pages: a few node pages after its header and page map
    const { space, heap, pool } = world({ limit: PS + 48 * PS });
    const a = CowText.create(heap, "a".repeat(100));
    const b = CowText.create(heap);
    let before = state(heap, [a, b]);
    expect(() => b.insert(0, "b".repeat(10_000))).toThrow(OutOfMemoryError);
    expect(() => b.insert(0, "b".repeat(10_000))).toThrow(/has no room left/);
    expect(() => CowText.create(heap, "c".repeat(10_000))).toThrow(OutOfMemoryError);
    expect(state(heap, [a, b])).toEqual(before);
    // fill it up to the last page, edit by edit; each refusal changes nothing
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const t = i % 2 === 0 ? a : b;
      before = state(heap, [a, b]);
      try {
        t.insert(Math.floor(t.length / 2), String(i).repeat(60));
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect(state(heap, [a, b])).toEqual(before);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    heap.check();
    a.free();
    b.free();
    expect(heap.stats().pagesAllocated).toBe(0);
    space.release();
    expect(pool.stats().framesInUse).toBe(0);

    // the pool's limit, on a forked space whose pages are all shared
    const w = world({ maxBytes: 60 * PS });
    const t = CowText.create(w.heap, "t".repeat(3000));
    const child = w.space.fork();
    const t2 = CowText.attach(Heap.attach(child, PS), t.address);
    const h2 = Heap.attach(child, PS);
    const s0 = state(h2, [t2]);
    expect(() => t2.insert(1500, "u".repeat(16_000))).toThrow(OutOfMemoryError); // 64 narrow leaves of 252 units
    expect(() => t2.free()).not.toThrow(); // frees need little: discarded pages are not copied
    expect(h2.stats().pagesAllocated).toBe(0);
    expect(s0.texts[0]).toBe("t".repeat(3000));
    child.release();
    w.space.release();
    expect(w.pool.stats().framesInUse).toBe(0);
  });
});
