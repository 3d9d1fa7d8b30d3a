/**
 * W5: a map with history. 1,000,000 string keys (`item-0` … `item-999999`)
 * map to numbers; 1,000 versions each change one random key's value, and
 * every version is kept. Time and bytes per version; then, on the newest
 * version, ns per `get` of a random key and per entry of a full `for..of`.
 *
 * What a version is, per library: pagefork `CowMap` `fork()` + `set`; a native
 * `Map` copied (`new Map(prev)`) + `set`; Immer (`enableMapSet`) and Mutative
 * drafting a `Map`; Immutable.js `Map.set`. Copying peers stop at their
 * budget and their 1,000-version total is extrapolated linearly.
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import { CowMap, MAP_PAGE_SIZE } from "@pagefork/map";
import { enableMapSet, Immer } from "immer";
import { Map as ImmutableMap } from "immutable";
import { create } from "mutative";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import { countLabel, formatRatio } from "../format.js";
import { type TaskDef, timeTasks, timingFor } from "../harness.js";
import { poolAccounting, randomDoubles, randomIndices, runWarmUp, type WarmUpRun, warmUpRounds } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { largestGroup, medianOf, ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";
import { buildAndKeepVersions, finishKept, keptMetrics } from "./kept-versions.js";
import * as L from "./map-loops.js";

const VERSIONS = 1000;
const SEED = 0x5eed05;
/** Random-key lookups per timed `get` call (`--quick`: 16,384). */
const LOOKUPS = 1 << 20;
const QUICK_LOOKUPS = 1 << 14;

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
  { key: "baseBytes", label: "the map itself", unit: "bytes", ratio: true },
  { key: "buildMs", label: "build the map", unit: "ms", ratio: false },
  { key: "getNs", label: "get, random key", unit: "ns", ratio: true },
  { key: "iterNs", label: "for..of, per entry", unit: "ns", ratio: true },
];

function metric(key: string): MetricDef {
  return METRICS.find((m) => m.key === key) as MetricDef;
}

const VARIANTS = [
  { variant: "pagefork", library: "pagefork", label: "pagefork CowMap", short: "pagefork" },
  { variant: "map-copy", library: "native", label: "native Map, copied per version", short: "Map copy" },
  {
    variant: "immer-freeze",
    library: "immer",
    label: "Immer (enableMapSet), auto-freeze on (default)",
    short: "Immer",
  },
  {
    variant: "immer-nofreeze",
    library: "immer",
    label: "Immer (enableMapSet), auto-freeze off",
    short: "Immer (no freeze)",
  },
  { variant: "mutative", library: "mutative", label: "Mutative create on a Map", short: "Mutative" },
  { variant: "immutable", library: "immutable", label: "Immutable.js Map.set", short: "Immutable Map" },
];

/** Key `i`: made on demand, so the structure under test holds the only copy of each key. */
function keyOf(i: number): string {
  return `item-${i}`;
}

function* entries(n: number): Generator<[string, number]> {
  for (let i = 0; i < n; i++) yield [keyOf(i), i + 0.5];
}

interface Adapter<S> {
  build(n: number): S;
  versions(vs: S[], keys: string[], val: Float64Array, from: number, to: number): void;
  get(s: S, key: string): unknown;
  size(s: S): number;
  /** The sum of `get` of every key in `keys` (a loop in map-loops.ts). */
  sumGet(s: S, keys: readonly string[]): number;
  /** The sum of the values by `for..of` over the entries. */
  sumIter(s: S): number;
  accounting?(): number;
}

function pageforkAdapter(): Adapter<L.StrMap> {
  const pool = new FramePool({ pageSize: MAP_PAGE_SIZE });
  return {
    build: (n) => CowMap.from(entries(n), { pool }),
    versions: L.cowLoop,
    get: (s, k) => s.get(k),
    size: (s) => s.size,
    sumGet: L.sumCowMapGet,
    sumIter: L.sumCowMapIterate,
    accounting: () => poolAccounting(pool).inUse,
  };
}

