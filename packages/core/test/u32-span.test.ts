/**
 * `readU32Span`: the slab slice behind a run of uint32 words within one page.
 * Checked against `getUint32` (the words it must show, in every state a page
 * can be in: zero frame, shared with a fork, private, copied after a fork),
 * and for bad input: a typed error, the span and the space as they were.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  AlignmentFault,
  FramePool,
  InvalidArgumentError,
  ReleasedError,
  readU32Span,
  SegmentationFault,
  U32Span,
} from "../src/index.js";

/** The words of the span as a plain array. */
function words(span: U32Span): number[] {
  return Array.from(span.array.subarray(span.start, span.end));
}

/** The same words through the accessor. */
function expected(s: AddressSpace, addr: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.getUint32(addr + i * 4));
  return out;
}

describe("readU32Span", () => {
  it("shows the words getUint32 reads, across forks, writes and the read cache", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 1024, 4096),
        fc.array(
          fc.record({
            op: fc.constantFrom("write", "fork", "read", "get"),
            page: fc.nat({ max: 7 }),
            word: fc.nat(),
            n: fc.nat(),
            value: fc.nat({ max: 0xffffffff }),
          }),
          { maxLength: 40 },
        ),
        (ps, ops) => {
          const pool = new FramePool({ pageSize: ps });
          const spaces = [new AddressSpace({ size: 8 * ps, pool })];
          const span = new U32Span();
          const wordsPerPage = ps / 4;
          for (const o of ops) {
            const s = spaces[spaces.length - 1] as AddressSpace;
            const first = o.word % wordsPerPage;
            const addr = o.page * ps + first * 4;
            if (o.op === "write") s.setUint32(addr, o.value);
            else if (o.op === "fork") spaces.push(s.fork());
            else if (o.op === "get")
              s.getUint32(addr); // loads the read cache with that page
            else {
              const n = o.n % (wordsPerPage - first + 1);
              readU32Span(s, addr, n, span);
              expect(span.end - span.start).toBe(n);
              expect(span.address).toBe(addr);
              expect(words(span)).toEqual(expected(s, addr, n));
            }
          }
          // Every version still reads its own words through a span.
          for (const s of spaces)
            for (let p = 0; p < 8; p++) {
              readU32Span(s, p * ps, wordsPerPage, span);
              expect(words(span)).toEqual(expected(s, p * ps, wordsPerPage));
            }
          for (const s of spaces) s.release();
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("reads a fork's copy, not its parent's frame, after the fork writes", () => {
    const a = new AddressSpace({ size: 4096, pageSize: 256 });
    a.setUint32(256, 1);
    const b = a.fork();
    const span = new U32Span();
    readU32Span(b, 256, 1, span); // fills b's read cache with the shared frame
    b.setUint32(256, 2); // copies the page
    readU32Span(b, 256, 1, span);
    expect(span.array[span.start]).toBe(2);
    readU32Span(a, 256, 1, span);
    expect(span.array[span.start]).toBe(1);
    a.release();
    b.release();
  });

  it("refuses bad input with a typed error, leaving the span and the space as they were", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new AddressSpace({ size: 4096, pool });
    s.setUint32(0, 7);
    s.unmap(1024, 256);
    const span = new U32Span();
    readU32Span(s, 0, 1, span);
    const before = { array: span.array, start: span.start, end: span.end, address: span.address };
    const frames = pool.stats().framesInUse;
    const cases: [number, number, new (...args: never[]) => Error][] = [
      [2, 1, AlignmentFault],
      [0.5, 1, InvalidArgumentError],
      [Number.NaN, 1, InvalidArgumentError],
      [0, -1, InvalidArgumentError],
      [0, 1.5, InvalidArgumentError],
      [0, 65, InvalidArgumentError], // 65 words cross the page's end
      [252, 2, InvalidArgumentError],
      [-4, 1, SegmentationFault],
      [4096, 1, SegmentationFault],
      [4092, 2, SegmentationFault],
      [1024, 1, SegmentationFault], // unmapped
    ];
    for (const [addr, n, type] of cases) {
      expect(() => readU32Span(s, addr, n, span), `${addr}, ${n}`).toThrow(type);
      expect({ array: span.array, start: span.start, end: span.end, address: span.address }).toEqual(before);
    }
    expect(() => readU32Span(s, "0" as unknown as number, 1, span)).toThrow(InvalidArgumentError);
    expect(pool.stats().framesInUse).toBe(frames);
    expect(s.getUint32(0)).toBe(7);
    s.release();
    expect(() => readU32Span(s, 0, 1, span)).toThrow(ReleasedError);
    expect(() => readU32Span(s, 0, -1, span)).toThrow(ReleasedError);
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("reads the zero frame for pages never written, allocating no frame", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const s = new AddressSpace({ size: 1 << 16, pool });
    const span = new U32Span();
    readU32Span(s, 4096, 256, span);
    expect(words(span).every((w) => w === 0)).toBe(true);
    expect(pool.stats().framesInUse).toBe(0);
    readU32Span(s, 8192, 0, span);
    expect(span.end).toBe(span.start);
    s.release();
  });
});
