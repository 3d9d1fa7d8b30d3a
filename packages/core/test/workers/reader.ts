/**
 * A reader thread for the sharing tests: attaches handles it is sent and
 * answers requests about them. Runs as a worker_threads Worker with the tsx
 * loader (see spawnReader in ../support/workers.ts), importing the package's
 * sources, so the tests need no build.
 */
import { parentPort } from "node:worker_threads";
import { AddressSpace, type SharedSpaceHandle, type SpaceCopy } from "../../src/index.js";
import { probe } from "../support/probe.js";

type Request =
  | { op: "attach"; key: number; handle: SharedSpaceHandle }
  | { op: "read"; key: number; addr: number; count: number }
  | { op: "bytes"; key: number }
  | { op: "fork"; key: number; into: number }
  | { op: "set8"; key: number; addr: number; value: number }
  | { op: "view-stats"; key: number }
  | { op: "release-stats"; key: number }
  | { op: "attach-copy"; key: number; copy: SpaceCopy }
  | { op: "probe"; key: number; pageSize: number }
  | { op: "read-loop"; key: number; ms: number }
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
      case "bytes": {
        const s = attached.get(req.key) as AddressSpace;
        const out = new Uint8Array(s.size);
        s.read(0, out);
        result = out;
        break;
      }
      case "fork":
        attached.set(req.into, (attached.get(req.key) as AddressSpace).fork());
        break;
      case "set8":
        (attached.get(req.key) as AddressSpace).setUint8(req.addr, req.value);
        break;
      case "view-stats": {
        const st = (attached.get(req.key) as AddressSpace).pool.stats();
        result = { framesInUse: st.framesInUse, spaces: st.spaces, bytesReserved: st.bytesReserved };
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
      case "release-stats": {
        // Releases, then answers the view pool's counts (read at once: a later attach may reuse the pool).
        const s = attached.get(req.key) as AddressSpace;
        s.release();
        attached.delete(req.key);
        const st = s.pool.stats();
        result = { framesInUse: st.framesInUse, spaces: st.spaces };
        break;
      }
      case "attach-copy":
        attached.set(req.key, AddressSpace.attach(req.copy));
        break;
      case "probe":
        result = probe(attached.get(req.key) as AddressSpace, req.pageSize);
        break;
      case "read-loop": {
        // Reads the whole space again and again for `ms` milliseconds (while the owner writes):
        // answers how many passes read bytes other than the first pass's, and a fork's per pass.
        const s = attached.get(req.key) as AddressSpace;
        const first = new Uint8Array(s.size);
        s.read(0, first);
        const again = new Uint8Array(s.size);
        let passes = 0;
        let differ = 0;
        let forkDiffer = 0;
        const end = Date.now() + req.ms;
        while (Date.now() < end) {
          s.read(0, again);
          passes++;
          if (!again.every((b, i) => b === first[i])) differ++;
          const f = s.fork();
          f.setUint8(passes % s.size, 255 - ((first[passes % s.size] as number) & 1));
          f.read(0, again);
          f.release();
          again[passes % s.size] = first[passes % s.size] as number;
          if (!again.every((b, i) => b === first[i])) forkDiffer++;
        }
        result = { passes, differ, forkDiffer, first };
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
