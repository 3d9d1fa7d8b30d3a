/**
 * Review 31: what a shared pool leaves behind once its pins are gone
 * (share.ts, attach.ts). A pool that shared waits on its pin chunk's wake
 * counter with `Atomics.waitAsync`; a pending wait is a garbage-collection
 * root (the engine's list of waiters holds its promise and callback, and
 * with them the registry, the pool and its slabs). When the owner itself
 * dropped the last pin of the current chunk (`unshare`, `dropWorker`, a
 * worker that had exited), the wait stayed pending forever: every such pool
 * was kept for good with its 16 MiB first slab (measured: 1,000 cycles of a
 * new shared pool, share, unshare and release kept 16 GB of SharedArrayBuffers
 * alive). These tests count the pools the collector took, with a
 * FinalizationRegistry (a WeakRef's `deref()` would keep its target alive
 * until the job ends, the collection run in it included), after all their
 * spaces were released; they run the collector (`--expose-gc`, switched on
 * at run time) between event-loop turns.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { AddressSpace, FramePool } from "../src/index.js";

const PAGE = 256;

/** Pools collected, by test. */
const collected = new Map<string, number>();
const watch = new FinalizationRegistry<string>((name) => collected.set(name, (collected.get(name) ?? 0) + 1));

/** A shared pool with one written version, watched for collection under `name`. */
function sharedPool(name: string): { pool: FramePool; space: AddressSpace } {
  const pool = new FramePool({ shared: true, pageSize: PAGE });
  watch.register(pool, name);
  const space = new AddressSpace({ size: 16 * PAGE, pool });
  space.setUint32(0, 7);
  return { pool, space };
}

/** An object that looks to share() like a Node Worker that has exited (threadId -1). */
function exitedWorker(): object {
  return { threadId: -1, once: () => undefined };
}

/** The ways the last pin of a pool's current chunk is dropped, each with a pool watched under its name. */
const ENDINGS: ReadonlyArray<readonly [string, (name: string) => void]> = [
  [
    "release() of its only space, having never shared",
    (name) => {
      sharedPool(name).space.release();
    },
  ],
  [
    "unshare() of a handle no reader attached",
    (name) => {
      const { pool, space } = sharedPool(name);
      pool.unshare(space.share());
      space.release();
    },
  ],
  [
    "dropWorker() of the worker the handle was made for",
    (name) => {
      const { pool, space } = sharedPool(name);
      const worker = {};
      space.share({ worker });
      expect(pool.dropWorker(worker)).toBe(1);
      space.release();
    },
  ],
  [
    "share({ worker }) for a worker that had exited",
    (name) => {
      const { pool, space } = sharedPool(name);
      space.share({ worker: exitedWorker() });
      expect(pool.stats().sharedHandles).toBe(0);
      space.release();
    },
  ],
  [
    "release() of the attached version in this thread",
    (name) => {
      const { space } = sharedPool(name);
      AddressSpace.attach(space.share()).release();
      space.release();
    },
  ],
  [
    "unshare() of 65 handles, over two pin chunks (64 pins each)",
    (name) => {
      const { pool, space } = sharedPool(name);
      const handles = Array.from({ length: 65 }, () => space.share());
      for (const h of handles) pool.unshare(h);
      space.release();
    },
  ],
  [
    "several handles, dropped one way each",
    (name) => {
      const { pool, space } = sharedPool(name);
      const worker = {};
      space.share({ worker });
      const a = space.share();
      space.setUint32(0, 8); // a second pin fork
      pool.unshare(space.share());
      pool.unshare(a);
      pool.dropWorker(worker);
      space.release();
    },
  ],
];

describe("review 31: a pool whose pins were all dropped can be collected", () => {
  for (const [name, end] of ENDINGS) {
    it(`after ${name}`, async () => {
      for (let i = 0; i < 3; i++) {
        end(name);
        // A turn of the event loop between pools, as an application's would be.
        await new Promise((r) => setImmediate(r));
      }
      const done = () => collected.get(name) === 3;
      await collectUntil(done);
      expect(collected.get(name) ?? 0).toBe(3);
    });
  }
});

describe("review 31: a long-lived worker does not keep the pools that shared with it", () => {
  // share({ worker }) subscribes to the worker's "exit" (to drop its pins if it
  // exits); the listener holds the pool. It stayed after the worker's pins were
  // all dropped, so a worker fed handles from a pool after pool kept every one
  // of those pools alive while it ran (and Node warned of a listener leak past 10).
  const ends: ReadonlyArray<readonly [string, (pool: FramePool, space: AddressSpace, worker: EventEmitter) => void]> = [
    [
      "release() of the attached version",
      (pool, space, worker) => {
        AddressSpace.attach(space.share({ worker })).release();
        pool.stats(); // sweeps, as the owner's wake-up would
      },
    ],
    ["unshare()", (pool, space, worker) => pool.unshare(space.share({ worker }))],
    [
      "dropWorker() called by hand, the worker still running",
      (pool, space, worker) => {
        space.share({ worker });
        space.share({ worker });
        expect(pool.dropWorker(worker)).toBe(2);
      },
    ],
  ];
  for (const [how, end] of ends)
    it(`after ${how}, the worker has no "exit" listener left and the pools are collected`, async () => {
      const name = `worker: ${how}`;
      const worker = new EventEmitter(); // a Node Worker is an EventEmitter
      // The pool and space live in a plain function's frame: the async test's
      // suspended frame could hold its last iteration's locals while it waits.
      const round = () => {
        const { pool, space } = sharedPool(name);
        end(pool, space, worker);
        expect(worker.listenerCount("exit")).toBe(0);
        space.release();
      };
      for (let i = 0; i < 12; i++) {
        round();
        await new Promise((r) => setImmediate(r));
      }
      await collectUntil(() => collected.get(name) === 12);
      expect(collected.get(name) ?? 0).toBe(12);
    });

  it("a worker that exits later still drops the pins made for it, once per pool", () => {
    const worker = new EventEmitter();
    const { pool, space } = sharedPool("worker: exit");
    const a = space.share({ worker });
    pool.unshare(a); // its listener goes
    space.share({ worker });
    space.share({ worker }); // one listener for both
    expect(worker.listenerCount("exit")).toBe(1);
    expect(pool.stats().sharedHandles).toBe(2);
    worker.emit("exit");
    expect(worker.listenerCount("exit")).toBe(0);
    expect(pool.stats().sharedHandles).toBe(0);
    space.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0 });
  });
});
