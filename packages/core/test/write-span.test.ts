/**
 * `writeU8Span` / `writeU16Span`: the slab slice of one page, made writable
 * by the accessors' write fault. Checked against a plain Uint8Array per
 * version (copied on fork): writes through a span show in that version only,
 * never in a fork taken before or after (read spans show the same bytes);
 * bad input gets the typed error `setUint8`/`setUint16` give at the same
 * address, and changes nothing (the span, the contents, the pool's stats);
 * no frame leaks. `readU8Span`/`readU16Span` too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  AlignmentFault,
  FramePool,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  readU8Span,
  readU16Span,
  SegmentationFault,
  U8Span,
  U16Span,
  writeU8Span,
  writeU16Span,
} from "../src/index.js";

const PAGES = 6;

/** Every mapped byte of `s`, through `read` (holes cannot be read). */
function contents(s: AddressSpace): number[] {
  const out: number[] = [];
  for (const m of s.mappings()) out.push(...s.read(m.start, new Uint8Array(m.end - m.start)));
  return out;
}

/** First index where `s` differs from `model` (its whole range, read at once), or -1. */
function diffAt(s: AddressSpace, model: Uint8Array): number {
  const got = s.read(0, new Uint8Array(s.size));
  for (let i = 0; i < got.length; i++) if (got[i] !== model[i]) return i;
  return -1;
}

/** Views already seen, numbered: a span's slab view is compared by identity (deep equality would walk a slab). */
const viewIds = new Map<object, number>();

/** The fields of a span, to compare before/after a refused call. */
function fields(span: U8Span | U16Span): number[] {
  if (!viewIds.has(span.array)) viewIds.set(span.array, viewIds.size);
  return [viewIds.get(span.array) as number, span.start, span.end, span.address];
}

type Op =
  | { op: "u8" | "u16" | "set"; version: number; page: number; at: number; n: number; seed: number; shift: number }
  | { op: "fork" | "release"; version: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constantFrom("u8" as const, "u16" as const, "set" as const),
    version: fc.nat(),
    page: fc.nat({ max: PAGES - 1 }),
    at: fc.nat(),
    n: fc.nat(),
    seed: fc.nat({ max: 0xffff }),
    shift: fc.nat({ max: 3 }),
  }),
  fc.record({ op: fc.constantFrom("fork" as const, "release" as const), version: fc.nat() }),
);

