/**
 * W9: application state. One state holds 100,000 todo records `{ id, title,
 * done, tags: set of strings }` in a list plus a map by id, a 100 KB text
 * document and a 1M-cell Float64 grid; 1,000 versions each toggle one todo,
 * type one character and set one grid cell, and every version is kept. Time
 * and bytes per version, for pagefork's `produce` and `produceWithPatches`
 * against Immer (freeze on and off), Mutative, Immutable.js (Record / List /
 * Map) and `structuredClone`.
 *
 * Immer and Mutative cannot draft a typed array, so their recipes copy the
 * grid (`slice()`) to change a cell, as an app using them would; the
 * document is a string rebuilt per keystroke. Copying peers stop at their
 * budget and their totals are extrapolated linearly.
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import { STATE_PAGE_SIZE, type State } from "@pagefork/state";
import { Immer } from "immer";
import { create } from "mutative";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import { countLabel } from "../format.js";
import { poolAccounting, randomDoubles, randomIndices, runBudgeted } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { largestGroup, medianOf, ratioHeadline } from "../summary.js";
import * as L from "./app-loops.js";
import { check, makeCase, numParam } from "./cases.js";
import { buildAndKeepVersions, finishKept, keptMetrics } from "./kept-versions.js";

const SEED = 0x5eed09;
const FULL: L.Sizes = { todos: 100_000, docChars: 100_000, cells: 1 << 20 };
const QUICK: L.Sizes = { todos: 5_000, docChars: 10_000, cells: 1 << 16 };
const VERSIONS = 1000;
const QUICK_VERSIONS = 200;
/**
 * Versions of the warm-up round (on a small throwaway state) and its budget.
 * 200 versions left pagefork's produce path (a few hundred functions across
 * five packages) mostly unoptimised: V8 had marked few of them for TurboFan
 * by then, so the first ~2,000 measured versions ran at 4-5x the steady cost
 * (first 1,000 versions of 100K todos, interleaved, CPU time: ~130 us/version
 * after 200 warm-up versions, ~30-40 after 2,000). W1 and W5 warm up 1,000.
 */
const WARMUP = { versions: 2000, budget: { seconds: 2, bytes: 128 << 20 } };
const QUICK_WARMUP = { versions: 200, budget: { seconds: 0.5, bytes: 64 << 20 } };
const CHARS = "abcdefghijklmnopqrstuvwxyz ";

const METRICS: MetricDef[] = [
  { key: "nsPerVersion", label: "time / version", unit: "ns", ratio: true },
  { key: "bytesPerVersion", label: "bytes / version", unit: "bytes", ratio: true },
  { key: "inUsePerVersion", label: "in use / version (pool + JS heap)", unit: "bytes", ratio: false },
  { key: "historyBytes", label: "all versions", unit: "bytes", ratio: false },
  { key: "baseBytes", label: "the state itself", unit: "bytes", ratio: true },
  { key: "buildMs", label: "build the state", unit: "ms", ratio: false },
];

const VARIANTS = [
  { variant: "pagefork", library: "pagefork", label: "pagefork produce", short: "pagefork" },
  {
    variant: "pagefork-patches",
    library: "pagefork",
    label: "pagefork produceWithPatches",
    short: "pagefork + patches",
  },
  { variant: "immer-freeze", library: "immer", label: "Immer, auto-freeze on (default)", short: "Immer" },
  { variant: "immer-nofreeze", library: "immer", label: "Immer, auto-freeze off", short: "Immer (no freeze)" },
  { variant: "mutative", library: "mutative", label: "Mutative create", short: "Mutative" },
  { variant: "immutable", library: "immutable", label: "Immutable.js Record / List / Map", short: "Immutable.js" },
  { variant: "clone", library: "native", label: "structuredClone per version", short: "structuredClone" },
];

/** What a run needs of a library: build, make versions, and read back what the checks compare. */
interface Adapter<S> {
  build(n: L.Sizes): S;
  versions(vs: S[], e: L.Edits, from: number, to: number): void;
  done(s: S, i: number): boolean;
  doc(s: S): string;
  cell(s: S, i: number): number;
  accounting?(): number;
}

function plainAdapter(versions: Adapter<L.PlainApp>["versions"]): Adapter<L.PlainApp> {
  return {
    build: L.plainApp,
    versions,
    done: (s, i) => (s.todos[i] as L.PlainTodo).done,
    doc: (s) => s.doc,
    cell: (s, i) => s.grid[i] as number,
  };
}

