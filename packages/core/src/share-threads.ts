/**
 * The owner's knowledge of the threads that attach its handles, for the pins
 * no worker's exit reaches otherwise (share.ts, `ShareRegistry.dropWorker`).
 *
 * A handle made for worker A (`share({ worker: A })`) but attached by another
 * thread B (forwarded, or posted to the wrong worker) keeps its pin when A
 * exits: B still reads it. Before review 33 that pin was then tied to nothing,
 * and B ending without releasing it (terminated, or crashed) pinned the
 * version, its frames and its pin fork, for as long as the pool lived. The
 * pin word says which thread attached it (Node's `threadId + 1`, its tag),
 * and Node never reuses a thread id in a process; so the owner can tell:
 *
 * - B was met (a handle was made for it, `share({ worker: B })`, and its
 *   `Worker` object is still reachable) and has exited: the pin is dropped;
 * - B was met and runs: the pin is tied to B (its exit or its release drops it);
 * - B was never met: the pin waits, keyed by B's tag, for the first handle
 *   made for B (then it is tied to B), or for B's release. A thread the
 *   owner never names (a worker of a worker, say) cannot be told dead: its
 *   pin stays until it releases it (a leak if it never does, never a wrong
 *   free: see docs/workers.md).
 *
 * @module
 */

/** Node Workers met by one registry, by thread tag, and the pins waiting for a worker of theirs. @internal */
export class AttachingThreads {
  /** Workers met (`share({ worker })`), held weakly: a Worker the program dropped is forgotten. */
  private readonly met: Map<number, WeakRef<object>>;
  /** Size of `met` past which its collected entries are pruned (doubles with the live ones). */
  private pruneAt: number;
  /** Pins attached by a thread no worker met names, by that thread's tag. */
  private readonly waiting: Map<number, Set<number>>;

  constructor() {
    this.met = new Map();
    this.pruneAt = 64;
    this.waiting = new Map();
  }

  /**
   * Records `worker`, a Node `Worker` of thread tag `tag` (not 0), and
   * returns the pins waiting for a thread of that tag (forgotten here: the
   * caller ties them to `worker`), or undefined. O(1) amortised.
   */
  meet(worker: object, tag: number): ReadonlySet<number> | undefined {
    if (this.met.get(tag)?.deref() !== worker) {
      this.met.set(tag, new WeakRef(worker));
      if (this.met.size > this.pruneAt) {
        for (const [t, ref] of this.met) if (ref.deref() === undefined) this.met.delete(t);
        this.pruneAt = Math.max(64, this.met.size * 2);
      }
    }
    const ids = this.waiting.get(tag);
    if (ids !== undefined) this.waiting.delete(tag);
    return ids;
  }

  /** The worker met whose thread tag is `tag` (undefined: none, or no longer reachable). O(1). */
  workerOf(tag: number): object | undefined {
    return this.met.get(tag)?.deref();
  }

  /** Pin `id`, attached by the thread of tag `tag`, waits for a worker of that tag to be met. O(1). */
  wait(tag: number, id: number): void {
    let ids = this.waiting.get(tag);
    if (ids === undefined) {
      ids = new Set();
      this.waiting.set(tag, ids);
    }
    ids.add(id);
  }

  /** Pin `id` (of tag `tag`) was dropped: it waits no more. O(1). */
  dropped(tag: number, id: number): void {
    const ids = this.waiting.get(tag);
    if (ids?.delete(id) && ids.size === 0) this.waiting.delete(tag);
  }
}
