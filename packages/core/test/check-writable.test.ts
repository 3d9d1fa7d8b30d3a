/**
 * `AddressSpace.checkWritable(addr, length)`: throws exactly when a write to
 * every byte of the range would (frozen, read-only, unmapped, outside the
 * space), checked against a byte model of the mappings, and changes nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  InvalidArgumentError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "../src/index.js";
import { expectRefused } from "./support/helpers.js";

const PAGE = 256;
const PAGES = 16;
const SIZE = PAGE * PAGES;

/** Per byte: 0 unmapped, 1 read-only, 2 read-write. */
type Model = Uint8Array;

type Op = { kind: "unmap" | "read-only" | "read-write"; page: number; pages: number };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("unmap", "read-only", "read-write"),
  page: fc.integer({ min: 0, max: PAGES - 1 }),
  pages: fc.integer({ min: 1, max: 4 }),
}) as fc.Arbitrary<Op>;

function apply(s: AddressSpace, m: Model, op: Op): void {
  const start = op.page * PAGE;
  const len = Math.min(op.pages, PAGES - op.page) * PAGE;
  if (op.kind === "unmap") {
    s.unmap(start, len);
    m.fill(0, start, start + len);
  } else {
    s.unmap(start, len); // map() takes unmapped ranges only (MAP_FIXED_NOREPLACE)
    s.map(start, len, op.kind);
    m.fill(op.kind === "read-write" ? 2 : 1, start, start + len);
  }
}

/** The error class a write to `[a, a + n)` would throw on model `m`, or null. */
function expected(
  m: Model,
  frozen: boolean,
  a: number,
  n: number,
): typeof ProtectionFault | typeof SegmentationFault | null {
  if (a + n > SIZE) return SegmentationFault;
  if (n === 0) return null;
  if (frozen) return ProtectionFault;
  for (let i = a; i < a + n; i++) {
    if (m[i] === 0) return SegmentationFault;
    if (m[i] === 1) return ProtectionFault;
  }
  return null;
}

describe("AddressSpace.checkWritable", () => {
  it("throws exactly when a write of the range would, against a byte model of the mappings", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: SIZE }), fc.integer({ min: 0, max: SIZE })), {
          minLength: 1,
          maxLength: 12,
        }),
        (ops, freeze, probes) => {
          const pool = new FramePool({ pageSize: PAGE });
          const s = new AddressSpace({ size: SIZE, pool });
          const m: Model = new Uint8Array(SIZE).fill(2);
          for (const op of ops) apply(s, m, op);
          if (freeze) s.freeze();
          for (const [a, raw] of probes) {
            const n = Math.min(raw, SIZE - a + (raw % 3 === 0 ? 1 : 0)); // now and then one byte past the end
            const want = expected(m, freeze, a, n);
            if (want === null) expect(() => s.checkWritable(a, n)).not.toThrow();
            else {
              // Some pages are unmapped (observe() reads every byte): compare what a refusal could change.
              const before = JSON.stringify([pool.stats(), s.mappings(), s.frozen, s.stats()]);
              expect(() => s.checkWritable(a, n), `checkWritable(${a}, ${n})`).toThrow(want);
              expect(JSON.stringify([pool.stats(), s.mappings(), s.frozen, s.stats()])).toBe(before);
            }
            // The model agrees with a real write where the write is allowed.
            if (want === null && n > 0) {
              const before = s.getUint8(a);
              s.setUint8(a, before);
            }
          }
          s.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses bad arguments and a released space with typed errors, changing nothing", () => {
    const pool = new FramePool({ pageSize: PAGE });
    const s = new AddressSpace({ size: SIZE, pool });
    s.setUint8(0, 1);
    for (const [a, n] of [
      [1.5, 1],
      [0, -1],
      [0, 0.5],
      [Number.NaN, 1],
      ["0", 1],
      [0, "1"],
    ] as const)
      expectRefused(pool, [s], InvalidArgumentError, () => s.checkWritable(a as number, n as number), `${a}, ${n}`);
    expectRefused(pool, [s], SegmentationFault, () => s.checkWritable(-1, 1), "-1, 1");
    s.release();
    expect(() => s.checkWritable(0, 1)).toThrow(ReleasedError);
    expect(pool.framesInUse).toBe(0);
  });
});
