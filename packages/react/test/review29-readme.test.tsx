// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * The README's React block (the same in the root README's "Use it in an app" and in this
 * package's README), verbatim between the markers, rendered: adding, toggling, undo and redo
 * do what the block's buttons say, and a todo that did not change keeps its view. The last
 * test checks that both READMEs still hold this file's copy.
 */
// ---- README block ----
import { useHistory, useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { memo } from "react";

const Todo = t.struct({ id: t.string, title: t.string, done: t.bool });
const store = createStore(t.struct({ todos: t.list(Todo) }), { todos: [] }, { maxVersions: 100 });

let nextId = 0;
const add = (title: string) =>
  store.setState((d) => {
    d.todos.push({ id: String(nextId++), title, done: false });
  }, "add");
const toggle = (i: number) =>
  store.setState((d) => {
    d.todos[i]!.done = !d.todos[i]!.done;
  }, "toggle");

// A todo that did not change is the same view in the next version: its row skips the render.
const Row = memo(function Row({ todo, i }: { todo: t.Infer<typeof Todo>; i: number }) {
  return (
    <li>
      <button type="button" onClick={() => toggle(i)}>
        {(todo.done ? "✓ " : "") + todo.title}
      </button>
    </li>
  );
});

function Todos() {
  const todos = useStore(store, (root) => root.todos); // re-renders when the list changed
  const { canUndo, canRedo, undo, redo } = useHistory(store);
  return (
    <>
      <ul>
        {todos.map((todo, i) => (
          <Row key={todo.id} todo={todo} i={i} />
        ))}
      </ul>
      <button type="button" onClick={() => add("another")}>
        Add
      </button>
      <button type="button" disabled={!canUndo} onClick={undo}>
        Undo
      </button>
      <button type="button" disabled={!canRedo} onClick={redo}>
        Redo
      </button>
    </>
  );
}
// ---- end of README block ----

// Not top imports: the block above must stay verbatim, imports included.
const { describe, expect, it } = await import("vitest");

describe("the README's todo list", () => {
  it("adds, toggles, undoes and redoes through the hooks", async () => {
    const { act, cleanup, fireEvent, render, screen } = await import("@testing-library/react");
    render(<Todos />);
    const rows = () => screen.queryAllByRole("listitem").map((li) => li.textContent);
    const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
    expect(rows()).toEqual([]);
    expect([button("Undo").disabled, button("Redo").disabled]).toEqual([true, true]);
    act(() => fireEvent.click(button("Add")));
    act(() => fireEvent.click(button("Add")));
    expect(rows()).toEqual(["another", "another"]);
    const first = store.getState().root.todos[0];
    act(() => fireEvent.click(screen.getAllByRole("button", { name: "another" })[1] as HTMLElement)); // the second
    expect(rows()).toEqual(["another", "✓ another"]);
    expect(store.getState().root.todos[0]).toBe(first); // unchanged: the same view, its row skipped
    act(() => fireEvent.click(button("Undo")));
    expect(rows()).toEqual(["another", "another"]);
    expect([button("Undo").disabled, button("Redo").disabled]).toEqual([false, false]);
    act(() => fireEvent.click(button("Redo")));
    expect(rows()).toEqual(["another", "✓ another"]);
    expect(button("Redo").disabled).toBe(true);
    expect(store.versions.length).toBe(4); // the empty list, two adds, a toggle
    cleanup();
    store.release();
  });

  it("is the block of both READMEs", async () => {
    const { readFileSync } = await import("node:fs"); // not a top import: the block above must stay verbatim
    const self = readFileSync(new URL(import.meta.url), "utf8");
    const copy = /\/\/ ---- README block ----\n([\s\S]*?)\/\/ ---- end of README block ----/.exec(self)?.[1];
    expect(copy).toBeDefined();
    for (const [file, heading] of [
      ["../README.md", "## Use"],
      ["../../../README.md", "## Use it in an app"],
    ] as const) {
      const readme = readFileSync(new URL(file, import.meta.url), "utf8");
      const at = readme.indexOf(`${heading}\n`);
      expect(at, `${file}: ${heading}`).toBeGreaterThanOrEqual(0);
      const block = /```tsx\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
      expect(block, file).toBe(copy);
    }
  });
});
