/**
 * The copying conversions and the read-only lookups against native semantics,
 * over all eleven kinds, for fixed-length arrays and vectors, standalone and
 * embedded, and through the array's proxy view: `at`, `with`, `toSorted`
 * (default order and a comparator), `toReversed`, `findLast`,
 * `findLastIndex`, `slice`, `toTypedArray`, `join`, `includes`, `indexOf`,
 * `lastIndexOf`, JSON, and `share()` + `attachShared()` (standalone:
 * a copy of the elements at share time, unchanged by later writes). The model
 * is a native TypedArray of the kind holding the same values. Nothing is
 * changed by a call that throws; the pool holds no frame afterwards.
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KINDS, type Kind, type Scalar, turn, valueArb } from "./support.js";

const NUM_RUNS = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1) * 150;

// biome-ignore lint/suspicious/noExplicitAny: a COW array, a proxy view or a native array, called alike
type Any = any;

interface Case {
  readonly kind: Kind;
  readonly values: Scalar[];
  readonly vector: boolean;
  readonly embedded: boolean;
  readonly i: number;
  readonly x: Scalar;
  readonly a: number;
  readonly b: number;
  readonly desc: boolean;
  readonly search: Scalar;
}

const caseArb: fc.Arbitrary<Case> = fc.constantFrom(...KINDS).chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    values: fc.array(valueArb(kind), { maxLength: 90 }),
    vector: fc.boolean(),
    embedded: fc.boolean(),
    i: fc.integer({ min: -100, max: 100 }),
    x: valueArb(kind),
    a: fc.integer({ min: -100, max: 100 }),
    b: fc.integer({ min: -100, max: 100 }),
    desc: fc.boolean(),
    search: valueArb(kind),
  }),
);

/** The value, or the constructor name of what it threw. */
function run(f: () => unknown): unknown {
  try {
    const r = f();
    if (r !== null && typeof r === "object" && "length" in (r as object)) {
      const out = Array.from(r as ArrayLike<unknown>);
      (r as { free?: () => void }).free?.();
      return out;
    }
    return r;
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

/** Every call compared, on a receiver `t` (COW array, proxy view or native). */
function calls(t: Any, c: Case): [string, () => unknown][] {
  const cmp = (p: Scalar, q: Scalar): number => (p < q ? 1 : p > q ? -1 : 0);
  const pred = (v: Scalar): boolean => v === c.search;
  return [
    ["at", () => t.at(c.i)],
    ["with", () => t.with(c.i, c.x)],
    ["toSorted", () => (c.desc ? t.toSorted(cmp) : t.toSorted())],
    ["toReversed", () => t.toReversed()],
    ["findLast", () => t.findLast(pred)],
    ["findLastIndex", () => t.findLastIndex(pred)],
    ["slice", () => t.slice(c.a, c.b)],
    ["join", () => t.join()],
    ["includes", () => t.includes(c.search, c.a)],
    ["indexOf", () => t.indexOf(c.search, c.a)],
    ["lastIndexOf", () => t.lastIndexOf(c.search, c.b)],
    ["lastIndexOf()", () => t.lastIndexOf(c.search)],
  ];
}

function check(c: Case): void {
  const model = c.kind.Native.from(c.values) as Any;
  const pool = new FramePool({ pageSize: 256, shared: !c.embedded }); // share() needs a shared pool
  let space: AddressSpace | null = null;
  let a: Any;
  if (c.embedded) {
    space = new AddressSpace({ size: 1 << 20, pool });
    const heap = Heap.create(space, { base: 256 });
    if (c.vector) {
      a = CowVector.create(heap, c.kind.Native);
      a.extend(model);
    } else a = c.kind.Cow.create(heap, model);
  } else a = c.vector ? CowVector.from(c.kind.Native, model, { pool }) : new c.kind.Cow(model, { pool });
  const native = calls(model, c);
  for (const receiver of [a, a.proxy()]) {
    const mine = calls(receiver, c);
    for (let k = 0; k < native.length; k++) {
      const [name, f] = native[k] as [string, () => unknown];
      expect(
        run((mine[k] as [string, () => unknown])[1]),
        `${name} on ${receiver === a ? "the array" : "its proxy"}`,
      ).toEqual(run(f));
    }
    expect(Array.from(receiver)).toEqual(Array.from(model)); // nothing changed
  }
  expect(JSON.stringify(a)).toBe(
    JSON.stringify(Array.from(model, (v: Scalar) => (typeof v === "bigint" ? `${v}` : v))),
  );
  if (!c.embedded) {
    const handle = structuredClone(a.share());
    if (model.length > 0) a.set(0, c.x); // a write after share(): the attached copy keeps the shared state
    const seen = c.vector ? CowVector.attachShared(handle) : c.kind.Cow.attachShared(handle);
    expect([seen.length, Array.from(seen.toTypedArray())]).toEqual([model.length, Array.from(model)]);
    seen.release();
    a.release();
  } else space?.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0 });
}

describe("conversions and lookups of every kind, array and vector, standalone and embedded, and their proxies", () => {
  it("answer as the native TypedArray of the kind (property)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await turn();
        check(c);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
