/**
 * What a reader thread keeps of the owner pools it reads (attach.ts), by the
 * owner's pool id: the slab views and a spare view pool, reused by the next
 * attachment of the same owner pool, and held only through WeakRefs once no
 * attachment of that pool is live (see {@link OwnerCache}).
 *
 * @module
 */
import type { FramePool } from "./frame-pool.js";
import type { SharedSpaceHandle } from "./share-format.js";
import { Slab } from "./slab.js";

/**
 * What this thread keeps of an owner pool it reads, by the owner's pool id:
 * the slab views (11 typed arrays per slab, made once) and a spare view pool.
 * Held strongly while an attachment of that owner pool is live; after the
 * last one is released, only through WeakRefs, so that the next handle of
 * the same owner pool reuses them (a steady stream of hand-offs builds no
 * pool and wraps no slab: building them was ~26 us of a ~30 us attach,
 * measured in one thread) while a thread that stops attaching does not keep
 * the owner's slabs alive: the garbage collector may drop them any time.
 */
interface OwnerCache {
  /** The slab views, while attachments > 0; else null (see `weakSlabs`). */
  slabs: Slab[] | null;
  weakSlabs: WeakRef<Slab[]> | null;
  /** Live attachments of this owner pool in this thread. */
  attachments: number;
  /** A view pool whose attachment ended without a fork: clean, reusable. */
  spare: WeakRef<FramePool> | null;
}
const ownerCache = new Map<number, OwnerCache>();

/**
 * The handle's slabs as Slab objects, reused from this thread's cache of the
 * owner pool where it has them (strongly held again from here on); makes
 * the pool's entry if there is none. O(slabs).
 * @internal
 */
export function slabsOf(h: SharedSpaceHandle): Slab[] {
  let cached = ownerCache.get(h.poolId);
  let slabs =
    cached === undefined
      ? undefined
      : (cached.slabs ?? cached.weakSlabs?.deref() ?? cached.spare?.deref()?.slabs.slice());
  if (slabs !== undefined)
    for (let i = 0; i < slabs.length && i < h.slabs.length; i++)
      if ((slabs[i] as Slab).buffer.byteLength !== (h.slabs[i] as SharedArrayBuffer).byteLength) {
        slabs = undefined; // another pool with the same id: do not trust the cache
        cached = undefined;
        break;
      }
  if (cached === undefined) {
    pruneOwnerCache();
    cached = { slabs: null, weakSlabs: null, attachments: 0, spare: null };
    ownerCache.set(h.poolId, cached);
  }
  if (slabs === undefined) slabs = [];
  cached.slabs = slabs;
  cached.weakSlabs = null;
  for (let i = slabs.length; i < h.slabs.length; i++) slabs.push(new Slab(h.slabs[i] as SharedArrayBuffer));
  return slabs.slice(0, h.slabs.length);
}

/**
 * The cached spare view pool of `h`'s owner pool, if the garbage collector
 * left it and it fits the handle (same page and slab size, no more slabs
 * than the handle); it leaves the cache (one attachment per pool). Called
 * after {@link slabsOf}. O(1).
 * @internal
 */
export function takeSpare(h: SharedSpaceHandle): FramePool | null {
  const cached = ownerCache.get(h.poolId) as OwnerCache; // slabsOf made it
  const pool = cached.spare?.deref();
  cached.spare = null;
  if (pool === undefined || pool.spaces.live > 0) return null;
  if (pool.pageSize !== h.pageSize || (pool.slabMask + 1) * pool.pageSize !== h.slabBytes) return null;
  if ((pool.slabs[0] as Slab).buffer.byteLength !== (h.slabs[0] as SharedArrayBuffer).byteLength) return null;
  return pool.slabs.length <= h.slabs.length ? pool : null;
}

/** Drops the entries of owner pools whose slabs the garbage collector took (and no attachment holds). */
function pruneOwnerCache(): void {
  for (const [id, c] of ownerCache)
    if (c.attachments === 0 && c.slabs === null && c.weakSlabs?.deref() === undefined) ownerCache.delete(id);
}

/** Counts a new attachment of owner pool `poolId` (its entry made by {@link slabsOf}). O(1). @internal */
export function attachmentMade(poolId: number): void {
  (ownerCache.get(poolId) as OwnerCache).attachments++;
}

/**
 * Counts the end of an attachment of owner pool `poolId` whose view pool is
 * `pool`: an unforked view pool holds nothing of its own (no local frame,
 * node or refcount), so the next attachment of the same owner pool may take
 * it over; with the last attachment, the slab views are held weakly. O(1).
 * @internal
 */
export function attachmentEnded(poolId: number, pool: FramePool, forked: boolean): void {
  const cached = ownerCache.get(poolId);
  if (cached === undefined) return;
  if (!forked) cached.spare = new WeakRef(pool);
  if (--cached.attachments === 0 && cached.slabs !== null) {
    cached.weakSlabs = new WeakRef(cached.slabs);
    cached.slabs = null;
  }
}
