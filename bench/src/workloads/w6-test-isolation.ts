/**
 * W6: test isolation. Every test gets its own copy of a 256 MiB fixture,
 * writes to it, reads it, and throws it away: per-test setup cost with a
 * pagefork fork against `structuredClone` (and `TypedArray.slice`).
 *
 * @module
 */
import { CowFloat64Array } from "@pagefork/array";
import { AddressSpace, FramePool } from "@pagefork/core";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import { MiB, sizeLabel } from "../format.js";
import { memoryNow, nowNs, randomDoubles, randomIndices } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { sampleStats } from "../stats.js";
import { ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";

const SEED = 0x5eed06;
/** Writes (and then reads) each test makes to its copy. */
const TOUCHES = 1000;
const FILL = 1.5;
const SPACE_PAGE_SIZE = 4096;
const TESTS = { forks: { full: 1000, quick: 100 }, copies: { seconds: { full: 5, quick: 0.3 }, min: 3, max: 200 } };

const METRICS: MetricDef[] = [
  { key: "setupNs", label: "setup per test (p50)", unit: "ns", ratio: true },
  { key: "testNs", label: "whole test (mean, GC included)", unit: "ns", ratio: true },
  { key: "bytesPerTest", label: "bytes held by one test's copy", unit: "bytes", ratio: true },
  { key: "fixtureMs", label: "build the fixture", unit: "ms", ratio: false },
];

const VARIANTS = [
  { variant: "pagefork-array", library: "pagefork", label: "pagefork CowFloat64Array.fork()", short: "pagefork array" },
  {
    variant: "pagefork-space",
    library: "pagefork",
    label: "pagefork AddressSpace.fork() (4 KiB pages)",
    short: "pagefork space",
  },
  { variant: "structuredclone", library: "native", label: "structuredClone(Float64Array)", short: "structuredClone" },
  { variant: "slice", library: "native", label: "Float64Array.prototype.slice()", short: "TypedArray.slice" },
];

/** A fixture and how a test copies, uses and drops it. */
interface Fixture<C> {
  copy(): C;
  /** The test body: writes at `idx`, then reads them back; returns the sum read. */
  body(c: C, idx: Int32Array, val: Float64Array): number;
  /** The fixture's element `i` (to check it never changes). */
  original(i: number): number;
  drop(c: C): void;
  copies: boolean;
}

// Test bodies, one per receiver class.

function cowBody(c: CowFloat64Array, idx: Int32Array, val: Float64Array): number {
  for (let k = 0; k < idx.length; k++) c.set(idx[k] as number, val[k] as number);
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += c.get(idx[k] as number) as number;
  return s;
}

function spaceBody(c: AddressSpace, idx: Int32Array, val: Float64Array): number {
  for (let k = 0; k < idx.length; k++) c.setFloat64((idx[k] as number) * 8, val[k] as number);
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += c.getFloat64((idx[k] as number) * 8);
  return s;
}

function nativeBody(c: Float64Array, idx: Int32Array, val: Float64Array): number {
  for (let k = 0; k < idx.length; k++) c[idx[k] as number] = val[k] as number;
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += c[idx[k] as number] as number;
  return s;
}

function fixtureFor(variant: string, n: number): Fixture<unknown> {
  switch (variant) {
    case "pagefork-array": {
      const a = new CowFloat64Array(n).fill(FILL);
      const f: Fixture<CowFloat64Array> = {
        copy: () => a.fork(),
        body: cowBody,
        original: (i) => a.get(i) as number,
        drop: (c) => c.release(),
        copies: false,
      };
      return f as Fixture<unknown>;
    }
    case "pagefork-space": {
      const s = new AddressSpace({ size: n * 8, pool: new FramePool({ pageSize: SPACE_PAGE_SIZE }) });
      s.write(0, new Float64Array(n).fill(FILL));
      const f: Fixture<AddressSpace> = {
        copy: () => s.fork(),
        body: spaceBody,
        original: (i) => s.getFloat64(i * 8),
        drop: (c) => c.release(),
        copies: false,
      };
      return f as Fixture<unknown>;
    }
    case "structuredclone":
    case "slice": {
      const a = new Float64Array(n).fill(FILL);
      const f: Fixture<Float64Array> = {
        copy: variant === "slice" ? () => a.slice() : () => structuredClone(a),
        body: nativeBody,
        original: (i) => a[i] as number,
        drop: () => {},
        copies: true,
      };
      return f as Fixture<unknown>;
    }
    default:
      throw new Error(`W6 has no variant ${variant}`);
  }
}

function run(variant: string, ctx: RunContext): Measurement {
  const bytes = numParam(ctx.params, "bytes");
  const n = bytes / 8;
  ctx.progress(`building a ${sizeLabel(bytes)} fixture`);
  const t0 = nowNs();
  const fx = fixtureFor(variant, n);
  const fixtureMs = (nowNs() - t0) / 1e6;
  // Each test writes different places; the inputs are made before any timing.
  const maxTests = fx.copies ? TESTS.copies.max : ctx.quick ? TESTS.forks.quick : TESTS.forks.full;
  const idx = randomIndices(n, maxTests * TOUCHES, SEED);
  const val = randomDoubles(maxTests * TOUCHES, SEED + 1);
  const expected = (t: number) => {
    let s = 0;
    const seen = new Map<number, number>();
    for (let k = t * TOUCHES; k < (t + 1) * TOUCHES; k++) seen.set(idx[k] as number, val[k] as number);
    for (let k = t * TOUCHES; k < (t + 1) * TOUCHES; k++) s += seen.get(idx[k] as number) as number;
    return s;
  };

  const m0 = memoryNow();
  const probe = fx.copy();
  fx.body(probe, idx.subarray(0, TOUCHES), val.subarray(0, TOUCHES));
  const bytesPerTest = memoryNow().held - m0.held;
  fx.drop(probe);

  const setup: number[] = [];
  const limitNs = (ctx.quick ? TESTS.copies.seconds.quick : TESTS.copies.seconds.full) * 1e9;
  const start = nowNs();
  let tests = 0;
  while (tests < maxTests) {
    if (fx.copies && tests >= TESTS.copies.min && nowNs() - start > limitNs) break;
    const a = nowNs();
    const c = fx.copy();
    setup.push(nowNs() - a);
    const i = idx.subarray(tests * TOUCHES, (tests + 1) * TOUCHES);
    const sum = fx.body(c, i, val.subarray(tests * TOUCHES, (tests + 1) * TOUCHES));
    fx.drop(c);
    if (tests < 3) check(sum === expected(tests), `test ${tests} read back its own writes`);
    check(fx.original(i[0] as number) === FILL, `test ${tests} left the fixture unchanged`);
    tests++;
  }
  const elapsed = nowNs() - start;
  const st = sampleStats(setup);
  return {
    metrics: { setupNs: st.p50, testNs: elapsed / tests, bytesPerTest, fixtureMs },
    samples: { setupNs: setup.slice(0, 1000) },
    checks: ["every test read back its own writes (first 3) and left the fixture unchanged"],
    info: { tests, setupP99Ns: st.p99 },
  };
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  VARIANTS.map((v) => [v.variant, (ctx: RunContext) => run(v.variant, ctx)]),
);

export const spec: WorkloadSpec = {
  id: "W6",
  title: "Test isolation",
  groupLabel: "fixture",
  method:
    "A fixture of 256 MiB of float64s (`--quick`: 16 MiB) is built once. Each test copies it (pagefork: " +
    `\`fork()\`; peers: \`structuredClone\` or \`slice\`), writes ${TOUCHES.toLocaleString("en-US")} random ` +
    "elements, reads them back, and drops its copy (pagefork: `release()`). **setup** is the p50 of the copy " +
    "alone; **whole test** is the wall time of all tests ÷ tests, so it includes the body, the teardown and " +
    "the garbage collection the copies cause; **bytes held** is heap + ArrayBuffer bytes after `gc()` with one " +
    "test's copy alive after its writes. pagefork runs 1,000 tests; the copying peers as many as fit in 5 s " +
    "(3 to 200). Every test checks that the fixture is unchanged.",
  metrics: METRICS,
  cases(config) {
    const bytes = config.quick ? 16 * MiB : 256 * MiB;
    const out: CaseSpec[] = VARIANTS.map((v) =>
      makeCase("W6", config.quick, {
        ...v,
        group: sizeLabel(bytes),
        params: { bytes },
        baseline: v.library === "pagefork",
        timeoutSeconds: 180,
      }),
    );
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w6-test-isolation.svg",
        title: "W6: per-test setup and whole-test time with a 256 MiB fixture",
        spec: groupedBarChart({
          title: "W6: per-test cost (log scale; lower is better)",
          xTitle: "",
          yTitle: "time per test (µs)",
          points: [
            ...pointsOf(cases, "setupNs", () => "setup (p50)", 1e-3),
            ...pointsOf(cases, "testNs", () => "whole test (mean)", 1e-3),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const g = cases[0]?.spec.group;
    if (g === undefined) return [];
    return [ratioHeadline("W6", cases, g, METRICS[0] as MetricDef, `W6 per-test setup, ${g} fixture`)].filter(
      (r) => r !== undefined,
    );
  },
};
