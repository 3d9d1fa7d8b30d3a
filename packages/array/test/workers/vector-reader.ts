/**
 * A reader thread for the vector sharing test: attaches each CowVector handle
 * it is sent, answers with its elements (and what a fork there does), and
 * releases it.
 */
import { parentPort } from "node:worker_threads";
import { CowVector, type SharedVectorHandle } from "../../src/index.js";

const port = parentPort;
if (port === null) throw new Error("vector-reader.ts runs as a worker");

port.on("message", (msg: { handle: SharedVectorHandle; push: number }) => {
  try {
    const seen = CowVector.attachShared(msg.handle, Float64Array);
    const mine = seen.fork();
    mine.push(msg.push);
    const result = { seen: seen.toTypedArray(), mine: mine.toTypedArray() };
    mine.release();
    seen.release();
    port.postMessage({ ok: true, result });
  } catch (e) {
    const err = e as { name: string; message: string };
    port.postMessage({ ok: false, error: { name: err.name, message: err.message } });
  }
});
