/**
 * Review 27: `maxBytes` evicts before the listeners are told.
 *
 * Before, the store evicted the oldest versions past `maxBytes` after its
 * listeners ran, and told nobody: a listener (and anything derived from the
 * history: `canUndo`, `canRedo`, `position`, `versions`, `stats()`) saw the
 * history from before the eviction until the next change. useHistory and the
 * zustand middleware papered over it with a second check a microtask later.
 * As in redux-undo and zundo (whose `limit` trims the history in the same
 * update the subscribers are told of), the history a listener reads is now the
 * one that stays: `maxBytes` is applied when the change is made, before the
 * notification, and the versions handed to listeners (`next`, `prev`) stay
 * readable until the outermost notification is over.
 *
 * The property compares, after every operation, what each listener read in
 * its last notification with what the store says once the call returned.
 */
import { FramePool } from "@pagefork/core";
import { createStore, type State, type Store, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const S = t.struct({ n: t.u32, list: t.list(t.f64) });
type V = State<typeof S>;

/** What a listener reads of the history. */
function history(store: Store<typeof S>): string {
  const st = store.stats();
  return JSON.stringify({
    position: store.position,
    versions: store.versions.length,
    canUndo: store.canUndo,
    canRedo: store.canRedo,
    stats: [st.versions, st.position],
  });
}

const read = (v: V): unknown => {
  try {
    return v.root.n;
  } catch (e) {
    return (e as Error).name;
  }
};

describe("review 27: maxBytes eviction and what listeners see", () => {
  it("a commit that maxBytes trims: the listener reads the history as it stays (regression: canUndo true, 2 versions)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(S, { n: 0, list: [] }, { pool, maxBytes: 64 * 256 });
    store.setState((d) => {
      d.n = 1;
    });
    let seen = "";
    let prevN: unknown;
    store.subscribe((_next, prev) => {
      seen = history(store);
      prevN = read(prev);
    });
    store.setState((d) => {
      d.n = 2;
      for (let i = 0; i < 2000; i++) d.list.push(i);
    });
    expect(store.versions.length).toBe(1);
    expect(seen).toBe(history(store));
    expect(prevN).toBe(1); // the evicted prev is still readable while the listeners run
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a goTo in a pool that grew meanwhile: the eviction is told too", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(S, { n: 0, list: [] }, { pool, maxBytes: 64 * 256 });
    for (let n = 1; n <= 3; n++)
      store.setState((d) => {
        d.n = n;
      });
    const other = createStore(S, { n: 0, list: Array.from({ length: 2000 }, (_, i) => i) }, { pool });
    let seen = "";
    store.subscribe(() => {
      seen = history(store);
    });
    store.undo();
    expect(seen).toBe(history(store));
    other.release();
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  type Op =
    | { k: "commit"; x: number; big: boolean; dt: number }
    | { k: "undo" }
    | { k: "redo" }
    | { k: "goTo"; i: number }
    | { k: "nested"; x: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        k: fc.constant("commit" as const),
        x: fc.nat(1000),
        big: fc.boolean(),
        dt: fc.constantFrom(0, 10, 1000),
      }),
    },
    { weight: 2, arbitrary: fc.constant({ k: "undo" as const }) },
    { weight: 1, arbitrary: fc.constant({ k: "redo" as const }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("goTo" as const), i: fc.nat(10) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("nested" as const), x: fc.nat(1000) }) },
  );

  it("property: after every call, each listener's last reading of the history is the store's; next and prev readable; no leak", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.constantFrom(Number.POSITIVE_INFINITY, 2, 4),
        fc.constantFrom(0, 24 * 256, 40 * 256, 80 * 256),
        fc.constantFrom(0, 100),
        (ops, maxVersions, maxBytes, coalesceMs) => {
          const pool = new FramePool({ pageSize: 256 });
          let clock = 0;
          const store = createStore(
            S,
            { n: 0, list: [] },
            { pool, maxVersions, maxBytes, coalesceMs, now: () => clock },
          );
          // listener 0 may commit while notified (a nested change); 1 and 2 read
          let nested: number | null = null;
          const seen: string[] = ["", "", ""];
          const unreadable: string[] = [];
          for (let id = 0; id < 3; id++)
            store.subscribe((next, prev) => {
              if (id === 0 && nested !== null) {
                const x = nested;
                nested = null;
                store.setState((d) => {
                  d.n = x;
                  d.list.push(x);
                });
              }
              seen[id] = history(store);
              for (const v of [next, prev]) if (typeof read(v) !== "number") unreadable.push(`${id}`);
            });
          for (const o of ops) {
            for (let i = 0; i < 3; i++) seen[i] = "";
            switch (o.k) {
              case "commit":
              case "nested":
                if (o.k === "commit") clock += o.dt;
                else nested = o.x + 1;
                store.setState((d) => {
                  d.n = o.x;
                  if (o.k === "commit" && o.big) for (let i = 0; i < 200; i++) d.list.push(i);
                  else d.list.push(o.x);
                });
                nested = null;
                break;
              case "undo":
                store.undo();
                break;
              case "redo":
                store.redo();
                break;
              case "goTo":
                store.goTo(o.i % store.versions.length);
                break;
            }
            const now = history(store);
            for (let i = 0; i < 3; i++) if (seen[i] !== "") expect(seen[i]).toBe(now);
            expect(unreadable).toEqual([]);
            if (maxBytes !== Number.POSITIVE_INFINITY)
              expect(pool.bytesInUse <= maxBytes || store.position === 0).toBe(true);
          }
          store.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: Math.max(1, Math.round(150 * RUNS_SCALE)) },
    );
  });
});

describe("review 27: a listener that commits a version the store dropped", () => {
  for (const [name, opts] of [
    ["coalesceMs (prev was replaced by next)", { coalesceMs: 1e9 }],
    ["maxVersions: 1 (prev was evicted)", { maxVersions: 1 }],
    ["maxBytes: 0 (prev was evicted)", { maxBytes: 0 }],
  ] as const)
    it(`setState(prev) is refused, nothing changes (regression: the step's version was released): ${name}`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(S, { n: 0, list: [] }, { pool, now: () => 0, ...opts });
      store.setState((d) => {
        d.n = 1;
      });
      const errors: string[] = [];
      const stop = store.subscribe((_next, prev) => {
        try {
          store.setState(prev);
        } catch (e) {
          errors.push((e as Error).name);
        }
      });
      store.setState((d) => {
        d.n = 2;
      });
      stop();
      expect(errors).toEqual(["InvalidArgumentError"]);
      expect(read(store.getState())).toBe(2);
      for (let i = 0; i < store.versions.length; i++) expect(typeof read(store.goTo(i))).toBe("number");
      store.release();
      expect(pool.framesInUse).toBe(0);
    });
});
