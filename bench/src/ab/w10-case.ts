/**
 * Not a workload: runs one W10 case (default: pagefork's share at 256 MiB)
 * in this process and prints its figures on one line with the load average,
 * to repeat it a few times on a shared machine without the whole bench:
 * `node --expose-gc --import tsx bench/src/ab/w10-case.ts [bytes] [variant] [quick]`
 * (the reader threads import the built packages: build them first).
 */
import os from "node:os";
import type { Measurement, RunContext } from "../model.js";
import { variants } from "../workloads/w10-workers.js";

const MiB = 2 ** 20;
const bytes = Number(process.argv[2] ?? 256 * MiB);
const variant = process.argv[3] ?? "pagefork-share";
const quick = process.argv[4] === "quick";
const runner = variants[variant];
if (runner === undefined) throw new Error(`unknown variant ${variant}: ${Object.keys(variants).join(", ")}`);
const ctx: RunContext = { params: { bytes }, quick, progress: () => {} };
const t0 = Date.now();
const m: Measurement = await runner(ctx);
const f = (key: string, scale: number, digits: number): string => ((m.metrics[key] as number) / scale).toFixed(digits);
const list = (key: string): string => (m.samples?.[key] ?? []).map((x) => x.toFixed(2)).join(" ");
console.log(
  JSON.stringify({
    MiB: bytes / MiB,
    variant,
    loadAtEnd: os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" "),
    seconds: (Date.now() - t0) / 1000,
    ownerUs: f("handoff1Ns", 1e3, 1),
    owner2Us: f("handoff2Ns", 1e3, 1),
    attachUs: f("attachNs", 1e3, 1),
    heldUs: f("heldNs", 1e3, 1),
    held2Us: f("held2Ns", 1e3, 1),
    postUs: f("postNs", 1e3, 1),
    pingUs: f("pingNs", 1e3, 1),
    ping2Us: f("ping2Ns", 1e3, 1),
    addedUs: f("addedNs", 1e3, 1),
    added2Us: f("added2Ns", 1e3, 1),
    mainMs: f("sumMainMs", 1, 1),
    oneMs: f("sum1Ms", 1, 1),
    twoMs: f("sum2Ms", 1, 1),
    speedup2: f("speedup2", 1, 2),
    bareSpeedup2: f("baseSpeedup2", 1, 2),
    sumVsBare: f("sumVsBare", 1, 2),
    loadDuringSums: f("loadAvg", 1, 1),
    perRound: list("speedup2"),
    barePerRound: list("baseSpeedup2"),
  }),
);
