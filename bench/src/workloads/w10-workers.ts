/**
 * W10: handing a snapshot to worker threads. A Float64 snapshot of 256 MiB
 * and 1 GiB (`--quick`: 8 MiB) is handed to 1 and to 2 workers, three ways:
 * pagefork's `share()` + `attachShared()` (zero copy: SharedArrayBuffer
 * slabs, the version pinned by an O(1) fork), `postMessage` of a
 * Float64Array (structured clone: a copy), and a transfer of a copy
 * (`slice()`, then `postMessage(copy, [copy.buffer])`). Then the workers sum
 * the snapshot in parallel (each its half), against one thread summing it
 * alone; while they read, the main thread keeps writing to the live version
 * and forking it, and the sum the workers return must equal the snapshot's.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { CowFloat64Array } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import type { Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { medianOf, ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";

const MiB = 1 << 20;
const SIZES = [256 * MiB, 1024 * MiB];
const QUICK_SIZE = 8 * MiB;
/** Hand-offs timed per worker count (medians; the first ones warm the code up); `--quick`: 5. */
const HANDOFFS = 21;
/** Sums timed per configuration, after one untimed warm-up sum (medians); `--quick`: 2. */
const SUMS = 5;
/** Elements the main thread writes between yields while the workers read. */
const WRITE_BURST = 4096;

const METRICS: MetricDef[] = [
  { key: "handoff1Ns", label: "hand-off to 1 worker (owner's time)", unit: "ns", ratio: true },
  { key: "handoff2Ns", label: "hand-off to 2 workers (owner's time)", unit: "ns", ratio: true },
  { key: "attachNs", label: "receive in the worker (attach / got message)", unit: "ns", ratio: true },
  { key: "readyNs", label: "hand-off until 2 workers hold it", unit: "ns", ratio: true },
  { key: "sumMainMs", label: "sum, 1 thread (main)", unit: "ms", ratio: true },
  { key: "sum1Ms", label: "sum, 1 worker", unit: "ms", ratio: true },
  { key: "sum2Ms", label: "sum, 2 workers", unit: "ms", ratio: true },
  { key: "speedup2", label: "2 workers vs 1 thread", unit: "ratio", ratio: false },
  { key: "writesDuringSum", label: "main-thread writes during the checked sums", unit: "count", ratio: false },
];

const CASES = [
  {
    variant: "pagefork-share",
    library: "pagefork",
    label: "pagefork share() + attachShared() (zero copy)",
    short: "pagefork share",
  },
  {
    variant: "structured-clone",
    library: "native",
    label: "postMessage(Float64Array) (structured clone)",
    short: "structuredClone",
  },
  { variant: "transfer-copy", library: "native", label: "slice() + postMessage transfer", short: "transfer copy" },
];

interface Reply {
  op: string;
  attachNs?: number;
  sum?: number;
  ns?: number;
}

/** A reader thread and a queue of its replies. */
class Reader {
  readonly worker: Worker;
  private readonly waiting: ((r: Reply) => void)[] = [];
  constructor() {
    this.worker = new Worker(new URL("./w10-reader.mjs", import.meta.url));
    this.worker.on("message", (r: Reply) => this.waiting.shift()?.(r));
    this.worker.on("error", (e) => {
      throw e;
    });
  }
  next(): Promise<Reply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  async call(msg: object, transfer?: ArrayBuffer[]): Promise<Reply> {
    const p = this.next();
    this.worker.postMessage(msg, transfer ?? []);
    return p;
  }
}

// Top-level loops taking their inputs as parameters (as in W2): a loop inside
// the async run() compiled far worse (an order of magnitude, measured).

/** Sum of the first `n` elements of `a`, one page span at a time. */
function sumSpans(a: CowFloat64Array, n: number): number {
  let s = 0;
  const c = a.space.spans(Float64Array, a.byteOffset, n);
  while (c.next()) {
    const x = c.array;
    for (let j = c.start, e = c.end; j < e; j++) s += x[j] as number;
  }
  return s;
}

