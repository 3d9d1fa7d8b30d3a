/**
 * Review 26: recipes given to a store that do what a store cannot take.
 * - An async recipe: with `patches: false` the store committed the Promise
 *   `produce` returned as a version (getState() gave a Promise, release()
 *   threw); with patches it threw a TypeError but the recipe's fork stayed
 *   alive and its frames were kept after `store.release()`.
 * - A recipe that changes its own store (setState, undo, redo, goTo,
 *   transact): the inner change was committed, then silently overwritten by
 *   the outer recipe's result, made from the version before it.
 * Each must throw a typed error, change nothing and keep no frame.
 */
import { FramePool } from "@pagefork/core";
import { createStore, DraftError, produceWithPatches, type Store, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const S = t.struct({ n: t.u32, list: t.list(t.u32), doc: t.text() });
type D = t.Draft<typeof S>;
const initial = { n: 0, list: [1], doc: "ab" };

function setup(options: object): { pool: FramePool; store: Store<typeof S>; calls: number[] } {
  const pool = new FramePool({ pageSize: 256 });
  const store = createStore(S, initial, { pool, ...options });
  const calls: number[] = [];
  store.subscribe((next) => void calls.push(next.root.n));
  store.setState((d) => {
    d.n = 1;
  });
  return { pool, store, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("review 26: a store refuses async recipes and keeps nothing of them", () => {
  for (const patches of [false, true])
    it(`patches: ${patches}: TypeError, no step, no listener call, no frame kept`, async () => {
      const { pool, store, calls } = setup({ patches });
      const frames = pool.framesInUse;
      let late: unknown = "not reached";
      const recipe = async (d: D) => {
        d.n = 2;
        await null;
        try {
          d.n = 3; // after the await: the draft must be revoked
          late = "wrote";
        } catch (e) {
          late = e;
        }
      };
      expect(() => store.setState(recipe as never)).toThrow(TypeError);
      expect(store.getState().toJSON()).toEqual({ ...initial, n: 1 });
      expect([store.versions.length, store.position, calls]).toEqual([2, 1, [1]]);
      expect(pool.framesInUse).toBe(frames);
      await settle();
      expect(late).toBeInstanceOf(DraftError);
      expect(store.getState().toJSON()).toEqual({ ...initial, n: 1 });
      expect(pool.framesInUse).toBe(frames);
      store.release();
      expect(pool.framesInUse).toBe(0);
    });

  it("produceWithPatches with an async recipe: TypeError and the fork is released at once", async () => {
    const { pool, store } = setup({});
    const frames = pool.framesInUse;
    expect(() =>
      produceWithPatches(store.getState(), (async (d: D) => {
        d.n = 9;
      }) as never),
    ).toThrow(TypeError);
    expect(pool.framesInUse).toBe(frames);
    await settle();
    expect(pool.framesInUse).toBe(frames);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("review 26: a recipe that changes its own store", () => {
  const inner: [string, (s: Store<typeof S>) => unknown][] = [
    ["setState", (s) => s.setState((d) => void d.list.push(7))],
    ["undo", (s) => s.undo()],
    ["redo", (s) => s.redo()],
    ["goTo", (s) => s.goTo(0)],
    ["transact", (s) => s.transact("x", () => s.setState((d) => void d.list.push(7)))],
  ];
  for (const [name, call] of inner)
    it(`${name} inside a setState recipe: DraftError, and nothing changes (regression: the inner change was lost)`, () => {
      const { pool, store, calls } = setup({});
      store.setState((d) => {
        d.n = 2;
      });
      store.undo(); // so that redo has somewhere to go
      const frames = pool.framesInUse;
      const before = store.getState();
      let caught: unknown;
      expect(() =>
        store.setState((d) => {
          try {
            call(store);
          } catch (e) {
            caught = e;
            throw e;
          }
          d.n = 5;
        }),
      ).toThrow(DraftError);
      expect(caught).toBeInstanceOf(DraftError);
      expect(store.getState()).toBe(before);
      expect([store.versions.length, store.position, calls]).toEqual([3, 1, [1, 2, 1]]);
      expect(pool.framesInUse).toBe(frames);
      // a recipe may still read the store, and the store works after the refusal
      store.setState((d) => {
        d.n = store.getState().root.n + 10;
      });
      expect(store.getState().root.n).toBe(11);
      store.release();
      expect(pool.framesInUse).toBe(0);
    });

  it("inside a transaction's recipe too; the transaction's own setStates still work", () => {
    const { pool, store } = setup({});
    store.transact("t", () => {
      store.setState((d) => {
        d.n = 4;
      });
      expect(() =>
        store.setState(
          () =>
            void store.setState((d) => {
              d.n = 6;
            }),
        ),
      ).toThrow(DraftError);
      store.setState((d) => void d.list.push(2));
    });
    expect(store.getState().toJSON()).toEqual({ ...initial, n: 4, list: [1, 2] });
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a recipe or a transaction that releases the store keeps no frame", () => {
    const a = setup({});
    expect(() =>
      a.store.setState((d) => {
        d.n = 8;
        a.store.release();
      }),
    ).toThrow(/released/);
    expect(a.pool.framesInUse).toBe(0);
    const b = setup({});
    b.store.transact("t", () => {
      b.store.setState((d) => {
        d.n = 8;
      });
      b.store.release();
    });
    expect(b.pool.framesInUse).toBe(0);
  });
});
