// W10's reader thread (plain JS: worker threads of the bench's child process
// load it without a TypeScript loader; it imports the built packages, which
// `pnpm bench` builds first). It takes a snapshot in one of three ways, sums
// its part of it on request, and drops it. It also holds a plain
// SharedArrayBuffer copy of the data (the "base" op), summed by the same kind
// of loop: what two threads of this machine give on a bare buffer, measured in
// the same rounds as the snapshot (the baseline of the 2-worker speedup).
import { parentPort } from "node:worker_threads";
import { CowFloat64Array } from "@pagefork/array";

let arr = null; // pagefork: the attached CowFloat64Array
let native = null; // structured clone / transfer: a Float64Array
let base = null; // the baseline: a Float64Array over a SharedArrayBuffer

/**
 * Sum of elements [start, end) of the attached array, one page span at a
 * time: each span is a range of a slab's Float64Array, read by a plain indexed
 * loop, so the inner loop is the native one (no per-element call).
 */
function sumShared(a, start, end) {
  let s = 0;
  const c = a.space.spans(Float64Array, a.byteOffset + start * 8, end - start);
  while (c.next()) {
    const x = c.array;
    for (let i = c.start, e = c.end; i < e; i++) s += x[i];
  }
  return s;
}

function sumNative(a, start, end) {
  let s = 0;
  for (let i = start; i < end; i++) s += a[i];
  return s;
}

const now = () => Number(process.hrtime.bigint());

parentPort.on("message", (m) => {
  if (m.op === "take") {
    const t0 = now();
    if (m.mode === "share") arr = CowFloat64Array.attachShared(m.payload);
    else native = m.payload;
    const t1 = now();
    // hrtime is one monotonic clock for every thread of the process: the owner
    // subtracts its own start time from `heldAt` (one-way latency).
    parentPort.postMessage({ op: "ready", attachNs: t1 - t0, heldAt: t1 });
  } else if (m.op === "ping") {
    // The baseline: a small plain message, answered at once with the same
    // stamp as a hand-off, so its one-way time is Node's delivery alone.
    parentPort.postMessage({ op: "ready", attachNs: 0, heldAt: now() });
  } else if (m.op === "base") {
    base = m.sab === null ? null : new Float64Array(m.sab);
    parentPort.postMessage({ op: "based" });
  } else if (m.op === "sum") {
    const len = m.base ? base.length : arr !== null ? arr.length : native.length;
    const start = Math.floor((len * m.part) / m.parts);
    const end = Math.floor((len * (m.part + 1)) / m.parts);
    const t0 = now();
    const sum = m.base
      ? sumNative(base, start, end)
      : arr !== null
        ? sumShared(arr, start, end)
        : sumNative(native, start, end);
    parentPort.postMessage({ op: "sum", sum, ns: now() - t0 });
  } else if (m.op === "drop") {
    if (arr !== null) arr.release();
    arr = null;
    native = null;
    parentPort.postMessage({ op: "dropped" });
  }
});
