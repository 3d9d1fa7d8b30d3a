/**
 * Spawning reader threads for the sharing tests: a worker_threads Worker
 * running ../workers/reader.ts through the tsx loader (a devDependency, see
 * ../workers/entry.mjs), so
 * the worker imports the same TypeScript sources as the test, with no build.
 */
import { Worker } from "node:worker_threads";

/** A reader thread and a request/response call over its port. */
export interface Reader {
  readonly worker: Worker;
  /**
   * Sends a request (moving the buffers in `transfer`); resolves with its
   * result, rejects with the worker's error ({ name, reason, message }).
   */
  call(req: object, transfer?: ArrayBuffer[]): Promise<unknown>;
  /** Terminates the thread and waits for its exit event. */
  terminate(): Promise<void>;
}

/** Starts a reader thread. */
export async function spawnReader(): Promise<Reader> {
  // `--import tsx` in execArgv does not reach a worker's entry module on Node 20:
  // entry.mjs registers the loader in the thread, then imports the script.
  const worker = new Worker(new URL("../workers/entry.mjs", import.meta.url), {
    workerData: { script: new URL("../workers/reader.ts", import.meta.url).href },
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  worker.on("message", (msg: { id: number; ok: boolean; result?: unknown; error?: unknown }) => {
    const p = pending.get(msg.id);
    if (p === undefined) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(msg.error);
  });
  const failAll = (e: unknown) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on("error", failAll);
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      failAll({ name: "WorkerExited", message: "the reader exited" });
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    worker.once("online", () => resolve());
    worker.once("error", reject);
  });
  return {
    worker,
    call(req: object, transfer?: ArrayBuffer[]): Promise<unknown> {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, req }, transfer);
      });
    },
    async terminate(): Promise<void> {
      await worker.terminate();
      await exited;
    },
  };
}
