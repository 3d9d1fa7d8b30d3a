// Not a workload: the array paths that construct through a Cow*Array class
// (`subarray()`, `slice()` and `map()` through `create()`, `new`, `fork()`),
// each with its `release()`, for several builds in ONE process, rounds
// rotating between them (each build its own copy of every loop function, so
// each stays monomorphic), CPU time per operation (process.cpuUsage). Prints,
// per build after the first, the median and quartiles of its per-round ratio
// to the first build. Pass the first build twice (two directories holding the
// same dist) to get an A/A beside. Session 32: the classes were in dictionary
// mode (keepNames' `__name`), and TurboFan's compiles of these paths aborted
// on "dependency change" again and again (`--trace-opt`).
//
//   node bench/src/ab/ctor-inproc.mjs <rounds> <dir-A> <dir-B> [<dir-A-copy> ...]
import os from "node:os";
import { pathToFileURL } from "node:url";
import { quantile, ratioSummary } from "./ab-stats.mjs";

const rounds = Number(process.argv[2]);
const dirs = process.argv.slice(3);
const OPS = {
  subarray: [200_000, "for (let i = 0; i < m; i++) { const v = a.subarray(i & 1023, (i & 1023) + 8); v.release(); }"],
  slice: [50_000, "for (let i = 0; i < m; i++) { const v = a.slice(i & 1023, (i & 1023) + 8); v.release(); }"],
  map: [50_000, "for (let i = 0; i < m; i++) { const v = s.map((x) => x + 1); v.release(); }"],
  newSmall: [50_000, "for (let i = 0; i < m; i++) { const v = new C(8, { pool: a.space.pool }); v.release(); }"],
  forkSet: [100_000, "for (let i = 0; i < m; i++) { const v = a.fork(); v.set(i & 4095, i); v.release(); }"],
};
const builds = [];
for (const dir of dirs) {
  const A = await import(pathToFileURL(`${dir}/packages/array/dist/index.js`).href);
  const a = new A.CowFloat64Array(4096);
  const s = A.CowFloat64Array.from([1, 2, 3, 4, 5, 6, 7, 8], { pool: a.space.pool });
  const fns = {};
  for (const [k, [, src]] of Object.entries(OPS)) fns[k] = new Function("a", "s", "C", "m", src);
  for (const [k, [m]] of Object.entries(OPS)) for (let w = 0; w < 5; w++) fns[k](a, s, A.CowFloat64Array, m); // warm-up
  builds.push({ dir, a, s, C: A.CowFloat64Array, fns, cpu: Object.fromEntries(Object.keys(OPS).map((k) => [k, []])) });
}
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(r + j) % builds.length];
    for (const [k, [m]] of Object.entries(OPS)) {
      const c0 = process.cpuUsage();
      b.fns[k](b.a, b.s, b.C, m);
      const c = process.cpuUsage(c0);
      b.cpu[k].push(((c.user + c.system) * 1000) / m);
    }
  }
}
const out = { rounds, load: [load0, os.loadavg()[0]], builds: [] };
for (const b of builds) {
  const row = { dir: b.dir };
  for (const k of Object.keys(OPS)) {
    row[k] = { ns: quantile(b.cpu[k], 0.5), ...ratioSummary(b.cpu[k], builds[0].cpu[k]) };
  }
  out.builds.push(row);
}
console.log(JSON.stringify(out, null, 0));
