/**
 * Populating slabs ahead of use (`FramePoolOptions.populate`): one background
 * thread per process writes one word of every 4 KiB of the next few MiB of
 * fresh frames of each populated pool, so the operating system maps those
 * pages before the pool hands the frames out.
 *
 * Why: a page of a new ArrayBuffer costs nothing until its first write, and
 * that first write is a minor page fault in which the kernel finds and zeroes
 * a page: 1.6–2.6 µs per 4 KiB on the bench's VM (bench/README.md, "Where the
 * time goes"). A pool that keeps every version (W1, W5) takes a fresh frame
 * per version, so a quarter of its versions (1 KiB frames) paid that fault on
 * the thread that forks. Linux offers the same thing to C programs as
 * `MAP_POPULATE` and `madvise(MADV_POPULATE_WRITE)`; JavaScript has neither,
 * so a worker thread does the writes on another core.
 *
 * The write is `Atomics.or(word, 0)`: an atomic read-modify-write that leaves
 * the word as it was, so a frame the owning thread is already writing keeps
 * the owner's bytes whichever thread comes first. It needs the slab in a
 * SharedArrayBuffer, which is why a populated pool's slabs are shared buffers.
 *
 * @module
 */
import { throwSharingUnavailable } from "./share-errors.js";

/**
 * Int32 words between two populating writes: one write per 4 KiB, the page
 * size of x86-64 and of most ARM Linux kernels. Where pages are larger (16 KiB
 * on Apple silicon) the extra writes land on a mapped page and cost a few ns.
 */
const WORDS_PER_OS_PAGE = 4096 / Int32Array.BYTES_PER_ELEMENT;

/**
 * Bytes of fresh frames a populated pool keeps handed to the thread ahead of
 * the next frame it will hand out. The thread maps a 4 KiB page in 0.3–2.6 µs
 * (1.5 GB/s or more); W1, the fastest consumer of fresh frames, takes about
 * 1 KiB per µs, so 4 MiB absorbs milliseconds of the thread's start-up and
 * scheduling delays while bounding how far the pool's resident memory runs
 * ahead of its use (at most lead + chunk, 5 MiB per pool).
 * @internal
 */
export const POPULATE_LEAD_BYTES = 4 * 1024 * 1024;
/** Bytes of fresh frames handed out between two requests to the thread: one `postMessage` per MiB. @internal */
export const POPULATE_CHUNK_BYTES = 1024 * 1024;

/** The populating loop, shared by both worker sources below; a job is `[buffer, byteOffset, byteLength]`. */
const TOUCH = `function touch(job) {
  const words = new Int32Array(job[0], job[1], job[2] >>> 2);
  for (let i = 0; i < words.length; i += ${WORDS_PER_OS_PAGE}) Atomics.or(words, i, 0);
}`;

/** Source of the Node worker (`eval: true` runs it as a CommonJS script). */
const NODE_SOURCE = `${TOUCH}
require("node:worker_threads").parentPort.on("message", touch);`;

/** Source of the Web Worker (a classic worker made from a Blob URL). */
const WEB_SOURCE = `${TOUCH}
self.onmessage = (event) => touch(event.data);`;

/** What the pool needs of the thread: a way to hand it a slab. */
interface Populator {
  postMessage(job: [buffer: SharedArrayBuffer, byteOffset: number, byteLength: number]): void;
}

/** The process's populating thread, made by the first populated pool; null until then or after it failed. */
let populator: Populator | null = null;

/** Node's worker_threads through `process.getBuiltinModule` (Node 20.16+, 22.3+): synchronous, and absent from browsers' bundles. */
interface NodeWorker extends Populator {
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): void;
}
type NodeWorkerConstructor = new (source: string, options: { eval: true; name: string }) => NodeWorker;

function nodeWorkerConstructor(): NodeWorkerConstructor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== "function") return null;
  const wt = proc.getBuiltinModule("node:worker_threads") as { Worker?: NodeWorkerConstructor } | undefined;
  return typeof wt?.Worker === "function" ? wt.Worker : null;
}

/** Starts the populating thread (once per process). */
function startPopulator(): Populator {
  const NodeWorkerClass = nodeWorkerConstructor();
  if (NodeWorkerClass !== null) {
    const worker = new NodeWorkerClass(NODE_SOURCE, { eval: true, name: "pagefork populate" });
    worker.unref(); // never keeps a process alive
    // Populating is an optimisation: a thread that dies (out of memory, say) is forgotten, and the next pool starts another.
    worker.on("error", () => {
      if (populator === worker) populator = null;
    });
    return worker;
  }
  const g = globalThis as {
    Worker?: new (url: string, options: { name: string }) => Populator & { onerror: unknown };
    Blob?: typeof Blob;
    URL?: { createObjectURL?: (blob: Blob) => string };
  };
  if (typeof g.Worker !== "function" || typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function")
    throwSharingUnavailable(
      "populate needs a worker thread: Node 20.16 or later (process.getBuiltinModule) or a browser with Web Workers",
    );
  let worker: Populator & { onerror: unknown };
  try {
    worker = new g.Worker(g.URL.createObjectURL(new g.Blob([WEB_SOURCE], { type: "text/javascript" })), {
      name: "pagefork populate",
    });
  } catch (e) {
    // A Content-Security-Policy without `worker-src blob:` refuses the Blob URL.
    throwSharingUnavailable(`populate could not start a worker: ${e instanceof Error ? e.message : String(e)}`);
  }
  worker.onerror = () => {
    if (populator === worker) populator = null;
  };
  return worker;
}

/**
 * Makes sure the populating thread runs, starting it if needed. Called by a
 * pool made with `populate: true`, before it allocates anything.
 *
 * @throws {SharingUnavailableError} where no worker thread can be started.
 * @internal
 */
export function ensurePopulator(): void {
  if (populator === null) populator = startPopulator();
}

/**
 * Hands `byteLength` bytes at `byteOffset` of a slab (both multiples of the
 * pool's page size) to the populating thread, which writes one word per
 * 4 KiB of them in order. O(1) here (one `postMessage` of a shared buffer);
 * the thread's work is O(bytes / 4 KiB). Never throws: a range that cannot be
 * handed over is simply not populated.
 * @internal
 */
export function populate(buffer: SharedArrayBuffer, byteOffset: number, byteLength: number): void {
  try {
    if (populator === null) populator = startPopulator();
    populator.postMessage([buffer, byteOffset, byteLength]);
  } catch {
    // Best effort: the pool works the same without it (its first writes fault on its own thread).
  }
}
