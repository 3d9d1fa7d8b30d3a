/**
 * The analytics worker: attaches each snapshot it is sent (no copy: it reads
 * the main thread's pages in place), computes its statistics, releases it
 * (which unpins the version on the main thread) and posts the result.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type SharedStateHandle, State } from "@pagefork/state";
import { appSchema, statsOf } from "./schema.js";

const port = parentPort;
if (port === null) throw new Error("worker.ts runs as a worker thread");
const schema = appSchema((workerData as { readings: number }).readings);

port.on("message", (handle: SharedStateHandle) => {
  const t0 = performance.now();
  const version = State.attachShared(handle, schema);
  try {
    const stats = statsOf(version);
    port.postMessage({ stats, ms: performance.now() - t0 });
  } finally {
    version.release();
  }
});
