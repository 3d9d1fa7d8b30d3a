// Not a workload: W4's pagefork loop (a `CowText` forked per edit of a real
// editing trace, 256 B pages) for several builds in ONE process, rounds
// rotating between them (each build its own copy of the loop function, so
// each stays monomorphic), CPU time per edit (process.cpuUsage) per round.
// Each build warms up as the bench does (the trace's first 10,000 edits on
// two throwaway texts), then replays the trace from its start, <edits> per
// round; at the end of a round every version of it but the newest is
// released (the bench keeps them all: here the frames are recycled, so the
// figure is the code's, not first-touch memory's), and past the trace's end
// the replay starts again on a new text. Prints, per build after the first,
// the median and quartiles of its per-round ratio to the first build. Pass
// the first build twice (two directories holding the same dist) to get an
// A/A beside.
//
//   node --expose-gc bench/src/ab/w4-inproc.mjs <trace> <rounds> <edits-per-round> <dir-A> <dir-B> [<dir-A-copy> ...]
import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { quantile, ratioSummary } from "./ab-stats.mjs";

const [name, roundsArg, perArg, ...dirs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const per = Number(perArg);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const json = JSON.parse(
  gunzipSync(readFileSync(join(root, "data", "editing-traces", `${name}.json.gz`))).toString("utf8"),
);
const start = json.startContent ?? "";
const pos = [];
const del = [];
const ins = [];
for (const t of json.txns)
  for (const [p, d, s] of t.patches) {
    pos.push(p);
    del.push(d);
    ins.push(s);
  }
const P = Int32Array.from(pos);
const D = Int32Array.from(del);
const E = P.length;
// w4-editing-trace.ts `textLoop`, compiled once per build
const SRC =
  "let text = vs[from - base]; for (let i = from; i < to; i++) { text = text.fork(); const p = pos[i]; const d = del[i]; const s = ins[i];" +
  " if (d !== 0) text.delete(p, d); if (s.length !== 0) text.insert(p, s); vs[i + 1 - base] = text; }";

function fresh(b) {
  const t = new b.CowText({ pool: b.pool });
  if (start.length > 0) t.insert(0, start);
  b.at = 0;
  return t;
}

const builds = [];
for (const dir of dirs) {
  const load = (p) => import(pathToFileURL(`${dir}/packages/${p}/dist/index.js`).href);
  const core = await load("core");
  const { CowText } = await load("string");
  const loop = new Function("vs", "pos", "del", "ins", "from", "to", "base", SRC);
  for (let w = 0; w < 2; w++) {
    const pool = new core.FramePool({ pageSize: 256 });
    const n = Math.min(10_000, E);
    const vs = new Array(n + 1);
    vs[0] = new CowText({ pool });
    if (start.length > 0) vs[0].insert(0, start);
    loop(vs, P, D, ins, 0, n, 0);
    for (const v of vs) v.release();
  }
  const b = { dir, CowText, loop, pool: new core.FramePool({ pageSize: 256 }), cpu: [] };
  b.text = fresh(b);
  builds.push(b);
}
globalThis.gc?.();
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(r + j) % builds.length];
    if (b.at >= E) {
      b.text.release();
      b.text = fresh(b);
    }
    const to = Math.min(E, b.at + per);
    const vs = new Array(to - b.at + 1);
    vs[0] = b.text;
    const c0 = process.cpuUsage();
    b.loop(vs, P, D, ins, b.at, to, b.at);
    const c = process.cpuUsage(c0);
    b.cpu.push(((c.user + c.system) * 1000) / (to - b.at));
    for (let k = 0; k < vs.length - 1; k++) vs[k].release();
    b.text = vs[vs.length - 1];
    b.at = to;
  }
}
const out = { trace: name, rounds, per, load: [load0, os.loadavg()[0]], builds: [] };
for (const b of builds) {
  out.builds.push({ dir: b.dir, medianNs: Math.round(quantile(b.cpu, 0.5)), ...ratioSummary(b.cpu, builds[0].cpu) });
}
console.log(JSON.stringify(out));
