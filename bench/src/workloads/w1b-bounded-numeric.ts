/**
 * W1b: W1's numeric state with a bounded history. A float64 state of N
 * elements gets 100,000 commits, each setting one random element, into an
 * undo stack that keeps the newest 100 versions (see bounded.ts): the oldest
 * version is dropped on every commit, so pagefork reuses the frames and
 * page-table nodes of evicted versions instead of touching new memory.
 *
 * What a commit is: pagefork `History` (`maxVersions: 100`) of a
 * `CowFloat64Array`, `draft = history.fork(); draft.set(i, x);
 * history.commit(draft)`; Immutable.js `List.set` pushed on an array of the
 * newest 100 Lists.
 *
 * @module
 */
import { arrayPageSizeFor, CowFloat64Array } from "@pagefork/array";
import { FramePool, History } from "@pagefork/core";
import { List } from "immutable";
import { lineChart, pointsOf } from "../chart-specs.js";
import { countLabel } from "../format.js";
import { poolAccounting, randomDoubles, randomIndices } from "../measure.js";
import type { CaseSpec, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { largestGroup, medianOf, ratioHeadline } from "../summary.js";
import {
  type BoundedAdapter,
  COMMITS,
  MAX_VERSIONS,
  METRICS,
  QUICK_COMMITS,
  runBounded,
  UndoStack,
} from "./bounded.js";
import { check, makeCase, numParam } from "./cases.js";

const SEED = 0x5eed1b;

const PEERS = [
  { variant: "pagefork", library: "pagefork", label: "pagefork History of a CowFloat64Array", short: "pagefork" },
  {
    variant: "immutable",
    library: "immutable",
    label: "Immutable.js List.set, array of the newest 100",
    short: "Immutable List",
  },
];

/** Initial element `i`, as in W1. */
function initialState(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i * 0.5 + 0.25;
  return a;
}

// One top-level loop per library: each call site sees one receiver class.

function cowCommits(h: History<CowFloat64Array>, idx: Int32Array, val: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const draft = h.fork();
    draft.set(idx[k] as number, val[k] as number);
    h.commit(draft);
  }
}

function listCommits(s: UndoStack<List<number>>, idx: Int32Array, val: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k++) s.commit(s.current.set(idx[k] as number, val[k] as number));
}

/** Elements of the state after commits `0 … k - 1`, replayed on a plain Float64Array. */
function replay(n: number, idx: Int32Array, val: Float64Array, k: number): Float64Array {
  const a = initialState(n);
  for (let j = 0; j < k; j++) a[idx[j] as number] = val[j] as number;
  return a;
}

/** Checks the newest version (after `done` commits) and the oldest held against a replay, element by element. */
function verify(
  read: (which: "newest" | "oldest") => ArrayLike<number>,
  n: number,
  idx: Int32Array,
  val: Float64Array,
  done: number,
): string {
  for (const [which, commits] of [
    ["newest", done],
    ["oldest", Math.max(0, done + 1 - MAX_VERSIONS)],
  ] as const) {
    const got = read(which);
    const want = replay(n, idx, val, commits);
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) if (got[i] !== want[i]) bad = i;
    check(bad < 0, `the version after ${commits} commits holds every element (first difference at ${bad})`);
  }
  return "the newest and the oldest version held equal a replay of their commits, every element";
}

function inputs(n: number, commits: number, seed: number): { idx: Int32Array; val: Float64Array } {
  return { idx: randomIndices(n, commits, seed), val: randomDoubles(commits, seed + 1) };
}

function pageforkAdapter(ctx: RunContext): BoundedAdapter<History<CowFloat64Array>> {
  const n = numParam(ctx.params, "size");
  // The page size the array would get by default for its length (512 B up to 4 MiB, 1 KiB above).
  const pool = new FramePool({ pageSize: arrayPageSizeFor(n * Float64Array.BYTES_PER_ELEMENT) });
  const { idx, val } = inputs(n, numParam(ctx.params, "commits"), SEED);
  return {
    build(size) {
      const a = new CowFloat64Array(size, { pool });
      a.set(initialState(size));
      return new History(a, { maxVersions: MAX_VERSIONS });
    },
    commits: (h, from, to) => cowCommits(h, idx, val, from, to),
    size: (h) => h.size,
    verify: (h, done) =>
      verify((w) => (h.at(w === "newest" ? -1 : 0) as CowFloat64Array).toTypedArray(), n, idx, val, done),
    dispose(h) {
      h.release();
      const s = pool.stats();
      check(s.framesInUse === 0 && s.pageTableNodes === 0, "every frame and page-table node returns to the pool");
      return "after release, every frame and page-table node is back in the pool (no leak)";
    },
    accounting: () => poolAccounting(pool).inUse,
  };
}

