/**
 * Bad input is refused with a typed error before anything changes: every test
 * here checks the error class AND that the pool's stats, the spaces' stats and
 * the spaces' bytes are exactly as before (see `expectRefused`).
 *
 * The accessors are tried with a cold last-page cache (the validating miss
 * path) and a hot one (the inline fast path), because the two paths are
 * separate code. The witnesses include a fresh space of the same pool, whose
 * unwritten pages read the shared zero frame, and a forked sibling, whose pages
 * are shared: a stray write through a stale cache would show in them.
 */
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  AlignmentFault,
  FramePool,
  InvalidArgumentError,
  ReleasedError,
  SegmentationFault,
  type SpanArrayConstructor,
} from "../src/index.js";
import { bytes, expectRefused, lit, TYPES, type TypeName, typedGet, typedSet } from "./support/helpers.js";

type ErrorClass = abstract new (...args: never[]) => Error;

const PS = 256;
const SIZE = 8 * PS;

/** A pool with a written space `s`, a fork `t` sharing its pages, and a fresh space `z`. */
function fixture() {
  const pool = new FramePool({ pageSize: PS });
  const s = new AddressSpace({ size: SIZE, pool });
  s.write(0, bytes(5, 3 * PS));
  const t = s.fork();
  s.setUint8(7 * PS, 9); // a private page of s
  const z = new AddressSpace({ size: SIZE, pool });
  return { pool, s, t, z, all: [s, t, z] };
}

/** Addresses that are not integer numbers: InvalidArgumentError. */
const NOT_AN_INTEGER: unknown[] = [
  Number.NaN,
  1.5,
  -0.5,
  PS + 0.25,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  "0",
  "8",
  "",
  null,
  undefined,
  {},
  [],
  [8],
  true,
  false,
  8n,
  0n,
  Object(8),
  { valueOf: () => 8 },
  Object.create(null),
  Symbol("8"),
];

/** Integer addresses outside the space for an access of `width` bytes: SegmentationFault. */
function outside(width: number): number[] {
  return [
    -1,
    -width,
    -PS,
    -(2 ** 30), // the empty-cache sentinel of the last-page caches
    -(2 ** 30) + 8,
    -(2 ** 30) + PS - 8,
    -(2 ** 31),
    -(2 ** 32),
    -(2 ** 53),
    SIZE,
    SIZE - width + 1,
    SIZE + PS,
    2 ** 32,
    2 ** 53,
    1e300,
  ];
}

/** In-range addresses that are not a multiple of `width`: AlignmentFault. */
function misaligned(width: number): number[] {
  if (width === 1) return [];
  const out = [1, width - 1, width + 1, PS - 1, PS + width / 2, SIZE - width - 1];
  return out.filter((a) => a % width !== 0 && a >= 0 && a + width <= SIZE);
}

function badAddresses(width: number): [unknown, ErrorClass][] {
  return [
    ...NOT_AN_INTEGER.map((a): [unknown, ErrorClass] => [a, InvalidArgumentError]),
    ...outside(width).map((a): [unknown, ErrorClass] => [a, SegmentationFault]),
    ...misaligned(width).map((a): [unknown, ErrorClass] => [a, AlignmentFault]),
  ];
}

function validValue(name: TypeName): number | bigint {
  return name.startsWith("Big") ? 1n : 1;
}

/** Makes the last-page caches of `s` hot on page 0 (read) or page 7 (write), or empties them. */
function prime(s: AddressSpace, cache: "hot" | "cold", name: TypeName): void {
  if (cache === "cold") {
    s.discard(0, 0); // flushes the TLBs and both last-page caches, changes nothing else
    return;
  }
  typedGet(s, name, 0);
  typedSet(s, name, 7 * PS, validValue(name)); // page 7 is already private: no fault
}

