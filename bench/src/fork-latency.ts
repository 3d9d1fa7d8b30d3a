/**
 * Group "fork": latency of `AddressSpace.fork()` on spaces populated to
 * 1 MiB … 1 GiB (every page written, 4 KiB pages), p50 and p99.
 *
 * What is timed: `fork()` alone, one call per sample; the child is released in
 * tinybench's `afterEach` hook, outside the timed window, so one fork at a
 * time is alive. A second task times `fork()` + `release()` pairs. Baselines
 * in the same run: an empty task function (timer + call overhead, which every
 * sample includes) and `new Float64Array(0)` (a trivial allocation; fork also
 * allocates one object). `TypedArray.prototype.slice` of the same size
 * (a full copy, what users would do instead) is timed at the sizes where one
 * copy takes milliseconds rather than seconds.
 *
 * @module
 */
import { AddressSpace, FramePool } from "@pagefork/core";
import type { BenchConfig } from "./cli.js";
import { type Figure, figure, type GroupResult } from "./figures.js";
import { collectGarbage, progress, RunLog, type TaskDef } from "./harness.js";
import { MiB, PAGE_SIZE, sizeLabel } from "./sizes.js";

/** Sizes at or below this also get a TypedArray.slice contrast. */
const SLICE_MAX_BYTES = 16 * MiB;
const TARGET_P50_NS = 2000;

interface Populated {
  size: number;
  label: string;
  pool: FramePool;
  space: AddressSpace;
  populateMs: number;
}

function populate(size: number): Populated {
  const pool = new FramePool({ pageSize: PAGE_SIZE });
  const space = new AddressSpace({ size, pool });
  const t0 = performance.now();
  space.fill(0xa5, 0, size);
  const populateMs = performance.now() - t0;
  const frames = pool.stats().framesInUse;
  if (frames !== size / PAGE_SIZE)
    throw new Error(`populating ${sizeLabel(size)} left ${frames} frames in use, expected ${size / PAGE_SIZE}`);
  return { size, label: sizeLabel(size), pool, space, populateMs };
}

function forkTasks(p: Populated): TaskDef[] {
  const space = p.space;
  const held: { child: AddressSpace | null } = { child: null };
  return [
    {
      id: `fork/${p.label}`,
      label: `fork() of a populated ${p.label} space`,
      unitsPerCall: 1,
      fn: () => {
        held.child = space.fork();
      },
      afterEach: () => {
        held.child?.release();
        held.child = null;
      },
    },
    {
      id: `fork+release/${p.label}`,
      label: `fork() + release() of a populated ${p.label} space`,
      unitsPerCall: 1,
      fn: () => {
        space.fork().release();
      },
    },
  ];
}

function sliceTask(size: number): TaskDef {
  const label = sizeLabel(size);
  const src = new Float64Array(size / 8).fill(1.5);
  const sink: { a: Float64Array | null } = { a: null };
  return {
    id: `slice/${label}`,
    label: `Float64Array.prototype.slice() of ${label}`,
    unitsPerCall: 1,
    fn: () => {
      sink.a = src.slice();
    },
    afterAll: () => {
      sink.a = null;
    },
  };
}

export function runForkGroup(config: BenchConfig): GroupResult {
  const log = new RunLog();
  const populated: Populated[] = [];
  const notes: string[] = [];
  try {
    for (const size of config.forkSizes) {
      progress(`fork: populating ${sizeLabel(size)} (fill, ${PAGE_SIZE} B pages)`);
      collectGarbage();
      const p = populate(size);
      populated.push(p);
      notes.push(
        `populated ${p.label}: ${(p.size / PAGE_SIZE).toLocaleString("en-US")} pages written by fill() in ${p.populateMs.toFixed(0)} ms`,
      );
    }
    const sink: { v: Float64Array | null } = { v: null };
    const tasks: TaskDef[] = [
      { id: "empty", label: "empty task function (timer + call overhead)", unitsPerCall: 1, fn: () => {} },
      {
        id: "f64-0",
        label: "new Float64Array(0)",
        unitsPerCall: 1,
        fn: () => {
          sink.v = new Float64Array(0);
        },
      },
    ];
    for (const p of populated) {
      tasks.push(...forkTasks(p));
      if (p.size <= SLICE_MAX_BYTES) tasks.push(sliceTask(p.size));
    }
    for (let run = 1; run <= config.timing.runs; run++) log.measure("fork", tasks, run, config.timing);
  } finally {
    for (const p of populated) {
      p.space.release();
      const left = p.pool.stats().framesInUse;
      if (left !== 0) notes.push(`LEAK: ${left} frames still in use after releasing the ${p.label} space`);
    }
  }

  const empty = log.values("empty");
  const f64 = log.values("f64-0");
  const f64p99 = log.values("f64-0", "p99");
  const figures: Figure[] = [
    figure({ name: "empty task function (timer + call)", unit: "ns", values: empty }),
    figure({
      name: "new Float64Array(0)",
      unit: "ns",
      values: f64,
      baseline: { name: "empty call", values: empty },
    }),
  ];
  const base = { name: "new Float64Array(0) p50", values: f64 };
  for (const p of populated) {
    const fork = log.values(`fork/${p.label}`);
    figures.push(
      figure({
        name: `fork p50 @ ${p.label}`,
        unit: "ns",
        values: fork,
        baseline: base,
        target: { on: "value", op: "<=", limit: TARGET_P50_NS, text: "p50 <= 2 µs" },
      }),
      figure({
        name: `fork p99 @ ${p.label}`,
        unit: "ns",
        values: log.values(`fork/${p.label}`, "p99"),
        baseline: { name: "new Float64Array(0) p99", values: f64p99 },
      }),
      figure({
        name: `fork+release p50 @ ${p.label}`,
        unit: "ns",
        values: log.values(`fork+release/${p.label}`),
        baseline: base,
      }),
    );
    if (p.size <= SLICE_MAX_BYTES)
      figures.push(
        figure({
          name: `Float64Array slice p50 @ ${p.label}`,
          unit: "ns",
          values: log.values(`slice/${p.label}`),
          baseline: { name: `fork p50 @ ${p.label}`, values: fork },
          note: "contrast: a full copy; ratio = how many forks one copy costs",
        }),
      );
  }
  if (populated.length > 1) {
    const small = populated[0] as Populated;
    const big = populated[populated.length - 1] as Populated;
    figures.push(
      figure({
        name: `fork p50 @ ${big.label} vs @ ${small.label}`,
        unit: "ns",
        values: log.values(`fork/${big.label}`),
        baseline: { name: `fork p50 @ ${small.label}`, values: log.values(`fork/${small.label}`) },
        note: "O(1) check: a ratio near 1 means fork cost does not grow with size",
      }),
    );
  }
  return {
    name: "fork",
    title: "Fork latency",
    method:
      `fork() of spaces populated with fill() (${PAGE_SIZE} B pages). Each sample times one fork() alone; the ` +
      "child is released in tinybench's afterEach hook (untimed), so one child is alive at a time. " +
      "fork()+release() pairs are timed too. Every sample includes one hrtime read (see the empty-call row).",
    figures,
    notes,
    tasks: log.toJSON(),
  };
}