/** A native Map made by `versions`: copied per version, or produced by Immer or Mutative. */
function nativeMap(versions: Adapter<Map<string, number>>["versions"]): Adapter<Map<string, number>> {
  return {
    build: (n) => new Map(entries(n)),
    versions,
    get: (s, k) => s.get(k),
    size: (s) => s.size,
    sumGet: L.sumMapGet,
    sumIter: L.sumMapIterate,
  };
}

/** A native Map produced per version by Immer or Mutative. */
function drafting(produce: L.MapProduce): Adapter<Map<string, number>> {
  return nativeMap((vs, keys, val, a, b) => L.draftLoop(produce, vs, keys, val, a, b));
}

function adapterFor(variant: string): Adapter<unknown> {
  switch (variant) {
    case "pagefork":
      return pageforkAdapter() as Adapter<unknown>;
    case "map-copy":
      return nativeMap(L.copyLoop) as Adapter<unknown>;
    case "immer-freeze":
    case "immer-nofreeze": {
      enableMapSet();
      const immer = new Immer({ autoFreeze: variant === "immer-freeze" });
      return drafting(immer.produce as L.MapProduce) as Adapter<unknown>;
    }
    case "mutative":
      return drafting((base, recipe) => create(base, recipe)) as Adapter<unknown>;
    case "immutable":
      return {
        build: (n: number) => ImmutableMap(entries(n)),
        versions: L.immutableLoop,
        get: (s: ImmutableMap<string, number>, k: string) => s.get(k),
        size: (s: ImmutableMap<string, number>) => s.size,
        sumGet: L.sumImmutableMapGet,
        sumIter: L.sumImmutableMapIterate,
      } as Adapter<unknown>;
    default:
      throw new Error(`W5 has no variant ${variant}`);
  }
}

function inputs(n: number, versions: number, seed: number): { keys: string[]; val: Float64Array; idx: Int32Array } {
  const idx = randomIndices(n, versions, seed);
  return { idx, keys: Array.from(idx, keyOf), val: randomDoubles(versions, seed + 1) };
}

/**
 * The warm-up (as in W1, {@link KEPT_VERSIONS_WARMUP}: 2 rounds, each on a
 * throwaway map of the same size, up to 10,000 versions within 1.5 s and
 * 256 MiB, then dropped), in its own function: a block inside `run` would leave
 * the throwaway map reachable from `run`'s frame (V8 does not clear dead
 * stack slots), and the memory figures would see it freed halfway.
 */
function warmUp(variant: string, n: number, quick: boolean): WarmUpRun {
  return warmUpRounds(quick, (r, versions, budget) => {
    const warm = adapterFor(variant);
    const w = inputs(n, versions, SEED + 7 + 2 * r);
    // Holey, as the timed run's `vs`: a packed warm-up array gave the loop
    // functions a map that the timed array then deoptimized ("wrong map").
    const ws: unknown[] = new Array(versions + 1).fill(undefined);
    ws[0] = warm.build(n);
    return runWarmUp(versions, budget, (a, b) => warm.versions(ws, w.keys, w.val, a, b));
  });
}

/**
 * ns per `get` of a random key and per entry of `for..of`, on `map` (the
 * newest version), timed by tinybench; both sums checked first. The expected
 * values replay the first `done` changes on `i + 0.5`.
 */