describe("typed accessors refuse bad addresses and change nothing", () => {
  for (const { name, width } of TYPES) {
    for (const cache of ["cold", "hot"] as const) {
      it(`get${name} / set${name}, ${cache} cache`, () => {
        const { pool, s, all } = fixture();
        for (const [addr, err] of badAddresses(width)) {
          prime(s, cache, name);
          expectRefused(pool, all, err, () => typedGet(s, name, addr as number), `get${name}(${lit(addr)})`);
          prime(s, cache, name);
          expectRefused(
            pool,
            all,
            err,
            () => typedSet(s, name, addr as number, validValue(name)),
            `set${name}(${lit(addr)})`,
          );
        }
        // Valid accesses still work afterwards.
        typedSet(s, name, SIZE - width, validValue(name));
        expect(typedGet(s, name, SIZE - width)).toBe(validValue(name));
      });
    }
  }

  for (const name of ["BigInt64", "BigUint64"] as const) {
    for (const cache of ["cold", "hot"] as const) {
      it(`set${name} refuses a non-bigint value, ${cache} cache`, () => {
        const { pool, s, all } = fixture();
        const values: unknown[] = [5, 0, "5", "0x10", true, null, undefined, 1.5, Number.NaN, {}, [5], Object(5n)];
        for (const v of values) {
          // Every page: a private one (7), a shared one (0), an unwritten one (5).
          for (const page of [7, 0, 5]) {
            prime(s, cache, name);
            if (cache === "hot") typedSet(s, name, page * PS, 2n); // write cache now on `page`
            const addr = page * PS + 8;
            expectRefused(
              pool,
              all,
              InvalidArgumentError,
              () => typedSet(s, name, addr, v as bigint),
              `set${name}(${addr}, ${lit(v)})`,
            );
          }
        }
      });
    }
  }
});

describe("number setters refuse a value that is not a number, before any fault", () => {
  const values: unknown[] = [
    5n,
    "5",
    "",
    true,
    null,
    undefined,
    {},
    [5],
    Object(5),
    Symbol("5"),
    {
      valueOf() {
        throw new Error("valueOf must not be called");
      },
    },
  ];
  for (const { name } of TYPES.filter((t) => !t.name.startsWith("Big"))) {
    for (const cache of ["cold", "hot"] as const) {
      it(`set${name}, ${cache} cache`, () => {
        const { pool, s, all } = fixture();
        for (const v of values) {
          // A private page (7), a page shared with the fork (0), an unwritten one (5):
          // a refused write must not fault the page in or copy it first.
          for (const page of [7, 0, 5]) {
            prime(s, cache, name);
            if (cache === "hot") typedSet(s, name, page * PS, 2);
            const addr = page * PS + 8;
            expectRefused(
              pool,
              all,
              InvalidArgumentError,
              () => typedSet(s, name, addr, v as number),
              `set${name}(${addr}, ${lit(v)})`,
            );
          }
        }
      });
    }
  }
});

