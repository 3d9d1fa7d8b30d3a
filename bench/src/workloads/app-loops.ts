/**
 * The states and measured loops of W9 ("application state"), one top-level
 * loop per library, each taking everything it touches as parameters (see
 * read-loops.ts for why that matters in V8). Version `v + 1` is version `v`
 * with todo `todo[v]` toggled, the character `chars[v]` typed at `pos[v]`
 * (modulo the document's length + 1) and grid cell `cell[v]` set to `val[v]`.
 *
 * @module
 */
import { createState, produce, produceWithPatches, type State, t } from "@pagefork/state";
import { Map as ImmutableMap, Record as ImmutableRecord, Set as ImmutableSet, List } from "immutable";

/** The inputs of one run: what every library changes, version by version. */
export interface Edits {
  todo: Int32Array;
  pos: Int32Array;
  chars: string[];
  cell: Int32Array;
  val: Float64Array;
}

/** Sizes of the state. */
export interface Sizes {
  todos: number;
  docChars: number;
  cells: number;
}

// ---------------------------------------------------------------- the plain state (Immer, Mutative, structuredClone)

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

const WORDS = ["state", "page", "fork", "frame", "draft", "patch", "undo", "copy", "write", "read"];

/** The document: words separated by spaces, `chars` long. */
export function documentText(chars: number): string {
  let s = "";
  for (let i = 0; s.length < chars; i++) s += `${WORDS[i % WORDS.length]} `;
  return s.slice(0, chars);
}

/** The initial state as plain data, made fresh (each library gets its own objects). */
export function plainApp(n: Sizes): PlainApp {
  const todos: PlainTodo[] = new Array(n.todos);
  for (let i = 0; i < n.todos; i++)
    todos[i] = {
      id: `todo-${i}`,
      title: `Todo number ${i}`,
      done: false,
      tags: new Set(i % 10 === 0 ? ["urgent"] : []),
    };
  return {
    todos,
    byId: new Map(todos.map((x, i) => [x.id, i])),
    doc: documentText(n.docChars),
    grid: new Float64Array(n.cells),
  };
}

/** A recipe's work on plain data; Immer and Mutative cannot draft a typed array, so the grid is copied. */
export function editPlain(d: PlainApp, e: Edits, v: number): void {
  const todo = d.todos[e.todo[v] as number] as PlainTodo;
  todo.done = !todo.done;
  const p = (e.pos[v] as number) % (d.doc.length + 1);
  d.doc = d.doc.slice(0, p) + (e.chars[v] as string) + d.doc.slice(p);
  const grid = d.grid.slice();
  grid[e.cell[v] as number] = e.val[v] as number;
  d.grid = grid;
}

export type PlainProduce = (base: PlainApp, recipe: (d: PlainApp) => void) => PlainApp;

export function draftLoop(produceFn: PlainProduce, vs: PlainApp[], e: Edits, from: number, to: number): void {
  let cur = vs[from] as PlainApp;
  for (let v = from; v < to; v++) {
    cur = produceFn(cur, (d) => editPlain(d, e, v));
    vs[v + 1] = cur;
  }
}

export function cloneLoop(vs: PlainApp[], e: Edits, from: number, to: number): void {
  let cur = vs[from] as PlainApp;
  for (let v = from; v < to; v++) {
    const next = structuredClone(cur);
    editPlain(next, e, v);
    vs[v + 1] = next;
    cur = next;
  }
}

// ---------------------------------------------------------------- pagefork

export const Todo = t.struct({ id: t.string, title: t.string, done: t.bool, tags: t.set(t.string) });

/** The schema of the state at `n` grid cells. */
export function appSchema(n: Sizes) {
  return t.struct({ todos: t.list(Todo), byId: t.map(t.string, t.u32), doc: t.text(), grid: t.float64Array(n.cells) });
}
export type AppSchema = ReturnType<typeof appSchema>;

export function pageforkApp(n: Sizes, pool: import("@pagefork/core").FramePool): State<AppSchema> {
  return createState(appSchema(n), plainApp(n), { pool });
}

function editDraft(d: t.Draft<AppSchema>, e: Edits, v: number): void {
  const todo = d.todos[e.todo[v] as number] as t.Draft<typeof Todo>;
  todo.done = !todo.done;
  d.doc.insert((e.pos[v] as number) % (d.doc.length + 1), e.chars[v] as string);
  d.grid[e.cell[v] as number] = e.val[v] as number;
}

export function produceLoop(vs: State<AppSchema>[], e: Edits, from: number, to: number): void {
  let cur = vs[from] as State<AppSchema>;
  for (let v = from; v < to; v++) {
    cur = produce(cur, (d) => editDraft(d, e, v));
    vs[v + 1] = cur;
  }
}

export function patchesLoop(vs: State<AppSchema>[], e: Edits, from: number, to: number, counts: Int32Array): void {
  let cur = vs[from] as State<AppSchema>;
  for (let v = from; v < to; v++) {
    const [next, patches] = produceWithPatches(cur, (d) => editDraft(d, e, v));
    counts[v] = patches.length;
    cur = next;
    vs[v + 1] = cur;
  }
}

// ---------------------------------------------------------------- Immutable.js

export const ImTodo = ImmutableRecord({ id: "", title: "", done: false, tags: ImmutableSet<string>() });
export type ImTodo = ReturnType<typeof ImTodo>;
export const ImApp = ImmutableRecord({
  todos: List<ImTodo>(),
  byId: ImmutableMap<string, number>(),
  doc: "",
  grid: List<number>(),
});
export type ImApp = ReturnType<typeof ImApp>;

export function immutableApp(n: Sizes): ImApp {
  const p = plainApp(n);
  return ImApp({
    todos: List(p.todos.map((x) => ImTodo({ ...x, tags: ImmutableSet(x.tags) }))),
    byId: ImmutableMap(p.byId),
    doc: p.doc,
    grid: List(p.grid),
  });
}

export function immutableLoop(vs: ImApp[], e: Edits, from: number, to: number): void {
  let cur = vs[from] as ImApp;
  for (let v = from; v < to; v++) {
    const i = e.todo[v] as number;
    const doc = cur.doc;
    const p = (e.pos[v] as number) % (doc.length + 1);
    cur = cur
      .updateIn(["todos", i, "done"], (x) => !x)
      .set("doc", doc.slice(0, p) + (e.chars[v] as string) + doc.slice(p))
      .setIn(["grid", e.cell[v] as number], e.val[v] as number);
    vs[v + 1] = cur;
  }
}