function timeReads(
  adapter: Adapter<unknown>,
  map: unknown,
  inp: { keys: string[]; val: Float64Array; idx: Int32Array },
  done: number,
  ctx: RunContext,
): Pick<Measurement, "metrics" | "samples" | "checks"> {
  const n = numParam(ctx.params, "keys");
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = i + 0.5;
  for (let v = 0; v < done; v++) values[inp.idx[v] as number] = inp.val[v] as number;
  const lookIdx = randomIndices(n, ctx.quick ? QUICK_LOOKUPS : LOOKUPS, SEED + 3);
  const lookups = Array.from(lookIdx, keyOf);
  let wantGet = 0;
  for (const i of lookIdx) wantGet += values[i] as number;
  let wantIter = 0;
  for (const x of values) wantIter += x;
  const gotGet = adapter.sumGet(map, lookups);
  check(gotGet === wantGet, `get of ${lookups.length} random keys summed ${gotGet}, expected ${wantGet}`);
  const gotIter = adapter.sumIter(map);
  // Immutable.js iterates in hash order, so its float sum rounds differently: 1e-12 of the sum (≈0.5 here).
  check(Math.abs(gotIter - wantIter) <= 1e-12 * wantIter, `for..of summed ${gotIter}, expected ${wantIter}`);
  const sink = { v: 0 };
  const reads: [string, number, () => number][] = [
    ["get", lookups.length, () => adapter.sumGet(map, lookups)],
    ["iter", n, () => adapter.sumIter(map)],
  ];
  const tasks: TaskDef[] = reads.map(([id, unitsPerCall, read]) => ({
    id,
    unitsPerCall,
    fn: () => {
      sink.v = read();
    },
  }));
  const stats = timeTasks(tasks, timingFor(ctx.quick), (id) => ctx.progress(`timing ${id}`));
  const metrics: Record<string, number> = {};
  const samples: Record<string, number[]> = {};
  for (const [id, st] of stats) {
    metrics[`${id}Ns`] = st.p50;
    samples[`${id}Ns`] = st.samples;
  }
  return {
    metrics,
    samples,
    checks: [`version ${done}: get of ${lookups.length} random keys and for..of return the expected sums`],
  };
}

function run(variant: string, ctx: RunContext): Measurement {
  const n = numParam(ctx.params, "keys");
  const total = numParam(ctx.params, "versions");
  ctx.progress("warm-up");
  const cold = warmUp(variant, n, ctx.quick);
  const adapter = adapterFor(variant);
  const inp = inputs(n, total, SEED);
  const { keys, val, idx } = inp;
  const vs: unknown[] = new Array(total + 1).fill(undefined);
  const r = buildAndKeepVersions(
    ctx,
    adapter,
    total,
    `${countLabel(n)} keys`,
    () => {
      vs[0] = adapter.build(n);
    },
    (a, b) => adapter.versions(vs, keys, val, a, b),
  );
  const done = r.done;

  for (const v of new Set([1, Math.ceil(done / 2), done])) {
    check(adapter.get(vs[v], keys[v - 1] as string) === val[v - 1], `version ${v} maps ${keys[v - 1]} to its value`);
    check(adapter.size(vs[v]) === n, `version ${v} has ${n} keys`);
  }
  const k0 = idx[0] as number;
  check(adapter.get(vs[0], keyOf(k0)) === k0 + 0.5, "version 0 still maps the first changed key to its first value");

  const reads = timeReads(adapter, vs[done], inp, done, ctx);
  const metrics: Record<string, number> = {
    ...keptMetrics(r),
    coldNsPerVersion: cold.coldNsPerUnit,
    rssPerVersion: (r.m2.rss - r.m1.rss) / done,
    ...reads.metrics,
  };
  const out: Measurement = {
    metrics,
    checks: [
      `versions 1, ${Math.ceil(done / 2)}, ${done} hold their change and ${n} keys; version 0 is unchanged`,
      ...(reads.checks ?? []),
    ],
    info: { versionsDone: done, warmUpVersions: cold.done, coldVersions: cold.coldDone },
  };
  if (reads.samples !== undefined) out.samples = reads.samples;
  return finishKept(
    out,
    adapter,
    r,
    "each version is a full copy: time and bytes per version are from the prefix, the total is per version × 1,000",
  );
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  VARIANTS.map((v) => [v.variant, (ctx: RunContext) => run(v.variant, ctx)]),
);

