/**
 * The local slabs of a fork of an attached version. A view pool (attach.ts)
 * numbers its frames as the owner pool does, so its first local slab took
 * the next slab of the owner's geometry: as many frames as all the owner's
 * slabs before it, 16 MiB behind a shared pool's first slab (up to the full
 * 256 MiB slab for a large owner), whatever the fork wrote. One page written
 * in a fork reserved 16 MiB, and a loop of 200 attach + fork + write held
 * 3.2 GB of ArrayBuffers until the job ended (the pool's registry holds its
 * spaces until a microtask). The local slabs now start at 64 KiB and double,
 * each in its own slot of the geometry (frame numbers skip the rest of the
 * slot), and a full-size slot is followed by the next one with no gap, so a
 * write of any size still finds its frames.
 *
 * Checked here by bytes (slab bytes the view pool reserves beyond the
 * owner's), not by time, and against a plain Uint8Array model of every
 * space (the owner's version, the attached one, its forks), with every frame
 * back on both sides at the end.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, type SharedSpaceHandle } from "../src/index.js";
import { firstDiff } from "./support/helpers.js";

/** Slab bytes a view pool reserves beyond the owner's slabs it adopted. */
function localBytes(view: FramePool, h: SharedSpaceHandle): number {
  let adopted = 0;
  for (const s of h.slabs) adopted += s.byteLength;
  return view.stats().bytesReserved - adopted;
}

