/**
 * Runs one case once in its own child process and records what became of it.
 *
 * The child is `node --expose-gc --max-old-space-size=<case heapMiB> --import
 * tsx src/worker.ts <job>` with `NODE_ENV=production` (Immer and Mutative
 * drop their development checks, as in a user's production build). Its result
 * is the `@@bench-result` line on stdout. Without one, the exit says why: V8's
 * "heap out of memory" abort is `oom`, a SIGKILL the orchestrator did not send
 * is `oom` too (the kernel's OOM killer), a kill at the case's time limit is
 * `timeout`, anything else `crashed` with the tail of stderr.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { CaseSpec, RunRecord } from "./model.js";
import { PROGRESS_PREFIX, RESULT_PREFIX, type WorkerReply } from "./protocol.js";

/** Characters of a failed child's stderr kept in the record. */
const STDERR_TAIL = 3000;
const HEAP_OOM = /heap out of memory|Reached heap limit|Allocation failed - JavaScript heap/;

/**
 * Spawns the worker for `spec` (run number `run`), waits for it, and never
 * throws: every outcome becomes a {@link RunRecord}.
 */
export function runCase(
  benchDir: string,
  spec: CaseSpec,
  run: number,
  quick: boolean,
  onDetail: (text: string) => void,
): Promise<RunRecord> {
  const args = [
    "--expose-gc",
    `--max-old-space-size=${spec.heapMiB}`,
    "--import",
    "tsx",
    join(benchDir, "src", "worker.ts"),
    JSON.stringify({ spec, quick }),
  ];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: benchDir,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderrTail = "";
    let partial = "";
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      partial += d;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith(PROGRESS_PREFIX)) onDetail(line.slice(PROGRESS_PREFIX.length));
        else stderrTail = `${stderrTail}${line}\n`.slice(-STDERR_TAIL);
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, spec.timeoutMs);
    child.on("error", (e) => {
      spawnError = e;
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      stderrTail = `${stderrTail}${partial}`.slice(-STDERR_TAIL);
      const wallMs = performance.now() - t0;
      const base = { run, wallMs, exitCode, signal };
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (timedOut) {
        resolve({
          ...base,
          status: "timeout",
          message: `killed at the case's time limit of ${spec.timeoutMs / 1000} s`,
        });
      } else if (line !== undefined) {
        const reply = JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerReply;
        const rec: RunRecord = { ...base, status: reply.status };
        if (reply.message !== undefined) rec.message = reply.message;
        if (reply.measurement !== undefined) rec.measurement = reply.measurement;
        if (reply.status === "error") rec.stderrTail = stderrTail;
        resolve(rec);
      } else if (HEAP_OOM.test(stderrTail)) {
        resolve({ ...base, status: "oom", message: `JS heap limit reached (--max-old-space-size=${spec.heapMiB})` });
      } else if (signal === "SIGKILL") {
        resolve({ ...base, status: "oom", message: "killed by SIGKILL, not by the bench (the kernel's OOM killer?)" });
      } else {
        const why = spawnError?.message ?? `exited with ${signal ?? `code ${exitCode}`} and no result`;
        resolve({ ...base, status: "crashed", message: why, stderrTail });
      }
    });
  });
}
