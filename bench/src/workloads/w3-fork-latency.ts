/**
 * W3: fork latency against state size. A populated state of 1 MiB … 1 GiB,
 * and an 8 GiB sparse one, is forked (pagefork) or copied (the peers) again
 * and again; p50 and p99 per fork, and the bytes one fork holds. pagefork's
 * line must be flat where copying peers grow linearly.
 *
 * @module
 */
import { CowFloat64Array } from "@pagefork/array";
import { AddressSpace, FramePool } from "@pagefork/core";
import { lineChart, pointsOf } from "../chart-specs.js";
import { GiB, MiB, sizeLabel } from "../format.js";
import { memoryNow, nowNs, settle } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { sampleStats } from "../stats.js";
import { largestGroup, ratioHeadline } from "../summary.js";
import { makeCase, numParam } from "./cases.js";

const METRICS: MetricDef[] = [
  { key: "forkNs", label: "fork p50", unit: "ns", ratio: true },
  { key: "forkP99Ns", label: "fork p99", unit: "ns", ratio: true },
  { key: "bytesPerFork", label: "bytes held by one fork", unit: "bytes", ratio: true },
  { key: "populateMs", label: "populate", unit: "ms", ratio: false },
];

const VARIANTS = [
  { variant: "pagefork-space", library: "pagefork", label: "pagefork AddressSpace.fork()", short: "pagefork space" },
  { variant: "pagefork-array", library: "pagefork", label: "pagefork CowFloat64Array.fork()", short: "pagefork array" },
  { variant: "slice", library: "native", label: "Float64Array.prototype.slice()", short: "TypedArray.slice" },
  { variant: "structuredclone", library: "native", label: "structuredClone(Float64Array)", short: "structuredClone" },
];

/** The sparse case writes one page in this many: 8 GiB virtual, 32 MiB written at 4 KiB pages. */
const SPARSE_STRIDE_PAGES = 256;
/** Page size of the AddressSpace variant (the core's default). */
const SPACE_PAGE_SIZE = 4096;
const FORK_SAMPLES = { full: 2000, quick: 300 };
const COPY_SECONDS = { full: 2, quick: 0.3 };
const COPY_SAMPLES = { min: 3, max: 100 };
/** Forks made and released before timing: fork's p50 settles only after a few thousand (JIT tiers). */
const FORK_WARMUP = 5000;
/** Forks kept alive at once to measure the bytes one holds. */
const FORKS_KEPT = 1000;

/** Something that can be duplicated, timed one duplicate at a time. */
interface Subject {
  /** Makes one fork or copy and returns it. */
  dup(): unknown;
  /** Releases a fork (no-op for copies, which the collector frees). */
  drop(x: unknown): void;
  /** Copies are slow: sample by time, and collect between samples. */
  copies: boolean;
}

function subjectFor(variant: string, bytes: number, sparse: boolean): Subject {
  const n = bytes / 8;
  switch (variant) {
    case "pagefork-space": {
      const s = new AddressSpace({ size: bytes, pool: new FramePool({ pageSize: SPACE_PAGE_SIZE }) });
      if (sparse)
        for (let a = 0; a < bytes; a += SPARSE_STRIDE_PAGES * SPACE_PAGE_SIZE) s.fill(0xa5, a, a + SPACE_PAGE_SIZE);
      else s.fill(0xa5, 0, bytes);
      return { dup: () => s.fork(), drop: (x) => (x as AddressSpace).release(), copies: false };
    }
    case "pagefork-array": {
      const a = new CowFloat64Array(n);
      if (sparse) {
        const perPage = a.pageSize / 8;
        for (let i = 0; i < n; i += SPARSE_STRIDE_PAGES * perPage) a.fill(1.5, i, i + perPage);
      } else a.fill(1.5);
      return { dup: () => a.fork(), drop: (x) => (x as CowFloat64Array).release(), copies: false };
    }
    case "slice": {
      const a = new Float64Array(n).fill(1.5);
      return { dup: () => a.slice(), drop: () => {}, copies: true };
    }
    case "structuredclone": {
      const a = new Float64Array(n).fill(1.5);
      return { dup: () => structuredClone(a), drop: () => {}, copies: true };
    }
    default:
      throw new Error(`W3 has no variant ${variant}`);
  }
}

