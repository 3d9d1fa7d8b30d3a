// Not a workload: a load-independent instruction profile of JIT code. Reads
// a callgrind output made with per-instruction positions, together with the
// perf map V8 wrote for that process, and prints the instructions executed
// per JS function (self cost; builtins and C++ by their symbols), per call
// where callgrind saw calls to the code object's entry. Given two outputs of
// the same loop with different iteration counts, it prints the difference
// divided by the extra iterations: instructions per iteration with start-up,
// warm-up and compilation cancelled out (JIT compilation still varies a
// little between processes; compare functions, not the total, to ~1%).
//
//   valgrind --tool=callgrind --dump-instr=yes --smc-check=all-non-file \
//     --callgrind-out-file=/tmp/clg.10000 node --single-threaded --perf-basic-prof \
//     --no-compact-code-space --expose-gc bench/src/ab/bounded-case.mjs <dir> W1b 100000 10000
//   (the same with 50000 into /tmp/clg.50000)
//   node bench/src/ab/callgrind-jit.mjs /tmp/clg.10000 /tmp/clg.50000 40000 [rows]
//
// A code object's range is taken from the last perf-map line that covers an
// address (code freed by a deoptimization may be reused by later code).
// `--single-threaded` keeps compilation on the main thread, so the counts do
// not depend on the machine's load; `--no-compact-code-space` keeps code
// where the perf map says it is.
import fs from "node:fs";

function readMap(pid) {
  const entries = [];
  for (const line of fs.readFileSync(`/tmp/perf-${pid}.map`, "utf8").split("\n")) {
    if (!line) continue;
    const a = line.indexOf(" ");
    const b = line.indexOf(" ", a + 1);
    entries.push([Number.parseInt(line.slice(0, a), 16), Number.parseInt(line.slice(a + 1, b), 16), line.slice(b + 1)]);
  }
  return entries; // file order: later lines override earlier ones
}

function profile(file) {
  const text = fs.readFileSync(file, "utf8");
  const pid = /^pid: (\d+)/m.exec(text)[1];
  const names = new Map();
  const records = []; // [address, fn, Ir]
  const callsTo = new Map(); // fn id -> calls
  let fn = "?";
  let fnId = null;
  let lastCfn = null;
  let address = 0;
  let skip = false;
  for (const line of text.split("\n")) {
    if (!line) continue;
    const m = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line);
    if (m) {
      if (m[3] !== undefined) names.set(m[2], m[3]);
      if (m[1] === "fn") {
        fnId = m[2];
        fn = names.get(m[2]) ?? "?";
      } else lastCfn = m[2];
      continue;
    }
    if (line.startsWith("calls=")) {
      callsTo.set(lastCfn, (callsTo.get(lastCfn) ?? 0) + Number(line.slice(6).split(" ")[0]));
      skip = true; // the next cost line is the call's inclusive cost
      continue;
    }
    const c = line[0];
    if ((c >= "0" && c <= "9") || c === "+" || c === "-" || c === "*") {
      const parts = line.split(" ");
      const p = parts[0];
      if (p.startsWith("0x")) address = Number.parseInt(p, 16);
      else if (c === "+") address += Number(p.slice(1));
      else if (c === "-") address -= Number(p.slice(1));
      if (skip) {
        skip = false;
        continue;
      }
      records.push([address, fn, fnId, Number(parts[2] ?? 0)]);
    }
  }
  // Owner of each address seen: the last perf-map entry covering it.
  const addrs = [...new Set(records.map((r) => r[0]))].sort((x, y) => x - y);
  const lowerBound = (v) => {
    let lo = 0;
    let hi = addrs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (addrs[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const owner = new Map();
  for (const [start, size, name] of readMap(pid)) {
    for (let k = lowerBound(start); k < addrs.length && addrs[k] < start + size; k++) owner.set(addrs[k], name);
  }
  const cost = new Map();
  const entryCalls = new Map();
  for (const [a, f, id, ir] of records) {
    const jit = f === "?" || f.startsWith("0x") || f.startsWith("???");
    const key = jit && owner.has(a) ? owner.get(a) : f;
    cost.set(key, (cost.get(key) ?? 0) + ir);
    // a callgrind function named by its entry address, at a code object's start: calls into that object
    if (jit && f.startsWith("0x") && !f.includes("'") && owner.has(a) && !entryCalls.has(`${key}@${id}`)) {
      entryCalls.set(`${key}@${id}`, callsTo.get(id) ?? 0);
    }
  }
  const calls = new Map();
  for (const [k, n] of entryCalls) {
    const key = k.slice(0, k.lastIndexOf("@"));
    calls.set(key, (calls.get(key) ?? 0) + n);
  }
  return { cost, calls };
}

const [fileA, fileB, iterations, rows] = process.argv.slice(2);
const a = profile(fileA);
const b = fileB ? profile(fileB) : { cost: new Map(), calls: new Map() };
const n = Number(iterations ?? 1);
const keys = new Set([...a.cost.keys(), ...b.cost.keys()]);
const out = [];
for (const k of keys) {
  const d = fileB ? (b.cost.get(k) ?? 0) - (a.cost.get(k) ?? 0) : (a.cost.get(k) ?? 0);
  const calls = fileB ? (b.calls.get(k) ?? 0) - (a.calls.get(k) ?? 0) : (a.calls.get(k) ?? 0);
  out.push([d / n, calls > 0 ? d / calls : Number.NaN, calls / n, k]);
}
out.sort((x, y) => Math.abs(y[0]) - Math.abs(x[0]));
console.log(`total ${out.reduce((s, r) => s + r[0], 0).toFixed(1)} instructions per iteration`);
console.log("  per iter  per call  calls/iter  function");
for (const [per, perCall, cpi, k] of out.slice(0, Number(rows ?? 40))) {
  console.log(
    `${per.toFixed(1).padStart(10)} ${Number.isNaN(perCall) ? "".padStart(9) : perCall.toFixed(1).padStart(9)} ${cpi ? cpi.toFixed(2).padStart(11) : "".padStart(11)}  ${k.slice(0, 100)}`,
  );
}
