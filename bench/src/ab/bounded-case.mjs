// Not a workload: W1b's or W5b's pagefork loop (a `History` of 100 versions,
// a fork and one write per commit) against the built packages of a given
// checkout, printed as one JSON line with the load average. For A/B pairs of
// fresh processes on a shared machine (as reads-case.mjs).
//
//   node --expose-gc bench/src/ab/bounded-case.mjs <checkout-dir> <W1b|W5b> [elements] [commits]
//
// As the bench: 20,000 warm-up commits on a throwaway History of the same
// size, then `commits` (default 100,000) timed in chunks of 1,000. Figures:
// CPU time (process.cpuUsage) and wall time per commit over the timed loop,
// and the p10 of the chunks' wall times (ns per commit). Inputs are the
// bench's seeded xorshift32 indices, values and keys.
//
// With PROFILE=<file.cpuprofile> in the environment, V8's sampling profiler
// (node:inspector, 50 us) runs around the timed loop only, not the build or
// the warm-up, and writes its profile there (read it with
// cpuprofile-top.mjs, or in Chrome's DevTools).
import fs from "node:fs";
import inspector from "node:inspector";
import os from "node:os";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const which = process.argv[3] ?? "W1b";
const n = Number(process.argv[4] ?? 1_000_000);
const commits = Number(process.argv[5] ?? 100_000);
const core = await import(pathToFileURL(`${dir}/packages/core/dist/index.js`).href);
const array = await import(pathToFileURL(`${dir}/packages/array/dist/index.js`).href);
const map = which === "W5b" ? await import(pathToFileURL(`${dir}/packages/map/dist/index.js`).href) : null;

function xorshift(seed) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
function randomIndices(count, bound, seed) {
  const r = xorshift(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = r() % bound;
  return out;
}
function randomDoubles(count, seed) {
  const r = xorshift(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = r() / 4294967.296 + 0.5;
  return out;
}

// One top-level loop per receiver class, as the bench's.
function cowCommits(h, idx, val, from, to) {
  for (let k = from; k < to; k++) {
    const draft = h.fork();
    draft.set(idx[k], val[k]);
    h.commit(draft);
  }
}
function mapCommits(h, keys, val, from, to) {
  for (let k = from; k < to; k++) {
    const draft = h.fork();
    draft.set(keys[k], val[k]);
    h.commit(draft);
  }
}

const WARMUP = 20_000;
const total = WARMUP + commits;
const idx = randomIndices(total, n, which === "W5b" ? 0x5eed5b : 0x5eed1b);
const val = randomDoubles(total, (which === "W5b" ? 0x5eed5b : 0x5eed1b) + 1);
const keys = which === "W5b" ? Array.from(idx, (i) => `item-${i}`) : null;

function build() {
  if (which === "W5b") {
    const pool = new core.FramePool({ pageSize: map.MAP_PAGE_SIZE });
    function* entries() {
      for (let i = 0; i < n; i++) yield [`item-${i}`, i + 0.5];
    }
    return new core.History(map.CowMap.from(entries(), { pool }), { maxVersions: 100 });
  }
  const pool = new core.FramePool({ pageSize: array.arrayPageSizeFor(n * 8) });
  const a = new array.CowFloat64Array(n, { pool });
  const init = new Float64Array(n);
  for (let i = 0; i < n; i++) init[i] = i * 0.5 + 0.25;
  a.set(init);
  return new core.History(a, { maxVersions: 100 });
}
const run = which === "W5b" ? (h, f, t) => mapCommits(h, keys, val, f, t) : (h, f, t) => cowCommits(h, idx, val, f, t);

{
  const h = build();
  for (let k = 0; k < WARMUP; k += 1000) run(h, k, k + 1000);
  h.release();
}
globalThis.gc?.();
const h = build();
globalThis.gc?.();
const load = os.loadavg()[0];
const profileFile = process.env.PROFILE;
const session = profileFile ? new inspector.Session() : null;
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
if (session) {
  session.connect();
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 50 });
  await post("Profiler.start");
}
const chunks = [];
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let k = WARMUP; k < total; k += 1000) {
  const s = process.hrtime.bigint();
  run(h, k, Math.min(total, k + 1000));
  chunks.push(Number(process.hrtime.bigint() - s) / 1000);
}
const wall = Number(process.hrtime.bigint() - t0) / commits;
const c1 = process.cpuUsage(c0);
if (session) {
  const { profile } = await post("Profiler.stop");
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
}
chunks.sort((a, b) => a - b);
const out = {
  dir,
  which,
  n,
  load,
  loadEnd: os.loadavg()[0],
  cpuNs: ((c1.user + c1.system) * 1000) / commits,
  wallNs: wall,
  p10Ns: chunks[Math.floor(chunks.length * 0.1)],
  size: h.size,
};
h.release();
console.log(JSON.stringify(out));
