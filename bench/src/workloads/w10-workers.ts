/**
 * W10: handing a snapshot to worker threads. A Float64 snapshot of 256 MiB
 * and 1 GiB (`--quick`: 8 MiB) is handed to 1 and to 2 workers, three ways:
 * pagefork's `share()` + `attachShared()` (zero copy: SharedArrayBuffer
 * slabs, the version pinned by an O(1) fork), `postMessage` of a
 * Float64Array (structured clone: a copy), and a transfer of a copy
 * (`slice()`, then `postMessage(copy, [copy.buffer])`).
 *
 * Three phases, each measured apart:
 * 1. Hand-off, after untimed warm-up hand-offs (JIT, the worker's slab
 *    cache): the owner's time (`share()` or the copy, plus `postMessage`),
 *    the worker's `attachShared`, and the one-way time until the worker holds
 *    the snapshot (the worker stamps `process.hrtime`, one clock per process).
 *    Each hand-off is preceded, in the same iteration, by the baseline: a
 *    `postMessage` of a small plain object to the same workers, timed the
 *    same way (the owner's time of a bare post, and its one-way time, which is
 *    Node's message delivery and the worker's wake-up alone). The one-way
 *    time minus the baseline's is what the method itself adds.
 * 2. Throughput, with the main thread idle (on 2 cores a busy main thread
 *    takes one of them): in each round, interleaved, the main thread sums the
 *    snapshot alone, then 1 worker, then 2 workers (each its half); then the
 *    same three on a bare SharedArrayBuffer copy of the data with the same
 *    loop: what two threads of this machine give on plain memory at that
 *    moment, the yardstick for the 2-worker speedup (the machine is shared).
 *    Speedups are medians of the per-round ratios.
 * 3. Correctness under concurrency: 2 workers sum fresh snapshots while the
 *    main thread keeps writing to the live version and forking it; every sum
 *    must equal its snapshot's.
 *
 * @module
 */
