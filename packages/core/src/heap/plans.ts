/**
 * The plans of one heap handle's calls: what each `plan*` step decided and
 * its `commit*` step applies (blocks.ts, page-allocator.ts). Each
 * {@link Heap} makes one set when it is created and passes it to every
 * call, so nothing is allocated per call.
 *
 * Per handle, not per module: between a plan and its commit a heap call
 * reserves frames, which may run the pool's out-of-memory hook, and the hook
 * is user code that may use other heaps. With module-wide plans such a hook
 * overwrote the plan of the call it interrupted, which then committed the
 * other heap's decisions into its own heap (test/heap-hook.test.ts). A hook
 * that changes the very heap being called (through another handle on the
 * same space) is not supported: the plan is then stale.
 *
 * @module
 */
import { AllocPlan, BlockInfo, FreePlan } from "./blocks.js";
import { ReleasePlan, RunPlan, TakePlan } from "./page-allocator.js";

/** One heap handle's plans (see the module comment). */
export class HeapPlans {
  /** allocPage. */
  readonly take = new TakePlan();
  /** allocPages. */
  readonly run = new RunPlan();
  /** freePage, freePages, and the tail freed by a shrinking realloc. */
  readonly release = new ReleasePlan();
  /** The block that free, usableSize and realloc located. */
  readonly block = new BlockInfo();
  /** malloc, calloc, a moving realloc. */
  readonly alloc = new AllocPlan();
  /** free, a moving realloc. */
  readonly free = new FreePlan();
}
