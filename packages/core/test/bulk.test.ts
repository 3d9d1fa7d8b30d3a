/**
 * Bulk operations at the edges the model test reaches only by chance: long
 * overlapping copies, views of odd element types and offsets, and page-span
 * slices (views into the pool's own slabs) used as the source or destination
 * of `read` and `write`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";
import { bytes, firstDiff } from "./support/helpers.js";

function whole(s: AddressSpace): Uint8Array {
  return s.read(0, new Uint8Array(s.size));
}

describe("copyWithin is memmove", () => {
  it("overlapping copies in both directions, over many pages, at every page size", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 1024, 4096),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (ps, pages, a, b, c) => {
          const size = 12 * ps;
          const s = new AddressSpace({ size, pageSize: ps });
          const model = bytes(a + 1, size);
          s.write(0, model);
          const len = Math.min(size, pages * ps + (a % ps)) - 1;
          const start = b % (size - len);
          const target = c % (size - len);
          s.copyWithin(target, start, start + len);
          model.copyWithin(target, start, start + len);
          expect(firstDiff(whole(s), model)).toBe(-1);
          s.release();
          expect(s.pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a shift by one byte of three pages, forward and backward, after a fork", () => {
    const ps = 256;
    const a = new AddressSpace({ size: 4 * ps, pageSize: ps });
    const model = bytes(11, 4 * ps);
    a.write(0, model);
    const b = a.fork();
    b.copyWithin(1, 0, 3 * ps); // backward copy (target > start)
    const mb = model.slice().copyWithin(1, 0, 3 * ps);
    expect(firstDiff(whole(b), mb)).toBe(-1);
    b.copyWithin(0, 1, 3 * ps + 1); // forward copy: undoes the shift
    mb.copyWithin(0, 1, 3 * ps + 1);
    expect(firstDiff(whole(b), mb)).toBe(-1);
    expect(firstDiff(whole(a), model)).toBe(-1); // the parent never changed
    expect(b.stats().copyFaults).toBe(4); // pages 0..3 were all written
  });
});

describe("read and write with any ArrayBufferView", () => {
  it("typed arrays of every width and DataViews, at odd byte offsets", () => {
    const s = new AddressSpace({ size: 4096, pageSize: 256 });
    const src = bytes(3, 1000);
    const buf = new ArrayBuffer(1024 + 16);
    new Uint8Array(buf, 8, 1000).set(src);
    s.write(250, new Float64Array(buf, 8, 125)); // 1000 bytes at byte offset 8
    expect(firstDiff(s.read(250, new Uint8Array(1000)), src)).toBe(-1);
    const f32 = s.read(250, new Float32Array(250));
    expect(firstDiff(new Uint8Array(f32.buffer), src)).toBe(-1);
    const view = s.read(251, new DataView(new ArrayBuffer(1003), 3, 999));
    expect(firstDiff(new Uint8Array(view.buffer, 3, 999), src.subarray(1))).toBe(-1);
    expect(new Uint8Array(view.buffer, 0, 3)).toEqual(new Uint8Array(3)); // outside the view: untouched
    // Zero-length reads and writes are valid anywhere in [0, size].
    s.write(4096, new Uint8Array(0));
    expect(s.read(4096, new Uint8Array(0)).length).toBe(0);
    expect(s.stats().bytesWritten).toBe(1000);
  });
});

describe("page-span slices as the source or destination of read / write", () => {
  // A slice is a view into one of the pool's slabs, at a byte offset that is
  // not 0: the bulk copy must use the slice's own offset.
  for (const len of [16, 64, 65, 200, 256]) {
    it(`write(addr, slice of another space), ${len} bytes`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const x = new AddressSpace({ size: 4096, pool });
      const y = new AddressSpace({ size: 4096, pool });
      const data = bytes(21, 1024);
      x.write(0, data);
      const c = x.spans(Uint8Array, 512, len, "read");
      expect(c.next()).toBe(true);
      const slice = c.array.subarray(c.start, c.end);
      expect(slice.byteOffset).toBeGreaterThan(0);
      y.write(100, slice);
      const want = new Uint8Array(4096);
      want.set(data.subarray(512, 512 + len), 100);
      expect(firstDiff(whole(y), want)).toBe(-1);
      expect(firstDiff(whole(x), Uint8Array.from([...data, ...new Uint8Array(3072)]))).toBe(-1);
    });

    it(`read(addr, write-mode slice of another space), ${len} bytes`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const x = new AddressSpace({ size: 4096, pool });
      const y = new AddressSpace({ size: 4096, pool });
      const data = bytes(22, 1024);
      x.write(0, data);
      y.setUint8(0, 1);
      const c = y.spans(Uint8Array, 1024, len, "write");
      expect(c.next()).toBe(true);
      x.read(300, c.array.subarray(c.start, c.end));
      const want = new Uint8Array(4096);
      want[0] = 1;
      want.set(data.subarray(300, 300 + len), 1024);
      expect(firstDiff(whole(y), want)).toBe(-1);
    });
  }

  it("write(addr, slice) where the slice overlaps the destination (memmove, more than 64 bytes)", () => {
    const s = new AddressSpace({ size: 1024, pageSize: 256 });
    const model = bytes(23, 1024);
    s.write(0, model);
    const c = s.spans(Uint8Array, 256, 200, "read");
    expect(c.next()).toBe(true);
    s.write(300, c.array.subarray(c.start, c.end)); // same private page, shifted by 44 bytes
    model.copyWithin(300, 256, 456);
    expect(firstDiff(whole(s), model)).toBe(-1);
  });

  it("write(addr, slice of a page the write itself copies on write)", () => {
    const a = new AddressSpace({ size: 1024, pageSize: 256 });
    const model = bytes(24, 1024);
    a.write(0, model);
    const b = a.fork();
    const c = b.spans(Uint8Array, 0, 256, "read"); // page 0, shared with a
    expect(c.next()).toBe(true);
    b.write(128, c.array.subarray(c.start, c.end)); // faults pages 0 and 1 of b in
    const mb = model.slice().copyWithin(128, 0, 256);
    expect(firstDiff(whole(b), mb)).toBe(-1);
    expect(firstDiff(whole(a), model)).toBe(-1);
  });
});

describe("read / write through slices of the pool's own pages are memmoves (as Uint8Array.prototype.set)", () => {
  const PS = 256;
  const PAGES = 6;
  interface Op {
    read: boolean; // read(addr, slice) instead of write(addr, slice)
    target: number; // the space read or written
    addr: number;
    len: number;
    owner: number; // the space whose page the slice views
    page: number;
    off: number;
    writeMode: boolean; // the slice's cursor mode (always "write" for a read's destination)
  }
  const anywhere: fc.Arbitrary<Op> = fc
    .record({
      read: fc.boolean(),
      target: fc.nat(1),
      addr: fc.nat(PAGES * PS - 1),
      len: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: PS })),
      owner: fc.nat(1),
      page: fc.nat(PAGES - 1),
      off: fc.nat(PS - 1),
      writeMode: fc.boolean(),
    })
    .map((o) => {
      const len = Math.min(o.len, PS - Math.min(o.off, PS - 1), PAGES * PS - o.addr);
      return { ...o, len, off: Math.min(o.off, PS - len), writeMode: o.read || o.writeMode };
    });
  /** A slice of the very page read or written, a few bytes before or after the range: overlapping. */
  const overlapping: fc.Arbitrary<Op> = fc
    .record({
      read: fc.boolean(),
      target: fc.nat(1),
      // Often just below a page boundary, so that the range crosses it.
      addr: fc.oneof(
        fc.nat(PAGES * PS - 1),
        fc.tuple(fc.integer({ min: 1, max: PAGES - 1 }), fc.integer({ min: 1, max: 70 })).map(([p, k]) => p * PS - k),
      ),
      len: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 80 })),
      shift: fc.integer({ min: -9, max: 9 }),
      atEnd: fc.boolean(), // the page of the range's last byte rather than its first
      writeMode: fc.boolean(),
    })
    .map(({ read, target, addr, len: l, shift, atEnd, writeMode }) => {
      const len = Math.min(l, PS, PAGES * PS - addr);
      const page = Math.floor((atEnd ? addr + len - 1 : addr) / PS);
      const off = Math.max(0, Math.min(PS - len, addr + shift - page * PS));
      return { read, target, addr, len, owner: target, page, off, writeMode: read || writeMode };
    });
  const op = fc.oneof(anywhere, overlapping);

  it("at any offsets, lengths and overlaps, on shared, private and zero pages", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.array(op, { minLength: 1, maxLength: 8 }), (forked, seed, ops) => {
        const pool = new FramePool({ pageSize: PS, slabBytes: 4 * PS }); // several slabs
        const x = new AddressSpace({ size: PAGES * PS, pool });
        const data = bytes(seed + 1, (PAGES - 2) * PS); // the last two pages stay on the zero frame
        x.write(0, data);
        const y = forked ? x.fork() : new AddressSpace({ size: PAGES * PS, pool });
        const spaces = [x, y];
        const models = [new Uint8Array(PAGES * PS), new Uint8Array(PAGES * PS)];
        models[0]!.set(data);
        if (forked) models[1]!.set(data);
        for (const o of ops) {
          const c = spaces[o.owner]!.spans(Uint8Array, o.page * PS + o.off, o.len, o.writeMode ? "write" : "read");
          const slice = c.next() ? c.array.subarray(c.start, c.end) : new Uint8Array(0);
          const sliceAt = o.page * PS + o.off;
          if (o.read) {
            const want = models[o.target]!.slice(o.addr, o.addr + o.len);
            expect(spaces[o.target]!.read(o.addr, slice)).toBe(slice);
            expect(firstDiff(slice, want), `read(${o.addr}, ${o.len} B) into a slice at ${sliceAt}`).toBe(-1);
            models[o.owner]!.set(want, sliceAt); // the slice is the owner's memory
          } else {
            const src = models[o.owner]!.slice(sliceAt, sliceAt + o.len);
            spaces[o.target]!.write(o.addr, slice);
            models[o.target]!.set(src, o.addr);
          }
          for (let i = 0; i < 2; i++)
            expect(firstDiff(whole(spaces[i]!), models[i]!), `space ${i} after ${JSON.stringify(o)}`).toBe(-1);
        }
        x.release();
        y.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it("the reported case: a 10-byte write one byte above its own source", () => {
    const s = new AddressSpace({ size: 4096, pageSize: 256 });
    for (let i = 0; i < 32; i++) s.setUint8(i, i);
    const c = s.spans(Uint8Array, 0, 32);
    c.next();
    s.write(1, c.array.subarray(c.start, c.start + 10));
    expect([...s.read(0, new Uint8Array(12))]).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
  });
});

describe("fill", () => {
  it("fills exactly [start, end) across pages with value & 0xff", () => {
    fc.assert(
      fc.property(fc.nat(4095), fc.nat(4096), fc.integer({ min: -1000, max: 1000 }), (a, b, v) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const s = new AddressSpace({ size: 4096, pageSize: 256 });
        const model = bytes(5, 4096);
        s.write(0, model);
        s.fill(v, start, end);
        model.fill(v & 0xff, start, end);
        expect(firstDiff(whole(s), model)).toBe(-1);
        expect(s.stats().bytesWritten).toBe(4096 + end - start);
      }),
      { numRuns: 100 },
    );
  });
});
