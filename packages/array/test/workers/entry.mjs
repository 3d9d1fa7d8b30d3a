// Worker entry for the vector sharing test: registers the tsx loader (a
// devDependency) in this thread, then runs the TypeScript worker named by
// workerData.script. The thread runs with `--conditions=source` (see
// vector-share.test.ts), so `@pagefork/core` resolves to its sources, as in
// the test itself: no build needed.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.script);
