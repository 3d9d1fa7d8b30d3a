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
import { buildHistory, loadBuild, randomDoubles, randomIndices, seedOf } from "./bounded-common.mjs";

const dir = process.argv[2];
const which = process.argv[3] ?? "W1b";
const n = Number(process.argv[4] ?? 1_000_000);
const commits = Number(process.argv[5] ?? 100_000);
const mods = await loadBuild(dir, which);

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
const idx = randomIndices(total, n, seedOf(which));
const val = randomDoubles(total, seedOf(which) + 1);
const keys = which === "W5b" ? Array.from(idx, (i) => `item-${i}`) : null;

const build = () => buildHistory(mods, which, n);
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