describe("writeU8Span / writeU16Span", () => {
  it("writes one version's page only, across forks (model: a byte array copied on fork), and leaks no frame", () => {
    fc.assert(
      fc.property(fc.constantFrom(256, 1024), fc.array(opArb, { maxLength: 50 }), (ps, ops) => {
        const pool = new FramePool({ pageSize: ps });
        const first = new AddressSpace({ size: PAGES * ps, pool });
        const live: { s: AddressSpace; model: Uint8Array; written: number }[] = [
          { s: first, model: new Uint8Array(PAGES * ps), written: 0 },
        ];
        const bytes = new U8Span();
        const units = new U16Span();
        const rbytes = new U8Span();
        const runits = new U16Span();
        for (const o of ops) {
          if (live.length === 0) break;
          const v = live[o.version % live.length] as (typeof live)[number];
          if (o.op === "fork") {
            live.push({ s: v.s.fork(), model: v.model.slice(), written: 0 });
            continue;
          }
          if (o.op === "release") {
            if (live.length > 1) {
              v.s.release();
              live.splice(live.indexOf(v), 1);
            }
            continue;
          }
          if (!("seed" in o)) continue; // narrows the type (fork and release are handled above)
          const width = o.op === "u16" ? 2 : 1;
          const perPage = ps / width;
          const from = o.at % perPage;
          const n = o.n % (perPage - from + 1);
          const addr = o.page * ps + from * width;
          if (o.op === "set") {
            v.s.setUint8(addr, o.seed & 0xff); // loads the write cache with that page
            v.model[addr] = o.seed & 0xff;
            v.written += 1;
            continue;
          }
          // Shift the run's elements up by `shift` (a leaf's tail shift), then fill the gap.
          const k = Math.min(o.shift, n);
          if (width === 1) {
            writeU8Span(v.s, addr, n, bytes);
            expect([bytes.end - bytes.start, bytes.address]).toEqual([n, addr]);
            bytes.array.copyWithin(bytes.start + k, bytes.start, bytes.end - k);
            for (let j = 0; j < k; j++) bytes.array[bytes.start + j] = (o.seed + j) & 0xff;
            v.model.copyWithin(addr + k, addr, addr + n - k);
            for (let j = 0; j < k; j++) v.model[addr + j] = (o.seed + j) & 0xff;
          } else {
            writeU16Span(v.s, addr, n, units);
            expect([units.end - units.start, units.address]).toEqual([n, addr]);
            units.array.copyWithin(units.start + k, units.start, units.end - k);
            for (let j = 0; j < k; j++) units.array[units.start + j] = (o.seed * 31 + j) & 0xffff;
            const m = new DataView(v.model.buffer);
            for (let j = n - 1; j >= k; j--) m.setUint16(addr + j * 2, m.getUint16(addr + (j - k) * 2, true), true);
            for (let j = 0; j < k; j++) m.setUint16(addr + j * 2, (o.seed * 31 + j) & 0xffff, true);
          }
          v.written += n * width;
          // The written version and every other one (forks before and after) read their own model,
          // through read spans too (which show shared frames and the zero frame as they are).
          for (const w of live) {
            expect(diffAt(w.s, w.model)).toBe(-1);
            readU8Span(w.s, addr, n * width, rbytes);
            expect(Array.from(rbytes.array.subarray(rbytes.start, rbytes.end))).toEqual(
              Array.from(w.model.subarray(addr, addr + n * width)),
            );
            if (width === 2) {
              readU16Span(w.s, addr, n, runits);
              const m = new DataView(w.model.buffer);
              const want: number[] = [];
              for (let j = 0; j < n; j++) want.push(m.getUint16(addr + j * 2, true));
              expect(Array.from(runits.array.subarray(runits.start, runits.end))).toEqual(want);
            }
          }
        }
        for (const w of live) {
          expect(diffAt(w.s, w.model)).toBe(-1);
          expect(w.s.stats().bytesWritten).toBe(w.written);
          w.s.release();
        }
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("copies a page shared with a fork (copy-on-write) and zero-fills a page never written", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new AddressSpace({ size: 4 * 256, pool });
    a.setUint16(256, 0x4142);
    const b = a.fork();
    const span = new U16Span();
    writeU16Span(b, 256, 2, span);
    expect(b.stats().copyFaults).toBe(1);
    expect(Array.from(span.array.subarray(span.start, span.end))).toEqual([0x4142, 0]);
    span.array[span.start] = 7;
    expect([a.getUint16(256), b.getUint16(256)]).toEqual([0x4142, 7]);
    const bytes = new U8Span();
    writeU8Span(b, 512 + 3, 4, bytes); // page 2 maps the zero frame
    expect(b.stats().zeroFillFaults).toBe(1);
    expect(Array.from(bytes.array.subarray(bytes.start, bytes.end))).toEqual([0, 0, 0, 0]);
    // A write of nothing is checked but takes no frame.
    const frames = pool.stats().framesInUse;
    writeU8Span(b, 768, 0, bytes);
    writeU16Span(b, 4 * 256, 0, span); // the end of the space: an empty run is allowed there
    expect([bytes.end - bytes.start, span.end - span.start]).toEqual([0, 0]);
    expect(pool.stats().framesInUse).toBe(frames);
    a.release();
    b.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("refuses bad input with the error setUint8/setUint16 give there, changing nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new AddressSpace({ size: 4096, pool });
    s.setUint32(0, 0x01020304);
    s.setUint8(2048, 9);
    s.unmap(1024, 256); // a hole
    s.protect(1536, 256, "read-only");
    const bytes = new U8Span();
    const units = new U16Span();
    writeU8Span(s, 0, 4, bytes);
    writeU16Span(s, 0, 2, units);
    const spans = [fields(bytes), fields(units)];
    const stats = pool.stats();
    const before = contents(s);
    const written = s.stats().bytesWritten;
    const check = (call: () => void, type: new (...args: never[]) => Error, what: string) => {
      expect(call, what).toThrow(type);
      expect([fields(bytes), fields(units)], what).toEqual(spans);
      expect(pool.stats(), what).toEqual(stats);
      expect(contents(s), what).toEqual(before);
      expect(s.stats().bytesWritten, what).toBe(written);
    };
    // [address, elements, error]: the accessor at the run's first element must throw the same.
    const runs: [number, number, new (...args: never[]) => Error][] = [
      [0.5, 1, InvalidArgumentError],
      [Number.NaN, 1, InvalidArgumentError],
      [-2, 1, SegmentationFault],
      [4096, 1, SegmentationFault],
      [1024, 1, SegmentationFault], // unmapped
      [1536, 1, ProtectionFault], // read-only
    ];
    for (const [addr, n, type] of runs) {
      check(() => writeU8Span(s, addr, n, bytes), type, `u8 ${addr} ${n}`);
      check(() => writeU16Span(s, addr, n, units), type, `u16 ${addr} ${n}`);
      check(() => s.setUint8(addr, 1), type, `setUint8 ${addr}`);
      check(() => s.setUint16(addr, 1), type, `setUint16 ${addr}`);
    }
    check(() => writeU16Span(s, 1, 1, units), AlignmentFault, "u16 odd");
    check(() => s.setUint16(1, 1), AlignmentFault, "setUint16 odd");
    check(() => writeU8Span(s, "0" as unknown as number, 1, bytes), InvalidArgumentError, "u8 string address");
    check(() => writeU16Span(s, "0" as unknown as number, 1, units), InvalidArgumentError, "u16 string address");
    // Runs: bad lengths, across a page's end, past the space's end, into a hole.
    const lengths: [number, number, number, new (...args: never[]) => Error][] = [
      [1, 0, -1, InvalidArgumentError],
      [1, 0, 1.5, InvalidArgumentError],
      [1, 0, Number.NaN, InvalidArgumentError],
      [1, 0, 257, InvalidArgumentError],
      [1, 250, 7, InvalidArgumentError],
      [2, 0, 129, InvalidArgumentError],
      [2, 250, 4, InvalidArgumentError],
      [1, 4090, 7, SegmentationFault],
      [2, 4094, 2, SegmentationFault],
      [1, 1020, 5, SegmentationFault], // the last byte lies in the hole
    ];
    for (const [width, addr, n, type] of lengths)
      if (width === 1) check(() => writeU8Span(s, addr, n, bytes), type, `u8 ${addr} ${n}`);
      else check(() => writeU16Span(s, addr, n, units), type, `u16 ${addr} ${n}`);
    // A fork shares every frame: a refused span on it copies nothing either.
    const f = s.fork();
    const forked = pool.stats();
    expect(() => writeU8Span(f, 250, 7, bytes)).toThrow(InvalidArgumentError);
    expect(pool.stats()).toEqual(forked);
    f.release();
    // Frozen: a protection fault, as for every write.
    const frozen = s.fork();
    frozen.freeze();
    const frozenStats = pool.stats();
    expect(() => writeU8Span(frozen, 0, 1, bytes)).toThrow(ProtectionFault);
    expect(() => writeU16Span(frozen, 0, 1, units)).toThrow(ProtectionFault);
    expect(() => frozen.setUint8(0, 1)).toThrow(ProtectionFault);
    expect(pool.stats()).toEqual(frozenStats);
    frozen.release();
    s.release();
    expect(() => writeU8Span(s, 0, 1, bytes)).toThrow(ReleasedError);
    expect(() => writeU16Span(s, 0, -1, units)).toThrow(ReleasedError);
    expect(() => s.setUint8(0, 1)).toThrow(ReleasedError);
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("throws OutOfMemoryError when the fault finds no frame, changing nothing", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 2 * 256, overcommit: "always" });
    const s = new AddressSpace({ size: 8 * 256, pool });
    s.setUint8(0, 1);
    s.setUint8(256, 2);
    const bytes = new U8Span();
    const units = new U16Span();
    const spans = [fields(bytes), fields(units)];
    const stats = pool.stats();
    const before = contents(s);
    expect(() => writeU8Span(s, 512, 4, bytes)).toThrow(OutOfMemoryError);
    expect(() => writeU16Span(s, 512, 4, units)).toThrow(OutOfMemoryError);
    expect(() => s.setUint8(512, 1)).toThrow(OutOfMemoryError);
    expect([fields(bytes), fields(units)]).toEqual(spans);
    expect(pool.stats()).toEqual(stats);
    expect(contents(s)).toEqual(before);
    // A page already private takes no frame: still writable at the limit.
    writeU8Span(s, 256, 2, bytes);
    bytes.array[bytes.start + 1] = 3;
    expect([s.getUint8(256), s.getUint8(257)]).toEqual([2, 3]);
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("throws ReleasedError when the out-of-memory hook releases the space itself", () => {
    let victim: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: 256,
      maxBytes: 256,
      overcommit: "always",
      onOutOfMemory: () => victim?.release(),
    });
    const s = new AddressSpace({ size: 4 * 256, pool });
    s.setUint8(0, 1);
    victim = s;
    expect(() => writeU8Span(s, 256, 1, new U8Span())).toThrow(ReleasedError);
    expect(pool.stats().framesInUse).toBe(0);
  });
  it("readU8Span/readU16Span: typed errors, nothing changed, no frame taken", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new AddressSpace({ size: 4096, pool });
    s.setUint8(1536, 5);
    s.unmap(1024, 256);
    s.protect(1536, 256, "read-only");
    const bytes = new U8Span();
    const units = new U16Span();
    readU8Span(s, 1536, 2, bytes); // a read-only page reads
    expect([bytes.array[bytes.start], bytes.end - bytes.start]).toEqual([5, 2]);
    readU16Span(s, 2048, 128, units); // a page never written: the zero frame, no frame taken
    expect(Array.from(units.array.subarray(units.start, units.end)).every((u) => u === 0)).toBe(true);
    const spans = [fields(bytes), fields(units)];
    const stats = pool.stats();
    const cases: [1 | 2, number, number, new (...args: never[]) => Error][] = [
      [1, 0.5, 1, InvalidArgumentError],
      [1, 0, -1, InvalidArgumentError],
      [1, 250, 7, InvalidArgumentError],
      [2, 250, 4, InvalidArgumentError],
      [2, 1, 1, AlignmentFault],
      [1, 4095, 2, SegmentationFault],
      [2, -2, 1, SegmentationFault],
      [1, 1024, 1, SegmentationFault], // unmapped
    ];
    for (const [width, addr, n, type] of cases) {
      if (width === 1) expect(() => readU8Span(s, addr, n, bytes), `${addr} ${n}`).toThrow(type);
      else expect(() => readU16Span(s, addr, n, units), `${addr} ${n}`).toThrow(type);
      expect([fields(bytes), fields(units)]).toEqual(spans);
    }
    expect(pool.stats()).toEqual(stats);
    s.release();
    expect(() => readU8Span(s, 0, 1, bytes)).toThrow(ReleasedError);
    expect(() => readU16Span(s, 0, -1, units)).toThrow(ReleasedError);
    expect(pool.stats().framesInUse).toBe(0);
  });
});
