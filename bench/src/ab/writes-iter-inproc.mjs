// Not a workload: a CowFloat64Array's element `set` loop and its callback loops and
// iterator (forEach, for-of, reduce) over 2^20 elements, for several builds in ONE process,
// rounds alternating with the order rotating, each build its own copy of every loop (a
// distinct source: `new Function` of the same text shares its feedback). CPU time of two
// calls; prints, per build after the first, the median and range of its per-round ratio to
// the first build. Pass the first build twice (a copy of its directory) for an A/A beside.
// Written for session 30's frame-to-spare check in `set` and the page-table epoch compare
// per element in the callback loops.
//   node --expose-gc bench/src/ab/writes-iter-inproc.mjs <rounds> <dir-A> <dir-B> [<copy of A> ...]
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2]);
const dirs = process.argv.slice(3);
const N = 1 << 20;
const SRC = {
  setSeq: "for (let i = 0; i < n; i++) a.set(i, i * 0.5); return a.get(7);",
  forEach: "let s = 0; a.forEach((v) => { s += v; }); return s;",
  forOf: "let s = 0; for (const v of a) s += v; return s;",
  reduce: "return a.reduce((p, v) => p + v, 0);",
};
const builds = [];
for (const dir of dirs) {
  const array = await import(pathToFileURL(`${dir}/packages/array/dist/index.js`).href);
  const a = new array.CowFloat64Array(N);
  for (let i = 0; i < N; i++) a.set(i, i);
  const fns = {};
  for (const [k, src] of Object.entries(SRC)) fns[k] = new Function("a", "n", `${src} // build ${builds.length}`);
  builds.push({ a, fns });
}
const names = Object.keys(SRC);
const ratios = Object.fromEntries(names.map((k) => [k, dirs.slice(1).map(() => [])]));
for (let r = 0; r < rounds; r++) {
  for (const k of names) {
    const t = new Array(builds.length);
    for (let q = 0; q < builds.length; q++) {
      const j = (q + r) % builds.length; // rotate the order: no build always first
      const b = builds[j];
      const f = b.fns[k];
      f(b.a, N);
      const c0 = process.cpuUsage();
      f(b.a, N);
      f(b.a, N);
      const c = process.cpuUsage(c0);
      t[j] = c.user + c.system;
    }
    for (let j = 1; j < t.length; j++) ratios[k][j - 1].push(t[j] / t[0]);
  }
}
const med = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1];
};
for (const k of names)
  console.log(
    k.padEnd(10),
    ratios[k]
      .map(
        (xs, j) =>
          `${dirs[j + 1].split("/").pop()}: x${med(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}]`,
      )
      .join("  "),
  );
