/**
 * A/B: element access on SharedArrayBuffer slabs against ArrayBuffer slabs,
 * interleaved in one process (the two variants alternate in every round;
 * medians of the rounds; ratios shared / plain). Run from the repo root:
 *
 *   node --import tsx bench/src/ab/shared-slabs.ts
 *
 * It measures what the choice of buffer could change: a native Float64Array
 * loop over each kind of buffer, the space's per-element accessor and its
 * page-span loop over a shared and a plain pool, random reads, and the write
 * fault path (fork, then first writes). Figures go in docs/workers.md.
 */
import { AddressSpace, FramePool } from "@pagefork/core";

const ELEMENTS = 1 << 22; // 32 MiB of float64
const BYTES = ELEMENTS * 8;
const ROUNDS = 9;
const RANDOM_READS = 1 << 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

function time(f: () => number): number {
  const t0 = process.hrtime.bigint();
  sink += f();
  return Number(process.hrtime.bigint() - t0);
}

let sink = 0;

function nativeSum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}

function accessorSum(space: AddressSpace): number {
  let s = 0;
  for (let i = 0; i < ELEMENTS; i++) s += space.getFloat64(i * 8);
  return s;
}

function spanSum(space: AddressSpace): number {
  let s = 0;
  const c = space.spans(Float64Array, 0, ELEMENTS);
  while (c.next()) {
    const a = c.array;
    for (let i = c.start, e = c.end; i < e; i++) s += a[i] as number;
  }
  return s;
}

function randomSum(space: AddressSpace, idx: Int32Array): number {
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += space.getFloat64((idx[i] as number) * 8);
  return s;
}

/** Fork, then write one float64 in each of 4,096 pages (COW faults), then release the fork. */
function faults(space: AddressSpace): number {
  const f = space.fork();
  const step = space.pageSize;
  for (let a = 0, n = 0; n < 4096; a += step, n++) f.setFloat64(a, n);
  const r = f.getFloat64(0);
  f.release();
  return r;
}

function filled(shared: boolean): AddressSpace {
  const pool = new FramePool({ shared });
  const space = new AddressSpace({ size: BYTES, pool });
  for (let i = 0; i < ELEMENTS; i++) space.setFloat64(i * 8, i & 1023);
  return space;
}

const plain = filled(false);
const shared = filled(true);
const nativePlain = new Float64Array(new ArrayBuffer(BYTES));
const nativeShared = new Float64Array(new SharedArrayBuffer(BYTES));
for (let i = 0; i < ELEMENTS; i++) nativePlain[i] = nativeShared[i] = i & 1023;
const idx = new Int32Array(RANDOM_READS);
for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(Math.random() * ELEMENTS);

const cases: [string, () => number, () => number][] = [
  ["native Float64Array loop", () => nativeSum(nativePlain), () => nativeSum(nativeShared)],
  ["space.getFloat64 sequential", () => accessorSum(plain), () => accessorSum(shared)],
  ["space.spans page-span loop", () => spanSum(plain), () => spanSum(shared)],
  ["space.getFloat64 random", () => randomSum(plain, idx), () => randomSum(shared, idx)],
  ["fork + 4,096 COW faults", () => faults(plain), () => faults(shared)],
];

console.log(`node ${process.version}; ${ELEMENTS} float64 (${BYTES >> 20} MiB); ${ROUNDS} interleaved rounds`);
console.log("case | plain ns/op | shared ns/op | shared / plain");
for (const [name, a, b] of cases) {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    if (r & 1) {
      tb.push(time(b));
      ta.push(time(a));
    } else {
      ta.push(time(a));
      tb.push(time(b));
    }
  }
  const ops = name.startsWith("fork") ? 4096 : name.includes("random") ? RANDOM_READS : ELEMENTS;
  const ma = median(ta) / ops;
  const mb = median(tb) / ops;
  console.log(`${name} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(mb / ma).toFixed(2)}`);
}
if (sink === 42) console.log("");
