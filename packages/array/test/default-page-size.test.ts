/**
 * The default page size of a fixed-length COW array follows its byte
 * length: 512 B pages up to 4 MiB (8,192 pages, the core's largest TLB),
 * 1 KiB above; a `pageSize` or `pool` option overrides it, forks and the
 * arrays methods return keep their source's pool, and vectors keep 1 KiB.
 * The expected sizes are literals here, never computed by the code under test.
 */
import {
  ARRAY_PAGE_SIZE,
  arrayPageSizeFor,
  CowBigInt64Array,
  CowFloat64Array,
  CowUint8Array,
  CowVector,
  SMALL_ARRAY_MAX_BYTES,
  SMALL_ARRAY_PAGE_SIZE,
} from "@pagefork/array";
import { FramePool, InvalidArgumentError, TLB_SIZE } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KINDS } from "./support.js";

const MIB4 = 4 * 1024 * 1024;

describe("default page size of a COW array", () => {
  it("is 512 B up to 4 MiB (the largest TLB's 8,192 entries of 512 B pages) and 1 KiB above", () => {
    expect(SMALL_ARRAY_PAGE_SIZE).toBe(512);
    expect(ARRAY_PAGE_SIZE).toBe(1024);
    expect(SMALL_ARRAY_MAX_BYTES).toBe(MIB4);
    expect(SMALL_ARRAY_MAX_BYTES).toBe(TLB_SIZE * 512);
    expect(arrayPageSizeFor(0)).toBe(512);
    expect(arrayPageSizeFor(MIB4)).toBe(512);
    expect(arrayPageSizeFor(MIB4 + 1)).toBe(1024);
    expect(arrayPageSizeFor(2 ** 40)).toBe(1024);
  });

  for (const [name, Cow, Native, bytes] of [
    ["CowFloat64Array", CowFloat64Array, Float64Array, 8],
    ["CowUint8Array", CowUint8Array, Uint8Array, 1],
    ["CowBigInt64Array", CowBigInt64Array, BigInt64Array, 8],
  ] as const) {
    it(`${name}: 512 B at exactly 4 MiB, 1 KiB one element above, each size in its own shared default pool`, () => {
      const atBound = new Cow(MIB4 / bytes);
      const atBound2 = new Cow(MIB4 / bytes);
      const above = new Cow(MIB4 / bytes + 1);
      const tiny = new Cow(1);
      const empty = new Cow(0);
      expect(atBound.byteLength).toBe(MIB4);
      expect(atBound.pageSize).toBe(512);
      expect(atBound.space.pool.pageSize).toBe(512);
      expect(above.pageSize).toBe(1024);
      expect(tiny.pageSize).toBe(512);
      expect(empty.pageSize).toBe(512);
      expect(atBound2.space.pool).toBe(atBound.space.pool);
      expect(tiny.space.pool).toBe(atBound.space.pool);
      expect(above.space.pool).not.toBe(atBound.space.pool);
      // The same from a source: its length decides.
      const fromSource = new Cow(new Native(MIB4 / bytes + 1) as never);
      expect(fromSource.pageSize).toBe(1024);
      expect(fromSource.space.pool).toBe(above.space.pool);
      const fromSmall = (Cow as typeof CowFloat64Array).from(new Native(3) as never);
      expect(fromSmall.pageSize).toBe(512);
      for (const a of [atBound, atBound2, above, tiny, empty, fromSource, fromSmall]) a.release();
    });
  }

  it("for every kind and any length, is 512 B when the byte length is at most 4 MiB, else 1 KiB", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: -64, max: 64 })),
        fc.boolean(),
        (kind, k, nearBound) => {
          const bytes = kind.Native.BYTES_PER_ELEMENT as number;
          const n = nearBound ? Math.max(0, Math.floor(MIB4 / bytes) + k) : Math.abs(k);
          const a = new kind.Cow(n);
          try {
            expect(a.pageSize).toBe(n * bytes <= MIB4 ? 512 : 1024);
          } finally {
            a.release();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("of `from`, `of` and a COW source follows the new array's length", () => {
    const of = CowFloat64Array.of(1, 2, 3);
    const fromIterable = CowFloat64Array.from(new Set([1, 2]));
    const big = new CowFloat64Array(MIB4 / 8 + 1);
    const copyOfBig = new CowFloat64Array(big);
    expect([of.pageSize, fromIterable.pageSize, copyOfBig.pageSize]).toEqual([512, 512, 1024]);
    for (const a of [of, fromIterable, big, copyOfBig]) a.release();
  });

  it("gives way to a `pageSize` or `pool` option, at any length", () => {
    const small1k = new CowFloat64Array(10, { pageSize: 1024 });
    const big512 = new CowFloat64Array(MIB4 / 8 + 1, { pageSize: 512 });
    const pool = new FramePool({ pageSize: 4096 });
    const pooled = new CowUint8Array(10, { pool });
    const pooledWithSize = new CowBigInt64Array(MIB4 / 8, { pool, pageSize: 4096 });
    const empty = new CowFloat64Array(10, {});
    expect(small1k.pageSize).toBe(1024);
    expect(big512.pageSize).toBe(512);
    expect(pooled.pageSize).toBe(4096);
    expect(pooled.space.pool).toBe(pool);
    expect(pooledWithSize.space.pool).toBe(pool);
    expect(empty.pageSize).toBe(512); // {} gives neither: the default applies
    // An explicit 1 KiB shares the default 1 KiB pool of large arrays.
    const big = new CowFloat64Array(MIB4 / 8 + 1);
    expect(small1k.space.pool).toBe(big.space.pool);
    for (const a of [small1k, big512, pooled, pooledWithSize, empty, big]) a.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses bad options and bad lengths as before, and the refusal takes no frame", () => {
    const probe = new CowFloat64Array(1);
    const smallPool = probe.space.pool;
    const before = smallPool.framesInUse;
    expect(() => new CowFloat64Array(10, { pageSize: 1000 })).toThrow(InvalidArgumentError);
    expect(() => new CowFloat64Array(10, { pool: new FramePool({ pageSize: 4096 }), pageSize: 512 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CowFloat64Array(-1)).toThrow(RangeError);
    expect(() => new CowUint8Array(2 ** 53)).toThrow(RangeError);
    expect(smallPool.framesInUse).toBe(before);
    probe.release();
  });

  it("is kept by forks, subarrays and the arrays methods return (their source's pool)", () => {
    const small = new CowFloat64Array(1000).fill(1.5);
    const f = small.fork();
    f.set(3, 2.5);
    expect(f.pageSize).toBe(512);
    expect(f.space.pool).toBe(small.space.pool);
    expect(small.get(3)).toBe(1.5);
    const big = new CowFloat64Array(MIB4 / 8 + 1);
    const bigFork = big.fork();
    // A short copy of a 1 KiB array stays in its source's 1 KiB pool.
    const part = big.slice(0, 10);
    const mapped = big.subarray(0, 4).map((x) => x + 1);
    const sub = big.subarray(0, 10);
    expect([bigFork.pageSize, part.pageSize, mapped.pageSize, sub.pageSize]).toEqual([1024, 1024, 1024, 1024]);
    expect(part.space.pool).toBe(big.space.pool);
    const smallCopy = small.slice(0, 10);
    expect(smallCopy.pageSize).toBe(512);
    for (const a of [small, f, big, bigFork, part, mapped, sub, smallCopy]) a.release();
  });

  it("of a CowVector stays ARRAY_PAGE_SIZE (1 KiB): it can grow past 4 MiB", () => {
    const v = new CowVector(Float64Array);
    const capped = new CowVector(Uint8Array, { maxLength: 100, capacity: 100 });
    expect(v.pageSize).toBe(1024);
    expect(capped.pageSize).toBe(1024);
    v.release();
    capped.release();
  });

  it("arrayPageSizeFor refuses a byte length that is not a non-negative safe integer", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "1", null, undefined, 1n])
      expect(() => arrayPageSizeFor(bad as number)).toThrow(InvalidArgumentError);
  });
});
