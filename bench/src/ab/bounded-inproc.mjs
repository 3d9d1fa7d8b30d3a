// Not a workload: W1b's or W5b's pagefork loop (a `History` of 100 versions,
// a fork and one write per commit) for several builds in ONE process, rounds
// rotating between them (each build its own copy of the loop function, so
// each stays monomorphic), CPU time per commit (process.cpuUsage) per round.
// Prints, per build after the first, the median and range of its per-round
// ratio to the first build. Pass the first build twice (two directories
// holding the same dist) to get an A/A beside. The rotation's start moves
// by one every round, so no build always runs right after the same one.
//
//   node --expose-gc bench/src/ab/bounded-inproc.mjs <W1b|W5b> <elements> <rounds> <commits-per-round> <dir-A> <dir-B> [<dir-A-copy> ...]
import os from "node:os";
import { buildHistory, loadBuild, randomDoubles, randomIndices, seedOf } from "./bounded-common.mjs";

const which = process.argv[2];
const n = Number(process.argv[3]);
const rounds = Number(process.argv[4]);
const per = Number(process.argv[5]);
const dirs = process.argv.slice(6);
const total = 20_000 + rounds * per;
const idx = randomIndices(total, n, seedOf(which));
const val = randomDoubles(total, seedOf(which) + 1);
const keys = which === "W5b" ? Array.from(idx, (i) => `item-${i}`) : null;
const SRC = "for (let k = from; k < to; k++) { const d = h.fork(); d.set(ix[k], v[k]); h.commit(d); }";

const builds = [];
for (const dir of dirs) {
  const mods = await loadBuild(dir, which);
  const build = () => buildHistory(mods, which, n);
  const loop = new Function("h", "ix", "v", "from", "to", SRC);
  const ix = which === "W5b" ? keys : idx;
  // warm-up on a throwaway history, as the bench
  const w = build();
  for (let k = 0; k < 20_000; k += 1000) loop(w, ix, val, k, k + 1000);
  w.release();
  builds.push({ dir, h: build(), loop, ix, cpu: [] });
}
globalThis.gc?.();
const load0 = os.loadavg()[0];
let at = 20_000;
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(r + j) % builds.length];
    const c0 = process.cpuUsage();
    b.loop(b.h, b.ix, val, at, at + per);
    const c = process.cpuUsage(c0);
    b.cpu.push(((c.user + c.system) * 1000) / per);
  }
  at += per;
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const out = { which, n, rounds, per, load: [load0, os.loadavg()[0]], builds: [] };
for (const b of builds) {
  const ratios = b.cpu.map((c, i) => c / builds[0].cpu[i]).sort((x, y) => x - y);
  out.builds.push({
    dir: b.dir,
    medianNs: +med(b.cpu).toFixed(1),
    ratio: +med(ratios).toFixed(3),
    q1: +ratios[Math.floor(ratios.length / 4)].toFixed(3),
    q3: +ratios[Math.floor((ratios.length * 3) / 4)].toFixed(3),
  });
  b.h.release();
}
console.log(JSON.stringify(out));
