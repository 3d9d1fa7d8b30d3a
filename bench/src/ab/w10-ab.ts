/**
 * Not a workload: an interleaved A/B of W10's hand-off between two builds of
 * @pagefork/core + @pagefork/array in one process, against the same two
 * reader threads (each imports both builds):
 * `node --import tsx bench/src/ab/w10-ab.ts <before-dir> [MiB] [rounds]`,
 * where `<before-dir>` holds `core/dist` and `array/dist` of the old build
 * (its array's imports of `@pagefork/core` rewritten to that core's
 * `dist/index.js`); "after" is this workspace's built packages.
 *
 * Each round, in an order that alternates: a bare `postMessage` of a small
 * object (the baseline, timed the same way), then a hand-off with each build
 * to 1 worker and to 2 workers. Per build: the owner's time (`share()` +
 * `postMessage`, and each apart for 1 worker), the worker's `attachShared`, the one-way time until the
 * worker(s) hold it, and that minus the baseline's one way; medians, and the
 * ratios after / before. Prints one JSON line with the load average.
 */
import os from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const beforeDir = process.argv[2];
if (beforeDir === undefined) throw new Error("usage: w10-ab.ts <before-dir> [MiB] [rounds]");
const MiB = Number(process.argv[3] ?? 256);
const ROUNDS = Number(process.argv[4] ?? 300);
/** Untimed rounds first (JIT, the readers' slab caches). */
const WARM = 30;

interface Build {
  CowFloat64Array: {
    new (n: number, o: { pool: unknown }): { set(a: Float64Array): void; share(o?: object): unknown };
  };
  FramePool: new (o: { shared: boolean }) => unknown;
}
const before = {
  ...(await import(pathToFileURL(`${beforeDir}/array/dist/index.js`).href)),
  ...(await import(pathToFileURL(`${beforeDir}/core/dist/index.js`).href)),
} as Build;
const after = { ...(await import("@pagefork/array")), ...(await import("@pagefork/core")) } as unknown as Build;

const READER = `
const { parentPort, workerData } = require("node:worker_threads");
const now = () => Number(process.hrtime.bigint());
Promise.all([import(workerData.before), import(workerData.after)]).then(([b, a]) => {
  const builds = [b.CowFloat64Array, a.CowFloat64Array];
  let held = null;
  parentPort.on("message", (m) => {
    if (m.op === "ping") return parentPort.postMessage({ attachNs: 0, heldAt: now() });
    if (m.op === "drop") { held?.release(); held = null; return parentPort.postMessage({}); }
    const t0 = now();
    held = builds[m.build].attachShared(m.payload);
    const t1 = now();
    parentPort.postMessage({ attachNs: t1 - t0, heldAt: t1 });
  });
  parentPort.postMessage({});
});`;

interface Reply {
  attachNs: number;
  heldAt: number;
}
const now = (): number => Number(process.hrtime.bigint());
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

const readers = [0, 1].map(
  () =>
    new Worker(READER, {
      eval: true,
      workerData: {
        before: pathToFileURL(`${beforeDir}/array/dist/index.js`).href,
        after: import.meta.resolve("@pagefork/array"),
      },
    }),
);
const next = (w: Worker): Promise<Reply> => new Promise((r) => w.once("message", r));
await Promise.all(readers.map(next));

const n = (MiB << 20) / 8;
const init = new Float64Array(n);
for (let i = 0; i < n; i++) init[i] = i & 1023;
const arrays = [before, after].map((b) => {
  const a = new b.CowFloat64Array(n, { pool: new b.FramePool({ shared: true }) });
  a.set(init);
  return a;
});

/** The last 1-worker hand-off's `share()` and `postMessage` times (ns). */
let split: [number, number] = [0, 0];

/** One hand-off to `k` readers with build `b` (-1: the bare message). */
async function handOff(b: number, k: number): Promise<{ owner: number; held: number; attach: number }> {
  const ready: Promise<Reply>[] = [];
  const t0 = now();
  for (let r = 0; r < k; r++) {
    const w = readers[r] as Worker;
    ready.push(next(w));
    if (b < 0) w.postMessage({ op: "ping" });
    else {
      const ts = now();
      const payload = (arrays[b] as Build["CowFloat64Array"]["prototype"]).share({ worker: w });
      const tp = now();
      w.postMessage({ op: "take", build: b, payload });
      if (k === 1) split = [tp - ts, now() - tp];
    }
  }
  const owner = now() - t0;
  const replies = await Promise.all(ready);
  if (b >= 0)
    for (let r = 0; r < k; r++)
      await Promise.all([next(readers[r] as Worker), (readers[r] as Worker).postMessage({ op: "drop" })]);
  return {
    owner,
    held: Math.max(...replies.map((x) => x.heldAt - t0)),
    attach: Math.max(...replies.map((x) => x.attachNs)),
  };
}

const keys = ["share", "post", "owner1", "owner2", "attach", "held1", "held2"] as const;
const rec: Record<string, number[]> = {};
const push = (k: string, v: number): void => {
  const xs = rec[k];
  if (xs === undefined) rec[k] = [v];
  else xs.push(v);
};
const loads: number[] = [];
for (let i = 0; i < WARM + ROUNDS; i++) {
  const order = i % 2 === 0 ? [0, 1] : [1, 0];
  const p1 = await handOff(-1, 1);
  const p2 = await handOff(-1, 2);
  for (const b of order) {
    const x = await handOff(b, 1);
    const y = await handOff(b, 2);
    if (i < WARM) continue;
    push(`owner1.${b}`, x.owner);
    push(`share.${b}`, split[0]);
    push(`post.${b}`, split[1]);
    push(`attach.${b}`, x.attach);
    push(`held1.${b}`, x.held);
    push(`owner2.${b}`, y.owner);
    push(`held2.${b}`, y.held);
  }
  if (i < WARM) continue;
  push("post1", p1.owner);
  push("ping1", p1.held);
  push("ping2", p2.held);
  if (i % 50 === 0) loads.push(os.loadavg()[0] as number);
}
const us = (x: number): number => Math.round(x / 10) / 100;
const out: Record<string, unknown> = { MiB, rounds: ROUNDS, load: loads.map((x) => x.toFixed(1)).join(" ") };
out.bareMessage = {
  ownerUs: us(median(rec.post1 ?? [])),
  oneWay1Us: us(median(rec.ping1 ?? [])),
  oneWay2Us: us(median(rec.ping2 ?? [])),
};
for (const k of keys) {
  const b = median(rec[`${k}.0`] ?? []);
  const a = median(rec[`${k}.1`] ?? []);
  out[k] = { beforeUs: us(b), afterUs: us(a), ratio: Math.round((a / b) * 100) / 100 };
}
for (const k of ["1", "2"]) {
  const ping = median(rec[`ping${k}`] ?? []);
  const b = median(rec[`held${k}.0`] ?? []) - ping;
  const a = median(rec[`held${k}.1`] ?? []) - ping;
  out[`added${k}`] = { beforeUs: us(b), afterUs: us(a), ratio: Math.round((a / b) * 100) / 100 };
}
console.log(JSON.stringify(out));
await Promise.all(readers.map((w) => w.terminate()));
