// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Memo rows survive Immer's idioms for removing and reordering: a store
 * change made as `d.todos = d.todos.filter(f)`, `return { ...d, filter }` or
 * zustand-style data of views re-renders the list, not the rows it kept
 * (regression: every kept record was copied into a new node, a new view, so
 * every row re-rendered). React 18 and 19 (see test/react18).
 */
import { useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { memo, version } from "react";
import { afterEach, describe, expect, it } from "vitest";

const Todo = t.struct({ id: t.string, title: t.string, done: t.bool });
const App = t.struct({ todos: t.list(Todo), filter: t.enum(["all", "open"]) });
type TodoView = t.Infer<typeof Todo>;

afterEach(cleanup);

describe(`review 30: rows kept by a filter, a spread or views (React ${version})`, () => {
  it("render once; only the list re-renders", () => {
    const store = createStore(App, {
      todos: ["a", "b", "c", "d"].map((id) => ({ id, title: `todo ${id}`, done: id === "b" })),
      filter: "all",
    });
    const renders = new Map<string, number>();
    const Row = memo(function Row({ todo }: { todo: TodoView }) {
      renders.set(todo.id, (renders.get(todo.id) ?? 0) + 1);
      return <li data-testid={todo.id}>{todo.title}</li>;
    });
    function List() {
      const todos = useStore(store, (root) => root.todos);
      return (
        <ul>
          {todos.map((todo) => (
            <Row key={todo.id} todo={todo} />
          ))}
        </ul>
      );
    }
    render(<List />);
    act(() => {
      store.setState((d) => {
        d.todos = d.todos.filter((x) => !x.done);
      });
    });
    expect(screen.queryByTestId("b")).toBeNull();
    act(() => {
      store.setState((d) => ({ ...d, filter: "open" as const, todos: [...d.todos].reverse() }));
    });
    act(() => {
      const root = store.getState().root;
      store.setState((d) => {
        d.todos = root.todos.filter((x) => x.id !== "a") as never;
      });
    });
    expect(Array.from(document.querySelectorAll("li"), (li) => li.textContent)).toEqual(["todo d", "todo c"]);
    expect(Object.fromEntries(renders)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    act(() => {
      store.undo();
      store.undo();
      store.undo();
    });
    expect(Array.from(document.querySelectorAll("li"), (li) => li.textContent)).toEqual([
      "todo a",
      "todo b",
      "todo c",
      "todo d",
    ]);
    store.release();
  });
});
