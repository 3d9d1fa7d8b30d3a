/**
 * Group "read": per-element read cost of an address space against a native
 * Float64Array holding the same 1M float64s (8 MiB, 4 KiB pages):
 * sequential `getFloat64`, the page-span cursor, and random `getFloat64`
 * with the same precomputed index array as the native random loop. A second
 * random pair confines the indices to the TLB's reach (TLB_SIZE pages).
 *
 * @module
 */
import { AddressSpace, FramePool, TLB_SIZE } from "@pagefork/core";
import type { BenchConfig } from "./cli.js";
import { figure, type GroupResult } from "./figures.js";
import { progress, RunLog, type TaskDef } from "./harness.js";
import {
  sumGetFloat64Random,
  sumGetFloat64Sequential,
  sumNativeRandom,
  sumNativeSequential,
  sumSpans,
} from "./read-loops.js";
import { PAGE_SIZE, sizeLabel } from "./sizes.js";

const ELEMENTS = 1 << 20;

/** Deterministic indices in [0, range): mulberry32, so every run reads the same addresses. */
function randomIndices(count: number, range: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  let a = seed >>> 0;
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = Math.floor(r * range);
  }
  return out;
}

export function runReadGroup(config: BenchConfig): GroupResult {
  const n = ELEMENTS;
  progress(`read: preparing ${n.toLocaleString("en-US")} float64s natively and in a space`);
  const native = new Float64Array(n);
  for (let i = 0; i < n; i++) native[i] = (i % 1000) * 0.25;
  const pool = new FramePool({ pageSize: PAGE_SIZE });
  const space = new AddressSpace({ size: n * 8, pool });
  space.write(0, native);
  const idx = randomIndices(n, n, 0x9e3779b9);
  const tlbReach = (TLB_SIZE * PAGE_SIZE) / 8;
  const idxSmall = randomIndices(n, tlbReach, 0x85ebca6b);

  // Every variant must read the same numbers: check once, outside the timing.
  const expectSeq = sumNativeSequential(native, n);
  const checks: [string, number, number][] = [
    ["getFloat64 sequential", sumGetFloat64Sequential(space, n), expectSeq],
    ["spans", sumSpans(space, n), expectSeq],
    ["getFloat64 random", sumGetFloat64Random(space, idx), sumNativeRandom(native, idx)],
    ["getFloat64 random (TLB reach)", sumGetFloat64Random(space, idxSmall), sumNativeRandom(native, idxSmall)],
  ];
  for (const [what, got, want] of checks)
    if (got !== want) throw new Error(`read check failed: ${what} summed ${got}, native ${want}`);

  const sink = { v: 0 };
  const tasks: TaskDef[] = [
    {
      id: "native-seq",
      label: "native Float64Array sequential loop",
      unitsPerCall: n,
      fn: () => {
        sink.v = sumNativeSequential(native, n);
      },
    },
    {
      id: "get-seq",
      label: "getFloat64 sequential",
      unitsPerCall: n,
      fn: () => {
        sink.v = sumGetFloat64Sequential(space, n);
      },
    },
    {
      id: "spans",
      label: "spans(Float64Array) read cursor",
      unitsPerCall: n,
      fn: () => {
        sink.v = sumSpans(space, n);
      },
    },
    {
      id: "native-rand",
      label: "native Float64Array random reads",
      unitsPerCall: n,
      fn: () => {
        sink.v = sumNativeRandom(native, idx);
      },
    },
    {
      id: "get-rand",
      label: "getFloat64 random reads",
      unitsPerCall: n,
      fn: () => {
        sink.v = sumGetFloat64Random(space, idx);
      },
    },
    {
      id: "native-rand-tlb",
      label: `native random reads within ${sizeLabel(tlbReach * 8)}`,
      unitsPerCall: n,
      fn: () => {
        sink.v = sumNativeRandom(native, idxSmall);
      },
    },
    {
      id: "get-rand-tlb",
      label: `getFloat64 random reads within ${sizeLabel(tlbReach * 8)}`,
      unitsPerCall: n,
      fn: () => {
        sink.v = sumGetFloat64Random(space, idxSmall);
      },
    },
  ];
  const log = new RunLog();
  try {
    for (let run = 1; run <= config.timing.runs; run++) log.measure("read", tasks, run, config.timing);
  } finally {
    space.release();
  }

  const seq = { name: "native sequential", values: log.values("native-seq") };
  const rand = { name: "native random", values: log.values("native-rand") };
  const randTlb = { name: "native random (same indices)", values: log.values("native-rand-tlb") };
  return {
    name: "read",
    title: "Read throughput (per element)",
    method:
      `${n.toLocaleString("en-US")} float64s (${sizeLabel(n * 8)}, ${PAGE_SIZE} B pages) summed per call; figures are ` +
      "ns per element (p50 of calls). Each loop is its own function taking its inputs as parameters, one receiver " +
      "class per function. Random reads use one precomputed Int32Array of indices for both sides.",
    figures: [
      figure({ name: "native Float64Array sequential loop", unit: "ns", values: seq.values }),
      figure({
        name: "getFloat64 sequential",
        unit: "ns",
        values: log.values("get-seq"),
        baseline: seq,
        target: { on: "ratio", op: "<=", limit: 1.8, text: "<= 1.8x native" },
      }),
      figure({
        name: "spans(Float64Array) read cursor",
        unit: "ns",
        values: log.values("spans"),
        baseline: seq,
        target: { on: "ratio", op: "<=", limit: 1.25, text: "<= 1.25x native" },
      }),
      figure({ name: `native random reads over ${sizeLabel(n * 8)}`, unit: "ns", values: rand.values }),
      figure({
        name: `getFloat64 random reads over ${sizeLabel(n * 8)}`,
        unit: "ns",
        values: log.values("get-rand"),
        baseline: rand,
        target: { on: "ratio", op: "<=", limit: 4, text: "<= 4x native" },
      }),
      figure({
        name: `getFloat64 random reads within ${sizeLabel(tlbReach * 8)} (TLB reach)`,
        unit: "ns",
        values: log.values("get-rand-tlb"),
        baseline: randTlb,
        note: `indices confined to the ${TLB_SIZE}-entry TLB's reach`,
      }),
    ],
    notes: ["every space loop was checked to return the same sum as its native twin before timing"],
    tasks: log.toJSON(),
  };
}