function sumNative(a: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[j] as number;
  return s;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const now = (): bigint => process.hrtime.bigint();

async function run(variant: string, ctx: RunContext): Promise<Measurement> {
  const bytes = numParam(ctx.params, "bytes");
  const n = bytes / 8;
  const handoffs = ctx.quick ? 5 : HANDOFFS;
  const sums = ctx.quick ? 2 : SUMS;
  // Integer values: every partial sum is exact, so sums in any order agree.
  ctx.progress("filling");
  const init = new Float64Array(n);
  for (let i = 0; i < n; i++) init[i] = i & 1023;
  // The live version's sum, kept up to date by every write below.
  let expected = 0;
  for (let i = 0; i < n; i++) expected += init[i] as number;
  const shared = variant === "pagefork-share";
  let live: CowFloat64Array | null = null;
  if (shared) {
    live = new CowFloat64Array(n, { pool: new FramePool({ shared: true }) });
    live.set(init);
  }
  const readers = [new Reader(), new Reader()];
  const checks: string[] = [];

  /** Hands the current snapshot to `k` readers; returns the owner's time and the time until all hold it. */
  async function handOff(k: number): Promise<{ ownerNs: number; readyNs: number; attachNs: number }> {
    const ready: Promise<Reply>[] = [];
    const t0 = now();
    for (let r = 0; r < k; r++) {
      const reader = readers[r] as Reader;
      ready.push(reader.next());
      if (variant === "pagefork-share") {
        reader.worker.postMessage({
          op: "take",
          mode: "share",
          payload: (live as CowFloat64Array).share({ worker: reader.worker }),
        });
      } else if (variant === "structured-clone") {
        reader.worker.postMessage({ op: "take", mode: "clone", payload: init });
      } else {
        const copy = init.slice();
        reader.worker.postMessage({ op: "take", mode: "transfer", payload: copy }, [copy.buffer]);
      }
    }
    const ownerNs = Number(now() - t0);
    const replies = await Promise.all(ready);
    const readyNs = Number(now() - t0);
    return { ownerNs, readyNs, attachNs: Math.max(...replies.map((x) => x.attachNs ?? 0)) };
  }

  async function dropAll(k: number): Promise<void> {
    for (let r = 0; r < k; r++) await (readers[r] as Reader).call({ op: "drop" });
  }

  const h1: number[] = [];
  const h2: number[] = [];
  const attach: number[] = [];
  const ready2: number[] = [];
  for (let i = 0; i < handoffs; i++) {
    ctx.progress(`hand-off ${i + 1}/${handoffs}`);
    const a = await handOff(1);
    h1.push(a.ownerNs);
    attach.push(a.attachNs);
    await dropAll(1);
    const b = await handOff(2);
    h2.push(b.ownerNs);
    ready2.push(b.readyNs);
    await dropAll(2);
  }

  // One thread: the main thread sums the whole snapshot (one untimed warm-up).
  const mainMs: number[] = [];
  for (let i = 0; i <= sums; i++) {
    const t0 = now();
    const s = live !== null ? sumSpans(live, n) : sumNative(init, n);
    if (i > 0) mainMs.push(Number(now() - t0) / 1e6);
    check(s === expected, `main-thread sum ${s} = ${expected}`);
  }

  /** One parallel sum over the readers holding the snapshot; checks it against `want`. */
  async function sumOnce(k: number, want: number, whileWaiting?: () => boolean): Promise<number> {
    const t0 = now();
    const results = readers.slice(0, k).map((r, part) => r.call({ op: "sum", part, parts: k }));
    if (whileWaiting !== undefined) {
      let done = false;
      const all = Promise.all(results).then(() => {
        done = true;
      });
      while (!done && whileWaiting()) await new Promise((r) => setImmediate(r));
      await all;
    }
    const replies = await Promise.all(results);
    const ms = Number(now() - t0) / 1e6;
    const total = replies.reduce((s, x) => s + (x.sum ?? 0), 0);
    check(total === want, `${k} workers summed ${total}, the snapshot holds ${want}`);
    return ms;
  }

  // Throughput: 1 and 2 workers, the main thread idle (it would take a core of the two).
  const s1: number[] = [];
  const s2: number[] = [];
  for (const [k, out] of [
    [1, s1],
    [2, s2],
  ] as const) {
    ctx.progress(`parallel sum, ${k} worker(s)`);
    await handOff(k);
    await sumOnce(k, expected); // warm-up
    for (let i = 0; i < sums; i++) out.push(await sumOnce(k, expected));
    await dropAll(k);
  }

  // Correctness under concurrency: 2 workers sum while the main thread writes and forks.
  let writes = 0;
  let round = 0;
  const writeBurst = (): boolean => {
    for (let w = 0; w < WRITE_BURST; w++) {
      const j = (round * 7919 + w * 131) % n;
      const v = (round + w) & 1023;
      if (live !== null) {
        expected += v - (live.get(j) as number);
        live.set(j, v);
      } else {
        expected += v - (init[j] as number);
        init[j] = v;
      }
    }
    if (live !== null && round % 8 === 7) live.fork().release();
    round++;
    writes += WRITE_BURST;
    return true;
  };
  ctx.progress("sums while the main thread writes");
  for (let i = 0; i < sums; i++) {
    await handOff(2);
    await sumOnce(2, expected, writeBurst);
    await dropAll(2);
  }
  checks.push("every worker sum equals the snapshot's while the main thread wrote and forked");
  for (const r of readers) await r.worker.terminate();
  if (live !== null) {
    const pool = live.space.pool;
    live.release();
    check(pool.framesInUse === 0, `every frame back after all threads released (${pool.framesInUse} left)`);
    checks.push("pool back to 0 frames after every thread released");
  }
  const metrics: Record<string, number> = {
    handoff1Ns: median(h1),
    handoff2Ns: median(h2),
    attachNs: median(attach),
    readyNs: median(ready2),
    sumMainMs: median(mainMs),
    sum1Ms: median(s1),
    sum2Ms: median(s2),
    speedup2: median(mainMs) / median(s2),
    writesDuringSum: writes,
  };
  return { metrics, samples: { handoff1Ns: h1, handoff2Ns: h2, sum2Ms: s2 }, checks };
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  CASES.map((c) => [c.variant, (ctx: RunContext) => run(c.variant, ctx)]),
);

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
}

