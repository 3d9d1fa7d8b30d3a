/**
 * A listener that commits (or moves) while the store is telling its
 * listeners about a change: every listener still gets versions it can read.
 * The versions the nested commit drops (the redo branch, a coalesced step,
 * the oldest past maxVersions) are released only once the outermost
 * notification is over; nothing leaks once the store is released.
 */
import { FramePool } from "@pagefork/core";
import { createStore, type State, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const S = t.struct({ n: t.u32 });
type V = State<typeof S>;
const setN = (n: number) => (d: t.Draft<typeof S>) => {
  d.n = n;
};
const read = (v: V) => {
  try {
    return v.root.n;
  } catch (e) {
    return (e as Error).name;
  }
};

describe("a listener that changes the store while it notifies", () => {
  const cases: [string, object][] = [
    ["maxVersions: 2 (the nested commit evicts the outer prev)", { maxVersions: 2 }],
    ["coalesceMs (the nested commit replaces the outer next)", { coalesceMs: 1_000_000 }],
    ["maxBytes: 0 (the nested commit evicts every older step)", { maxBytes: 0 }],
    ["no limits", {}],
  ];
  for (const [name, opts] of cases)
    it(`later listeners read next and prev of each notification: ${name}`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(S, { n: 0 }, { ...opts, pool });
      const seen: [unknown, unknown][] = [];
      store.subscribe((next) => {
        if (next.root.n === 1) store.setState(setN(2));
      });
      store.subscribe((next, prev) => void seen.push([read(next), read(prev)]));
      store.setState(setN(1));
      // The nested notification comes first (as in zustand), then the outer one.
      expect(seen).toEqual([
        [2, 1],
        [1, 0],
      ]);
      expect(store.getState().root.n).toBe(2);
      store.release();
      expect(pool.framesInUse).toBe(0);
    });

  it("an undo whose listener commits: the dropped redo step stays readable until the notification ends", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(S, { n: 0 }, { pool });
    store.setState(setN(1));
    store.setState(setN(5));
    const seen: [unknown, unknown][] = [];
    let once = true;
    store.subscribe(() => {
      if (once) {
        once = false;
        store.setState(setN(3));
      }
    });
    store.subscribe((next, prev) => void seen.push([read(next), read(prev)]));
    store.undo();
    expect(seen).toEqual([
      [3, 1],
      [1, 5],
    ]);
    expect([store.getState().root.n, store.versions.length, store.canRedo]).toEqual([3, 3, false]);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a listener that releases the store: the commit ends without an error and keeps no frame", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(S, { n: 0 }, { pool, maxVersions: 1, maxBytes: 0 });
    store.subscribe(() => store.release());
    store.setState(setN(1));
    expect(store.released).toBe(true);
    expect(pool.framesInUse).toBe(0);
  });
});