function immutableAdapter(ctx: RunContext): BoundedAdapter<UndoStack<List<number>>> {
  const n = numParam(ctx.params, "size");
  const { idx, val } = inputs(n, numParam(ctx.params, "commits"), SEED);
  return {
    build: (size) => new UndoStack(List(initialState(size))),
    commits: (s, from, to) => listCommits(s, idx, val, from, to),
    size: (s) => s.versions.length,
    verify: (s, done) =>
      verify((w) => (s.versions.at(w === "newest" ? -1 : 0) as List<number>).toArray(), n, idx, val, done),
    dispose: () => "(garbage collected)",
  };
}

/** The variants, by id, for the worker. */
export const variants: Record<string, VariantRunner> = {
  pagefork: (ctx) => runBounded(() => pageforkAdapter(ctx), ctx),
  immutable: (ctx) => runBounded(() => immutableAdapter(ctx), ctx),
};

function sizes(quick: boolean): number[] {
  return quick ? [10_000, 100_000] : [100_000, 1_000_000, 10_000_000];
}

export const spec: WorkloadSpec = {
  id: "W1b",
  title: "Fork numeric state, bounded history",
  groupLabel: "elements",
  method:
    "W1's float64 state of N elements (initial values `i * 0.5 + 0.25`) gets 100,000 commits (`--quick`: 10,000); " +
    "commit k sets one random element (seeded, the same for every library) to a random double and goes on an undo " +
    "stack that keeps the newest 100 versions, dropping the oldest. pagefork uses the core `History` with " +
    "`maxVersions: 100` (`draft = history.fork(); draft.set(i, x); history.commit(draft)`) on a pool with the array's " +
    "default page size for its length (512 B up to 4 MiB, 1 KiB above); `History` releases the " +
    "version it evicts, so its frames are reused; Immutable.js pushes `List.set` results on an array and shifts the " +
    "oldest out. Each process first runs 20,000 commits on a throwaway state of the same size. **time / commit** " +
    "is the timed loop divided by the commits; **100 versions hold** is JS heap + ArrayBuffer bytes after `gc()` " +
    "at the end minus the same after the initial state was built (pagefork's slabs counted whole); **in use** is " +
    "pagefork's own accounting (frames + page-table nodes + metadata, plus JS heap); **resident set growth** is " +
    "`rss` after the commits minus before. The newest and the oldest version held are compared with a replay of " +
    "their commits, element by element, and pagefork's pool must hold no frame after the history is released.",
  metrics: METRICS,
  cases(config) {
    const out: CaseSpec[] = [];
    for (const n of sizes(config.quick))
      for (const p of PEERS)
        out.push(
          makeCase("W1b", config.quick, {
            ...p,
            group: countLabel(n),
            params: { size: n, commits: config.quick ? QUICK_COMMITS : COMMITS },
            baseline: p.library === "pagefork",
            timeoutSeconds: 240,
          }),
        );
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w1b-time-per-commit.svg",
        title: "W1b: time per commit with a bounded history, against state size (log-log)",
        spec: lineChart({
          title: "W1b: time per commit (fork + one write + commit, 100 versions kept) vs state size",
          xTitle: "state size (float64 elements)",
          yTitle: "time per commit (µs)",
          points: pointsOf(cases, "nsPerCommit", (c) => c.spec.params.size as number, 1e-3),
        }),
      },
    ];
  },
  headline(cases) {
    const g = largestGroup(cases, "size");
    if (g === undefined) return [];
    return [
      ratioHeadline(
        "W1b",
        cases,
        g,
        METRICS[0] as MetricDef,
        `W1b time per commit, ${g} float64 state, 100 versions kept`,
      ),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const out: string[] = [];
    for (const g of [...new Set(cases.map((c) => c.spec.group))]) {
      const pf = medianOf(
        cases.find((c) => c.spec.group === g && c.spec.variant === "pagefork"),
        "nsPerCommit",
      );
      const im = medianOf(
        cases.find((c) => c.spec.group === g && c.spec.variant === "immutable"),
        "nsPerCommit",
      );
      if (pf === undefined || im === undefined) continue;
      out.push(
        `${g}: pagefork ${(pf / 1000).toFixed(2)} µs per commit (target ≤ 2 µs), Immutable.js ${(im / pf).toFixed(2)}× pagefork's time (target ≥ 3×), medians.`,
      );
    }
    return out;
  },
};
