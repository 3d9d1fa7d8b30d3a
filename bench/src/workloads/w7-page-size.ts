/**
 * W7: page size. The same AddressSpace workloads at page sizes from 256 B to
 * 64 KiB, so each structure's default page size is chosen by data: bytes and
 * time per version of a numeric state with one write per version (write
 * amplification), fork plus first write, the COW fault against a `copyWithin`
 * of the same page, the reuse fault, and scan speed against a native loop.
 *
 * @module
 */
import { AddressSpace, FramePool } from "@pagefork/core";
import { lineChart, pointsOf } from "../chart-specs.js";
import { formatBytes, formatRatio, sizeLabel } from "../format.js";
import { type TaskDef, timeTasks, timingFor } from "../harness.js";
import { nowNs, poolAccounting, randomDoubles, randomIndices } from "../measure.js";
import type { CaseSummary, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { sampleStats } from "../stats.js";
import { check, makeCase, numParam } from "./cases.js";
import { copyPagesWithin, writeSequentialPagesCow, writeSequentialPagesReuse } from "./fault-loops.js";
import {
  sumNativeRandom,
  sumNativeSequential,
  sumSpaceRandom,
  sumSpaceSequential,
  sumSpaceSpans,
} from "./read-loops.js";

const SEED = 0x5eed07;
/** The numeric state: 1,048,576 float64s (8 MiB), as in W2; `--quick` 262,144 (2 MiB). */
const ELEMENTS = { full: 1 << 20, quick: 1 << 18 };
const VERSIONS = 1000;
/** COW faults timed per call; the fault space holds this many of the largest pages. */
const FAULT_PAGES = { full: 1024, quick: 256 };
const MAX_PAGE = 65536;
const FIRST_WRITE_SAMPLES = { full: 1000, quick: 200 };
/** The core's default page size: the baseline of the ratios. */
const BASELINE_PAGE = 4096;
const PAGE_SIZES = { full: [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536], quick: [256, 4096, 65536] };
/** Limits the notes use to pick a page size by data (targets from DESIGN.md's read measures). */
const SCAN_LIMIT = 1.25;

const METRICS: MetricDef[] = [
  { key: "bytesPerVersion", label: "bytes / version (in use)", unit: "bytes", ratio: true },
  { key: "writeAmp", label: "write amplification", unit: "ratio", ratio: false },
  { key: "nsPerVersion", label: "time / version", unit: "ns", ratio: true },
  { key: "forkFirstWriteNs", label: "fork + first write (p50)", unit: "ns", ratio: true },
  { key: "faultNs", label: "COW fault", unit: "ns", ratio: false },
  { key: "faultVsCopy", label: "COW fault ÷ copyWithin of the page", unit: "ratio", ratio: false },
  { key: "reuseFaultNs", label: "reuse fault", unit: "ns", ratio: false },
  { key: "spansVsNative", label: "span scan ÷ native loop", unit: "ratio", ratio: false },
  { key: "getVsNative", label: "getFloat64 scan ÷ native loop", unit: "ratio", ratio: false },
  { key: "randomVsNative", label: "random getFloat64 ÷ native", unit: "ratio", ratio: false },
];

function versionLoop(vs: AddressSpace[], idx: Int32Array, val: Float64Array, from: number, to: number): void {
  let cur = vs[from] as AddressSpace;
  for (let v = from; v < to; v++) {
    const next = cur.fork();
    next.setFloat64((idx[v] as number) * 8, val[v] as number);
    vs[v + 1] = next;
    cur = next;
  }
}

/** 1,000 versions of the state: bytes in use and time per version, write amplification. */
function versionsFigures(ps: number, elements: number): Record<string, number> {
  const pool = new FramePool({ pageSize: ps });
  const base = new AddressSpace({ size: elements * 8, pool });
  base.fill(0x3f, 0, elements * 8);
  const idx = randomIndices(elements, VERSIONS, SEED);
  const val = randomDoubles(VERSIONS, SEED + 1);
  const warm = new Array<AddressSpace>(101);
  warm[0] = base;
  versionLoop(warm, idx, val, 0, 100);
  for (let v = 1; v <= 100; v++) warm[v]?.release();
  const before = poolAccounting(pool).inUse;
  const vs = new Array<AddressSpace>(VERSIONS + 1);
  vs[0] = base;
  const t0 = nowNs();
  versionLoop(vs, idx, val, 0, VERSIONS);
  const ns = nowNs() - t0;
  const bytes = poolAccounting(pool).inUse - before;
  let copied = 0;
  let written = 0;
  for (let v = 1; v <= VERSIONS; v++) {
    const s = (vs[v] as AddressSpace).stats();
    copied += s.bytesCopied;
    written += s.bytesWritten;
  }
  check(
    (vs[VERSIONS] as AddressSpace).getFloat64((idx[VERSIONS - 1] as number) * 8) === val[VERSIONS - 1],
    "last version",
  );
  for (const s of vs) s?.release();
  check(pool.stats().framesInUse === 0, "releasing every version returns every frame");
  return { bytesPerVersion: bytes / VERSIONS, nsPerVersion: ns / VERSIONS, writeAmp: copied / written };
}

/** Fork + first write on the populated state, p50 over single samples. */
function firstWriteFigure(ps: number, elements: number, quick: boolean): number {
  const pool = new FramePool({ pageSize: ps });
  const s = new AddressSpace({ size: elements * 8, pool });
  s.fill(0x3f, 0, elements * 8);
  const count = quick ? FIRST_WRITE_SAMPLES.quick : FIRST_WRITE_SAMPLES.full;
  const idx = randomIndices(elements, count * 2, SEED + 2);
  const samples: number[] = [];
  for (let i = 0; i < count * 2; i++) {
    const a = nowNs();
    const c = s.fork();
    c.setFloat64((idx[i] as number) * 8, i);
    const dt = nowNs() - a;
    c.release();
    if (i >= count) samples.push(dt); // the first half warms up
  }
  s.release();
  return sampleStats(samples).p50;
}

/** COW and reuse faults and scans, timed by tinybench; ratios to in-process native baselines. */
function microFigures(ps: number, elements: number, faultPages: number, quick: boolean, progress: (s: string) => void) {
  const faultSpace = faultPages * MAX_PAGE;
  const pool = new FramePool({ pageSize: ps });
  const parent = new AddressSpace({ size: faultSpace, pool });
  parent.fill(0x5a, 0, faultSpace);
  const n = faultPages;
  const buffer = new Uint8Array(faultSpace).fill(0x5a);
  const half = buffer.length / 2;
  const held: { child: AddressSpace | null } = { child: null };
  const fork = () => {
    held.child = parent.fork();
  };
  const release = () => {
    held.child?.release();
    held.child = null;
  };
  const state = new AddressSpace({ size: elements * 8, pool });
  const native = new Float64Array(elements);
  for (let i = 0; i < elements; i++) native[i] = i * 0.5;
  state.write(0, native);
  const idx = randomIndices(elements, elements, SEED + 3);
  const want = sumNativeSequential(native, elements);
  check(sumSpaceSpans(state, elements) === want && sumSpaceSequential(state, elements) === want, "scans read the data");
  const sink = { v: 0 };
  const tasks: TaskDef[] = [
    { id: "copy", unitsPerCall: n, fn: () => copyPagesWithin(buffer, 0, half, n, ps) },
    {
      id: "cow",
      unitsPerCall: n,
      beforeEach: fork,
      fn: () => writeSequentialPagesCow(held.child as AddressSpace, n, ps),
      afterEach: release,
    },
    {
      id: "reuse",
      unitsPerCall: n,
      beforeEach: () => parent.fork().release(),
      fn: () => writeSequentialPagesReuse(parent, n, ps),
    },
    { id: "native", unitsPerCall: elements, fn: () => (sink.v = sumNativeSequential(native, elements)) },
    { id: "spans", unitsPerCall: elements, fn: () => (sink.v = sumSpaceSpans(state, elements)) },
    { id: "get", unitsPerCall: elements, fn: () => (sink.v = sumSpaceSequential(state, elements)) },
    { id: "nativeRandom", unitsPerCall: elements, fn: () => (sink.v = sumNativeRandom(native, idx)) },
    { id: "random", unitsPerCall: elements, fn: () => (sink.v = sumSpaceRandom(state, idx)) },
  ];
  const t = timeTasks(tasks, timingFor(quick), progress);
  const p50 = (id: string) => t.get(id)?.p50 ?? Number.NaN;
  parent.release();
  state.release();
  return {
    faultNs: p50("cow"),
    faultVsCopy: p50("cow") / p50("copy"),
    reuseFaultNs: p50("reuse"),
    spansVsNative: p50("spans") / p50("native"),
    getVsNative: p50("get") / p50("native"),
    randomVsNative: p50("random") / p50("nativeRandom"),
  };
}

function run(ctx: RunContext): Measurement {
  const ps = numParam(ctx.params, "pageSize");
  const elements = numParam(ctx.params, "elements");
  ctx.progress("versions");
  const versions = versionsFigures(ps, elements);
  ctx.progress("fork + first write");
  const forkFirstWriteNs = firstWriteFigure(ps, elements, ctx.quick);
  const micro = microFigures(ps, elements, numParam(ctx.params, "faultPages"), ctx.quick, ctx.progress);
  return {
    metrics: { ...versions, forkFirstWriteNs, ...micro },
    checks: ["the last version holds its write; releasing all versions returns every frame; scans read the data"],
  };
}

export const variants: Record<string, VariantRunner> = { pagefork: run };

/** The page size the data picks: least bytes per version among those that scan within the limit. */
function pick(cases: readonly CaseSummary[]): CaseSummary | undefined {
  let best: CaseSummary | undefined;
  for (const c of cases) {
    const b = c.metrics.bytesPerVersion?.median;
    const s = c.metrics.spansVsNative?.median;
    if (b === undefined || s === undefined || s > SCAN_LIMIT) continue;
    if (best === undefined || b < (best.metrics.bytesPerVersion?.median ?? Number.POSITIVE_INFINITY)) best = c;
  }
  return best;
}

export const spec: WorkloadSpec = {
  id: "W7",
  title: "Page size",
  groupLabel: "page size",
  ratioLabel: "× 4 KiB pages",
  method:
    "pagefork's AddressSpace at each page size, one process per size. **bytes / version** and **time / version**: " +
    "an 8 MiB state (1,048,576 float64s, every page written; `--quick` 2 MiB) gets 1,000 versions each differing in one random " +
    "element, all kept; bytes are the pool's own accounting (frames + page tables + metadata), i.e. the page " +
    "copied plus its page-table path. **write amplification** = bytes copied by faults ÷ bytes written (summed " +
    "`stats()` of every version). **fork + first write**: p50 of `fork()` plus one `setFloat64` on that state. " +
    "**COW fault**: first write to each of 1,024 consecutive pages of a fresh fork of a populated 64 MiB space " +
    "(`--quick`: 256 pages, 16 MiB), per fault, ÷ `copyWithin` of one page in a buffer of the same size (same page size, same run); **reuse fault**: the " +
    "same writes after `fork().release()` (refcount 1, no copy). Scans: 1,048,576 float64s by page spans, by " +
    "`getFloat64`, and random `getFloat64`, each ÷ the native Float64Array loop of the same run. Defaults today: " +
    "core 4 KiB, CowFloat64Array 1 KiB, CowText 256 B.",
  metrics: METRICS,
  cases(config) {
    // One group: every page size is divided by the 4 KiB case.
    const elements = config.quick ? ELEMENTS.quick : ELEMENTS.full;
    const faultPages = config.quick ? FAULT_PAGES.quick : FAULT_PAGES.full;
    return (config.quick ? PAGE_SIZES.quick : PAGE_SIZES.full).map((ps) =>
      makeCase("W7", config.quick, {
        key: `pagefork@${ps}`,
        variant: "pagefork",
        library: "pagefork",
        label: `pagefork AddressSpace, ${sizeLabel(ps)} pages`,
        short: sizeLabel(ps),
        group: `${sizeLabel(elements * 8)} state`,
        params: { pageSize: ps, elements, faultPages },
        baseline: ps === BASELINE_PAGE,
        timeoutSeconds: 180,
      }),
    );
  },
  charts(cases) {
    const x = (c: CaseSummary) => c.spec.params.pageSize as number;
    const series = (key: string, name: string) => pointsOf(cases, key, x).map((p) => ({ ...p, series: name }));
    return [
      {
        file: "w7-page-size-costs.svg",
        title: "W7: bytes and time per version, and fork + first write, against page size",
        spec: lineChart({
          title: "W7: cost of one version against page size (log-log)",
          xTitle: "page size (bytes)",
          yTitle: "bytes, or ns",
          points: [
            ...series("bytesPerVersion", "bytes per version (in use)"),
            ...series("nsPerVersion", "ns per version"),
            ...series("forkFirstWriteNs", "ns for fork + first write"),
            ...series("faultNs", "ns per COW fault"),
          ],
        }),
      },
      {
        file: "w7-page-size-scan.svg",
        title: "W7: scan speed against page size (÷ native Float64Array)",
        spec: lineChart({
          title: "W7: scan cost ÷ native loop against page size",
          xTitle: "page size (bytes)",
          yTitle: "× native Float64Array",
          logY: false,
          points: [
            ...series("spansVsNative", "page spans"),
            ...series("getVsNative", "getFloat64, sequential"),
            ...series("randomVsNative", "getFloat64, random"),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const best = pick(cases);
    if (best === undefined) return [];
    const b = best.metrics.bytesPerVersion?.median ?? Number.NaN;
    const s = best.metrics.spansVsNative?.median ?? Number.NaN;
    return [
      {
        workload: "W7",
        figure: `W7 page size with the least bytes per version that scans within ${SCAN_LIMIT}× native`,
        pagefork: best.spec.short,
        peers: `${formatBytes(b)} per version, span scan ${formatRatio(s)} native`,
      },
    ];
  },
  notes(cases) {
    const best = pick(cases);
    const out = cases
      .filter((c) => c.metrics.bytesPerVersion !== undefined)
      .map(
        (c) =>
          `${c.spec.short}: ${formatBytes(c.metrics.bytesPerVersion?.median ?? Number.NaN)} per version, span scan ` +
          `${formatRatio(c.metrics.spansVsNative?.median ?? Number.NaN)} native, getFloat64 ` +
          `${formatRatio(c.metrics.getVsNative?.median ?? Number.NaN)} native.`,
      );
    if (best !== undefined)
      out.push(
        `By this data, the smallest history per version among page sizes that scan within ${SCAN_LIMIT}× native ` +
          `is **${best.spec.short}**.`,
      );
    return out;
  },
};
