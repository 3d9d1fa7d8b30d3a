// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 26: the zustand middleware against what it documents ("as with
 * zustand/middleware/immer") and zustand's own `setState(update, replace)`.
 * - `set((s) => ({ count: s.count + 1 }))`, a recipe returning some fields,
 *   is merged by zustand's immer middleware; here it replaced the whole root
 *   and threw a SchemaError for the missing fields.
 * - `setState(data, true)` was silently merged (an optional field left out
 *   stayed; a required one left out was not refused).
 * - `subscribeWithSelector` composes (a listener of one field only).
 */
import { FramePool } from "@pagefork/core";
import { SchemaError, t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { describe, expect, it } from "vitest";
import { subscribeWithSelector } from "zustand/middleware";
import { createStore as createVanilla } from "zustand/vanilla";

const App = t.struct({ todos: t.list(t.struct({ title: t.string })), count: t.u32, note: t.optional(t.string) });

function make(pool: FramePool) {
  return createVanilla(
    subscribeWithSelector(
      pagefork(
        App,
        (set) => ({
          todos: [{ title: "a" }],
          count: 0,
          note: "n",
          inc: () => set((s) => ({ count: s.count + 1 })),
          rename: (title: string) => set((s) => ({ todos: [{ ...s.todos[0]!, title }, ...s.todos.slice(1)] })),
        }),
        { pool },
      ),
    ),
  );
}

describe("review 26: pagefork zustand middleware, set and setState", () => {
  it("a recipe that returns some fields merges them, as zustand/middleware/immer does (regression: SchemaError)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = make(pool);
    const todos = z.getState().todos;
    z.getState().inc();
    z.getState().inc();
    expect(z.getState().$state.toJSON()).toEqual({ todos: [{ title: "a" }], count: 2, note: "n" });
    expect(z.getState().todos).toBe(todos); // untouched field: same view
    z.getState().rename("b");
    expect(z.getState().$state.toJSON()).toEqual({ todos: [{ title: "b" }], count: 2, note: "n" });
    expect(z.getState().$store.versions.length).toBe(4);
    z.getState().undo();
    expect(z.getState().todos[0]!.title).toBe("a");
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("setState(data) merges; spreading getState() back in (views, actions, controls) changes only what differs", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = make(pool);
    const todos = z.getState().todos;
    z.setState({ ...z.getState(), count: 7 });
    expect(z.getState().$state.toJSON()).toEqual({ todos: [{ title: "a" }], count: 7, note: "n" });
    expect(z.getState().todos).toBe(todos);
    expect(typeof z.getState().inc).toBe("function");
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("setState(data, true) replaces the data: a left-out optional field goes, a left-out required field is refused (regression: merged)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = make(pool);
    const seen: number[] = [];
    z.subscribe((s) => seen.push(s.count));
    z.setState({ todos: [], count: 3 } as never, true);
    expect(z.getState().$state.toJSON()).toEqual({ todos: [], count: 3 });
    expect(typeof z.getState().inc).toBe("function"); // actions stay
    const before = z.getState();
    expect(() => z.setState({ count: 4 } as never, true)).toThrow(SchemaError);
    expect(z.getState()).toBe(before);
    expect(seen).toEqual([3]);
    z.setState(((d: { count: number }) => ({ todos: [{ title: "r" }], count: d.count + 1 })) as never, true);
    expect(z.getState().$state.toJSON()).toEqual({ todos: [{ title: "r" }], count: 4 });
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("subscribeWithSelector: a listener of one field is told only when it changes", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = make(pool);
    const seen: [number, number][] = [];
    z.subscribe(
      (s) => s.count,
      (c, p) => seen.push([c, p]),
    );
    z.getState().rename("x");
    z.getState().inc();
    z.getState().undo();
    z.getState().undo();
    expect(seen).toEqual([
      [1, 0],
      [0, 1],
    ]);
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("canUndo follows maxBytes evicting old versions after a commit (regression: it stayed true)", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = createVanilla(
      pagefork(
        t.struct({ list: t.list(t.f64) }),
        (set) => ({
          list: [] as number[],
          push: (n: number) =>
            set((d) => {
              for (let i = 0; i < n; i++) d.list.push(i);
            }),
        }),
        { pool, maxVersions: 2, maxBytes: 64 * 256 },
      ),
    );
    z.getState().push(1);
    expect([z.getState().canUndo, z.getState().$store.canUndo]).toEqual([true, true]);
    z.getState().push(2000);
    expect([z.getState().canUndo, z.getState().$store.canUndo]).toEqual([false, false]);
    // a commit made on $store directly: checked a microtask later
    z.getState().$store.undo();
    z.getState().$store.setState((d) => {
      d.list.length = 0;
    });
    await Promise.resolve();
    expect(z.getState().canUndo).toBe(z.getState().$store.canUndo);
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("bad updates throw a TypeError or SchemaError and change nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = make(pool);
    const before = z.getState();
    expect(() => z.setState(5 as never)).toThrow(TypeError);
    expect(() => z.setState((() => 5) as never)).toThrow(TypeError);
    expect(() => z.setState({ nope: 1 } as never)).toThrow(SchemaError);
    expect(z.getState()).toBe(before);
    expect(z.getState().$store.versions.length).toBe(1);
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });
});
