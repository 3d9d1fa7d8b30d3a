// @vitest-environment happy-dom
/// <reference lib="dom" />
import { useHistory, useStore } from "@pagefork/react";
import { createStore, type Store, t } from "@pagefork/state";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Component, memo, type ReactNode, version } from "react";
import { afterEach, describe, expect, it } from "vitest";

const Todo = t.struct({ id: t.string, title: t.string, done: t.bool });
const App = t.struct({ todos: t.list(Todo), filter: t.enum(["all", "open"]) });
type TodoView = t.Infer<typeof Todo>;

function makeStore(): Store<typeof App> {
  return createStore(App, {
    todos: ["a", "b", "c"].map((id) => ({ id, title: `todo ${id}`, done: false })),
    filter: "all",
  });
}

afterEach(cleanup);

describe(`useStore (React ${version})`, () => {
  it("re-renders only the row whose todo changed", () => {
    const store = makeStore();
    const renders = new Map<string, number>();
    const Row = memo(function Row({ todo }: { todo: TodoView }) {
      renders.set(todo.id, (renders.get(todo.id) ?? 0) + 1);
      return <li data-testid={todo.id}>{`${todo.title}${todo.done ? " ✓" : ""}`}</li>;
    });
    let listRenders = 0;
    function List() {
      const todos = useStore(store, (root) => root.todos);
      listRenders++;
      return (
        <ul>
          {todos.map((todo) => (
            <Row key={todo.id} todo={todo} />
          ))}
        </ul>
      );
    }
    render(<List />);
    expect(Object.fromEntries(renders)).toEqual({ a: 1, b: 1, c: 1 });
    act(() => {
      store.setState((d) => {
        d.todos[1]!.done = true;
      });
    });
    expect(screen.getByTestId("b").textContent).toBe("todo b ✓");
    expect(Object.fromEntries(renders)).toEqual({ a: 1, b: 2, c: 1 });
    expect(listRenders).toBe(2);
    // a change outside the selection renders nothing
    act(() => {
      store.setState((d) => {
        d.filter = "open";
      });
    });
    expect(listRenders).toBe(2);
    // undo re-renders the row back
    act(() => {
      store.undo();
      store.undo();
    });
    expect(screen.getByTestId("b").textContent).toBe("todo b");
    expect(Object.fromEntries(renders)).toEqual({ a: 1, b: 3, c: 1 });
    store.release();
  });

  it("selects a scalar with a custom equality, and exposes undo/redo controls", () => {
    const store = makeStore();
    let renders = 0;
    function Count() {
      const open = useStore(
        store,
        (root) => root.todos.filter((x) => !x.done).map((x) => x.id),
        (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
      );
      const h = useHistory(store);
      renders++;
      return (
        <div>
          <span data-testid="open">{open.join(",")}</span>
          <button type="button" disabled={!h.canUndo} onClick={h.undo}>
            undo
          </button>
          <button type="button" disabled={!h.canRedo} onClick={h.redo}>
            redo
          </button>
        </div>
      );
    }
    render(<Count />);
    expect(screen.getByTestId("open").textContent).toBe("a,b,c");
    expect((screen.getByText("undo") as HTMLButtonElement).disabled).toBe(true);
    act(() => {
      store.setState((d) => {
        d.todos[0]!.done = true;
      });
    });
    expect(screen.getByTestId("open").textContent).toBe("b,c");
    const before = renders;
    act(() => {
      store.setState((d) => {
        d.todos[0]!.title = "renamed"; // the open ids do not change
      });
    });
    expect(renders).toBe(before + 1); // useHistory's position moved; the selection was equal
    fireEvent.click(screen.getByText("undo"));
    fireEvent.click(screen.getByText("undo"));
    expect(screen.getByTestId("open").textContent).toBe("a,b,c");
    expect((screen.getByText("redo") as HTMLButtonElement).disabled).toBe(false);
    store.release();
  });

  it("a selector that throws reaches the error boundary, and the store is unchanged", () => {
    const store = makeStore();
    class Boundary extends Component<{ children: ReactNode }, { error: string | null }> {
      override state = { error: null as string | null };
      static getDerivedStateFromError(e: Error) {
        return { error: e.message };
      }
      override render() {
        return this.state.error === null ? this.props.children : <p data-testid="error">{this.state.error}</p>;
      }
    }
    function Bad() {
      const title = useStore(store, (root) => {
        if (root.filter === "open") throw new Error("selector failed");
        return root.todos[0]!.title;
      });
      return <p>{title}</p>;
    }
    const quiet = console.error;
    console.error = () => {};
    try {
      render(
        <Boundary>
          <Bad />
        </Boundary>,
      );
      act(() => {
        store.setState((d) => {
          d.filter = "open";
        });
      });
      expect(screen.getByTestId("error").textContent).toBe("selector failed");
    } finally {
      console.error = quiet;
    }
    expect(store.getState().root.filter).toBe("open");
    expect(store.versions.length).toBe(2);
    store.release();
  });
});
