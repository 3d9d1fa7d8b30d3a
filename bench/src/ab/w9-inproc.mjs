// Not a workload: W9's pagefork loop (`produce` on a `@pagefork/state` app
// state: each version toggles one todo, types one character into the
// document and sets one grid cell; every version kept) for several builds in
// ONE process, rounds rotating between them (each build its own copy of the
// loop and recipe functions, so each stays monomorphic), CPU time per version
// (process.cpuUsage) per round. Each build first warms up as the bench does
// (2,000 versions on a small throwaway state; twice here, so the measured
// rounds run on optimised code), then builds its measured state of <todos>
// todos (the document and grid at the bench's sizes). Prints, per build
// after the first, the median and quartiles of its per-round ratio to the
// first build. Pass the first build twice (two directories holding the same
// dist) to get an A/A beside. `--patches` times `produceWithPatches` instead.
//
//   node --expose-gc bench/src/ab/w9-inproc.mjs <todos> <rounds> <versions-per-round> <dir-A> <dir-B> [<dir-A-copy> ...] [--patches]
import os from "node:os";
import { pathToFileURL } from "node:url";
import { quantile, ratioSummary } from "./ab-stats.mjs";
import { randomDoubles, randomIndices } from "./bounded-common.mjs";

const args = process.argv.slice(2).filter((a) => a !== "--patches");
const patches = process.argv.includes("--patches");
const todos = Number(args[0]);
const rounds = Number(args[1]);
const per = Number(args[2]);
const dirs = args.slice(3);
const FULL = { todos, docChars: 100_000, cells: 1 << 20 };
const SMALL = { todos: Math.min(todos, 2000), docChars: 2000, cells: 1 << 12 };
const CHARS = "abcdefghijklmnopqrstuvwxyz ";
const WORDS = ["state", "page", "fork", "frame", "draft", "patch", "undo", "copy", "write", "read"];
const SEED = 0x5eed09;

function documentText(chars) {
  let s = "";
  for (let i = 0; s.length < chars; i++) s += `${WORDS[i % WORDS.length]} `;
  return s.slice(0, chars);
}

/** The bench's edits (w9-app-state.ts `edits`): seeded indices, characters and values. */
function edits(n, count, seed) {
  const charIdx = randomIndices(count, CHARS.length, seed + 2);
  return {
    todo: randomIndices(count, n.todos, seed),
    pos: randomIndices(count, n.docChars, seed + 1),
    chars: Array.from(charIdx, (i) => CHARS[i]),
    cell: randomIndices(count, n.cells, seed + 3),
    val: randomDoubles(count, seed + 4),
  };
}

/** The bench's plain initial state (app-loops.ts `plainApp`). */
function plainApp(n) {
  const list = new Array(n.todos);
  for (let i = 0; i < n.todos; i++)
    list[i] = {
      id: `todo-${i}`,
      title: `Todo number ${i}`,
      done: false,
      tags: new Set(i % 10 === 0 ? ["urgent"] : []),
    };
  return {
    todos: list,
    byId: new Map(list.map((x, i) => [x.id, i])),
    doc: documentText(n.docChars),
    grid: new Float64Array(n.cells),
  };
}

// app-loops.ts `editDraft` and `produceLoop` / `patchesLoop`, compiled once per build
const EDIT =
  "const todo = d.todos[e.todo[v]]; todo.done = !todo.done;" +
  "d.doc.insert(e.pos[v] % (d.doc.length + 1), e.chars[v]); d.grid[e.cell[v]] = e.val[v];";
const LOOP = patches
  ? "let cur = vs[from]; for (let v = from; v < to; v++) { const r = produceWithPatches(cur, (d) => edit(d, e, v)); if (r[1].length !== 3) throw new Error('patches'); cur = r[0]; vs[v + 1] = cur; }"
  : "let cur = vs[from]; for (let v = from; v < to; v++) { cur = produce(cur, (d) => edit(d, e, v)); vs[v + 1] = cur; }";

const total = rounds * per;
const builds = [];
for (const dir of dirs) {
  const load = (p) => import(pathToFileURL(`${dir}/packages/${p}/dist/index.js`).href);
  const core = await load("core");
  const S = await load("state");
  const { t } = S;
  const Todo = t.struct({ id: t.string, title: t.string, done: t.bool, tags: t.set(t.string) });
  const schema = (n) =>
    t.struct({ todos: t.list(Todo), byId: t.map(t.string, t.u32), doc: t.text(), grid: t.float64Array(n.cells) });
  const pool = new core.FramePool({ pageSize: S.STATE_PAGE_SIZE });
  const make = (n, p) => S.createState(schema(n), plainApp(n), { pool: p });
  const edit = new Function("d", "e", "v", EDIT);
  const loop = new Function("produce", "produceWithPatches", "edit", "vs", "e", "from", "to", LOOP);
  for (let w = 0; w < 2; w++) {
    // warm-up on a throwaway state in a pool of its own, as the bench
    const vs = new Array(2001).fill(undefined); // holey, as the timed run's
    vs[0] = make(SMALL, new core.FramePool({ pageSize: S.STATE_PAGE_SIZE }));
    loop(S.produce, S.produceWithPatches, edit, vs, edits(SMALL, 2000, SEED + 7 + w), 0, 2000);
  }
  const vs = new Array(total + 1).fill(undefined);
  vs[0] = make(FULL, pool);
  builds.push({ dir, S, edit, loop, vs, e: edits(FULL, total, SEED), cpu: [] });
}
globalThis.gc?.();
const load0 = os.loadavg()[0];
let at = 0;
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(r + j) % builds.length];
    const c0 = process.cpuUsage();
    b.loop(b.S.produce, b.S.produceWithPatches, b.edit, b.vs, b.e, at, at + per);
    const c = process.cpuUsage(c0);
    b.cpu.push(((c.user + c.system) * 1000) / per);
  }
  at += per;
}
const out = { todos, rounds, per, patches, load: [load0, os.loadavg()[0]], builds: [] };
for (const b of builds) {
  out.builds.push({ dir: b.dir, medianNs: Math.round(quantile(b.cpu, 0.5)), ...ratioSummary(b.cpu, builds[0].cpu) });
}
console.log(JSON.stringify(out));
