// Worker entry for the sharing tests: registers the tsx loader (a
// devDependency) in this thread, then runs the TypeScript worker named by
// workerData.script, which imports the package's sources: no build needed.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.script);
