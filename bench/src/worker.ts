/**
 * The child process: runs one case once and prints what it measured.
 *
 *   node --expose-gc --max-old-space-size=<MiB> --import tsx src/worker.ts '<job JSON>'
 *
 * The job is `{ spec: CaseSpec, quick: boolean }`. The result goes to stdout
 * as one line `@@bench-result <JSON>` (`{ status, measurement?, message? }`);
 * progress goes to stderr as `@@bench-progress <text>` lines, which the
 * orchestrator shows beside its bar. Only the workload module the case needs
 * is imported, so a child loads one workload's code and runs one library.
 *
 * A variant that throws is classified here: a failed ArrayBuffer allocation or
 * pagefork's `OutOfMemoryError` is `oom`, anything else `error`. Running out of JS heap kills V8 itself; the
 * orchestrator recognises that from the exit and stderr.
 *
 * @module
 */
import type { CaseSpec, RunContext, VariantRunner, WorkloadId } from "./model.js";
import { PROGRESS_PREFIX, RESULT_PREFIX, type WorkerReply } from "./protocol.js";

type VariantTable = Record<string, VariantRunner>;

/** Dynamic imports, so a child loads only its own workload (and so its libraries). */
const LOADERS: Record<WorkloadId, () => Promise<{ variants: VariantTable }>> = {
  W1: () => import("./workloads/w1-fork-numeric.js"),
  W1b: () => import("./workloads/w1b-bounded-numeric.js"),
  W2: () => import("./workloads/w2-read.js"),
  W3: () => import("./workloads/w3-fork-latency.js"),
  W4: () => import("./workloads/w4-editing-trace.js"),
  W5: () => import("./workloads/w5-map-history.js"),
  W5b: () => import("./workloads/w5b-bounded-map.js"),
  W6: () => import("./workloads/w6-test-isolation.js"),
  W7: () => import("./workloads/w7-page-size.js"),
  W8: () => import("./workloads/w8-core-mechanisms.js"),
  W9: () => import("./workloads/w9-app-state.js"),
  W10: () => import("./workloads/w10-workers.js"),
  W11: () => import("./workloads/w11-persist.js"),
};

const ALLOCATION_FAILED = /allocation failed|out of memory/i;

function classify(e: unknown): WorkerReply {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === "OutOfMemoryError" || (err instanceof RangeError && ALLOCATION_FAILED.test(err.message)))
    return { status: "oom", message: `${err.name}: ${err.message}` };
  const stack = err.stack?.split("\n").slice(0, 6).join("\n") ?? err.message;
  return { status: "error", message: stack };
}

function reply(r: WorkerReply): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`);
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error("usage: worker.ts '<job JSON>'");
  const job = JSON.parse(arg) as { spec: CaseSpec; quick: boolean };
  const { spec } = job;
  const mod = await LOADERS[spec.workload]();
  const run = mod.variants[spec.variant];
  if (run === undefined) throw new Error(`workload ${spec.workload} has no variant "${spec.variant}"`);
  const ctx: RunContext = {
    params: spec.params,
    quick: job.quick,
    progress: (message) => process.stderr.write(`${PROGRESS_PREFIX}${message}\n`),
  };
  try {
    const measurement = await run(ctx);
    reply({ status: "ok", measurement });
  } catch (e) {
    reply(classify(e));
  }
}

main().catch((e: unknown) => {
  reply(classify(e));
  process.exitCode = 1;
});
