// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 28: the zustand middleware with zustand's `persist`, and
 * `getInitialState`.
 * - `persist(pagefork(...))` saved `$store` and `$state` with the data: the
 *   whole history (every version's data and patches) in each write. On
 *   rehydration persist sets the merged state with zustand's own `set`,
 *   past the middleware: `$store` became that plain JSON object (undo and
 *   `$store.getState()` broke), and the pagefork store kept the initial data,
 *   so the next action's snapshot overwrote what was loaded (data lost).
 *   The middleware now saves only data (its controls are not enumerable)
 *   and adopts a state set past it into the store as one commit.
 * - `getInitialState()` returned the first snapshot, whose fields are views
 *   of the first version: once the store dropped it (`maxVersions`,
 *   `maxBytes`) reading a changed field threw ReleasedError, and
 *   `setState(getInitialState(), true)` (a reset) too.
 */
import { FramePool } from "@pagefork/core";
import { t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { describe, expect, it } from "vitest";
import { createJSONStorage, persist } from "zustand/middleware";
import { createStore as createVanilla } from "zustand/vanilla";

const App = t.struct({ todos: t.list(t.struct({ title: t.string })), count: t.u32 });

function memory(async: boolean) {
  const items = new Map<string, string>();
  const later = <T,>(v: T) => (async ? Promise.resolve(v) : v);
  const storage = createJSONStorage(() => ({
    getItem: (k: string) => later(items.get(k) ?? null),
    setItem: (k: string, v: string) => later(void items.set(k, v)),
    removeItem: (k: string) => later(void items.delete(k)),
  }));
  return { items, storage };
}

function make(pool: FramePool, storage: ReturnType<typeof memory>["storage"]) {
  return createVanilla(
    persist(
      pagefork(
        App,
        (set) => ({
          todos: [] as { title: string }[],
          count: 0,
          inc: () =>
            set((d) => {
              d.count++;
            }),
          add: (title: string) =>
            set((d) => {
              d.todos.push({ title });
            }),
        }),
        { pool, maxVersions: 3 },
      ),
      { name: "app", storage },
    ),
  );
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("review 28: pagefork under zustand's persist", () => {
  for (const async of [false, true])
    it(`${async ? "async" : "sync"} storage: saves the data only; rehydrates into the store, so actions go on from the loaded data (regression: $store lost, next action dropped what was loaded)`, async () => {
      const pool = new FramePool({ pageSize: 256 });
      const { items, storage } = memory(async);
      const a = make(pool, storage);
      await settle();
      a.getState().add("x");
      a.getState().inc();
      a.getState().inc();
      await settle();
      const saved = JSON.parse(items.get("app") as string) as { state: Record<string, unknown> };
      expect(saved.state).toEqual({ todos: [{ title: "x" }], count: 2, canUndo: true, canRedo: false });
      a.getState().$store.release();

      const b = make(pool, storage);
      await settle();
      expect(b.persist.hasHydrated()).toBe(true);
      const s = b.getState();
      expect(s.$store.getState().toJSON()).toEqual({ todos: [{ title: "x" }], count: 2 });
      expect(s.$state).toBe(s.$store.getState());
      expect([s.count, s.todos.length, s.todos[0]?.title]).toEqual([2, 1, "x"]);
      b.getState().inc();
      expect(b.getState().$state.toJSON()).toEqual({ todos: [{ title: "x" }], count: 3 });
      expect(b.getState().count).toBe(3);
      // the load is one undo step
      b.getState().undo();
      expect(b.getState().count).toBe(2);
      b.getState().undo();
      expect(b.getState().$state.toJSON()).toEqual({ todos: [], count: 0 });
      b.getState().$store.release();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("review 28: persisted data that do not fit the schema", () => {
  for (const async of [false, true])
    it(`${async ? "async" : "sync"}: the rehydration fails with the SchemaError and the state stays the store's`, async () => {
      const pool = new FramePool({ pageSize: 256 });
      const { items, storage } = memory(async);
      items.set("app", JSON.stringify({ state: { todos: [{ title: 5 }], count: 1 }, version: 0 }));
      const errors: unknown[] = [];
      const z = createVanilla(
        persist(
          pagefork(App, () => ({ todos: [] as { title: string }[], count: 0 }), { pool }),
          { name: "app", storage, onRehydrateStorage: () => (_s, e) => void errors.push(e) },
        ),
      );
      await settle();
      expect(errors.map((e) => (e as Error)?.name)).toEqual(["SchemaError"]);
      const s = z.getState();
      expect(s.$state).toBe(s.$store.getState());
      expect([s.count, s.todos.length, s.$store.versions.length]).toEqual([0, 0, 1]);
      s.$store.release();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("review 28: getInitialState", () => {
  it("stays readable after the store dropped the first version; a reset with it works (regression: ReleasedError)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = createVanilla(
      pagefork(
        App,
        (set) => ({
          todos: [{ title: "a" }],
          count: 1,
          add: (title: string) =>
            set((d) => {
              d.todos.push({ title });
              d.count++;
            }),
        }),
        { pool, maxVersions: 1 },
      ),
    );
    const first = z.getInitialState();
    expect(first).toBe(z.getState());
    z.getState().add("b");
    z.getState().add("c");
    const init = z.getInitialState();
    expect([init.count, init.todos.length, init.todos[0]?.title]).toEqual([1, 1, "a"]);
    z.setState(z.getInitialState(), true);
    expect(z.getState().$state.toJSON()).toEqual({ todos: [{ title: "a" }], count: 1 });
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });
});
