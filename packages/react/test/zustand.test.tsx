// @vitest-environment happy-dom
/// <reference lib="dom" />
import { t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { act, cleanup, render, screen } from "@testing-library/react";
import { memo } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { create } from "zustand";
import { createStore as createVanilla } from "zustand/vanilla";

const Todo = t.struct({ title: t.string, done: t.bool });
const App = t.struct({ todos: t.list(Todo), count: t.u32 });

function todosCreator() {
  return pagefork(App, (set) => ({
    todos: [{ title: "a", done: false }],
    count: 0,
    add: (title: string) =>
      set((d) => {
        d.todos.push({ title, done: false });
      }, "add"),
    toggle: (i: number) =>
      set((d) => {
        d.todos[i]!.done = !d.todos[i]!.done;
      }),
    setCount: (count: number) => set({ count }),
  }));
}

afterEach(cleanup);

describe("pagefork zustand middleware", () => {
  it("set(recipe) and set(partial) work as with zustand/middleware/immer, with undo and redo", () => {
    const store = createVanilla(todosCreator());
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.todos.length));
    store.getState().add("b");
    store.getState().toggle(0);
    store.getState().setCount(5);
    expect(store.getState().todos.map((x) => x.title)).toEqual(["a", "b"]);
    expect(store.getState().todos[0]!.done).toBe(true);
    expect(store.getState().count).toBe(5);
    expect(store.getState().$state.toJSON()).toEqual({
      todos: [
        { title: "a", done: true },
        { title: "b", done: false },
      ],
      count: 5,
    });
    store.getState().undo();
    expect(store.getState().count).toBe(0);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().todos.length).toBe(1);
    expect(store.getState().canUndo).toBe(false);
    store.getState().redo();
    expect(store.getState().todos.length).toBe(2);
    expect(seen).toEqual([2, 2, 2, 2, 2, 1, 2]);
    // zustand's own setState goes through the draft too
    store.setState(((d: { count: number }) => {
      d.count = 9;
    }) as never);
    expect(store.getState().count).toBe(9);
    expect(store.getState().canRedo).toBe(false);
    store.getState().$store.release();
  });

  it("keeps unchanged fields identical, so React selectors skip renders", () => {
    const useTodos = create(todosCreator());
    let renders = 0;
    const List = memo(function List() {
      const todos = useTodos((s) => s.todos);
      renders++;
      return <p data-testid="titles">{todos.map((x) => x.title).join(",")}</p>;
    });
    render(<List />);
    act(() => useTodos.getState().setCount(3));
    expect(renders).toBe(1);
    act(() => useTodos.getState().add("c"));
    expect(renders).toBe(2);
    expect(screen.getByTestId("titles").textContent).toBe("a,c");
    useTodos.getState().$store.release();
  });

  it("refuses initial data that does not fit the schema", () => {
    expect(() => createVanilla(pagefork(App, () => ({ todos: [{ title: 1 }], count: 0 }) as never))).toThrow(/title/);
  });
});
