// Not a workload: W2's and W5's `for..of` loops (a CowFloat64Array of
// 1,048,576 float64s, a CowMap of <keys> string keys) right after a full GC,
// for several builds in ONE process, rounds rotating between them (each
// build its own copy of every loop function, so each stays monomorphic), CPU
// time per element of the first <calls> calls after the GC
// (process.cpuUsage). Session 33: the iterators' hidden classes died at
// every full GC while no iterator was alive, so the next loops ran
// deoptimized code until V8 had compiled them again, and the first
// iteration's end generalized the rebuilt classes' fields and deoptimized
// that code once more (`--trace-deopt`: "weak objects", then "code
// dependencies"); the bench times `for..of` after the `gc()` of its memory
// snapshots. Prints, per build after the first, the median and quartiles of
// its per-round ratio to the first build. Pass the first build twice (two
// directories holding the same dist) to get an A/A beside.
//
//   node --expose-gc bench/src/ab/iter-inproc.mjs <keys> <rounds> <calls> <dir-A> <dir-B> [<dir-A-copy> ...]
import os from "node:os";
import { pathToFileURL } from "node:url";
import { quantile, ratioSummary } from "./ab-stats.mjs";

const keys = Number(process.argv[2]);
const rounds = Number(process.argv[3]);
const calls = Number(process.argv[4]);
const dirs = process.argv.slice(5);
const N = 1 << 20;
const SRC = {
  array: "let s = 0; for (const v of a) s += v; return s;",
  map: "let s = 0; for (const [, v] of a) s += v; return s;",
};
const builds = [];
for (const dir of dirs) {
  const load = (p) => import(pathToFileURL(`${dir}/packages/${p}/dist/index.js`).href);
  const core = await load("core");
  const { CowFloat64Array, arrayPageSizeFor } = await load("array");
  const { CowMap, MAP_PAGE_SIZE } = await load("map");
  const a = new CowFloat64Array(N, { pool: new core.FramePool({ pageSize: arrayPageSizeFor(N * 8) }) });
  const init = new Float64Array(N);
  for (let i = 0; i < N; i++) init[i] = i * 0.5 + 0.25;
  a.set(init);
  function* entries() {
    for (let i = 0; i < keys; i++) yield [`item-${i}`, i + 0.5];
  }
  const m = CowMap.from(entries(), { pool: new core.FramePool({ pageSize: MAP_PAGE_SIZE }) });
  const fns = { array: new Function("a", SRC.array), map: new Function("a", SRC.map) };
  for (let w = 0; w < 10; w++) {
    fns.array(a);
    fns.map(m);
  } // warm-up
  builds.push({ dir, on: { array: a, map: m }, fns, cpu: { array: [], map: [] } });
}
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(r + j) % builds.length];
    for (const k of ["array", "map"]) {
      globalThis.gc();
      const c0 = process.cpuUsage();
      for (let c = 0; c < calls; c++) b.fns[k](b.on[k]);
      const c = process.cpuUsage(c0);
      b.cpu[k].push(((c.user + c.system) * 1000) / (calls * (k === "array" ? N : keys)));
    }
  }
}
const out = { keys, rounds, calls, load: [load0, os.loadavg()[0]], builds: [] };
for (const b of builds) {
  const row = { dir: b.dir };
  for (const k of ["array", "map"]) {
    row[k] = { ns: quantile(b.cpu[k], 0.5), ...ratioSummary(b.cpu[k], builds[0].cpu[k]) };
  }
  out.builds.push(row);
}
console.log(JSON.stringify(out));
