/**
 * Group "fault": the cost of a write fault.
 *
 * - COW copy: fork a populated space, then time the first write to each of N
 *   distinct pages in the child (the fork itself is in tinybench's
 *   `beforeEach` hook, the child's release in `afterEach`, both untimed).
 *   Baseline: `Uint8Array.prototype.copyWithin` of N page-sized blocks inside a
 *   slab-sized (64 MiB) buffer, that is, the copy the fault cannot avoid.
 * - Reuse: pages whose frame has refcount 1 but whose write-TLB entry was shot
 *   down (fork, release the child, write). Baseline: one native store per page.
 *
 * @module
 */
import { AddressSpace, DEFAULT_SLAB_BYTES, FramePool, PT_FANOUT } from "@pagefork/core";
import type { BenchConfig } from "./cli.js";
import {
  copyPagesWithin,
  storeOnePerPage,
  writeOnce,
  writeSequentialPagesCow,
  writeSequentialPagesReuse,
  writeStridedPagesCow,
} from "./fault-loops.js";
import { figure, type GroupResult } from "./figures.js";
import { progress, RunLog, type TaskDef } from "./harness.js";
import { MiB, PAGE_SIZE, sizeLabel } from "./sizes.js";

const SPACE_BYTES = 64 * MiB;
const FAULTS_PER_CALL = 1024;

export function runFaultGroup(config: BenchConfig): GroupResult {
  const ps = PAGE_SIZE;
  const pages = SPACE_BYTES / ps;
  const n = FAULTS_PER_CALL;
  const stride = PT_FANOUT;
  if (n * stride > pages) throw new Error("fault: space too small for the strided pattern");
  progress(`fault: populating a ${sizeLabel(SPACE_BYTES)} space (${ps} B pages)`);
  const pool = new FramePool({ pageSize: ps });
  const parent = new AddressSpace({ size: SPACE_BYTES, pool });
  parent.fill(0x5a, 0, SPACE_BYTES);

  const buffer = new Uint8Array(DEFAULT_SLAB_BYTES).fill(0x5a);
  const f64 = new Float64Array(buffer.buffer);
  const notes: string[] = [];

  // Check once, outside the timing, that each pattern takes exactly the faults it claims.
  {
    const c = parent.fork();
    writeSequentialPagesCow(c, n, ps);
    const s = c.stats();
    if (s.copyFaults !== n) throw new Error(`fault check: ${s.copyFaults} copy faults, expected ${n}`);
    notes.push(
      `sequential COW: ${n} copy faults copied ${s.bytesCopied / n} B of page and ` +
        `${(s.pageTableBytesCopied / n).toFixed(1)} B of page table per fault`,
    );
    c.release();
    const d = parent.fork();
    writeStridedPagesCow(d, n, stride, ps);
    const t = d.stats();
    if (t.copyFaults !== n) throw new Error(`fault check: ${t.copyFaults} strided copy faults, expected ${n}`);
    notes.push(
      `strided COW (every ${stride}th page, one per leaf node): ` +
        `${(t.pageTableBytesCopied / n).toFixed(1)} B of page table copied per fault`,
    );
    d.release();
    parent.fork().release();
    const before = parent.stats().reuseFaults;
    writeSequentialPagesReuse(parent, n, ps);
    const got = parent.stats().reuseFaults - before;
    if (got !== n) throw new Error(`fault check: ${got} reuse faults, expected ${n}`);
  }

  const held: { child: AddressSpace | null; page: number } = { child: null, page: 0 };
  const fork = () => {
    held.child = parent.fork();
  };
  const release = () => {
    held.child?.release();
    held.child = null;
  };
  const half = buffer.length / 2;
  const tasks: TaskDef[] = [
    {
      id: "copy-page",
      label: "copyWithin of one page in a 64 MiB buffer",
      unitsPerCall: n,
      fn: () => {
        copyPagesWithin(buffer, 0, half, n, ps);
      },
    },
    {
      id: "cow-seq",
      label: `COW fault, first write to ${n} consecutive pages of a fork`,
      unitsPerCall: n,
      beforeEach: fork,
      fn: () => {
        writeSequentialPagesCow(held.child as AddressSpace, n, ps);
      },
      afterEach: release,
    },
    {
      id: "cow-stride",
      label: `COW fault, first write to every ${stride}th page of a fork`,
      unitsPerCall: n,
      beforeEach: fork,
      fn: () => {
        writeStridedPagesCow(held.child as AddressSpace, n, stride, ps);
      },
      afterEach: release,
    },
    {
      id: "first-write",
      label: "first write after fork (one page)",
      unitsPerCall: 1,
      beforeEach: () => {
        held.page = (held.page + 97) % pages;
        fork();
      },
      fn: () => {
        writeOnce(held.child as AddressSpace, held.page * ps);
      },
      afterEach: release,
    },
    {
      id: "store-page",
      label: "native store of one float64 per page",
      unitsPerCall: n,
      fn: () => {
        storeOnePerPage(f64, n, ps / 8);
      },
    },
    {
      id: "reuse",
      label: `reuse fault, first write to ${n} private pages after a shootdown`,
      unitsPerCall: n,
      beforeEach: () => {
        parent.fork().release();
      },
      fn: () => {
        writeSequentialPagesReuse(parent, n, ps);
      },
    },
  ];
  const log = new RunLog();
  try {
    for (let run = 1; run <= config.timing.runs; run++) log.measure("fault", tasks, run, config.timing);
  } finally {
    release();
    parent.release();
    const left = pool.stats().framesInUse;
    if (left !== 0) notes.push(`LEAK: ${left} frames still in use after releasing every space`);
  }

  const copy = { name: "copyWithin one page", values: log.values("copy-page") };
  return {
    name: "fault",
    title: "Write-fault cost",
    method:
      `A ${sizeLabel(SPACE_BYTES)} space (${ps} B pages) is populated; each sample forks it (untimed), writes one ` +
      `float64 to each of ${n} distinct pages of the child (timed) and releases the child (untimed). Figures are ` +
      "per fault (p50 of calls / faults per call). The reuse sample forks and releases a child (untimed) and then " +
      "writes to the parent's now-private pages.",
    figures: [
      figure({ name: "copyWithin of one page (64 MiB buffer)", unit: "ns", values: copy.values }),
      figure({
        name: "COW fault, consecutive pages",
        unit: "ns",
        values: log.values("cow-seq"),
        baseline: copy,
        target: { on: "ratio", op: "<=", limit: 1.6, text: "<= 1.6x copyWithin" },
      }),
      figure({
        name: `COW fault, every ${stride}th page (leaf copy each)`,
        unit: "ns",
        values: log.values("cow-stride"),
        baseline: copy,
      }),
      figure({
        name: "first write after fork (one page)",
        unit: "ns",
        values: log.values("first-write"),
        baseline: copy,
        note: "includes the page-table path copy from the root and a new write TLB",
      }),
      figure({ name: "native store, one float64 per page", unit: "ns", values: log.values("store-page") }),
      figure({
        name: "reuse fault (refcount 1, TLB flushed)",
        unit: "ns",
        values: log.values("reuse"),
        baseline: { name: "native store per page", values: log.values("store-page") },
        target: { on: "value", op: "<=", limit: 50, text: "<= 50 ns" },
      }),
    ],
    notes,
    tasks: log.toJSON(),
  };
}
