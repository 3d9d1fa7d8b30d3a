/**
 * W5b: W5's map with a bounded history. A map of N string keys gets 100,000
 * commits, each setting one random key's value, into an undo stack that keeps
 * the newest 100 versions (see bounded.ts), so pagefork reuses the frames of
 * evicted versions.
 *
 * What a commit is: pagefork `History` (`maxVersions: 100`) of a `CowMap`,
 * `draft = history.fork(); draft.set(key, x); history.commit(draft)`;
 * Immutable.js `Map.set` pushed on an array of the newest 100 Maps.
 *
 * @module
 */
import { FramePool, History } from "@pagefork/core";
import { CowMap, MAP_PAGE_SIZE } from "@pagefork/map";
import { Map as ImmutableMap } from "immutable";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
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

const SEED = 0x5eed5b;
/** Keys checked besides those of the last commits: random ones, seeded. */
const SPOT_KEYS = 1000;

const PEERS = [
  { variant: "pagefork", library: "pagefork", label: "pagefork History of a CowMap", short: "pagefork" },
  {
    variant: "immutable",
    library: "immutable",
    label: "Immutable.js Map.set, array of the newest 100",
    short: "Immutable Map",
  },
];

/** Key `i`, as in W5. */
function keyOf(i: number): string {
  return `item-${i}`;
}

function* entries(n: number): Generator<[string, number]> {
  for (let i = 0; i < n; i++) yield [keyOf(i), i + 0.5];
}

type StrMap = CowMap<string, number>;

// One top-level loop per library: each call site sees one receiver class.

function cowCommits(h: History<StrMap>, keys: string[], val: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const draft = h.fork();
    draft.set(keys[k] as string, val[k] as number);
    h.commit(draft);
  }
}

function mapCommits(
  s: UndoStack<ImmutableMap<string, number>>,
  keys: string[],
  val: Float64Array,
  from: number,
  to: number,
): void {
  for (let k = from; k < to; k++) s.commit(s.current.set(keys[k] as string, val[k] as number));
}

interface Inputs {
  idx: Int32Array;
  keys: string[];
  val: Float64Array;
}

function inputs(n: number, commits: number, seed: number): Inputs {
  const idx = randomIndices(n, commits, seed);
  return { idx, keys: Array.from(idx, keyOf), val: randomDoubles(commits, seed + 1) };
}

/**
 * Checks the newest version (after `done` commits) and the oldest held: the
 * keys of the last 2,000 commits and 1,000 random keys map to what a replay
 * of their commits gives, and both hold N keys.
 */
function verify(
  read: (which: "newest" | "oldest") => { get(k: string): number | undefined; size: number },
  n: number,
  inp: Inputs,
  done: number,
): string {
  const spot = Array.from(randomIndices(n, SPOT_KEYS, SEED + 9));
  for (let j = Math.max(0, done - 2000); j < done; j++) spot.push(inp.idx[j] as number);
  for (const [which, commits] of [
    ["newest", done],
    ["oldest", Math.max(0, done + 1 - MAX_VERSIONS)],
  ] as const) {
    const changed = new Map<number, number>();
    for (let j = 0; j < commits; j++) changed.set(inp.idx[j] as number, inp.val[j] as number);
    const m = read(which);
    check(m.size === n, `the version after ${commits} commits has ${n} keys`);
    for (const i of spot)
      check(m.get(keyOf(i)) === (changed.get(i) ?? i + 0.5), `the version after ${commits} commits maps ${keyOf(i)}`);
  }
  return `the newest and the oldest version held have ${n} keys and map the keys of the last 2,000 commits and ${SPOT_KEYS} random keys as a replay does`;
}

function pageforkAdapter(ctx: RunContext): BoundedAdapter<History<StrMap>> {
  const pool = new FramePool({ pageSize: MAP_PAGE_SIZE });
  const n = numParam(ctx.params, "size");
  const inp = inputs(n, numParam(ctx.params, "commits"), SEED);
  return {
    build: (size) => new History(CowMap.from(entries(size), { pool }), { maxVersions: MAX_VERSIONS }),
    commits: (h, from, to) => cowCommits(h, inp.keys, inp.val, from, to),
    size: (h) => h.size,
    verify: (h, done) => verify((w) => h.at(w === "newest" ? -1 : 0) as StrMap, n, inp, done),
    dispose(h) {
      h.release();
      const s = pool.stats();
      check(s.framesInUse === 0 && s.pageTableNodes === 0, "every frame and page-table node returns to the pool");
      return "after release, every frame and page-table node is back in the pool (no leak)";
    },
    accounting: () => poolAccounting(pool).inUse,
  };
}

