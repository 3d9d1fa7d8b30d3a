/**
 * A reader thread for the sharing tests: attaches handles it is sent and
 * answers requests about them. Runs as a worker_threads Worker with the tsx
 * loader (see spawnReader in ../support/workers.ts), importing the package's
 * sources, so the tests need no build.
 */
import { parentPort } from "node:worker_threads";
import { AddressSpace, type SharedSpaceHandle } from "../../src/index.js";

type Request =
  | { op: "attach"; key: number; handle: SharedSpaceHandle }
  | { op: "read"; key: number; addr: number; count: number }
  | { op: "write"; key: number; addr: number }
  | { op: "fork-write"; key: number; addr: number; value: number }
  | { op: "release"; key: number }
  | { op: "pool"; key: number }
  | { op: "attach-bad"; handle: unknown };

const attached = new Map<number, AddressSpace>();
/** A number per view pool seen, so the owner can tell whether two attachments used the same one. */
const poolIds = new WeakMap<object, number>();
let nextPoolId = 1;
const port = parentPort;
if (port === null) throw new Error("reader.ts runs as a worker");

function errorOf(e: unknown): { name: string; reason?: string | undefined; message: string } {
  const err = e as { name: string; reason?: string; message: string };
  return { name: err.name, reason: err.reason, message: err.message };
}

port.on("message", (msg: { id: number; req: Request }) => {
  const { id, req } = msg;
  try {
    let result: unknown = null;
    switch (req.op) {
      case "attach":
        attached.set(req.key, AddressSpace.attach(req.handle));
        break;
      case "attach-bad":
        AddressSpace.attach(req.handle as SharedSpaceHandle);
        break;
      case "read": {
        const s = attached.get(req.key) as AddressSpace;
        const out = new Float64Array(req.count);
        for (let i = 0; i < req.count; i++) out[i] = s.getFloat64(req.addr + i * 8);
        result = out;
        break;
      }
      case "write":
        (attached.get(req.key) as AddressSpace).setFloat64(req.addr, 1);
        break;
      case "fork-write": {
        const s = attached.get(req.key) as AddressSpace;
        const f = s.fork();
        f.setFloat64(req.addr, req.value);
        result = [f.getFloat64(req.addr), s.getFloat64(req.addr)];
        f.release();
        break;
      }
      case "pool": {
        const pool = (attached.get(req.key) as AddressSpace).pool;
        if (!poolIds.has(pool)) poolIds.set(pool, nextPoolId++);
        result = poolIds.get(pool);
        break;
      }
      case "release":
        (attached.get(req.key) as AddressSpace).release();
        attached.delete(req.key);
        break;
    }
    port.postMessage({ id, ok: true, result });
  } catch (e) {
    port.postMessage({ id, ok: false, error: errorOf(e) });
  }
});