export const spec: WorkloadSpec = {
  id: "W10",
  title: "Handing a snapshot to worker threads",
  groupLabel: "snapshot",
  method:
    "A Float64 snapshot of 256 MiB and 1 GiB (`--quick`: 8 MiB) is handed to 1 and to 2 `worker_threads`: " +
    "pagefork `share()` + `CowFloat64Array.attachShared()` (zero copy: the pool's slabs are SharedArrayBuffers " +
    "and the version is pinned by an O(1) fork), `postMessage(float64Array)` (structured clone) and a transfer of " +
    "a copy (`slice()` + `postMessage(copy, [copy.buffer])`). Hand-off is the owner's time, `share()` (or the " +
    "copy) plus `postMessage`, median of 21; 'receive' is the worker's `attachShared` (or nothing: the message " +
    "arrived); 'until 2 workers hold it' is the round trip. Sums: the main thread alone, then 1 and 2 workers " +
    "each summing its share (pagefork through page spans), medians of 5 after a warm-up, with the main thread " +
    "idle (on 2 cores it would take one); 'speedup' is the single-thread time over the 2-worker time. Then, " +
    "as a check, 2 workers sum fresh snapshots while the main thread keeps writing to the live version and " +
    "forking it: every sum must equal its snapshot's.",
  metrics: METRICS,
  cases(config) {
    const sizes = config.quick ? [QUICK_SIZE] : SIZES;
    return sizes.flatMap((bytes) =>
      CASES.map((c) =>
        makeCase("W10", config.quick, {
          ...c,
          group: sizeLabel(bytes),
          params: { bytes },
          baseline: c.library === "pagefork",
          heapMiB: 4096,
          timeoutSeconds: 600,
        }),
      ),
    );
  },
  charts(cases) {
    const points = ["handoff1Ns", "handoff2Ns"].flatMap((k) =>
      pointsOf(cases, k, (c) => `${(METRICS.find((m) => m.key === k) as MetricDef).label}, ${c.spec.group}`),
    );
    return [
      {
        file: "w10-handoff.svg",
        title: "W10: hand-off time, by method and size",
        spec: groupedBarChart({
          title: "W10: owner's time to hand a snapshot to workers (lower is better)",
          xTitle: "hand-off",
          yTitle: "ns",
          points,
        }),
      },
    ];
  },
  headline(cases) {
    const m = METRICS[0] as MetricDef;
    const groups = [...new Set(cases.map((c) => c.spec.group))];
    const g = groups[groups.length - 1] ?? "";
    return [ratioHeadline("W10", cases, g, m, `W10 hand-off of a ${g} snapshot to a worker, owner's ns`)].filter(
      (r) => r !== undefined,
    );
  },
  notes(cases) {
    const out: string[] = [];
    for (const g of [...new Set(cases.map((c) => c.spec.group))]) {
      const pf = cases.find((c) => c.spec.group === g && c.spec.variant === "pagefork-share");
      const sp = medianOf(pf, "speedup2");
      const h = medianOf(pf, "handoff1Ns");
      if (sp !== undefined && h !== undefined)
        out.push(
          `${g}: pagefork hands off in ${(h / 1000).toFixed(1)} µs (target ≤ 50 µs); 2 workers sum ${sp.toFixed(2)}× as fast as 1 thread (target ≥ 1.7×).`,
        );
    }
    return out;
  },
};