function adapterFor(variant: string, counts: Int32Array): Adapter<unknown> {
  switch (variant) {
    case "pagefork":
    case "pagefork-patches": {
      const pool = new FramePool({ pageSize: STATE_PAGE_SIZE });
      const a: Adapter<State<L.AppSchema>> = {
        build: (n) => L.pageforkApp(n, pool),
        versions: variant === "pagefork" ? L.produceLoop : (vs, e, from, to) => L.patchesLoop(vs, e, from, to, counts),
        done: (s, i) => (s.root.todos[i] as { done: boolean }).done,
        doc: (s) => s.root.doc.toString(),
        cell: (s, i) => s.root.grid[i] as number,
        accounting: () => poolAccounting(pool).inUse,
      };
      return a as Adapter<unknown>;
    }
    case "immer-freeze":
    case "immer-nofreeze": {
      const immer = new Immer({ autoFreeze: variant === "immer-freeze" });
      immer.setAutoFreeze(variant === "immer-freeze");
      return plainAdapter((vs, e, a, b) =>
        L.draftLoop(immer.produce as L.PlainProduce, vs, e, a, b),
      ) as Adapter<unknown>;
    }
    case "mutative":
      return plainAdapter((vs, e, a, b) =>
        L.draftLoop((base, recipe) => create(base, recipe, { enableAutoFreeze: false }) as L.PlainApp, vs, e, a, b),
      ) as Adapter<unknown>;
    case "clone":
      return plainAdapter(L.cloneLoop) as Adapter<unknown>;
    case "immutable": {
      const a: Adapter<L.ImApp> = {
        build: L.immutableApp,
        versions: L.immutableLoop,
        done: (s, i) => (s.todos.get(i) as L.ImTodo).done,
        doc: (s) => s.doc,
        cell: (s, i) => s.grid.get(i) as number,
      };
      return a as Adapter<unknown>;
    }
    default:
      throw new Error(`W9 has no variant ${variant}`);
  }
}

function edits(n: L.Sizes, count: number, seed: number): L.Edits {
  const charIdx = randomIndices(CHARS.length, count, seed + 2);
  return {
    todo: randomIndices(n.todos, count, seed),
    pos: randomIndices(n.docChars, count, seed + 1),
    chars: Array.from(charIdx, (i) => CHARS[i] as string),
    cell: randomIndices(n.cells, count, seed + 3),
    val: randomDoubles(count, seed + 4),
  };
}

/** The warm-up round in its own function, so its state is unreachable afterwards (see W5). */
function warmUp(variant: string, n: L.Sizes, quick: boolean): void {
  const w = quick ? QUICK_WARMUP : WARMUP;
  const a = adapterFor(variant, new Int32Array(w.versions));
  const small: L.Sizes = { todos: Math.min(n.todos, 2000), docChars: 2000, cells: 1 << 12 };
  const vs: unknown[] = new Array(w.versions + 1).fill(undefined); // holey, as the timed run's (see W5)
  vs[0] = a.build(small);
  const e = edits(small, w.versions, SEED + 7);
  runBudgeted(w.versions, w.budget, (x, y) => a.versions(vs, e, x, y));
}

/** The document, toggles and cells after the first `done` edits, replayed on plain data. */
function expected(
  n: L.Sizes,
  e: L.Edits,
  done: number,
): { doc: string; toggles: Int32Array; cells: Map<number, number> } {
  let doc = L.documentText(n.docChars);
  const toggles = new Int32Array(n.todos);
  const cells = new Map<number, number>();
  for (let v = 0; v < done; v++) {
    toggles[e.todo[v] as number]++;
    const p = (e.pos[v] as number) % (doc.length + 1);
    doc = doc.slice(0, p) + (e.chars[v] as string) + doc.slice(p);
    cells.set(e.cell[v] as number, e.val[v] as number);
  }
  return { doc, toggles, cells };
}

