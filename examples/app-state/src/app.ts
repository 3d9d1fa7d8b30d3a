/**
 * The app of the example, twice: the same state and the same recipe written
 * for Immer (plain objects) and for pagefork (a schema). The recipes are the
 * "Coming from Immer" side by side of the README.
 *
 * @module
 */
import { createState, type State, t } from "@pagefork/state";
import { type Draft, produce as immerProduce } from "immer";

// ---- pagefork: a schema, then the same recipe Immer users write ----

export const Todo = t.struct({ id: t.string, title: t.string, done: t.bool, tags: t.set(t.string) });
export const App = t.struct({
  todos: t.list(Todo),
  byId: t.map(t.string, t.u32),
  doc: t.text(),
  grid: t.float64Array(1 << 20),
});
export type AppState = State<typeof App>;

/** One edit: toggle todo `i`, type `ch` at `pos`, set grid cell `cell` to `value`. */
export interface Edit {
  i: number;
  pos: number;
  ch: string;
  cell: number;
  value: number;
}

export function pageforkEdit(d: t.Draft<typeof App>, e: Edit): void {
  d.todos[e.i]!.done = !d.todos[e.i]!.done;
  d.doc.insert(e.pos % (d.doc.length + 1), e.ch);
  d.grid[e.cell] = e.value;
}

// ---- Immer: plain data ----

export interface PlainTodo {
  id: string;
  title: string;
  done: boolean;
  tags: Set<string>;
}
export interface PlainApp {
  todos: PlainTodo[];
  byId: Map<string, number>;
  doc: string;
  grid: Float64Array;
}

export function immerEdit(d: Draft<PlainApp>, e: Edit): void {
  d.todos[e.i]!.done = !d.todos[e.i]!.done;
  const p = e.pos % (d.doc.length + 1);
  d.doc = d.doc.slice(0, p) + e.ch + d.doc.slice(p); // a string is copied per keystroke
  const grid = d.grid.slice(); // Immer does not draft typed arrays: copy to change a cell
  grid[e.cell] = e.value;
  d.grid = grid;
}

export { immerProduce };

/** The initial data: `todos` records, a document of `docChars` characters, the grid. */
export function initialData(todos: number, docChars: number): PlainApp {
  const list: PlainTodo[] = [];
  for (let i = 0; i < todos; i++)
    list.push({
      id: `todo-${i}`,
      title: `Todo number ${i}`,
      done: false,
      tags: new Set(i % 10 === 0 ? ["urgent"] : []),
    });
  let doc = "";
  while (doc.length < docChars) doc += "the quick brown fox jumps over the lazy dog ";
  return {
    todos: list,
    byId: new Map(list.map((x, i) => [x.id, i])),
    doc: doc.slice(0, docChars),
    grid: new Float64Array(1 << 20),
  };
}

/** The pagefork state of the same data. */
export function pageforkState(todos: number, docChars: number): AppState {
  return createState(App, initialData(todos, docChars));
}