describe("bulk operations refuse bad arguments and change nothing", () => {
  const notViews: unknown[] = [null, undefined, {}, [1, 2, 3], "abc", 5, new ArrayBuffer(8)];

  it("read", () => {
    const { pool, s, all } = fixture();
    for (const [addr, err] of badAddresses(1)) {
      expectRefused(pool, all, err, () => s.read(addr as number, new Uint8Array(4)), `read(${lit(addr)})`);
    }
    for (const addr of [0, PS, SIZE - 1]) {
      expectRefused(pool, all, SegmentationFault, () => s.read(addr, new Uint8Array(SIZE - addr + 1)));
    }
    for (const v of notViews) {
      expectRefused(pool, all, InvalidArgumentError, () => s.read(0, v as Uint8Array), `read(0, ${lit(v)})`);
    }
  });

  it("write", () => {
    const { pool, s, all } = fixture();
    for (const [addr, err] of badAddresses(1)) {
      expectRefused(pool, all, err, () => s.write(addr as number, bytes(3, 4)), `write(${lit(addr)})`);
      expectRefused(pool, all, err, () => s.write(addr as number, bytes(3, 3 * PS)), `write(${lit(addr)}, 3 pages)`);
    }
    for (const addr of [0, PS, SIZE - 1, SIZE - 2 * PS]) {
      // Would fit on its first pages: must still write nothing at all.
      expectRefused(pool, all, SegmentationFault, () => s.write(addr, bytes(4, SIZE - addr + 1)));
    }
    for (const v of notViews) {
      expectRefused(pool, all, InvalidArgumentError, () => s.write(0, v as Uint8Array), `write(0, ${lit(v)})`);
    }
  });

  it("fill", () => {
    const { pool, s, all } = fixture();
    for (const [addr, err] of badAddresses(1)) {
      const end = typeof addr === "number" ? addr + 4 : PS;
      if (typeof addr === "number" && addr >= 0 && end <= SIZE) continue; // a valid range
      expectRefused(pool, all, err, () => s.fill(1, addr as number, end), `fill(1, ${lit(addr)}, ${lit(end)})`);
    }
    for (const end of NOT_AN_INTEGER) {
      expectRefused(pool, all, InvalidArgumentError, () => s.fill(1, 0, end as number), `fill(1, 0, ${lit(end)})`);
    }
    // end < start: refused naming `end` (the native fill does nothing; see fillBytes), also across pages
    for (const [a, e] of [
      [PS, PS - 1],
      [3 * PS + 5, PS],
      [4, 0],
    ] as const) {
      const err = expectRefused(pool, all, InvalidArgumentError, () => s.fill(1, a, e), `fill(1, ${a}, ${e})`);
      expect((err as InvalidArgumentError).argument).toBe("end");
    }
    expectRefused(pool, all, SegmentationFault, () => s.fill(1, 0, SIZE + 1), "end > size");
    expectRefused(pool, all, SegmentationFault, () => s.fill(1, -1, 4), "negative start");
    for (const v of ["1", null, undefined, 1n, {}, [1]]) {
      expectRefused(pool, all, InvalidArgumentError, () => s.fill(v as number, 0, 4), `fill(${lit(v)}, 0, 4)`);
    }
  });

  it("copyWithin", () => {
    const { pool, s, all } = fixture();
    for (const bad of NOT_AN_INTEGER) {
      const b = bad as number;
      expectRefused(pool, all, InvalidArgumentError, () => s.copyWithin(b, 0, 4), `copyWithin(${lit(bad)}, 0, 4)`);
      expectRefused(pool, all, InvalidArgumentError, () => s.copyWithin(PS, b, 4), `copyWithin(${PS}, ${lit(bad)}, 4)`);
      expectRefused(pool, all, InvalidArgumentError, () => s.copyWithin(PS, 0, b), `copyWithin(${PS}, 0, ${lit(bad)})`);
    }
    for (const [t, a, e] of [
      [-1, 0, 4],
      [SIZE - 3, 0, 4],
      [SIZE, 0, 1],
      [0, SIZE - 3, SIZE + 1],
      [0, -4, 4],
      [2 ** 40, 0, 4],
    ] as const) {
      expectRefused(pool, all, SegmentationFault, () => s.copyWithin(t, a, e), `copyWithin(${t}, ${a}, ${e})`);
    }
    for (const [t, a, e] of [
      [0, PS, PS - 1],
      [2 * PS, 3 * PS + 5, PS],
      [SIZE - 1, 4, 0],
    ] as const) {
      const err = expectRefused(
        pool,
        all,
        InvalidArgumentError,
        () => s.copyWithin(t, a, e),
        `copyWithin(${t}, ${a}, ${e})`,
      );
      expect((err as InvalidArgumentError).argument).toBe("end");
    }
  });

  it("discard", () => {
    const { pool, s, all } = fixture();
    for (const [addr, err] of badAddresses(1)) {
      expectRefused(pool, all, err, () => s.discard(addr as number, PS), `discard(${lit(addr)}, ${PS})`);
    }
    for (const len of NOT_AN_INTEGER) {
      expectRefused(pool, all, InvalidArgumentError, () => s.discard(0, len as number), `discard(0, ${lit(len)})`);
    }
    // Not page-aligned: refused whole (no page of the range is dropped).
    for (const [addr, len] of [
      [1, PS],
      [PS / 2, PS],
      [PS, PS + 1],
      [0, 3 * PS - 1],
      [PS - 1, 1],
    ] as const) {
      expectRefused(pool, all, InvalidArgumentError, () => s.discard(addr, len), `discard(${addr}, ${len})`);
    }
    expectRefused(pool, all, InvalidArgumentError, () => s.discard(0, -PS), "negative length");
    expectRefused(pool, all, SegmentationFault, () => s.discard(0, SIZE + PS), "past the end");
    expectRefused(pool, all, SegmentationFault, () => s.discard(SIZE, PS), "past the end");
  });

  it("spans, both modes", () => {
    const { pool, s, all } = fixture();
    for (const mode of ["read", "write"] as const) {
      for (const [addr, err] of badAddresses(8)) {
        expectRefused(pool, all, err, () => s.spans(Float64Array, addr as number, 1, mode), `spans(${lit(addr)})`);
      }
      for (const off of [1, 4, PS + 2]) {
        expectRefused(pool, all, AlignmentFault, () => s.spans(Float64Array, off, 4, mode), `spans(F64, ${off})`);
        expectRefused(pool, all, AlignmentFault, () => s.spans(Int32Array, off + 1, 4, mode), `spans(I32, ${off + 1})`);
      }
      for (const len of [-1, 1.5, Number.NaN, "3", null, 3n, Number.POSITIVE_INFINITY]) {
        expectRefused(pool, all, InvalidArgumentError, () => s.spans(Float64Array, 0, len as number, mode), lit(len));
      }
      expectRefused(pool, all, SegmentationFault, () => s.spans(Float64Array, 0, SIZE / 8 + 1, mode), "too long");
      expectRefused(pool, all, SegmentationFault, () => s.spans(Uint8Array, SIZE - 3, 4, mode), "past the end");
      expectRefused(pool, all, SegmentationFault, () => s.spans(Float64Array, 0, 2 ** 50, mode), "huge length");
      for (const type of [Array, DataView, null, undefined, Object, Float64Array.prototype, "Float64Array"]) {
        expectRefused(
          pool,
          all,
          InvalidArgumentError,
          () => s.spans(type as unknown as SpanArrayConstructor, 0, 4, mode),
          `type ${typeof type === "function" ? type.name : typeof type}`,
        );
      }
    }
    for (const mode of ["rw", "READ", "", 1, null]) {
      expectRefused(
        pool,
        all,
        InvalidArgumentError,
        () => s.spans(Uint8Array, 0, 4, mode as "read"),
        `mode ${lit(mode)}`,
      );
    }
  });
});