function immutableAdapter(ctx: RunContext): BoundedAdapter<UndoStack<ImmutableMap<string, number>>> {
  const n = numParam(ctx.params, "size");
  const inp = inputs(n, numParam(ctx.params, "commits"), SEED);
  return {
    build: (size) => new UndoStack(ImmutableMap(entries(size))),
    commits: (s, from, to) => mapCommits(s, inp.keys, inp.val, from, to),
    size: (s) => s.versions.length,
    verify: (s, done) =>
      verify((w) => s.versions.at(w === "newest" ? -1 : 0) as ImmutableMap<string, number>, n, inp, done),
    dispose: () => "(garbage collected)",
  };
}

/** The variants, by id, for the worker. */
export const variants: Record<string, VariantRunner> = {
  pagefork: (ctx) => runBounded(() => pageforkAdapter(ctx), ctx),
  immutable: (ctx) => runBounded(() => immutableAdapter(ctx), ctx),
};

export const spec: WorkloadSpec = {
  id: "W5b",
  title: "Map with a bounded history",
  groupLabel: "keys",
  method:
    "W5's map of N string keys (`item-0` …, values `i + 0.5`) gets 100,000 commits (`--quick`: 10,000 on 20,000 " +
    "keys); commit k sets one random key (seeded, the same for every library) to a random double and goes on an " +
    "undo stack that keeps the newest 100 versions, dropping the oldest. pagefork uses the core `History` with " +
    "`maxVersions: 100` over a `CowMap`, which releases the version it evicts, so its frames are reused; " +
    "Immutable.js pushes `Map.set` results on an array and shifts the oldest out. Each process first runs 20,000 " +
    "commits on a throwaway map of the same size. Metrics as in W1b. The newest and the oldest version held must " +
    "have N keys and map the keys of the last 2,000 commits and 1,000 random keys as a replay does; pagefork's " +
    "pool must hold no frame after the history is released.",
  metrics: METRICS,
  cases(config) {
    const n = config.quick ? 20_000 : 1_000_000;
    return PEERS.map(
      (p): CaseSpec =>
        makeCase("W5b", config.quick, {
          ...p,
          group: countLabel(n),
          params: { size: n, commits: config.quick ? QUICK_COMMITS : COMMITS },
          baseline: p.library === "pagefork",
          timeoutSeconds: 240,
        }),
    );
  },
  charts(cases) {
    return [
      {
        file: "w5b-bounded-map.svg",
        title: "W5b: time per commit of a map with a bounded history",
        spec: groupedBarChart({
          title: "W5b: time per commit, 100 versions kept (log scale; lower is better)",
          xTitle: "",
          yTitle: "ns per commit",
          points: pointsOf(cases, "nsPerCommit", () => "time per commit (ns)"),
        }),
      },
    ];
  },
  headline(cases) {
    const g = largestGroup(cases, "size") ?? cases[0]?.spec.group;
    if (g === undefined) return [];
    return [
      ratioHeadline(
        "W5b",
        cases,
        g,
        METRICS[0] as MetricDef,
        `W5b time per commit, map of ${g} keys, 100 versions kept`,
      ),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const pf = medianOf(
      cases.find((c) => c.spec.variant === "pagefork"),
      "nsPerCommit",
    );
    const im = medianOf(
      cases.find((c) => c.spec.variant === "immutable"),
      "nsPerCommit",
    );
    if (pf === undefined || im === undefined) return [];
    return [
      `pagefork ${(pf / 1000).toFixed(2)} µs per commit (target ≤ 2 µs), Immutable.js ${(im / pf).toFixed(2)}× pagefork's time (target ≥ 3×), medians.`,
    ];
  },
};