function run(variant: string, ctx: RunContext): Measurement {
  const n: L.Sizes = {
    todos: numParam(ctx.params, "todos"),
    docChars: numParam(ctx.params, "docChars"),
    cells: numParam(ctx.params, "cells"),
  };
  const total = numParam(ctx.params, "versions");
  ctx.progress("warm-up");
  warmUp(variant, n, ctx.quick);
  const counts = new Int32Array(total);
  const adapter = adapterFor(variant, counts);
  const e = edits(n, total, SEED);
  const vs: unknown[] = new Array(total + 1).fill(undefined);
  const r = buildAndKeepVersions(
    ctx,
    adapter,
    total,
    "",
    () => {
      vs[0] = adapter.build(n);
    },
    (a, b) => adapter.versions(vs, e, a, b),
  );
  const done = r.done;

  const want = expected(n, e, done);
  const last = vs[done];
  check(adapter.doc(last) === want.doc, `version ${done}'s document equals a plain-string replay`);
  for (let v = 0; v < Math.min(done, 50); v++) {
    const i = e.todo[v] as number;
    check(
      adapter.done(last, i) === ((want.toggles[i] as number) % 2 === 1),
      `todo ${i} toggled ${want.toggles[i]} times`,
    );
    const c = e.cell[v] as number;
    check(adapter.cell(last, c) === want.cells.get(c), `grid cell ${c} holds its last value`);
  }
  check(adapter.doc(vs[0]) === L.documentText(n.docChars), "version 0's document is unchanged");
  check(adapter.done(vs[0], e.todo[0] as number) === false, "version 0's todos are unchanged");
  if (variant === "pagefork-patches")
    for (let v = 0; v < done; v++) check(counts[v] === 3, `version ${v + 1} has 3 patches (got ${counts[v]})`);

  const metrics = keptMetrics(r);
  const out: Measurement = {
    metrics,
    checks: [
      `version ${done}: the document equals a plain replay, the first 50 toggles and cells hold; version 0 is unchanged`,
    ],
    info: { versionsDone: done },
  };
  return finishKept(
    out,
    adapter,
    r,
    "each version costs about the same: time and bytes per version are from the prefix, the total is per version × versions",
  );
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  VARIANTS.map((v) => [v.variant, (ctx: RunContext) => run(v.variant, ctx)]),
);

export const spec: WorkloadSpec = {
  id: "W9",
  title: "Application state",
  groupLabel: "todos",
  method:
    "One state: N todo records `{ id, title, done, tags: Set<string> }` in a list plus a map by id, a text " +
    "document (100,000 characters; `--quick`: 10,000) and a Float64 grid (1,048,576 cells; `--quick`: 65,536). " +
    "Each of 1,000 versions (`--quick`: 200) toggles one random todo, types one random character at a random " +
    "position of the document and sets one random grid cell (seeded, the same for every library); every " +
    "version is kept. pagefork: `produce` (and `produceWithPatches`) on a `@pagefork/state` state (256-byte " +
    "pages). Immer and Mutative: the same recipe on plain objects, a `Map` and a `Float64Array` that the recipe " +
    "copies to change a cell (neither drafts typed arrays); the document is a string rebuilt per keystroke. " +
    "Immutable.js: `Record`s in a `List`, a `Map`, a `List` of numbers for the grid. structuredClone: a clone " +
    "per version, then the edits. **time / version** and **bytes / version** as in W1; copying peers stop at " +
    "their budget and are extrapolated. Each process first runs the loop on a small throwaway state " +
    "(2,000 versions; `--quick`: 200), so that the measured versions run optimised code.",
  metrics: METRICS,
  cases(config) {
    const n = config.quick ? QUICK : FULL;
    return VARIANTS.map(
      (v): CaseSpec =>
        makeCase("W9", config.quick, {
          ...v,
          group: countLabel(n.todos),
          params: { ...n, versions: config.quick ? QUICK_VERSIONS : VERSIONS },
          baseline: v.variant === "pagefork",
          timeoutSeconds: 300,
        }),
    );
  },
  charts(cases) {
    return [
      {
        file: "w9-app-state.svg",
        title: "W9: time and bytes per version of an application state",
        spec: groupedBarChart({
          title: "W9: cost per version (log scale; lower is better)",
          xTitle: "",
          yTitle: "ns or bytes per version",
          points: [
            ...pointsOf(cases, "nsPerVersion", () => "time per version (ns)"),
            ...pointsOf(cases, "bytesPerVersion", () => "bytes per version"),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const g = largestGroup(cases, "todos") ?? cases[0]?.spec.group;
    if (g === undefined) return [];
    return [
      ratioHeadline("W9", cases, g, METRICS[0] as MetricDef, `W9 time per version, app state of ${g} todos`),
      ratioHeadline("W9", cases, g, METRICS[1] as MetricDef, `W9 bytes per version, app state of ${g} todos`, {
        key: "inUsePerVersion",
        label: "in use",
      }),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const g = largestGroup(cases, "todos") ?? cases[0]?.spec.group;
    const at = (variant: string) => cases.find((c) => c.spec.group === g && c.spec.variant === variant);
    const pf = medianOf(at("pagefork"), "nsPerVersion");
    const pp = medianOf(at("pagefork-patches"), "nsPerVersion");
    const bytes = medianOf(at("pagefork"), "bytesPerVersion");
    const out: string[] = [];
    if (pf !== undefined && bytes !== undefined)
      out.push(
        `pagefork: ${(pf / 1000).toFixed(1)} µs and ${(bytes / 1024).toFixed(2)} KiB per version (targets ≤ 10 µs, ≤ 4 KiB).`,
      );
    if (pf !== undefined && pp !== undefined)
      out.push(`produceWithPatches takes ${(pp / pf).toFixed(2)}× the time of produce (target ≤ 2×).`);
    return out;
  },
};
