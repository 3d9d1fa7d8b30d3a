// Not a workload: the self time of a V8 `.cpuprofile` (from `node --cpu-prof`
// or bounded-case.mjs's PROFILE) by function, in % of the samples, or, given a
// function name, by source line of that function (the lines of functions
// TurboFan inlined are the inlined function's own, under its name). Lines are
// printed from the profiled file (the built dist), so a profile is read
// against the build it was made of.
//
//   node bench/src/ab/cpuprofile-top.mjs <file.cpuprofile> [rows]
//   node bench/src/ab/cpuprofile-top.mjs <file.cpuprofile> --lines <function> [rows]
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const profile = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const byLines = process.argv[3] === "--lines";
const fn = byLines ? process.argv[4] : null;
const rows = Number(process.argv[byLines ? 5 : 3] ?? 30);
const total = profile.samples.length;
const pct = (n) => ((100 * n) / total).toFixed(1).padStart(5);
const where = (f) => `${f.url.split("/").slice(-3).join("/")}:${f.lineNumber + 1}`;

if (!byLines) {
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map();
  for (const node of profile.nodes) {
    const n = hits.get(node.id);
    if (n === undefined) continue;
    const key = `${node.callFrame.functionName || "(anonymous)"} ${where(node.callFrame)}`;
    self.set(key, (self.get(key) ?? 0) + n);
  }
  console.log(`${total} samples`);
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(pct(n), key);
} else {
  const ticks = new Map(); // "url\tline" -> ticks
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== fn || !node.positionTicks) continue;
    for (const t of node.positionTicks) {
      const key = `${node.callFrame.url}\t${t.line}`;
      ticks.set(key, (ticks.get(key) ?? 0) + t.ticks);
    }
  }
  const sources = new Map();
  const lineOf = (url, line) => {
    if (!sources.has(url)) {
      let text = [];
      try {
        text = fs.readFileSync(url.startsWith("file:") ? fileURLToPath(url) : url, "utf8").split("\n");
      } catch {}
      sources.set(url, text);
    }
    return (sources.get(url)[line - 1] ?? "").trim().slice(0, 110);
  };
  console.log(`${total} samples; lines of ${fn}`);
  for (const [key, n] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    const [url, line] = key.split("\t");
    console.log(pct(n), `${url.split("/").slice(-3).join("/")}:${line}`, lineOf(url, Number(line)));
  }
}
