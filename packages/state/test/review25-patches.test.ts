/**
 * Patches that do not fit the schema are refused with PatchError and change
 * nothing, instead of being applied wrongly or silently skipped. The common
 * source is JSON: it writes NaN and ±Infinity as null, so a typed-array
 * element set to NaN came back as 0, and the inverse patch of a map entry
 * or set element keyed NaN removed nothing.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, type Patch, PatchError, produceWithPatches, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const S = t.struct({
  grid: t.float64Array(3),
  big: t.bigInt64Array(2),
  byX: t.map(t.f64, t.string),
  names: t.map(t.string, t.u8),
  xs: t.set(t.f64),
});

function setup() {
  const pool = new FramePool({ pageSize: 256 });
  const s0 = createState(
    S,
    { grid: [1, 2, 3], big: [1n, 2n], byX: new Map([[0.5, "half"]]), names: new Map([["a", 1]]), xs: new Set([1]) },
    { pool },
  );
  return { pool, s0 };
}

/** applyPatches(base, patches) must throw PatchError and leave base and the pool as they were. */
function refused(base: ReturnType<typeof setup>["s0"], pool: FramePool, patches: unknown[]): void {
  const json = JSON.stringify(base);
  const frames = pool.framesInUse;
  expect(() => applyPatches(base, patches as Patch[])).toThrow(PatchError);
  expect(JSON.stringify(base)).toBe(json);
  expect(pool.framesInUse).toBe(frames);
}

describe("applyPatches refuses values and keys that do not fit", () => {
  it("a typed-array element that is not a number (NaN through JSON is null) is refused, not written as 0", () => {
    const { pool, s0 } = setup();
    const [s1, patches] = produceWithPatches(s0, (d) => {
      d.grid[1] = Number.NaN;
      d.grid[2] = Number.POSITIVE_INFINITY;
    });
    expect([...s1.root.grid]).toEqual([1, Number.NaN, Number.POSITIVE_INFINITY]);
    const raw = applyPatches(s0, patches); // not through JSON: exact
    expect([...raw.root.grid]).toEqual([1, Number.NaN, Number.POSITIVE_INFINITY]);
    refused(s0, pool, JSON.parse(JSON.stringify(patches)));
    refused(s0, pool, [{ op: "replace", path: ["grid", 0], value: "7" }]);
    refused(s0, pool, [{ op: "replace", path: ["grid", 0], value: true }]);
    refused(s0, pool, [{ op: "replace", path: ["big", 0], value: 3 }]);
    refused(s0, pool, [{ op: "replace", path: ["big", 0], value: "1.5" }]);
    const ok = applyPatches(s0, [
      { op: "replace", path: ["big", 0], value: "-9007199254740993" },
      { op: "replace", path: ["big", 1], value: 5n as unknown as string },
    ]);
    expect([...ok.root.big]).toEqual([-9007199254740993n, 5n]);
    for (const v of [ok, raw, s1, s0]) v.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a remove whose map key or set element is of the wrong type (NaN through JSON) is refused, not skipped", () => {
    const { pool, s0 } = setup();
    const [s1, , inverse] = produceWithPatches(s0, (d) => {
      d.byX.set(Number.NaN, "nan");
      d.xs.add(Number.NaN);
    });
    const undone = applyPatches(s1, inverse); // not through JSON: exact
    expect(JSON.stringify(undone)).toBe(JSON.stringify(s0));
    refused(s1, pool, JSON.parse(JSON.stringify(inverse)));
    refused(s0, pool, [{ op: "remove", path: ["byX", null] }]);
    refused(s0, pool, [{ op: "remove", path: ["byX", true] }]);
    refused(s0, pool, [{ op: "remove", path: ["names", 1] }]);
    refused(s0, pool, [{ op: "remove", path: ["xs", 0], value: null }]);
    refused(s0, pool, [{ op: "remove", path: ["xs", 0], value: "1" }]);
    // Keys of the right type that are absent still change nothing, as in Immer.
    const same = applyPatches(s0, [
      { op: "remove", path: ["byX", 7] },
      { op: "remove", path: ["byX", "7"] },
      { op: "remove", path: ["xs", 0], value: 9 },
    ]);
    expect(JSON.stringify(same)).toBe(JSON.stringify(s0));
    for (const v of [same, undone, s1, s0]) v.release();
    expect(pool.framesInUse).toBe(0);
  });
});
