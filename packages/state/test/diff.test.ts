/**
 * diffPatches: within one lineage, the patches between any two versions take
 * the first to the second (applied with applyPatches); versions of two
 * lineages are refused with InvalidArgumentError (their stamps say nothing
 * about each other: the diff used to return [] for two different states);
 * attachState's `lineageOf` makes an attached version join a lineage.
 */
import { AddressSpace, FramePool, InvalidArgumentError } from "@pagefork/core";
import {
  applyPatches,
  attachState,
  createState,
  diffPatches,
  nextStampOf,
  produce,
  type State,
  t,
} from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const S = t.struct({
  n: t.u32,
  name: t.string,
  inner: t.struct({ a: t.u32, tags: t.set(t.string) }),
  items: t.list(t.struct({ id: t.u32, done: t.bool })),
  doc: t.text(),
  byKey: t.map(t.string, t.f64),
});
type D = t.Draft<typeof S>;
const initial = () => ({
  n: 0,
  name: "",
  inner: { a: 0, tags: new Set<string>() },
  items: [],
  doc: "",
  byKey: new Map(),
});

/** One edit of a draft, from numbers. */
function edit(d: D, [op, x]: [number, number]): void {
  switch (op % 7) {
    case 0:
      d.n = x;
      break;
    case 1:
      d.name = `n${x % 5}`;
      break;
    case 2:
      d.inner.a = x % 3;
      break;
    case 3:
      if (x % 2 === 0) d.inner.tags.add(`t${x % 4}`);
      else d.inner.tags.delete(`t${x % 4}`);
      break;
    case 4:
      if (x % 3 === 0 && d.items.length > 0) d.items.splice(x % d.items.length, 1);
      else d.items.push({ id: x, done: false });
      break;
    case 5:
      d.doc.insert(x % (d.doc.length + 1), x % 2 === 0 ? "😀" : "ab");
      break;
    default:
      d.byKey.set(`k${x % 3}`, x / 2);
  }
}

/** Copies `s`'s pages into a new space and attaches a State over it, as a store that saved it does. */
function copyOf(s: State<typeof S>, lineageOf?: State<typeof S>): State<typeof S> {
  const copy = new AddressSpace({ size: s.space.size, pool: s.space.pool });
  const empty = new AddressSpace({ size: s.pageSize, pool: s.space.pool });
  for (const a of s.space.diff(empty, { compare: "frames" }))
    copy.write(a, s.space.read(a, new Uint8Array(s.pageSize)));
  empty.release();
  return attachState(
    S,
    copy,
    lineageOf === undefined ? { nextStamp: nextStampOf(s) } : { nextStamp: nextStampOf(s), lineageOf },
  );
}

describe("diffPatches", () => {
  it("between any two versions of a lineage (produced, forked, or attached with lineageOf) gives patches that take one to the other", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.nat(), fc.nat(1000)), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        fc.boolean(),
        (steps, from, attach) => {
          const pool = new FramePool({ pageSize: 256 });
          const versions = [createState(S, initial(), { pool })];
          for (const [k, ops] of steps.entries()) {
            const base = versions[(from + k) % versions.length] as State<typeof S>;
            const next = produce(base, (d) => {
              for (const op of ops) edit(d, op);
            });
            versions.push(next === base ? base.fork() : next);
          }
          // A copy attached into the lineage stands for a version loaded from a store.
          if (attach) versions.push(copyOf(versions[versions.length - 1] as State<typeof S>, versions[0]));
          for (const a of versions)
            for (const b of versions) {
              const back = applyPatches(a, diffPatches(a, b));
              expect(back.toJSON()).toEqual(b.toJSON());
              if (back !== a) back.release();
            }
          for (const v of versions) v.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("refuses versions of two lineages with InvalidArgumentError (regression: two different states diffed as [])", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = createState(S, { ...initial(), n: 1, name: "a" }, { pool });
    const b = createState(S, { ...initial(), n: 2, name: "b" }, { pool });
    const a2 = produce(a, (d) => {
      d.n = 5;
    });
    const loose = copyOf(a); // attached without lineageOf: a lineage of its own
    for (const [x, y] of [
      [a, b],
      [a2, b],
      [a, loose],
      [loose, a2],
    ] as const)
      expect(() => diffPatches(x, y)).toThrow(InvalidArgumentError);
    expect(() => diffPatches(a, {} as State<typeof S>)).toThrow(InvalidArgumentError);
    expect(() => diffPatches(null as unknown as State<typeof S>, a)).toThrow(InvalidArgumentError);
    const other = createState(t.struct({ n: t.u32 }), { n: 1 }, { pool });
    const space = a.space.fork();
    const frames = pool.framesInUse;
    for (const bad of [{} as State, other]) {
      expect(() => attachState(S, space, { lineageOf: bad })).toThrow(InvalidArgumentError);
      expect([pool.framesInUse, space.frozen]).toEqual([frames, false]);
    }
    for (const s of [a, b, a2, loose, other]) s.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});