describe("the local slabs of a fork of an attached version", () => {
  it("one page written in a fork reserves at most 64 KiB of local slab, not the owner's next slab (16 MiB)", () => {
    const pool = new FramePool({ shared: true });
    const owner = new AddressSpace({ size: 1 << 20, pool });
    for (let p = 0; p < 8; p++) owner.setFloat64(p * 4096, p + 1);
    const h = owner.share();
    const seen = AddressSpace.attach(h);
    const f = seen.fork();
    f.setFloat64(0, 99);
    expect([f.getFloat64(0), seen.getFloat64(0), owner.getFloat64(0)]).toEqual([99, 1, 1]);
    expect(localBytes(seen.pool, h)).toBeGreaterThan(0);
    expect(localBytes(seen.pool, h)).toBeLessThanOrEqual(64 * 1024);
    f.release();
    seen.release();
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("200 attach + fork + write in one synchronous loop reserve 200 small slabs, not 200 x 16 MiB", () => {
    const pool = new FramePool({ shared: true });
    const owner = new AddressSpace({ size: 1 << 20, pool });
    owner.setFloat64(0, 1);
    let local = 0;
    for (let i = 0; i < 200; i++) {
      const h = owner.share();
      const seen = AddressSpace.attach(h);
      const f = seen.fork();
      f.setFloat64(8, i);
      local += localBytes(seen.pool, h);
      f.release();
      seen.release();
    }
    expect(local).toBeLessThanOrEqual(200 * 64 * 1024);
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("a large owner pool (several slabs) gives its forks small local slabs too, and reserves no 36 MiB arena for them", () => {
    const pool = new FramePool({ shared: true, pageSize: 4096, slabBytes: 1 << 24 });
    const owner = new AddressSpace({ size: 1 << 28, pool });
    // Frames in 6 slabs of 16 MiB: 80 MiB written, past the 64 MiB at which an unshared pool reserves its arena.
    for (let p = 0; p < 20_480; p++) owner.setUint32(p * 4096, p + 1);
    const h = owner.share();
    expect(h.slabs.length).toBeGreaterThanOrEqual(5);
    const seen = AddressSpace.attach(h);
    const f = seen.fork();
    f.setUint32(4096 * 7, 12345);
    expect([f.getUint32(4096 * 7), seen.getUint32(4096 * 7), owner.getUint32(4096 * 7)]).toEqual([12345, 8, 8]);
    expect(localBytes(seen.pool, h)).toBeLessThanOrEqual(64 * 1024);
    expect(seen.pool.stats().pageTableNodes).toBeLessThan(1 << 20);
    f.release();
    seen.release();
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("a bulk write larger than a full slab in a fork finds its frames (slots follow each other once full-size)", () => {
    // Slabs of 16 pages: each local slot holds at most 16 frames, so a 100-page write spans slots.
    const PAGE = 256;
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 16 * PAGE });
    const owner = new AddressSpace({ size: 256 * PAGE, pool });
    for (let p = 0; p < 40; p++) owner.setUint8(p * PAGE + 1, p + 1);
    const h = owner.share();
    const seen = AddressSpace.attach(h);
    const f = seen.fork();
    const src = new Uint8Array(100 * PAGE);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 255;
    f.write(10 * PAGE + 5, src);
    const back = f.read(10 * PAGE + 5, new Uint8Array(src.length));
    expect(back).toEqual(src);
    for (let p = 0; p < 40; p++) expect(seen.getUint8(p * PAGE + 1)).toBe(p + 1);
    f.fill(9, 0, 256 * PAGE);
    expect(f.getUint8(255 * PAGE)).toBe(9);
    expect(seen.getUint8(PAGE + 1)).toBe(2);
    f.release();
    seen.release();
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("a bulk write after a small one skips the rest of the partly used local slab and finds all its frames", () => {
    const pool = new FramePool({ shared: true }); // 4 KiB pages, a 16 MiB first slab: local slabs start at 16 frames
    const owner = new AddressSpace({ size: 1 << 22, pool });
    owner.setUint8(5, 5);
    const h = owner.share();
    const seen = AddressSpace.attach(h);
    const f = seen.fork();
    f.setUint8(4096 * 1000, 1); // one frame of the first local slab
    const src = new Uint8Array(100 * 4096);
    for (let i = 0; i < src.length; i++) src[i] = (i * 13 + 1) & 255;
    f.write(4096 * 2 + 3, src); // 101 pages: more than the first local slab has left
    expect(firstDiff(f.read(4096 * 2 + 3, new Uint8Array(src.length)), src)).toBe(-1);
    expect([f.getUint8(4096 * 1000), f.getUint8(5), seen.getUint8(5), seen.getUint8(4096 * 2 + 3)]).toEqual([
      1, 5, 5, 0,
    ]);
    expect(localBytes(seen.pool, h)).toBeLessThanOrEqual(4 * 102 * 4096);
    expect(seen.pool.stats().framesInUse).toBe(102);
    f.release();
    seen.release();
    owner.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it.each([
    // 256-byte pages: every local slab (64 KiB) fills its 16-frame slot.
    ["full-size local slabs (16-page slabs)", 256, 4, 16],
    // 1 KiB pages: local slabs of 64, 128, ... frames in slots of 256, 512, ...: frame numbers skip the rest.
    ["local slabs smaller than their slot (256-page first slab)", 1024, 256, 4096],
  ])(
    "forks of an attached version match a plain Uint8Array model, and the owner's version never changes: %s",
    (_, PAGE, firstPages, slabPages) => {
      const PAGES = 96;
      const SIZE = PAGES * PAGE;
      type Cmd =
        | { k: "fork"; from: number }
        | { k: "write"; s: number; addr: number; len: number; seed: number }
        | { k: "fill"; s: number; addr: number; len: number; v: number }
        | { k: "release"; s: number };
      const cmd: fc.Arbitrary<Cmd> = fc.oneof(
        fc.record({ k: fc.constant("fork" as const), from: fc.nat(7) }),
        fc.record({
          k: fc.constant("write" as const),
          s: fc.nat(7),
          addr: fc.nat(SIZE - 1),
          len: fc.integer({ min: 1, max: 40 * PAGE }),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        fc.record({
          k: fc.constant("fill" as const),
          s: fc.nat(7),
          addr: fc.nat(SIZE - 1),
          len: fc.integer({ min: 1, max: SIZE }),
          v: fc.nat(255),
        }),
        fc.record({ k: fc.constant("release" as const), s: fc.nat(7) }),
      );
      fc.assert(
        fc.property(fc.array(cmd, { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (cmds, written) => {
          const pool = new FramePool({
            shared: true,
            pageSize: PAGE,
            firstSlabBytes: firstPages * PAGE,
            slabBytes: slabPages * PAGE,
          });
          const owner = new AddressSpace({ size: SIZE, pool });
          const base = new Uint8Array(SIZE);
          for (let p = 0; p < written; p++) {
            owner.setUint8(p * PAGE + (p % PAGE), p + 1);
            base[p * PAGE + (p % PAGE)] = p + 1;
          }
          const seen = AddressSpace.attach(owner.share());
          // Slot 0: the attached (frozen) version; the rest: its forks.
          const spaces: (AddressSpace | null)[] = [seen];
          const models: (Uint8Array | null)[] = [base.slice()];
          const live = () => spaces.map((s, i) => (s === null ? -1 : i)).filter((i) => i >= 0);
          for (const c of cmds) {
            const ids = live();
            if (c.k === "fork") {
              const from = ids[c.from % ids.length] as number;
              spaces.push((spaces[from] as AddressSpace).fork());
              models.push((models[from] as Uint8Array).slice());
              continue;
            }
            const forks = ids.filter((i) => i > 0);
            if (forks.length === 0) continue;
            const i = forks[c.s % forks.length] as number;
            const s = spaces[i] as AddressSpace;
            const m = models[i] as Uint8Array;
            if (c.k === "release") {
              s.release();
              spaces[i] = null;
              models[i] = null;
            } else if (c.k === "write") {
              const len = Math.min(c.len, SIZE - c.addr);
              const src = new Uint8Array(len);
              for (let j = 0; j < len; j++) src[j] = (c.seed * (j + 1)) & 255;
              s.write(c.addr, src);
              m.set(src, c.addr);
            } else {
              const end = Math.min(SIZE, c.addr + c.len);
              s.fill(c.v, c.addr, end);
              m.fill(c.v, c.addr, end);
            }
          }
          for (const i of live())
            expect(firstDiff((spaces[i] as AddressSpace).read(0, new Uint8Array(SIZE)), models[i] as Uint8Array)).toBe(
              -1,
            );
          expect(firstDiff(owner.read(0, new Uint8Array(SIZE)), base)).toBe(-1);
          for (const i of live()) (spaces[i] as AddressSpace).release();
          owner.release();
          expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, pageTableNodes: 0 });
          expect(seen.pool.stats().framesInUse).toBe(0);
        }),
        { numRuns: 100 },
      );
    },
  );
});
