// Not a workload: W2's pagefork read loops (and the native loops beside them)
// in this process, against the built packages of a given checkout, printed as
// one JSON line with the load average. For A/B pairs of fresh processes on a
// shared machine: run it alternately with two checkouts and compare
// per-process figures (reads-ab.mjs does).
//
//   node --expose-gc bench/src/ab/reads-case.mjs <checkout-dir> [calls]
//
// Per loop: `calls` timed calls after a warm-up, each timed by CPU time
// (process.cpuUsage, user + system of this process) and wall time; figures
// are ns per element, p10 and median over the calls. Loops are W2's: 1,048,576
// float64s, `CowFloat64Array.get` (the array's default page size, 1 KiB) and
// `AddressSpace.getFloat64` (4 KiB pages), sequential and random (one seeded
// xorshift32 index array, as the bench's).
import os from "node:os";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const calls = Number(process.argv[3] ?? 60);
const only = (process.argv[4] ?? "").split(",").filter(Boolean);
const core = await import(pathToFileURL(`${dir}/packages/core/dist/index.js`).href);
const array = await import(pathToFileURL(`${dir}/packages/array/dist/index.js`).href);

const N = 1 << 20;

function randomIndices(count, bound, seed) {
  let x = seed | 0 || 1;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % bound;
  }
  return out;
}

// One top-level function per loop and receiver class, as bench/src/workloads/read-loops.ts.
function sumNativeSequential(a, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}
function sumNativeRandom(a, idx) {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a[idx[i]];
  return s;
}
function sumCowSequential(a, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += a.get(i);
  return s;
}
function sumCowRandom(a, idx) {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a.get(idx[i]);
  return s;
}
function sumSpaceSequential(space, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += space.getFloat64(i * 8);
  return s;
}
function sumSpaceRandom(space, idx) {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += space.getFloat64(idx[i] * 8);
  return s;
}

const init = new Float64Array(N);
for (let i = 0; i < N; i++) init[i] = i * 0.5 + 0.25;
const idx = randomIndices(N, N, 0x5eed02);
const native = init.slice();
const cow = new array.CowFloat64Array(N);
cow.set(init);
const space = new core.AddressSpace({ size: N * 8, pool: new core.FramePool({ pageSize: 4096 }) });
space.write(0, init);
const wantSeq = sumNativeSequential(init, N);
const wantRnd = sumNativeRandom(init, idx);

const loops = {
  nativeSeq: [() => sumNativeSequential(native, N), wantSeq],
  nativeRnd: [() => sumNativeRandom(native, idx), wantRnd],
  getSeq: [() => sumCowSequential(cow, N), wantSeq],
  getRnd: [() => sumCowRandom(cow, idx), wantRnd],
  f64Seq: [() => sumSpaceSequential(space, N), wantSeq],
  f64Rnd: [() => sumSpaceRandom(space, idx), wantRnd],
};

function q(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const out = { dir, load: os.loadavg()[0], calls };
const names = Object.keys(loops).filter((k) => only.length === 0 || only.includes(k));
for (const k of names) {
  const [fn, want] = loops[k];
  for (let w = 0; w < 8; w++) if (fn() !== want) throw new Error(`${k}: wrong sum`);
}
// Rounds interleave the loops so that a slow moment of the machine hits all of them.
const cpu = Object.fromEntries(names.map((k) => [k, []]));
const wall = Object.fromEntries(names.map((k) => [k, []]));
let sink = 0;
for (let c = 0; c < calls; c++) {
  for (const k of names) {
    const fn = loops[k][0];
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    sink += fn();
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    cpu[k].push(((c1.user + c1.system) * 1000) / N);
    wall[k].push(Number(t1 - t0) / N);
  }
}
for (const k of names) {
  const a = cpu[k].sort((x, y) => x - y);
  const b = wall[k].sort((x, y) => x - y);
  out[k] = { cpuP10: q(a, 0.1), cpuP50: q(a, 0.5), wallP10: q(b, 0.1), wallP50: q(b, 0.5) };
}
out.loadEnd = os.loadavg()[0];
out.sink = sink === 0 ? 0 : 1;
console.log(JSON.stringify(out));