describe("constructors refuse bad options", () => {
  const badPageSizes: unknown[] = [
    0,
    100,
    128,
    3000,
    131072,
    Number.NaN,
    -4096,
    4096.5,
    "4096",
    Number.POSITIVE_INFINITY,
    2 ** 31,
    4096n,
  ];

  it("FramePool: page sizes other than powers of two from 256 to 65536", () => {
    for (const pageSize of badPageSizes) {
      expect(() => new FramePool({ pageSize: pageSize as number }), lit(pageSize)).toThrow(InvalidArgumentError);
    }
    for (let ps = 256; ps <= 65536; ps *= 2) expect(new FramePool({ pageSize: ps }).pageSize).toBe(ps);
    expect(new FramePool().pageSize).toBe(4096);
  });

  it("FramePool: bad slabBytes and maxBytes", () => {
    for (const slabBytes of [0, 100, 128, 3 * 4096, 2 ** 31, Number.NaN, "65536"]) {
      expect(() => new FramePool({ pageSize: 256, slabBytes: slabBytes as number }), lit(slabBytes)).toThrow(
        InvalidArgumentError,
      );
    }
    expect(() => new FramePool({ pageSize: 4096, slabBytes: 2048 }), "slab smaller than a page").toThrow(
      InvalidArgumentError,
    );
    for (const maxBytes of [-1, Number.NaN, "1024", 1024n, Number.NEGATIVE_INFINITY, {}]) {
      expect(() => new FramePool({ maxBytes: maxBytes as number }), lit(maxBytes)).toThrow(InvalidArgumentError);
    }
    expect(new FramePool({ maxBytes: 0 }).stats().maxBytes).toBe(0);
    expect(new FramePool().stats().maxBytes).toBe(Number.POSITIVE_INFINITY);
  });

  it("AddressSpace: bad page sizes", () => {
    for (const pageSize of badPageSizes) {
      expect(() => new AddressSpace({ size: 4096, pageSize: pageSize as number }), lit(pageSize)).toThrow(
        InvalidArgumentError,
      );
    }
    expect(new AddressSpace({ size: 1, pageSize: 65536 }).size).toBe(65536);
  });

  it("AddressSpace: bad sizes, and a refused space takes nothing from its pool", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new AddressSpace({ size: 1024, pool });
    s.setUint8(0, 1);
    const sizes: unknown[] = [
      0,
      -0,
      -1,
      -4096,
      Number.NaN,
      1.5,
      Number.POSITIVE_INFINITY,
      "4096",
      null,
      undefined,
      4096n,
      2 ** 53,
      Number.MAX_VALUE,
      2 ** 40 + 1, // 2**32 + 1 pages of 256 B
      2 ** 41,
    ];
    for (const size of sizes) {
      expectRefused(pool, [s], InvalidArgumentError, () => new AddressSpace({ size: size as number, pool }), lit(size));
    }
    // The largest space: exactly 2**32 pages.
    const top = new AddressSpace({ size: 2 ** 40, pool });
    top.setUint8(2 ** 40 - 1, 7);
    expect(top.getUint8(2 ** 40 - 1)).toBe(7);
    expect(() => top.getUint8(2 ** 40)).toThrow(SegmentationFault);
    top.release();
    expect(() => new AddressSpace({ size: 2 ** 44 + 1 })).toThrow(InvalidArgumentError);
    expect(new AddressSpace({ size: 2 ** 44 }).size).toBe(2 ** 44);
    // Sizes round up to whole pages.
    expect(new AddressSpace({ size: 257, pool }).size).toBe(512);
  });

  it("AddressSpace: bad options objects and a page size that differs from the pool's", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new AddressSpace({ size: 1024, pool });
    s.setUint8(300, 1);
    for (const options of [null, undefined, 5, "x", true]) {
      expectRefused(
        pool,
        [s],
        InvalidArgumentError,
        () => new AddressSpace(options as unknown as { size: number }),
        lit(options),
      );
    }
    for (const p of [{}, { pageSize: 256 }, new Uint8Array(4), "pool"]) {
      expectRefused(pool, [s], InvalidArgumentError, () => new AddressSpace({ size: 1024, pool: p as FramePool }));
    }
    for (const pageSize of [4096, 512, 128, Number.NaN, "256"]) {
      expectRefused(
        pool,
        [s],
        InvalidArgumentError,
        () => new AddressSpace({ size: 1024, pool, pageSize: pageSize as number }),
        `pageSize ${lit(pageSize)} with a 256 B pool`,
      );
    }
    expect(new AddressSpace({ size: 1024, pool, pageSize: 256 }).pool).toBe(pool);
  });
});

