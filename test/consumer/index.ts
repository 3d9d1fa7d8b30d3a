// A consumer of the published packages, compiled against their packed .d.ts with
// skipLibCheck off (test/consumer/check.mjs): the types users get must compile.

import { CowFloat64Array, CowVector } from "@pagefork/array";
import {
  AddressSpace,
  FramePool,
  Heap,
  History,
  INSPECT_CUSTOM,
  type InspectOptions,
  inspectElements,
  isFramePool,
  OutOfMemoryError,
  type SpaceSummary,
} from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import {
  CorruptionError,
  FormatVersionError,
  type LoadOptions,
  openStore,
  type Persistable,
  type SaveResult,
  type StoreStats,
  VersionNotFoundError,
} from "@pagefork/persist";
import { useHistory, useStore } from "@pagefork/react";
import {
  applyPatches,
  createState,
  createStore,
  type Patch,
  produce,
  produceWithPatches,
  SchemaError,
  t,
} from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { CowText } from "@pagefork/string";
import { createStore as createVanilla } from "zustand/vanilla";

const pool = new FramePool({ pageSize: 256 });
const space = new AddressSpace({ size: 1 << 20, pool });
const heap = Heap.create(space, { base: 256 });
const text = CowText.create(heap);
text.insert(0, "hi");
const history = new History(space.fork());
history.release();

const grid = new CowFloat64Array(16);
grid.set(0, 1.5);
const vec = new CowVector(Float64Array);
vec.push(1, 2);
const users = CowMap.from([["alice", 1]]);
users.set("carol", 2);
const tags = new CowSet<string>(["a"]);

const Todo = t.struct({
  id: t.string,
  title: t.string,
  done: t.bool,
  tags: t.set(t.string),
  note: t.optional(t.string),
});
const App = t.struct({ todos: t.list(Todo), byId: t.map(t.string, t.u32), doc: t.text(), grid: t.float64Array(4) });
type App = t.Infer<typeof App>;
const s0 = createState(App, { todos: [], byId: new Map(), doc: "", grid: [0, 0, 0, 0] });
const s1 = produce(s0, (d) => {
  d.todos.push({ id: "a", title: "x", done: false, tags: new Set(["q"]) });
  d.doc.insert(0, "hello");
  d.grid[0] = 1;
});
const [s2, patches, inverse]: [typeof s1, Patch[], Patch[]] = produceWithPatches(s1, (d) => {
  d.todos[0]!.done = true;
});
const back = applyPatches(s2, inverse);
const root: App = back.root;
const title: string = root.todos[0]?.title ?? "";
const size: number = root.byId.size;
const store = createStore(App, { todos: [], byId: {}, doc: "", grid: new Float64Array(4) });
store.setState((d) => {
  d.doc.insert(0, "a");
});
const useTodos = createVanilla(
  pagefork(App, (set) => ({
    todos: [],
    byId: new Map(),
    doc: "",
    grid: [0, 0, 0, 0],
    clear: () => set({ todos: [] }),
  })),
);
useTodos.getState().clear();
function Component(): number {
  const n = useStore(store, (r) => r.todos.length);
  const h = useHistory(store);
  return n + (h.canUndo ? 1 : 0);
}
// Debugging and brand checks (issue 16 B.3, B.5).
const summary: SpaceSummary = space.toJSON();
const gridJson: number[] = grid.toJSON();
const pairs: [string, number][] = users.toJSON();
const textJson: string = text.toJSON();
const shown: string = grid[INSPECT_CUSTOM](2, { maxArrayLength: 3 } satisfies InspectOptions);
const listed: string = inspectElements("L(1)", 1, () => [1], 2, {});
const branded: boolean = isFramePool(pool) && !(new Error("x") instanceof OutOfMemoryError);
export const debug = [summary, gridJson, pairs, textJson, shown, listed, branded];

export const used = [text, grid, vec, users, tags, title, size, patches, Component, SchemaError, OutOfMemoryError];

// Persistence (issue 15): the store's types.
export async function persist(dir: string, version: Persistable): Promise<[SaveResult, StoreStats, string[]]> {
  const saved = openStore(dir, { sync: false });
  const r: SaveResult = await saved.save("v", version);
  const options: LoadOptions = { pool: new FramePool({ pageSize: 4096 }) };
  const back: Persistable = await saved.load("v", options);
  back.release();
  const h = new History(new AddressSpace({ size: 4096 }));
  await saved.saveHistory("h", h);
  const loaded: History<Persistable> = await saved.loadHistory("h", options);
  loaded.release();
  const errors = [
    new CorruptionError("v", 0, "x").page,
    new FormatVersionError(2, 1).found,
    new VersionNotFoundError("v").version,
  ];
  const stats: StoreStats = saved.stats();
  const names = saved.list();
  await saved.close();
  return [r, stats, [String(errors), ...names]];
}