export const spec: WorkloadSpec = {
  id: "W5",
  title: "Map with history",
  groupLabel: "keys",
  method:
    "A map of N string keys (`item-0` …, values `i + 0.5`) gets 1,000 versions; version k + 1 is version k " +
    "with one random key (seeded, the same for every library) set to a random double, and every version is " +
    "kept. Keys are generated while the map is built, so the map holds the only copy of each key string. " +
    "**time / version** and **bytes / version** as in W1 (heap + ArrayBuffer bytes after `gc()`; pagefork's " +
    "own accounting beside it). **resident set growth / version** is `rss` after the versions minus after the build (both after `gc()`), divided by the versions: what the versions really took from the machine (untouched slab pages do not count; pages the allocator or V8 already held and reuse do not either). " +
    "Each process first warms up as in W1 (two throwaway maps of the same size in turn, up to 10,000 versions within 1.5 s each, then dropped); **cold start** is the time per version of its first 1,000. Copying peers stop " +
    "at their budget (2 GiB or 10 s) and their 1,000-version total is extrapolated. " +
    "Then, on the newest version (version 1,000, or the last one a copying peer made; for Immer and Mutative " +
    "a native `Map`), with every version still held: **get, random key** is ns per `get` of 1,048,576 " +
    "random existing keys (`--quick`: 16,384; one seeded index array, the key strings made once and the " +
    "same for every library, not the map's own string objects), and **for..of, per entry** is ns per entry " +
    "of `for (const [, v] of map)`; both sum the values, are checked against the expected sum (the " +
    "iteration to 1e-12 of it: Immutable.js iterates in hash order), and are timed by tinybench (p50 of " +
    "calls ÷ lookups or entries), each a top-level loop with one receiver class.",
  metrics: METRICS,
  cases(config) {
    const n = config.quick ? 20_000 : 1_000_000;
    const out: CaseSpec[] = VARIANTS.map((v) =>
      makeCase("W5", config.quick, {
        ...v,
        group: countLabel(n),
        params: { keys: n, versions: VERSIONS },
        baseline: v.library === "pagefork",
        timeoutSeconds: 240,
      }),
    );
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w5-map-history.svg",
        title: "W5: time and bytes per version of a map with history",
        spec: groupedBarChart({
          title: "W5: cost per version (log scale; lower is better)",
          xTitle: "",
          yTitle: "ns or bytes per version",
          points: [
            ...pointsOf(cases, "nsPerVersion", () => "time per version (ns)"),
            ...pointsOf(cases, "bytesPerVersion", () => "bytes per version"),
          ],
        }),
      },
      {
        file: "w5-map-reads.svg",
        title: "W5: get of a random key and for..of per entry, newest version",
        spec: groupedBarChart({
          title: "W5: reads on the newest version (log scale; lower is better)",
          xTitle: "",
          yTitle: "ns per get or per entry",
          points: [
            ...pointsOf(cases, "getNs", () => "get, random key"),
            ...pointsOf(cases, "iterNs", () => "for..of, per entry"),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const g = largestGroup(cases, "keys") ?? cases[0]?.spec.group;
    if (g === undefined) return [];
    return [
      ratioHeadline("W5", cases, g, metric("nsPerVersion"), `W5 time per version, map of ${g} keys`),
      ratioHeadline("W5", cases, g, metric("bytesPerVersion"), `W5 bytes per version, map of ${g} keys`, {
        key: "inUsePerVersion",
        label: "in use",
      }),
      ratioHeadline("W5", cases, g, metric("getNs"), `W5 get of a random key, map of ${g} keys`),
      ratioHeadline("W5", cases, g, metric("iterNs"), `W5 for..of, ns per entry, map of ${g} keys`),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const out: string[] = [];
    const g = largestGroup(cases, "keys") ?? cases[0]?.spec.group;
    const at = (variant: string) => cases.find((c) => c.spec.group === g && c.spec.variant === variant);
    const pf = at("pagefork");
    const native = at("map-copy");
    const immutable = at("immutable");
    const vs = (key: string, what: string, target: string) => {
      const a = medianOf(pf, key);
      const b = medianOf(native, key);
      const c = medianOf(immutable, key);
      if (a === undefined || b === undefined) return;
      const im = c === undefined ? "" : `; Immutable.js Map ${formatRatio(c / b)} native`;
      out.push(`pagefork CowMap ${what}: ${formatRatio(a / b)} native Map (medians; target ${target})${im}.`);
    };
    vs("getNs", "`get` of a random key", "≤ 3×");
    vs("iterNs", "`for..of` per entry", "≤ 3×");
    vs("baseBytes", "base memory (the map itself)", "≤ 1×");
    return out;
  },
};
