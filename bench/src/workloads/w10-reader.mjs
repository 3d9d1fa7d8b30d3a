// W10's reader thread (plain JS: worker threads of the bench's child process
// load it without a TypeScript loader; it imports the built packages, which
// `pnpm bench` builds first). It takes a snapshot in one of three ways, sums
// its part of it on request, and drops it.
import { parentPort } from "node:worker_threads";
import { CowFloat64Array } from "@pagefork/array";

let arr = null; // pagefork: the attached CowFloat64Array
let native = null; // structured clone / transfer: a Float64Array

/** Sum of elements [start, end) of the attached array, one page span at a time. */
function sumShared(start, end) {
  let s = 0;
  const c = arr.space.spans(Float64Array, arr.byteOffset + start * 8, end - start);
  while (c.next()) {
    const a = c.array;
    for (let i = c.start, e = c.end; i < e; i++) s += a[i];
  }
  return s;
}

function sumNative(start, end) {
  let s = 0;
  const a = native;
  for (let i = start; i < end; i++) s += a[i];
  return s;
}

parentPort.on("message", (m) => {
  if (m.op === "take") {
    const t0 = process.hrtime.bigint();
    if (m.mode === "share") arr = CowFloat64Array.attachShared(m.payload);
    else native = m.payload;
    const attachNs = Number(process.hrtime.bigint() - t0);
    parentPort.postMessage({ op: "ready", attachNs });
  } else if (m.op === "sum") {
    const len = arr !== null ? arr.length : native.length;
    const start = Math.floor((len * m.part) / m.parts);
    const end = Math.floor((len * (m.part + 1)) / m.parts);
    const t0 = process.hrtime.bigint();
    const sum = arr !== null ? sumShared(start, end) : sumNative(start, end);
    parentPort.postMessage({ op: "sum", sum, ns: Number(process.hrtime.bigint() - t0) });
  } else if (m.op === "drop") {
    if (arr !== null) arr.release();
    arr = null;
    native = null;
    parentPort.postMessage({ op: "dropped" });
  }
});
