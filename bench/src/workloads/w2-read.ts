/**
 * W2: read throughput. 1,048,576 float64 elements are summed by a full
 * sequential scan, by 1,048,576 random reads (one precomputed, seeded index
 * array shared by every library), by `for..of`, and by `reduce`; ns per
 * element. pagefork is read through `CowFloat64Array` (`get`, iteration,
 * `reduce`) and through the core's `AddressSpace` (`getFloat64` and the
 * page-span cursor that native-speed loops use).
 *
 * @module
 */
import { CowFloat64Array } from "@pagefork/array";
import { AddressSpace, FramePool } from "@pagefork/core";
import { List } from "immutable";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import { formatRatio } from "../format.js";
import { type TaskDef, timeTasks, timingFor } from "../harness.js";
import { memoryNow, randomIndices } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { medianOf, ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";
import * as L from "./read-loops.js";

const ELEMENTS = 1 << 20;
/** `--quick` reads 64K elements (512 KiB). */
const QUICK_ELEMENTS = 1 << 16;
const SEED = 0x5eed02;
/** The core's default page size, which the AddressSpace variant uses. */
const SPACE_PAGE_SIZE = 4096;

const METRICS: MetricDef[] = [
  { key: "seqNs", label: "sequential index loop", unit: "ns", ratio: true },
  { key: "randomNs", label: "random reads", unit: "ns", ratio: true },
  { key: "iterNs", label: "for..of", unit: "ns", ratio: true },
  { key: "reduceNs", label: "reduce", unit: "ns", ratio: true },
  { key: "spansNs", label: "page spans", unit: "ns", ratio: true },
  { key: "bytes", label: "bytes held", unit: "bytes", ratio: true },
];

const CASES = [
  { variant: "pagefork-array", library: "pagefork", label: "pagefork CowFloat64Array", short: "pagefork array" },
  {
    variant: "pagefork-space",
    library: "pagefork",
    label: "pagefork AddressSpace (getFloat64, spans; 4 KiB pages)",
    short: "pagefork space",
  },
  { variant: "native", library: "native", label: "native Float64Array", short: "Float64Array" },
  { variant: "plain-array", library: "native", label: "plain Array of numbers", short: "Array" },
  { variant: "immutable", library: "immutable", label: "Immutable.js List", short: "Immutable List" },
];

/** What one variant reads from: its tasks, each returning the sum it read. */
type Readers = Partial<Record<"seq" | "random" | "iter" | "reduce" | "spans", () => number>>;

function readersFor(variant: string, init: Float64Array, idx: Int32Array): Readers {
  const n = init.length;
  switch (variant) {
    case "native": {
      const a = init.slice();
      return {
        seq: () => L.sumNativeSequential(a, n),
        random: () => L.sumNativeRandom(a, idx),
        iter: () => L.sumNativeIterate(a),
        reduce: () => a.reduce(L.add, 0),
      };
    }
    case "plain-array": {
      const a = Array.from(init);
      return {
        seq: () => L.sumArraySequential(a, n),
        random: () => L.sumArrayRandom(a, idx),
        iter: () => L.sumArrayIterate(a),
        reduce: () => a.reduce(L.add, 0),
      };
    }
    case "pagefork-array": {
      const a = new CowFloat64Array(n);
      a.set(init);
      return {
        seq: () => L.sumCowSequential(a, n),
        random: () => L.sumCowRandom(a, idx),
        iter: () => L.sumCowIterate(a),
        reduce: () => a.reduce(L.add, 0) as number,
      };
    }
    case "pagefork-space": {
      const s = new AddressSpace({ size: n * 8, pool: new FramePool({ pageSize: SPACE_PAGE_SIZE }) });
      s.write(0, init);
      return {
        seq: () => L.sumSpaceSequential(s, n),
        random: () => L.sumSpaceRandom(s, idx),
        spans: () => L.sumSpaceSpans(s, n),
      };
    }
    case "immutable": {
      const a = List(init);
      return {
        seq: () => L.sumListSequential(a, n),
        random: () => L.sumListRandom(a, idx),
        iter: () => L.sumListIterate(a),
        reduce: () => a.reduce(L.add, 0),
      };
    }
    default:
      throw new Error(`W2 has no variant ${variant}`);
  }
}

function run(variant: string, ctx: RunContext): Measurement {
  const n = numParam(ctx.params, "elements");
  const init = new Float64Array(n);
  for (let i = 0; i < n; i++) init[i] = i * 0.5 + 0.25;
  const idx = randomIndices(n, n, SEED);
  const expectSeq = L.sumNativeSequential(init, n);
  const expectRandom = L.sumNativeRandom(init, idx);
  const m0 = memoryNow();
  const readers = readersFor(variant, init, idx);
  const bytes = memoryNow().held - m0.held;
  const tasks: TaskDef[] = [];
  const checks: string[] = [];
  for (const [id, read] of Object.entries(readers)) {
    const got = read();
    const want = id === "random" ? expectRandom : expectSeq;
    check(got === want, `${variant} ${id} read the sum ${got}, the native loop ${want}`);
    checks.push(`${id}: same sum as the native loop`);
    const sink = { v: 0 };
    tasks.push({
      id,
      unitsPerCall: n,
      fn: () => {
        sink.v = read();
      },
    });
  }
  const stats = timeTasks(tasks, timingFor(ctx.quick), (id) => ctx.progress(id));
  const metrics: Record<string, number> = { bytes };
  const samples: Record<string, number[]> = {};
  for (const [id, s] of stats) {
    metrics[`${id}Ns`] = s.p50;
    samples[`${id}Ns`] = s.samples;
  }
  return { metrics, samples, checks };
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  CASES.map((c) => [c.variant, (ctx: RunContext) => run(c.variant, ctx)]),
);

export const spec: WorkloadSpec = {
  id: "W2",
  title: "Read throughput",
  groupLabel: "elements",
  method:
    "1,048,576 float64 elements (8 MiB; `--quick`: 65,536) are summed per call: a sequential index loop (`a[i]`, `get(i)`, " +
    "`getFloat64(i * 8)`), 1,048,576 random reads at one seeded index array shared by every library, `for..of`, " +
    "`reduce((s, x) => s + x, 0)`, and pagefork's page-span cursor (`space.spans(Float64Array, …)`: one raw slab " +
    "slice per page, the path for native-speed loops). Figures are ns per element (tinybench p50 of calls ÷ " +
    "elements). Each loop is a top-level function taking its inputs as parameters, one receiver class per " +
    "function, and every loop is checked to return the native loop's sum before it is timed. **× pagefork** " +
    "divides by the CowFloat64Array row (by the AddressSpace row for page spans); the notes compare with native.",
  metrics: METRICS,
  cases(config) {
    const n = config.quick ? QUICK_ELEMENTS : ELEMENTS;
    const out: CaseSpec[] = CASES.map((c) =>
      makeCase("W2", config.quick, {
        ...c,
        group: n.toLocaleString("en-US"),
        params: { elements: n },
        baseline: c.library === "pagefork",
        timeoutSeconds: 120,
      }),
    );
    return out;
  },
  charts(cases) {
    const points = ["seqNs", "randomNs", "iterNs", "reduceNs", "spansNs"].flatMap((k) =>
      pointsOf(cases, k, () => (METRICS.find((m) => m.key === k) as MetricDef).label),
    );
    return [
      {
        file: "w2-read.svg",
        title: "W2: ns per element read, by access pattern",
        spec: groupedBarChart({
          title: "W2: read cost per element (lower is better)",
          xTitle: "access pattern",
          yTitle: "ns per element",
          points,
        }),
      },
    ];
  },
  headline(cases) {
    const seq = METRICS[0] as MetricDef;
    const rnd = METRICS[1] as MetricDef;
    const g = cases[0]?.spec.group ?? "";
    return [
      ratioHeadline("W2", cases, g, seq, `W2 sequential read, ns per element (${g} float64)`),
      ratioHeadline("W2", cases, g, rnd, `W2 random read, ns per element (${g} float64)`),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const native = cases.find((c) => c.spec.variant === "native");
    const out: string[] = [];
    const vs = (c: (typeof cases)[number] | undefined, key: string, nkey: string, what: string) => {
      const a = medianOf(c, key);
      const b = medianOf(native, nkey);
      if (a !== undefined && b !== undefined) out.push(`${what}: ${formatRatio(a / b)} native Float64Array (medians).`);
    };
    const arr = cases.find((c) => c.spec.variant === "pagefork-array");
    const space = cases.find((c) => c.spec.variant === "pagefork-space");
    vs(arr, "seqNs", "seqNs", "pagefork CowFloat64Array `get(i)` sequential");
    vs(arr, "reduceNs", "seqNs", "pagefork CowFloat64Array `reduce` against the native index loop");
    vs(space, "spansNs", "seqNs", "pagefork page spans against the native index loop");
    vs(space, "seqNs", "seqNs", "pagefork `getFloat64` sequential");
    vs(space, "randomNs", "randomNs", "pagefork `getFloat64` random");
    vs(arr, "randomNs", "randomNs", "pagefork CowFloat64Array `get` random");
    return out;
  },
};
