// Starts src/worker.ts in a worker thread: registers the tsx loader there
// (Node 20 does not pass `--import tsx` on to a worker's entry module), with
// the tsconfig the main thread names (the root one maps @pagefork/* to the
// sources, as in the tests; the example's own resolves them to dist/).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register(workerData.tsconfig === undefined ? {} : { tsconfig: workerData.tsconfig });
await import(new URL("./worker.ts", import.meta.url).href);
