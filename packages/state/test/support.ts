/** Schemas and helpers shared by the state tests. */
import { FramePool } from "@pagefork/core";
import { createState, type State, t } from "@pagefork/state";

export const Todo = t.struct({
  id: t.string,
  title: t.string,
  done: t.bool,
  tags: t.set(t.string),
});

export const App = t.struct({
  todos: t.list(Todo),
  byId: t.map(t.string, t.u32),
  doc: t.text(),
  grid: t.float64Array(16),
});

export type AppInput = t.Input<typeof App>;

/** A small app state: `n` todos, a map by id, a text and a grid. */
export function appInput(n = 3): AppInput {
  const todos = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    title: `todo ${i}`,
    done: i % 2 === 0,
    tags: new Set(i % 3 === 0 ? ["x"] : []),
  }));
  return {
    todos,
    byId: new Map(todos.map((x, i) => [x.id, i])),
    doc: "hello world",
    grid: new Float64Array(16).fill(1),
  };
}

/** A pool of 256-byte pages to check frame leaks against. */
export function pool(maxBytes?: number): FramePool {
  return new FramePool(maxBytes === undefined ? { pageSize: 256 } : { pageSize: 256, maxBytes });
}

/** A fresh app state in its own pool. */
export function appState(n = 3, p = pool()): State<typeof App> {
  return createState(App, appInput(n), { pool: p });
}

/** Sorts the arrays at the given JSON paths (set contents) so that comparisons ignore set order. */
export function normaliseSets(json: unknown): unknown {
  const j = structuredClone(json) as { todos?: { tags: string[] }[] };
  for (const todo of j.todos ?? []) todo.tags.sort();
  return j;
}
