/**
 * The owner's ties between pins and the workers they were made for
 * (`share({ worker })`): when a Node `Worker` emits "exit", the pins made
 * for it are dropped (share.ts decides which: see ShareRegistry.dropWorker).
 * One "exit" listener per worker while it has a pin of the pool; the
 * listener holds the registry, so the pool and its slabs, and is removed
 * with the worker's last pin: left behind, a long-lived worker fed handles
 * from pool after pool kept every one of those pools alive.
 *
 * @module
 */
import { throwInvalid } from "./errors.js";
import { MAX_THREAD_TAG, type ShareOptions, type WorkerLike } from "./share-format.js";

/** The pins made for one worker, and the "exit" listener that drops them. */
interface WorkerPins {
  readonly ids: Set<number>;
  /** Subscribed to the worker's "exit"; null when the worker has no `once`. */
  readonly onExit: (() => void) | null;
}

/** The pins of one registry tied to each worker. @internal */
export class WorkerTies {
  private readonly byWorker: Map<object, WorkerPins>;
  /** Called with a worker that exited (the registry drops its pins). */
  private readonly exited: (worker: object) => void;

  constructor(exited: (worker: object) => void) {
    this.byWorker = new Map();
    this.exited = exited;
  }

  /**
   * Ties pin `id` to `worker`: the worker's first pin subscribes one "exit"
   * listener (a listener per pin, or per share/dropWorker cycle, piled up on
   * a long-lived worker, and Node warned of a leak past 10). O(1).
   */
  tie(worker: object, id: number): void {
    let pins = this.byWorker.get(worker);
    if (pins === undefined) {
      const w = worker as Partial<WorkerLike>;
      const onExit = typeof w.once === "function" ? () => this.exited(worker) : null;
      pins = { ids: new Set(), onExit };
      this.byWorker.set(worker, pins);
      if (onExit !== null) (w as WorkerLike).once("exit", onExit);
    }
    pins.ids.add(id);
  }

  /** Unties pin `id` (dropped) from `worker`; with its last pin, the worker is forgotten. O(1). */
  untie(worker: object, id: number): void {
    const pins = this.byWorker.get(worker);
    if (pins?.ids.delete(id) && pins.ids.size === 0) this.forget(worker, pins);
  }

  /** Forgets `worker` and returns the ids of the pins tied to it (undefined: none). O(1). */
  take(worker: object): ReadonlySet<number> | undefined {
    const pins = this.byWorker.get(worker);
    if (pins === undefined) return undefined;
    this.forget(worker, pins);
    return pins.ids;
  }

  /** Forgets `worker` and removes its "exit" listener. O(1). */
  private forget(worker: object, pins: WorkerPins): void {
    this.byWorker.delete(worker);
    const off = (worker as Partial<WorkerLike>).removeListener;
    // After "exit" the listener is gone already (once): removing it again does nothing.
    if (pins.onExit !== null && typeof off === "function") off.call(worker, "exit", pins.onExit);
  }
}

/** Whether `worker` is a Node `Worker` that exited (Node sets its `threadId` to -1 then). @internal */
export function hasExited(worker: object): boolean {
  const w = worker as { threadId?: unknown; once?: unknown };
  return w.threadId === -1 && typeof w.once === "function";
}

/** The thread tag of a Node `Worker` (`threadId + 1`), 0 for anything else. @internal */
export function tagOf(worker: object | null): number {
  const id = (worker as { threadId?: unknown } | null)?.threadId;
  return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < MAX_THREAD_TAG ? id + 1 : 0;
}

/**
 * The worker `share()`'s options name, or null.
 * @throws {InvalidArgumentError} when the options or the worker are not objects.
 * @internal
 */
export function workerOf(options: ShareOptions | undefined): object | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== "object") throwInvalid("options", options, "an object { worker? }");
  const w = options.worker;
  if (w === undefined) return null;
  if (w === null || (typeof w !== "object" && typeof w !== "function"))
    throwInvalid("worker", w, "a Worker (or any object identifying the reader)");
  return w;
}
