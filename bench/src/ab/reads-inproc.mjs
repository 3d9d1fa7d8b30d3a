// Not a workload: W2's random and sequential `get` / `getFloat64` loops, and a
// CowFloat64Array's element `set` loop and callback loops (`forEach`, `for...of`,
// `reduce`: session 30's frame-to-spare check in `set` and page-table epoch compare
// per element), for several builds in ONE process, rounds alternating between them (each build
// its own copy of every loop function, so each stays monomorphic), CPU time
// per call (process.cpuUsage). Prints, per build after the first, the median
// and range of its per-round ratio to the first build. Pass the first build
// twice (two directories holding the same dist) to get an A/A beside.
//
//   node --expose-gc bench/src/ab/reads-inproc.mjs <rounds> <dir-A> <dir-B> [<dir-A-copy> ...]
import os from "node:os";
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2]);
const dirs = process.argv.slice(3);
const N = 1 << 20;
const SRC = {
  getRnd: "let s = 0; const m = idx.length; for (let i = 0; i < m; i++) s += a.get(idx[i]); return s;",
  f64Rnd: "let s = 0; const m = idx.length; for (let i = 0; i < m; i++) s += sp.getFloat64(idx[i] * 8); return s;",
  getSeq: "let s = 0; for (let i = 0; i < n; i++) s += a.get(i); return s;",
  f64Seq: "let s = 0; for (let i = 0; i < n; i++) s += sp.getFloat64(i * 8); return s;",
  nativeRnd: "let s = 0; const m = idx.length; for (let i = 0; i < m; i++) s += na[idx[i]]; return s;",
  setSeq: "for (let i = 0; i < n; i++) a.set(i, i * 0.5 + 0.25); return a.get(7);",
  forEach: "let s = 0; a.forEach((v) => { s += v; }); return s;",
  forOf: "let s = 0; for (const v of a) s += v; return s;",
  reduce: "return a.reduce((p, v) => p + v, 0);",
};
const init = new Float64Array(N);
for (let i = 0; i < N; i++) init[i] = i * 0.5 + 0.25;
const idx = new Int32Array(N);
let x = 0x5eed02;
for (let i = 0; i < N; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  idx[i] = (x >>> 0) % N;
}
const builds = [];
for (const dir of dirs) {
  const core = await import(pathToFileURL(`${dir}/packages/core/dist/index.js`).href);
  const array = await import(pathToFileURL(`${dir}/packages/array/dist/index.js`).href);
  const a = new array.CowFloat64Array(N);
  a.set(init);
  const sp = new core.AddressSpace({ size: N * 8, pool: new core.FramePool({ pageSize: 4096 }) });
  sp.write(0, init);
  const na = init.slice();
  const loops = {};
  for (const [k, body] of Object.entries(SRC)) {
    const f = new Function("a", "sp", "na", "idx", "n", body); // a fresh function per build: its own feedback
    loops[k] = () => f(a, sp, na, idx, N);
  }
  builds.push({ dir, loops });
}
const names = Object.keys(SRC);
for (const b of builds) for (const k of names) for (let w = 0; w < 6; w++) b.loops[k]();
const t = builds.map(() => Object.fromEntries(names.map((k) => [k, []])));
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  const order = builds.map((_, i) => i);
  if (r % 2 === 1) order.reverse();
  for (const k of names)
    for (const i of order) {
      const c0 = process.cpuUsage();
      builds[i].loops[k]();
      const c1 = process.cpuUsage(c0);
      t[i][k].push(((c1.user + c1.system) * 1000) / N);
    }
}
const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
const out = { load: [load0, os.loadavg()[0]], rounds };
for (let i = 1; i < builds.length; i++)
  for (const k of names) {
    const rs = t[i][k].map((v, r) => v / t[0][k][r]);
    out[`${i}/0 ${k}`] = `${med(rs).toFixed(3)} [${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}]`;
  }
for (let i = 0; i < builds.length; i++)
  out[`ns ${i}`] = Object.fromEntries(names.map((k) => [k, +med(t[i][k]).toFixed(2)]));
console.log(JSON.stringify(out, null, 1));