describe("use after release", () => {
  it("every call throws ReleasedError and changes nothing; release is idempotent", () => {
    const pool = new FramePool({ pageSize: PS });
    const keep = new AddressSpace({ size: SIZE, pool });
    keep.write(0, bytes(9, 2 * PS));
    const s = keep.fork();
    s.write(PS, bytes(10, 2 * PS)); // one shared page, two private ones
    for (const { name } of TYPES) {
      typedGet(s, name, 0); // warm both last-page caches before the release
      typedSet(s, name, PS, validValue(name));
    }
    const c = s.spans(Uint8Array, 0, 4, "read");
    s.release();
    expect(s.released).toBe(true);
    s.release();
    s[Symbol.dispose]();
    expect(s.released).toBe(true);
    expect(pool.stats().framesInUse).toBe(2);

    const calls: [string, () => unknown][] = [
      ["fork", () => s.fork()],
      ["stats", () => s.stats()],
      ["read", () => s.read(0, new Uint8Array(4))],
      ["write", () => s.write(0, new Uint8Array(4))],
      ["fill", () => s.fill(1, 0, 4)],
      ["copyWithin", () => s.copyWithin(0, PS, PS + 4)],
      // bad arguments too: a released space says so first, as read and write do
      ["fill of a non-number", () => s.fill("x" as unknown as number, 0, 4)],
      ["fill with end < start", () => s.fill(1, 4, 0)],
      ["copyWithin with end < start", () => s.copyWithin(0, 4, 0)],
      ["copyWithin with a fractional start", () => s.copyWithin(0, 0.5, 4)],
      ["write at a fractional address", () => s.write(0.5, new Uint8Array(4))],
      ["discard", () => s.discard(0, PS)],
      ["spans read", () => s.spans(Uint8Array, 0, 4, "read")],
      ["spans write", () => s.spans(Float64Array, 0, 4, "write")],
      ["cursor made before release", () => c.next()],
    ];
    for (const { name } of TYPES) {
      for (const addr of [0, PS, 5 * PS]) {
        calls.push([`get${name}(${addr})`, () => typedGet(s, name, addr)]);
        calls.push([`set${name}(${addr})`, () => typedSet(s, name, addr, validValue(name))]);
      }
    }
    for (const [label, fn] of calls) expectRefused(pool, [keep], ReleasedError, fn, label);
    keep.release();
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("a write cursor made before release writes nothing and takes no frame after it", () => {
    const pool = new FramePool({ pageSize: PS });
    const s = new AddressSpace({ size: SIZE, pool });
    const c = s.spans(Float64Array, 0, 3 * (PS / 8), "write");
    expect(c.next()).toBe(true);
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
    expectRefused(pool, [], ReleasedError, () => c.next(), "next() after release");
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});
