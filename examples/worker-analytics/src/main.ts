/**
 * Worker analytics: the main thread keeps editing a large state (4,194,304
 * float64 readings, 32 MiB, and 1,000 sensors by default) while a worker
 * computes statistics of snapshots of it, handed over with `share()`: no
 * byte of the state is copied, and the main thread never waits for the
 * worker. Every result is checked against the same statistics computed on
 * the main thread from the very version the worker read.
 *
 *   pnpm build && pnpm --filter @pagefork/example-worker-analytics start --readings 4194304 --edits 2000 --snapshots 5
 */
import { Worker } from "node:worker_threads";
import { FramePool } from "@pagefork/core";
import { createState, produce, type State } from "@pagefork/state";
import { type AppSchema, appSchema, type Stats, statsOf } from "./schema.js";

/** Options of {@link run}. */
export interface Options {
  /** Float64 readings in the state. */
  readings: number;
  /** Sensors in the state. */
  sensors: number;
  /** Versions the main thread produces at least (each changes 64 readings and one sensor). */
  edits: number;
  /**
   * Snapshots the worker analyses at least: the main thread keeps editing
   * until it has (default 5). A worker analysis of 32 MiB takes longer than
   * thousands of edits, so without it the worker saw one snapshot, and the
   * hand-off "median" was that one cold first call.
   */
  snapshots?: number;
  /** tsconfig for the worker's TypeScript loader (the tests pass the root one: sources, not dist/). */
  tsconfig?: string;
}

/** What a run found. */
export interface Report {
  /** Snapshots the worker analysed. */
  snapshots: number;
  /** Versions the main thread produced meanwhile. */
  edits: number;
  /** Every worker result equal to the main thread's statistics of the same version. */
  allMatch: boolean;
  /** Median time the main thread spent handing a snapshot over (`share()` + `postMessage`), µs, the first one excluded (see `firstHandoffMicros`); 0 with a single hand-off. */
  handoffMicros: number;
  /** The first hand-off, µs: it also runs code for the first time (JIT) and makes the pool's share registry. */
  firstHandoffMicros: number;
  /** Median time the worker took per snapshot, ms. */
  workerMs: number;
  /** The last statistics. */
  last: Stats | null;
  /** Frames in use after everything was released (0: nothing leaked in either thread). */
  framesLeft: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/** Runs the example: edits on the main thread, statistics in a worker. */
export async function run(options: Options): Promise<Report> {
  const { readings, sensors } = options;
  const minSnapshots = options.snapshots ?? 5;
  const schema = appSchema(readings);
  const pool = new FramePool({ shared: true, pageSize: 4096 });
  const init = new Float64Array(readings);
  for (let i = 0; i < readings; i++) init[i] = Math.sin(i) * 100;
  let current: State<AppSchema> = createState(
    schema,
    {
      readings: init,
      sensors: Array.from({ length: sensors }, (_, i) => ({ name: `s${i}`, alarms: 0 })),
      edits: 0,
    },
    { pool, heapBytes: 1 << 30 },
  );
  const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), {
    workerData: { readings, tsconfig: options.tsconfig },
  });
  const handoffs: number[] = [];
  const workerMs: number[] = [];
  let allMatch = true;
  let snapshots = 0;
  let last: Stats | null = null;
  // The version the worker is reading, kept to check its result; null when the worker is idle.
  let inFlight: State<AppSchema> | null = null;
  let reply: Promise<{ stats: Stats; ms: number }> | null = null;
  const replies: ((r: { stats: Stats; ms: number }) => void)[] = [];
  worker.on("message", (r: { stats: Stats; ms: number }) => replies.shift()?.(r));

  const settle = async (): Promise<void> => {
    if (reply === null || inFlight === null) return;
    const r = await reply;
    const expected = statsOf(inFlight);
    if (JSON.stringify(r.stats) !== JSON.stringify(expected)) allMatch = false;
    workerMs.push(r.ms);
    last = r.stats;
    snapshots++;
    inFlight.release();
    inFlight = null;
    reply = null;
  };

  let e = 0;
  try {
    // At least `options.edits` versions, and on until the worker analysed `minSnapshots` (the one in flight counts).
    while (e < options.edits || snapshots + (reply === null ? 0 : 1) < minSnapshots) {
      e++;
      const prev = current;
      current = produce(prev, (d) => {
        const at = (e * 7919) % (readings - 64);
        for (let k = 0; k < 64; k++) d.readings[at + k] = (d.readings[at + k] as number) + 1;
        const s = d.sensors[e % sensors];
        if (s !== undefined) s.alarms += 1;
        d.edits = e;
      });
      if (prev !== inFlight) prev.release();
      // Hand the newest version over whenever the worker is idle; never wait for it.
      let idle = reply === null;
      if (!idle && (await Promise.race([reply, Promise.resolve(null)])) !== null) {
        await settle();
        idle = true;
      }
      if (idle) {
        inFlight = current.fork(); // keep this version for the check, whatever the main thread does next
        const t0 = performance.now();
        const handle = inFlight.share({ worker });
        reply = new Promise((resolve) => replies.push(resolve));
        worker.postMessage(handle);
        handoffs.push((performance.now() - t0) * 1000);
      }
      if (e % 16 === 0) await new Promise((r) => setImmediate(r)); // let the reply in
    }
    await settle();
  } finally {
    await worker.terminate();
    inFlight?.release();
    current.release();
  }
  return {
    snapshots,
    edits: e,
    allMatch,
    handoffMicros: median(handoffs.slice(1)),
    firstHandoffMicros: handoffs[0] ?? 0,
    workerMs: median(workerMs),
    last,
    framesLeft: pool.framesInUse,
  };
}

/** Reads `--readings N --sensors N --edits N --snapshots N`. */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = { readings: 1 << 22, sensors: 1000, edits: 2000, snapshots: 5 };
  const args = argv.slice(2).filter((a) => a !== "--"); // pnpm passes a `--` separator on
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i];
    const v = Number(args[i + 1]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name} needs a positive integer, got ${args[i + 1]}`);
    if (name === "--readings") o.readings = Math.max(v, 128);
    else if (name === "--sensors") o.sensors = v;
    else if (name === "--edits") o.edits = v;
    else if (name === "--snapshots") o.snapshots = v;
    else throw new Error(`unknown option ${name} (--readings, --sensors, --edits, --snapshots)`);
  }
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run(parseArgs(process.argv));
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  console.log(
    `${plural(r.edits, "version")} produced on the main thread; the worker analysed ${plural(r.snapshots, "snapshot")} meanwhile\n` +
      `hand-off (share + postMessage): ${r.handoffMicros.toFixed(1)} µs median of the ${plural(Math.max(r.snapshots - 1, 0), "later one")} ` +
      `(the first: ${r.firstHandoffMicros.toFixed(1)} µs, cold code); worker: ${r.workerMs.toFixed(1)} ms per snapshot\n` +
      `every worker result equals the main thread's for the same version: ${r.allMatch}\n` +
      `last: ${JSON.stringify(r.last)}\n` +
      `frames in use after releasing everything: ${r.framesLeft}`,
  );
  if (!r.allMatch || r.framesLeft !== 0) process.exitCode = 1;
}