import os from "node:os";
import { CowFloat64Array } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import type { Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { medianOf, ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";
import { median, msSince, now, Reader, type Reply, sumNative, sumSpans } from "./w10-threads.js";

const MiB = 1 << 20;
const SIZES = [256 * MiB, 1024 * MiB];
const QUICK_SIZE = 8 * MiB;
/**
 * Hand-offs per worker count: untimed warm-ups, then timed ones (medians).
 * pagefork's take microseconds, so many; a copy takes seconds at 1 GiB, so few.
 */
const HANDOFFS = { share: { warm: 20, timed: 51 }, copy: { warm: 1, timed: 5 } };
const QUICK_HANDOFFS = { share: { warm: 10, timed: 21 }, copy: { warm: 1, timed: 5 } };
/** Throughput rounds: untimed warm-ups, then timed ones (each: main, 1 worker, 2 workers; snapshot and baseline). */
const SUM_WARMUPS = 2;
const SUM_ROUNDS = 11;
const QUICK_SUM_ROUNDS = 5;
/** Checked sums while the main thread writes (phase 3). */
const CHECKED_SUMS = 5;
/** Elements the main thread writes between yields while the workers read. */
const WRITE_BURST = 4096;

const METRICS: MetricDef[] = [
  { key: "handoff1Ns", label: "hand-off to 1 worker (owner's time)", unit: "ns", ratio: true },
  { key: "handoff2Ns", label: "hand-off to 2 workers (owner's time)", unit: "ns", ratio: true },
  { key: "attachNs", label: "receive in the worker (attach / got message)", unit: "ns", ratio: true },
  { key: "heldNs", label: "until 1 worker holds it (one way)", unit: "ns", ratio: true },
  { key: "held2Ns", label: "until 2 workers hold it (one way)", unit: "ns", ratio: true },
  { key: "postNs", label: "baseline: bare postMessage to 1 worker (owner's time)", unit: "ns", ratio: false },
  { key: "post2Ns", label: "baseline: bare postMessage to 2 workers (owner's time)", unit: "ns", ratio: false },
  { key: "pingNs", label: "baseline: bare message until 1 worker has it (one way)", unit: "ns", ratio: false },
  { key: "ping2Ns", label: "baseline: bare message until 2 workers have it (one way)", unit: "ns", ratio: false },
  { key: "addedNs", label: "added by the method, 1 worker (one way minus baseline)", unit: "ns", ratio: true },
  { key: "added2Ns", label: "added by the method, 2 workers (one way minus baseline)", unit: "ns", ratio: true },
  { key: "sumMainMs", label: "sum, 1 thread (main)", unit: "ms", ratio: true },
  { key: "sum1Ms", label: "sum, 1 worker", unit: "ms", ratio: true },
  { key: "sum2Ms", label: "sum, 2 workers", unit: "ms", ratio: true },
  { key: "speedup2", label: "2 workers vs 1 thread", unit: "ratio", ratio: false },
  { key: "baseSpeedup2", label: "same, bare SharedArrayBuffer (machine)", unit: "ratio", ratio: false },
  { key: "sumVsBare", label: "1-thread sum vs the bare buffer's", unit: "ratio", ratio: false },
  { key: "loadAvg", label: "load average (1 min) during the sums", unit: "count", ratio: false },
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

/** Times of one parallel sum: wall clock on the main thread, and the sum it returned. */
async function parallelSum(readers: Reader[], k: number, base: boolean): Promise<{ ms: number; sum: number }> {
  const t0 = now();
  const replies = await Promise.all(readers.slice(0, k).map((r, part) => r.call({ op: "sum", part, parts: k, base })));
  return { ms: msSince(t0), sum: replies.reduce((s, x) => s + (x.sum ?? 0), 0) };
}

async function run(variant: string, ctx: RunContext): Promise<Measurement> {
  const bytes = numParam(ctx.params, "bytes");
  const n = bytes / 8;
  const shared = variant === "pagefork-share";
  const plan = (ctx.quick ? QUICK_HANDOFFS : HANDOFFS)[shared ? "share" : "copy"];
  const rounds = ctx.quick ? QUICK_SUM_ROUNDS : SUM_ROUNDS;
  // Integer values: every partial sum is exact, so sums in any order agree.
  ctx.progress("filling");
  const init = new Float64Array(n);
  for (let i = 0; i < n; i++) init[i] = i & 1023;
  // The live version's sum, kept up to date by every write below.
  let expected = 0;
  for (let i = 0; i < n; i++) expected += init[i] as number;
  let live: CowFloat64Array | null = null;
  if (shared) {
    live = new CowFloat64Array(n, { pool: new FramePool({ shared: true }) });
    live.set(init);
  }
  const readers = [new Reader(), new Reader()];
  const checks: string[] = [];

  /**
   * Hands the current snapshot to `k` readers (`ping`: a small plain object
   * instead, the baseline): the owner's time, until all hold it, the slowest
   * attach.
   */
  async function handOff(k: number, ping = false): Promise<{ ownerNs: number; heldNs: number; attachNs: number }> {
    const ready: Promise<Reply>[] = [];
    const t0 = now();
    for (let r = 0; r < k; r++) {
      const reader = readers[r] as Reader;
      ready.push(reader.next());
      if (ping) {
        reader.worker.postMessage({ op: "ping" });
      } else if (shared) {
        const payload = (live as CowFloat64Array).share({ worker: reader.worker });
        reader.worker.postMessage({ op: "take", mode: "share", payload });
      } else if (variant === "structured-clone") {
        reader.worker.postMessage({ op: "take", mode: "clone", payload: init });
      } else {
        const copy = init.slice();
        reader.worker.postMessage({ op: "take", mode: "transfer", payload: copy }, [copy.buffer]);
      }
    }
    const ownerNs = now() - t0;
    const replies = await Promise.all(ready);
    return {
      ownerNs,
      heldNs: Math.max(...replies.map((x) => (x.heldAt ?? t0) - t0)),
      attachNs: Math.max(...replies.map((x) => x.attachNs ?? 0)),
    };
  }

  async function dropAll(k: number): Promise<void> {
    for (let r = 0; r < k; r++) await (readers[r] as Reader).call({ op: "drop" });
  }

  // Phase 1: hand-offs. Warm-ups first, untimed; 1 and 2 workers alternate.
  const h1: number[] = [];
  const h2: number[] = [];
  const attach: number[] = [];
  const held1: number[] = [];
  const held2: number[] = [];
  const post1: number[] = [];
  const post2: number[] = [];
  const ping1: number[] = [];
  const ping2: number[] = [];
  for (let i = 0; i < plan.warm + plan.timed; i++) {
    ctx.progress(
      i < plan.warm ? `hand-off warm-up ${i + 1}/${plan.warm}` : `hand-off ${i + 1 - plan.warm}/${plan.timed}`,
    );
    // The baseline right before each hand-off, to the same workers.
    const p = await handOff(1, true);
    const a = await handOff(1);
    await dropAll(1);
    const q = await handOff(2, true);
    const b = await handOff(2);
    await dropAll(2);
    if (i < plan.warm) continue;
    post1.push(p.ownerNs);
    ping1.push(p.heldNs);
    post2.push(q.ownerNs);
    ping2.push(q.heldNs);
    h1.push(a.ownerNs);
    attach.push(a.attachNs);
    held1.push(a.heldNs);
    h2.push(b.ownerNs);
    held2.push(b.heldNs);
  }

  // Phase 2: throughput, the main thread idle while workers sum. Each round
  // interleaves main / 1 worker / 2 workers, on the snapshot, then on a bare
  // SharedArrayBuffer copy of the data (the machine's yardstick).
  ctx.progress("throughput: preparing");
  const sab = new SharedArrayBuffer(bytes);
  const bare = new Float64Array(sab);
  bare.set(init);
  for (const r of readers) await r.call({ op: "base", sab });
  await handOff(2);
  const mainMs: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  const speedup: number[] = [];
  const baseSpeedup: number[] = [];
  const vsBare: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < SUM_WARMUPS + rounds; i++) {
    ctx.progress(
      i < SUM_WARMUPS
        ? `throughput warm-up ${i + 1}/${SUM_WARMUPS}`
        : `throughput round ${i + 1 - SUM_WARMUPS}/${rounds}`,
    );
    let t0 = now();
    const s = live !== null ? sumSpans(live, n) : sumNative(init, n);
    const m = msSince(t0);
    check(s === expected, `main-thread sum ${s} = ${expected}`);
    const w1 = await parallelSum(readers, 1, false);
    const w2 = await parallelSum(readers, 2, false);
    check(
      w1.sum === expected && w2.sum === expected,
      `workers summed ${w1.sum} and ${w2.sum}, the snapshot holds ${expected}`,
    );
    t0 = now();
    check(sumNative(bare, n) === expected, "main-thread sum of the bare buffer");
    const bm = msSince(t0);
    const b2 = await parallelSum(readers, 2, true);
    check(b2.sum === expected, "2 workers' sum of the bare buffer");
    if (i < SUM_WARMUPS) continue;
    mainMs.push(m);
    one.push(w1.ms);
    two.push(w2.ms);
    speedup.push(m / w2.ms);
    baseSpeedup.push(bm / b2.ms);
    vsBare.push(m / bm);
    load.push(os.loadavg()[0] as number);
  }
  for (const r of readers) await r.call({ op: "base", sab: null });
  await dropAll(2);

  // Phase 3: correctness under concurrency: 2 workers sum while the main thread writes and forks.
  let writes = 0;
  let round = 0;
  const writeBurst = (): void => {
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
  };
  ctx.progress("sums while the main thread writes");
  for (let i = 0; i < CHECKED_SUMS; i++) {
    await handOff(2);
    const want = expected;
    let done = false;
    const sum = parallelSum(readers, 2, false).then((r) => {
      done = true;
      return r.sum;
    });
    while (!done) {
      writeBurst();
      await new Promise((r) => setImmediate(r));
    }
    const got = await sum;
    check(got === want, `2 workers summed ${got}, the snapshot held ${want}`);
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
    heldNs: median(held1),
    held2Ns: median(held2),
    postNs: median(post1),
    post2Ns: median(post2),
    pingNs: median(ping1),
    ping2Ns: median(ping2),
    // Difference of the medians (both from the same iterations).
    addedNs: median(held1) - median(ping1),
    added2Ns: median(held2) - median(ping2),
    sumMainMs: median(mainMs),
    sum1Ms: median(one),
    sum2Ms: median(two),
    speedup2: median(speedup),
    baseSpeedup2: median(baseSpeedup),
    sumVsBare: median(vsBare),
    loadAvg: median(load),
    writesDuringSum: writes,
  };
  return {
    metrics,
    samples: {
      handoff1Ns: h1,
      handoff2Ns: h2,
      heldNs: held1,
      pingNs: ping1,
      speedup2: speedup,
      baseSpeedup2: baseSpeedup,
    },
    checks,
  };
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
    "a copy (`slice()` + `postMessage(copy, [copy.buffer])`). Hand-off: the owner's time, `share()` (or the copy) " +
    "plus `postMessage`; 'receive' is the worker's `attachShared` (nothing for a copy: it arrived whole); 'until " +
    "… holds it' is one way, from the owner's first call to the end of the worker's attach (the worker stamps " +
    "`process.hrtime`, one clock for every thread of a process). Baseline, in the same iterations, right before each " +
    "hand-off: a `postMessage` of a small plain object to the same workers, timed the same way ('bare " +
    "postMessage': the owner's time; 'bare message until … has it': its one-way time, Node's delivery and the " +
    "worker's wake-up alone); 'added by the method' is the one-way median minus the baseline's. Medians of 51 after 20 untimed warm-ups " +
    "(pagefork; `--quick`: 21 after 10) or of 5 after 1 (the copies). Throughput, with the main thread idle (on 2 " +
    "cores a busy one takes a core): each round sums the snapshot on the main thread, in 1 worker, and in 2 " +
    "workers (each its half; pagefork through page spans, a plain indexed loop per page), then the same loop on a " +
    "bare SharedArrayBuffer copy of the data on the main thread and in 2 workers; 11 rounds (`--quick`: 5) after " +
    "2 warm-ups; '1-thread sum vs the bare buffer's' is the per-element cost of the method's loop against a plain one. 'speedup' is the median of the per-round ratios main / 2 workers; the bare-buffer ratio of the " +
    "same rounds is what two threads of the machine give at that moment (the machine is shared, so compare the " +
    "two). Then, as a check, 2 workers sum fresh snapshots while the main thread keeps writing to the live " +
    "version and forking it: every sum must equal its snapshot's.",
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
    const added = METRICS.find((x) => x.key === "addedNs") as MetricDef;
    return [
      ratioHeadline("W10", cases, g, m, `W10 hand-off of a ${g} snapshot to a worker, owner's ns`, {
        key: "postNs",
        label: "a bare postMessage:",
      }),
      ratioHeadline(
        "W10",
        cases,
        g,
        added,
        `W10 one way until a worker holds a ${g} snapshot, minus a bare message's one way, ns`,
        { key: "heldNs", label: "raw one way:" },
      ),
    ].filter((r) => r !== undefined);
  },
  notes(cases) {
    const out: string[] = [];
    for (const g of [...new Set(cases.map((c) => c.spec.group))]) {
      const pf = cases.find((c) => c.spec.group === g && c.spec.variant === "pagefork-share");
      const sp = medianOf(pf, "speedup2");
      const base = medianOf(pf, "baseSpeedup2");
      const h = medianOf(pf, "handoff1Ns");
      const held = medianOf(pf, "heldNs");
      const ping = medianOf(pf, "pingNs");
      const post = medianOf(pf, "postNs");
      const us = (x: number): string => (x / 1000).toFixed(1);
      if (sp !== undefined && base !== undefined && h !== undefined && held !== undefined)
        out.push(
          `${g}: pagefork hands off in ${us(h)} µs of the owner's time` +
            (post !== undefined ? ` (a bare postMessage: ${us(post)} µs)` : "") +
            `, and the worker holds it ${us(held)} µs after the call` +
            (ping !== undefined
              ? ` (a bare message arrives in ${us(ping)} µs: pagefork adds ${us(held - ping)} µs)`
              : "") +
            ` (target ≤ 50 µs); 2 workers sum ${sp.toFixed(2)}× as fast ` +
            `as 1 thread, against ${base.toFixed(2)}× on a bare SharedArrayBuffer in the same rounds (target ≥ 1.7×).`,
        );
    }
    return out;
  },
};
