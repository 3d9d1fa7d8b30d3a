/**
 * Runs a bundled child script in a fresh Node process with V8 flags
 * (`--trace-deopt`, `--allow-natives-syntax`, ...) and resolves to its exit
 * status and output. Asynchronous on purpose: a synchronous wait for the child
 * (19 s at load ~13 on 2 cores) blocks the test worker, whose vitest RPC
 * times out after 60 s (test/support/turn.ts).
 */
import { execFile } from "node:child_process";

export interface ChildRun {
  /** The exit code; null when the child was killed (a signal or the timeout). */
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runChild(flags: readonly string[], script: string, maxBuffer = 64 * 1024 * 1024): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...flags, script],
      { encoding: "utf8", maxBuffer, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
    );
  });
}
