/**
 * W1: fork large numeric state. A float64 state of 1M or 10M elements (and
 * 100K, for the shape of the curve) gets 1,000 versions, each differing from
 * the previous one in one random element, and every version is kept. Time
 * and bytes per version.
 *
 * What a version is, per library:
 * - pagefork: `next = prev.fork(); next.set(i, x)` on a `CowFloat64Array`;
 * - `Float64Array.prototype.slice` and `structuredClone`: a full copy, then `next[i] = x`;
 * - Immer and Mutative: `produce`/`create(prev, d => { d[i] = x })` on a plain
 *   Array of numbers (they draft plain objects and arrays, not typed arrays);
 * - Immutable.js: `prev.set(i, x)` on a `List` of numbers.
 *
 * Copying peers cannot keep 1,000 copies of 80 MB in bounded memory: they run
 * until their budget (2 GiB held, 10 s of work) and the total is extrapolated
 * linearly (each version is an independent copy of the same size).
 *
 * @module
 */
import { arrayPageSizeFor, CowFloat64Array } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { Immer } from "immer";
import { List } from "immutable";
import { create } from "mutative";
import { lineChart, pointsOf } from "../chart-specs.js";
import { countLabel } from "../format.js";
import {
  type Budget,
  poolAccounting,
  randomDoubles,
  randomIndices,
  runWarmUp,
  type WarmUpRun,
  warmUpRounds,
} from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { largestGroup, ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";
import { buildAndKeepVersions, finishKept, keptMetrics } from "./kept-versions.js";

const VERSIONS = 1000;
const SEED = 0x5eed01;

const METRICS: MetricDef[] = [
  { key: "nsPerVersion", label: "time / version", unit: "ns", ratio: true },
  {
    key: "coldNsPerVersion",
    label: "cold start: time / version of a fresh process's first 1,000",
    unit: "ns",
    ratio: true,
  },
  { key: "bytesPerVersion", label: "bytes / version", unit: "bytes", ratio: true },
  { key: "inUsePerVersion", label: "in use / version (pool + JS heap)", unit: "bytes", ratio: false },
  { key: "rssPerVersion", label: "resident set growth / version", unit: "bytes", ratio: true },
  { key: "historyBytes", label: "1,000 versions", unit: "bytes", ratio: false },
  { key: "baseBytes", label: "the state itself", unit: "bytes", ratio: true },
  { key: "buildMs", label: "build the state", unit: "ms", ratio: false },
];

/** The metric of `key` (headlines name metrics by key, not by their place in {@link METRICS}). */
function metric(key: string): MetricDef {
  return METRICS.find((m) => m.key === key) as MetricDef;
}

interface Peer {
  variant: string;
  library: string;
  label: string;
  short: string;
}

const PEERS: Peer[] = [
  { variant: "pagefork", library: "pagefork", label: "pagefork CowFloat64Array", short: "pagefork" },
  { variant: "slice", library: "native", label: "Float64Array.prototype.slice", short: "TypedArray.slice" },
  { variant: "structuredclone", library: "native", label: "structuredClone(Float64Array)", short: "structuredClone" },
  {
    variant: "immer-freeze",
    library: "immer",
    label: "Immer produce, auto-freeze on (default), plain Array",
    short: "Immer",
  },
  {
    variant: "immer-nofreeze",
    library: "immer",
    label: "Immer produce, auto-freeze off, plain Array",
    short: "Immer (no freeze)",
  },
  { variant: "mutative", library: "mutative", label: "Mutative create, plain Array", short: "Mutative" },
  { variant: "immutable", library: "immutable", label: "Immutable.js List.set", short: "Immutable List" },
];

/** Initial element `i`: a non-integer, so no library can keep it as a small integer. */
function initialState(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i * 0.5 + 0.25;
  return a;
}

// One top-level loop per library: each call site sees one receiver class.

function cowVersions(vs: CowFloat64Array[], idx: Int32Array, val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as CowFloat64Array;
  for (let v = from; v < to; v++) {
    const next = cur.fork();
    next.set(idx[v] as number, val[v] as number);
    vs[v + 1] = next;
    cur = next;
  }
}

function sliceVersions(vs: Float64Array[], idx: Int32Array, val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as Float64Array;
  for (let v = from; v < to; v++) {
    const next = cur.slice();
    next[idx[v] as number] = val[v] as number;
    vs[v + 1] = next;
    cur = next;
  }
}

function cloneVersions(vs: Float64Array[], idx: Int32Array, val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as Float64Array;
  for (let v = from; v < to; v++) {
    const next = structuredClone(cur);
    next[idx[v] as number] = val[v] as number;
    vs[v + 1] = next;
    cur = next;
  }
}

type Produce = (base: number[], recipe: (draft: number[]) => void) => number[];

function draftVersions(produce: Produce, vs: number[][], idx: Int32Array, val: Float64Array, from: number, to: number) {
  let cur = vs[from] as number[];
  for (let v = from; v < to; v++) {
    const i = idx[v] as number;
    const x = val[v] as number;
    cur = produce(cur, (d) => {
      d[i] = x;
    });
    vs[v + 1] = cur;
  }
}

function listVersions(vs: List<number>[], idx: Int32Array, val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as List<number>;
  for (let v = from; v < to; v++) {
    cur = cur.set(idx[v] as number, val[v] as number);
    vs[v + 1] = cur;
  }
}

/** How one library builds its state, makes versions, and reads an element back. */
interface Adapter<S> {
  build(init: Float64Array): S;
  versions(vs: S[], idx: Int32Array, val: Float64Array, from: number, to: number): void;
  read(s: S, i: number): number | undefined;
  /** pagefork only: its own accounting of the pool. */
  accounting?(): number;
}

/**
 * pagefork's state on a pool of its own (so its accounting counts this state
 * alone) with the page size the array would get by default for its length
 * (`arrayPageSizeFor`: 512 B up to 4 MiB, 1 KiB above).
 */
function pageforkAdapter(n: number): Adapter<CowFloat64Array> {
  const pool = new FramePool({ pageSize: arrayPageSizeFor(n * Float64Array.BYTES_PER_ELEMENT) });
  return {
    build(init) {
      const a = new CowFloat64Array(init.length, { pool });
      a.set(init);
      return a;
    },
    versions: cowVersions,
    read: (s, i) => s.get(i),
    accounting: () => poolAccounting(pool).inUse,
  };
}

function drafting(produce: Produce): Adapter<number[]> {
  return {
    build: (init) => Array.from(init),
    versions: (vs, idx, val, from, to) => draftVersions(produce, vs, idx, val, from, to),
    read: (s, i) => s[i],
  };
}

function adapterFor(variant: string, n: number): Adapter<unknown> {
  switch (variant) {
    case "pagefork":
      return pageforkAdapter(n) as Adapter<unknown>;
    case "slice":
      return { build: (init) => init.slice(), versions: sliceVersions, read: (s, i) => s[i] } as Adapter<Float64Array>;
    case "structuredclone":
      return { build: (init) => init.slice(), versions: cloneVersions, read: (s, i) => s[i] } as Adapter<Float64Array>;
    case "immer-freeze":
      return drafting(new Immer({ autoFreeze: true }).produce as Produce) as Adapter<unknown>;
    case "immer-nofreeze":
      return drafting(new Immer({ autoFreeze: false }).produce as Produce) as Adapter<unknown>;
    case "mutative":
      return drafting((base, recipe) => create(base, recipe)) as Adapter<unknown>;
    case "immutable":
      return { build: (init) => List(init), versions: listVersions, read: (s, i) => s.get(i) } as Adapter<List<number>>;
    default:
      throw new Error(`W1 has no variant ${variant}`);
  }
}

/**
 * The warm-up every variant runs first ({@link KEPT_VERSIONS_WARMUP}: 2 rounds
 * of up to 10,000 versions, each on a throwaway state of the same size, then
 * dropped; copying peers make a few within the budget). On a small state the
 * deeper page tables of a large one stayed cold: a 10,000-element warm-up left
 * 1M-element versions at ~15 us where a warm process takes 2-5 us. Returns the
 * cold start: the time per version of the process's first 1,000.
 */
function warmUp(variant: string, init: Float64Array, quick: boolean): WarmUpRun {
  return warmUpRounds(quick, (r, versions, budget) => warmUpRound(variant, init, r, versions, budget));
}

/** One warm-up round, in its own function so nothing of its state stays reachable. */
function warmUpRound(variant: string, init: Float64Array, r: number, versions: number, budget: Budget): WarmUpRun {
  const adapter = adapterFor(variant, init.length);
  const idx = randomIndices(init.length, versions, SEED + 2 + 2 * r);
  const val = randomDoubles(versions, SEED + 3 + 2 * r);
  const vs: unknown[] = new Array(versions + 1).fill(undefined);
  vs[0] = adapter.build(init);
  return runWarmUp(versions, budget, (from, to) => adapter.versions(vs, idx, val, from, to));
}

function run(variant: string, ctx: RunContext): Measurement {
  const n = numParam(ctx.params, "elements");
  const total = numParam(ctx.params, "versions");
  const init = initialState(n);
  ctx.progress("warm-up");
  const cold = warmUp(variant, init, ctx.quick);
  const adapter = adapterFor(variant, n);
  const idx = randomIndices(n, total, SEED);
  const val = randomDoubles(total, SEED + 1);
  const vs: unknown[] = new Array(total + 1).fill(undefined);
  const r = buildAndKeepVersions(
    ctx,
    adapter,
    total,
    `${countLabel(n)} elements`,
    () => {
      vs[0] = adapter.build(init);
    },
    (from, to) => adapter.versions(vs, idx, val, from, to),
  );
  const done = r.done;

  // Each version holds its own write; version 0 is untouched.
  const checks: string[] = [];
  for (const v of new Set([1, Math.ceil(done / 2), done])) {
    const i = idx[v - 1] as number;
    check(adapter.read(vs[v], i) === val[v - 1], `version ${v} holds element ${i} = ${val[v - 1]}`);
  }
  const i0 = idx[0] as number;
  check(adapter.read(vs[0], i0) === init[i0], `version 0 still holds the initial element ${i0}`);
  checks.push(`versions 1, ${Math.ceil(done / 2)}, ${done} hold their writes; version 0 is unchanged`);

  const metrics: Record<string, number> = {
    ...keptMetrics(r),
    coldNsPerVersion: cold.coldNsPerUnit,
    rssPerVersion: (r.m2.rss - r.m1.rss) / done,
  };
  const out: Measurement = {
    metrics,
    checks,
    info: {
      versionsDone: done,
      heldBefore: r.m0,
      heldAfterBuild: r.m1,
      warmUpVersions: cold.done,
      coldVersions: cold.coldDone,
    },
  };
  return finishKept(
    out,
    adapter,
    r,
    "each version is a full copy: time and bytes per version are from the prefix, the total is per version × 1,000",
  );
}

/** The variants, by id, for the worker. */
export const variants: Record<string, VariantRunner> = Object.fromEntries(
  PEERS.map((p) => [p.variant, (ctx: RunContext) => run(p.variant, ctx)]),
);

function sizes(quick: boolean): number[] {
  return quick ? [10_000, 100_000] : [100_000, 1_000_000, 10_000_000];
}

export const spec: WorkloadSpec = {
  id: "W1",
  title: "Fork large numeric state",
  groupLabel: "elements",
  method:
    "A float64 state of N elements (initial values `i * 0.5 + 0.25`) gets 1,000 versions; version k + 1 is " +
    "version k with one random element (seeded, the same for every library) set to a random double, and every " +
    "version is kept. pagefork's `CowFloat64Array` has a pool of its own with the page size the array gets by " +
    "default for its length (`arrayPageSizeFor`: 512 B up to 4 MiB, so at 100K; 1 KiB above). " +
    "Each process first warms up: the same loop on two throwaway states of the same size in turn " +
    "(up to 10,000 versions within 1.5 s each, then dropped), so the measured loop runs optimised code " +
    "(`--trace-opt`: pagefork's per-version functions reach TurboFan after 4,000-8,000 versions, and a second " +
    "state's first versions deoptimized code optimised on the first). **cold start** is the time per version of " +
    "the warm-up's first 1,000: what a process pays before that. **time / version** is the timed loop (fork or copy, plus the write) divided by the " +
    "versions made; **bytes / version** is JS heap + ArrayBuffer bytes held after `gc()`, minus the same after " +
    "the initial state was built, divided by the versions. For pagefork those bytes include whole slab " +
    "reservations, so **in use / version** gives its own accounting (frames + page-table nodes + frame metadata, " +
    "plus the versions' JS heap): reserved slab bytes make the first figure jump when a slab doubles and stay " +
    "flat while versions fill reserved room. **resident set growth / version** is `rss` after the versions minus after the build (both after `gc()`), divided by the versions: what the versions really took from the machine (untouched slab pages do not count; pages the allocator or V8 already held and reuse do not either). " +
    "Immer and Mutative draft plain objects and arrays, not typed arrays, so they run " +
    "on a plain Array of numbers (V8 keeps it as unboxed doubles until Immer's auto-freeze boxes them). " +
    "Copying peers stop at their budget (2 GiB held or 10 s of work; `--quick`: 128 MiB, 0.5 s) and their " +
    "1,000-version total is extrapolated.",
  metrics: METRICS,
  cases(config) {
    const out: CaseSpec[] = [];
    for (const n of sizes(config.quick))
      for (const p of PEERS)
        out.push(
          makeCase("W1", config.quick, {
            ...p,
            group: countLabel(n),
            params: { elements: n, versions: VERSIONS },
            baseline: p.library === "pagefork",
            timeoutSeconds: 180,
          }),
        );
    return out;
  },
  charts(cases) {
    const x = (c: { spec: CaseSpec }) => c.spec.params.elements as number;
    return [
      {
        file: "w1-time-per-version.svg",
        title: "W1: time per version against state size (log-log)",
        spec: lineChart({
          title: "W1: time per version (fork + one write) vs state size",
          xTitle: "state size (float64 elements)",
          yTitle: "time per version (µs)",
          points: pointsOf(cases, "nsPerVersion", x, 1e-3),
        }),
      },
      {
        file: "w1-bytes-per-version.svg",
        title: "W1: memory per version against state size (log-log)",
        spec: lineChart({
          title: "W1: bytes per version vs state size (pagefork also in use)",
          xTitle: "state size (float64 elements)",
          yTitle: "bytes per version (heap + ArrayBuffers)",
          points: [
            ...pointsOf(cases, "bytesPerVersion", x),
            ...pointsOf(cases, "inUsePerVersion", x).map((p) => ({ ...p, series: `${p.series} (in use)` })),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const g = largestGroup(cases, "elements");
    if (g === undefined) return [];
    return [
      ratioHeadline("W1", cases, g, metric("nsPerVersion"), `W1 time per version, ${g} float64 state`),
      ratioHeadline("W1", cases, g, metric("bytesPerVersion"), `W1 bytes per version, ${g} float64 state`, {
        key: "inUsePerVersion",
        label: "in use",
      }),
    ].filter((r) => r !== undefined);
  },
};