function run(variant: string, ctx: RunContext): Measurement {
  const bytes = numParam(ctx.params, "bytes");
  const sparse = ctx.params.sparse === true;
  ctx.progress(`populating ${sizeLabel(bytes)}${sparse ? " (sparse)" : ""}`);
  const t0 = nowNs();
  const subject = subjectFor(variant, bytes, sparse);
  const populateMs = (nowNs() - t0) / 1e6;

  // Bytes one live duplicate holds: forks are tiny, so 1,000 are kept alive to see past the heap's noise.
  const keep = subject.copies ? 1 : FORKS_KEPT;
  const m0 = memoryNow();
  const alive: unknown[] = [];
  for (let i = 0; i < keep; i++) alive.push(subject.dup());
  const bytesPerFork = (memoryNow().held - m0.held) / keep;
  for (const x of alive) subject.drop(x);
  alive.length = 0;

  const samples: number[] = [];
  ctx.progress("timing");
  if (subject.copies) {
    // The limit is wall time, collections included: small copies are cheap, their collections are not.
    const limit = (ctx.quick ? COPY_SECONDS.quick : COPY_SECONDS.full) * 1e9;
    const start = nowNs();
    while (samples.length < COPY_SAMPLES.max && (samples.length < COPY_SAMPLES.min || nowNs() - start < limit)) {
      settle();
      const a = nowNs();
      const x = subject.dup();
      samples.push(nowNs() - a);
      subject.drop(x);
    }
  } else {
    const count = ctx.quick ? FORK_SAMPLES.quick : FORK_SAMPLES.full;
    for (let i = 0; i < FORK_WARMUP; i++) subject.drop(subject.dup());
    for (let i = 0; i < count; i++) {
      const a = nowNs();
      const x = subject.dup();
      const dt = nowNs() - a;
      subject.drop(x);
      samples.push(dt);
    }
  }
  const st = sampleStats(samples);
  return {
    metrics: { forkNs: st.p50, forkP99Ns: st.p99, bytesPerFork, populateMs },
    samples: { forkNs: samples.length > 1000 ? samples.slice(0, 1000) : samples },
    info: { samplesCount: samples.length, minNs: st.min },
  };
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  VARIANTS.map((v) => [v.variant, (ctx: RunContext) => run(v.variant, ctx)]),
);

function sizes(quick: boolean): { bytes: number; sparse: boolean }[] {
  const dense = quick ? [1 * MiB, 16 * MiB] : [1 * MiB, 16 * MiB, 256 * MiB, 1 * GiB];
  return [...dense.map((bytes) => ({ bytes, sparse: false })), { bytes: 8 * GiB, sparse: true }];
}

export const spec: WorkloadSpec = {
  id: "W3",
  title: "Fork latency against state size",
  groupLabel: "state",
  method:
    "A state of 1 MiB … 1 GiB float64s is populated (every page written: `fill`), then duplicated over and " +
    "over: `fork()` for pagefork (each fork released untimed before the next; 2,000 samples after 5,000 of " +
    "warm-up; each sample includes one clock read pair, about 60 ns), a full copy for the peers (collected untimed between samples; as many as fit in 2 s of wall time, 3 to 100). " +
    "**fork p50 / p99** are percentiles of the single-duplicate times; **bytes held by one fork** is heap + " +
    "ArrayBuffer bytes after `gc()` with one copy alive (with 1,000 forks alive, ÷ 1,000). The 8 GiB state is sparse: one page in 256 " +
    "written (32 MiB at 4 KiB pages); a TypedArray cannot be sparse, and its copy would need 16 GiB, so the " +
    "peers are not run there. pagefork's AddressSpace uses 4 KiB pages, CowFloat64Array its default for its length (`arrayPageSizeFor`: 512 B up to 4 MiB, 1 KiB above).",
  metrics: METRICS,
  cases(config) {
    const out: CaseSpec[] = [];
    for (const { bytes, sparse } of sizes(config.quick))
      for (const v of VARIANTS) {
        const copies = v.library !== "pagefork";
        const input = {
          ...v,
          group: `${sizeLabel(bytes)}${sparse ? " sparse" : ""}`,
          params: { bytes, sparse },
          baseline: v.variant === "pagefork-space",
          timeoutSeconds: 300,
          ...(copies && sparse
            ? { skip: "needs 16 GiB: a dense 8 GiB Float64Array and its copy (a TypedArray cannot be sparse)" }
            : {}),
        };
        out.push(makeCase("W3", config.quick, input));
      }
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w3-fork-latency.svg",
        title: "W3: fork latency against state size (log-log)",
        spec: lineChart({
          title: "W3: time to fork or copy a populated state (p50)",
          xTitle: "state size (bytes)",
          yTitle: "time per fork or copy (µs)",
          points: pointsOf(cases, "forkNs", (c) => c.spec.params.bytes as number, 1e-3),
        }),
      },
    ];
  },
  headline(cases) {
    const dense = cases.filter((c) => c.spec.params.sparse !== true);
    const g = largestGroup(dense, "bytes");
    const sparse = cases.find((c) => c.spec.params.sparse === true && c.spec.baseline && c.status === "ok");
    const rows = [];
    if (g !== undefined)
      rows.push(ratioHeadline("W3", cases, g, METRICS[0] as MetricDef, `W3 fork p50 of a populated ${g} state`));
    if (sparse !== undefined)
      rows.push(
        ratioHeadline("W3", cases, sparse.spec.group, METRICS[0] as MetricDef, `W3 fork p50, ${sparse.spec.group}`),
      );
    return rows.filter((r) => r !== undefined);
  },
  notes(cases) {
    const pf = cases.filter((c) => c.spec.variant === "pagefork-space" && c.metrics.forkNs !== undefined);
    if (pf.length < 2) return [];
    const first = pf[0] as (typeof pf)[number];
    const last = pf[pf.length - 1] as (typeof pf)[number];
    const r = (last.metrics.forkNs?.median ?? Number.NaN) / (first.metrics.forkNs?.median ?? Number.NaN);
    return [
      `pagefork AddressSpace fork p50 at ${last.spec.group} ÷ at ${first.spec.group}: ${r.toFixed(2)}× ` +
        "(1× is a flat line: fork cost does not grow with size).",
    ];
  },
};
