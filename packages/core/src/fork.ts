/**
 * The lifecycle of an address space: the work of `fork()` before and after
 * it constructs the child, and of `release()`. The class keeps the two
 * public methods (their TSDoc, the released check, and the one `new
 * AddressSpace` that every space goes through, so all spaces share one
 * hidden class); their bodies live here, typed against {@link SpaceState}.
 *
 * Cost. fork() runs once per edit in an undo history (W8: ~60 ns p50), so
 * nothing here allocates, and the commit charge's rare paths (an attached
 * version's pool, a hook that changed the mappings, a full registry) are
 * out of line. The package is bundled (tsup), so these calls are calls
 * within one module scope, which TurboFan inlines as it did the methods'
 * bodies before they moved here.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import type { Attachment } from "./attach.js";
import type { FramePool } from "./frame-pool.js";
import { settleForkCharge } from "./overcommit.js";
import { dropTlbs, type SpaceState } from "./space-state.js";

/**
 * The hand-off from `fork()` to the constructor: `fork()` sets `parent` and
 * passes this one preallocated object as the options, and the constructor,
 * recognising it by identity, takes the parent and clears the field (so the
 * object keeps no space alive). No options object and no validation per fork,
 * and every space is made by the one constructor (one hidden class).
 * @internal
 */
export class ForkHandoff {
  /** Ignored: a fork has its parent's size. Here so the object is an AddressSpaceOptions. */
  readonly size = 1;
  /** The space being forked, until the constructor takes it. */
  parent: AddressSpace | null = null;
  /** Its page-table root, read once by fork() (`root` is an accessor over the registry). */
  root = 0;
}

/** The one {@link ForkHandoff} of the module. @internal */
export const forkHandoff = new ForkHandoff();

/**
 * fork()'s commit charge for a space of an attached version's pool, whose
 * first fork then takes private page-table nodes and refcount bytes
 * (attach.ts). When those are refused (OutOfMemoryError) the charge and its
 * peak are taken back, so the refused fork changes nothing. Out of line:
 * {@link chargeFork} stays small.
 */
function chargeAttachedFork(pool: FramePool, bytes: number, space: SpaceState): void {
  const peak = pool.commit[1] as number;
  pool.charge(bytes, true, space);
  try {
    (pool.attachment as Attachment).beforeFork(pool);
  } catch (e) {
    pool.uncharge(bytes);
    pool.commit[1] = peak;
    throw e;
  }
}

/**
 * Everything `fork()` does before it constructs the child of the live space
 * `space`: makes sure the pool's registry has a slot for the child, and
 * takes the child's commit charge. Returns the page-table root to share,
 * read after the charge (whose out-of-memory hook may release spaces).
 * Changes nothing when it throws.
 * @throws {OutOfMemoryError} when the policy refuses the charge, or the registry is full.
 * @throws {ReleasedError} when the out-of-memory hook released `space`.
 * @throws {InvalidHandleError} for the first fork of an attached space whose handle is forged.
 * @internal
 */
export function chargeFork(space: SpaceState): number {
  const pool = space.pool;
  // The child's registry slot, before anything changes; the call only when every slot of the tables was handed out once.
  if (pool.spaces.next >= pool.spaces.roots.length) pool.spaces.checkRoom();
  // May refuse (overcommit), or find that the hook released this space; nothing has changed yet.
  // An attached version's pool (attach.ts) also takes private page-table nodes before its first fork.
  const bytes = space.maps.bytes;
  if (pool.attachment === null) pool.charge(bytes, true, space);
  else chargeAttachedFork(pool, bytes, space);
  // The charge's out-of-memory hook may have mapped or unmapped ranges of
  // this space: the child is charged (and uncharged at release) what it maps,
  // an increase checked against the policy. The hook may also have taken the
  // child's registry slot: a refusal to make another takes the charge back.
  if (space.maps.bytes !== bytes) settleForkCharge(pool, space, bytes);
  if (pool.spaces.next >= pool.spaces.roots.length) pool.spaces.checkRoomCharged(space.maps.bytes);
  return space.root; // one read of the accessor, after the charge
}

/**
 * `release()` of a live space: frees its registry slot, uncharges what it
 * maps, drops its reference to its page table (frames and nodes no other
 * space shares return to the pool) and its TLBs. O(pages only it maps).
 * @internal
 */
export function releaseSpace(space: SpaceState): void {
  const pool = space.pool;
  const root = space.root; // before remove(): the root lives in the slot it frees
  space.isReleased = true;
  pool.spaces.remove(space);
  pool.uncharge(space.maps.bytes);
  pool.pt.release(root, space.levels - 1);
  dropTlbs(space);
  // The last space of an attached version's pool releases the owner's pin.
  if (pool.attachment !== null) pool.attachment.spaceReleased(pool);
}
