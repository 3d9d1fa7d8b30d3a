/**
 * Live spaces of a pool, for leak safety and for accounting. Each space gets
 * a slot holding its page-table root (the one place it is stored: the
 * space's `root` is an accessor over it), a copy of its level count and its
 * commit charge, kept in sync by the few places that change them. The PSS
 * census (pss.ts) walks the slots to split shared frames among all live
 * spaces at once. Unless the pool was made with `reclaimDropped: false`, the
 * slot number is also the held value of a `FinalizationRegistry` entry for
 * the space: when the garbage collector finds a space that was dropped
 * without `release()`, the registry's callback releases the slot's root and
 * charge, and the frames return to the pool.
 *
 * Typed arrays, not an object per space: the held value must not reference
 * the space, and an object per fork would cost more heap in long histories.
 *
 * No unregister token: registering with one cost ~0.5-1 us per space on
 * Node 20 against ~0.2 us without (a hash-table entry per token), and forks
 * run once per edit in an undo history. Instead the held value carries the
 * slot's generation, which `release()` bumps; the callback of a space that
 * was released ignores a stale generation.
 *
 * Registration is deferred (a nursery, as in a generational collector): a
 * new space waits in a list and is registered only if it is still unreleased
 * when a microtask runs after the current job, or when it has survived two
 * sweeps of the list (sweeps run every time the list reaches NURSERY spaces).
 * A space released before that is never registered. Why: V8 keeps the target
 * of a registration alive through minor collections, so every registered
 * space is promoted to the old generation and collected by a full GC, and its
 * callback still runs later. Measured on Node 20, objects living 100
 * iterations (an undo history of 100 versions) cost ~60 ns each unregistered
 * and ~550-1400 ns registered; a History with maxVersions 100 in the W1b
 * bench spent ~18% of its time in the garbage collector with registration,
 * 3% without. Objects kept alive anyway (a history that keeps everything)
 * cost about the same either way. The nursery holds its spaces strongly, which
 * delays the reclaiming of a dropped one by at most one collection: callbacks
 * never run before the current job ends in any case. `release()` clears the
 * space's nursery entry at once (its index is kept per slot), so a released
 * space is not kept alive through minor collections either: a History of
 * 100 versions copied ~200 KB of survivors per scavenge while released
 * spaces waited for the sweep, ~40 KB without them.
 *
 * @module
 */
import { takeBackCharge } from "./commit-charge.js";
import { OutOfMemoryError, throwRefused } from "./errors.js";
import type { FramePool } from "./frame-pool.js";

/** Slots the tables start with. */
const INITIAL_SLOTS = 64;
/**
 * Held value = generation * SLOT_LIMIT + slot; both below 2^23, so it is an
 * exact double. A space keeps `slot + 1` above its two state bits and its
 * four level bits in one Smi (`AddressSpace.flags`), which the bound keeps
 * below 2^29 (a Smi has 31 bits with pointer compression). 2^23 live spaces
 * of one pool hold over 2 GiB of JS heap; a pool refuses one more with an
 * OutOfMemoryError (`checkRoom`), as every live space keeps its root in its slot.
 * @internal
 */
export const SLOT_LIMIT = 2 ** 23;
/**
 * Spaces the nursery holds before a sweep: a space released within ~NURSERY/2
 * forks of its creation is never registered (an undo history of up to ~500
 * versions evicting its oldest). Holding 1,024 spaces strongly costs ~0.3 MB
 * of JS heap at most.
 */
const NURSERY = 1024;

/**
 * Fault counters of a slot, `FAULT_COUNTERS` doubles per slot in
 * `SpaceRegistry.faults`: zero-fill faults, copy faults, reuse faults, and
 * page-table nodes created by faults. They live here rather than in four
 * fields of every space because a kept version is mostly never asked for its
 * stats: 32 bytes of typed array per live slot instead of 32 bytes of JS heap
 * per space, which the collector would scan and copy (issue 13; the bytes
 * copied by copy faults are `copy faults * pageSize`, so they need no
 * counter). Doubles: a counter never wraps. A released space has no slot
 * and counts no faults. A slot's counters are
 * cleared when it is freed (new slots are zero already), not when a space
 * takes it: a kept fork pays nothing for them.
 * @internal
 */
export const FAULT_ZERO_FILL = 0;
/** @internal */
export const FAULT_COPY = 1;
/** @internal */
export const FAULT_REUSE = 2;
/** @internal */
export const FAULT_PT_NODES = 3;
/** Counters per slot (see {@link FAULT_ZERO_FILL}). */
const FAULT_COUNTERS = 4;

/** The parts of a space the registry reads. @internal */
export interface RegisteredSpace {
  root: number;
  levels: number;
  slot: number;
}

/** @internal */
export class SpaceRegistry {
  /** Page-table root of the space in each slot. */
  roots: Int32Array;
  /** Its level count. */
  levels: Uint8Array;
  /** 1 while a space (live, or dropped and not yet finalized) holds the slot. */
  used: Uint8Array;
  /** Its commit charge in bytes. */
  private charges: Float64Array;
  /** Fault counters of each slot, FAULT_COUNTERS per slot (see FAULT_ZERO_FILL). */
  faults: Float64Array;
  /** Generation of each slot, bumped when its space is released. */
  private gens: Int32Array;
  private free: number[];
  /** Slots ever handed out: every used slot is below it. */
  next: number;
  /** Spaces alive. */
  live: number;
  /** Spaces reclaimed by finalization. */
  reclaimed: number;
  private readonly pool: FramePool;
  private readonly registry: FinalizationRegistry<number> | null;
  /**
   * Spaces added and not registered yet (released ones are dropped at the
   * next sweep). NURSERY + 1 entries allocated once, `nursery[0 .. nurseryLength)` in use, the
   * rest null: a length kept apart so a sweep never trims the array and the
   * next additions never regrow it (trimming and regrowing it by `push`
   * allocated ~35 B of JS heap per fork in W1b).
   */
  private readonly nursery: ((RegisteredSpace & object) | null)[];
  /** Entries of `nursery` in use. */
  private nurseryLength: number;
  /** 1 + index in `nursery` of the space in each slot, 0 when it is not there. */
  private nurseryAt: Int32Array;
  /** `nursery[0 .. survivors)` survived a sweep: the next sweep registers those still unreleased. */
  private survivors: number;
  /** True while a microtask to flush the nursery is queued. */
  private flushQueued: boolean;
  /** `flush` bound once, so queueing it allocates nothing. */
  private readonly flushNursery: () => void;

  constructor(pool: FramePool, finalize: boolean) {
    this.roots = new Int32Array(INITIAL_SLOTS);
    this.levels = new Uint8Array(INITIAL_SLOTS);
    this.used = new Uint8Array(INITIAL_SLOTS);
    this.charges = new Float64Array(INITIAL_SLOTS);
    this.faults = new Float64Array(INITIAL_SLOTS * FAULT_COUNTERS);
    this.gens = new Int32Array(INITIAL_SLOTS);
    this.free = [];
    this.next = 0;
    this.live = 0;
    this.reclaimed = 0;
    this.pool = pool;
    this.registry = finalize ? new FinalizationRegistry((held: number) => this.dropped(held)) : null;
    // NURSERY + 1: a sweep may keep all NURSERY spaces (none released, none
    // older), and the next addition lands past them before it sweeps again.
    this.nursery = new Array<(RegisteredSpace & object) | null>(NURSERY + 1).fill(null);
    this.nurseryLength = 0;
    this.nurseryAt = new Int32Array(INITIAL_SLOTS);
    this.survivors = 0;
    this.flushQueued = false;
    this.flushNursery = () => this.flush();
  }

  /**
   * Makes sure a new space can take a slot without allocating, or throws:
   * every live space keeps its page-table root in its slot
   * (`AddressSpace.root`), so none can go without one. Grows the tables
   * when every slot they hold is taken. Run before a new space or a fork
   * changes anything (its commit charge included): grown in `add()`, at the
   * end of the constructor, a refused table threw RangeError after the
   * charge (registry-refusal.test.ts). O(1), O(slots) when it grows.
   * `fork()` calls it only when `next >= roots.length` (one compare on its
   * path).
   * @throws {OutOfMemoryError} when SLOT_LIMIT (2^23) spaces of this pool
   *   are live (or dropped and not yet finalized), or when the engine
   *   refuses the larger tables (nothing changed).
   * @throws {ReleasedError} in the pool of an attached version that was released (attach.ts).
   */
  checkRoom(): void {
    // A new space in an attached version's pool first takes private nodes and
    // refcounts, as a fork does (attach.ts, beforeNewSpace). fork() reaches
    // here only when the tables are full, after which it takes them anyway.
    const a = this.pool.attachment;
    if (a !== null) a.beforeNewSpace(this.pool);
    if (this.next < this.roots.length || this.free.length > 0) return;
    if (this.next === SLOT_LIMIT)
      throw new OutOfMemoryError(0, `the pool already has ${SLOT_LIMIT} live address spaces (release some first)`);
    this.grow();
  }

  /**
   * {@link checkRoom} for a caller that has taken a commit charge of
   * `charged` bytes since its own `checkRoom()`: the charge's out-of-memory
   * hook may have made spaces and taken the slot that call made. On a
   * refusal the charge is taken back, so the refused call leaves the charge
   * as the hook left it (registry-refusal and review26-hook-charge tests).
   * O(1), O(slots) when it grows.
   * @throws {OutOfMemoryError} as `checkRoom()`.
   */
  checkRoomCharged(charged: number): void {
    if (this.next < this.roots.length || this.free.length > 0) return;
    try {
      this.checkRoom();
    } catch (e) {
      takeBackCharge(this.pool, charged); // refused only after the charge's hook took the slot
      throw e;
    }
  }

  /**
   * Takes a slot for `space` (already charged `charge` bytes) and puts it in
   * the nursery, to be registered for finalization if it lives (unless the
   * pool does not reclaim dropped spaces). O(1) amortized.
   */
  add(space: RegisteredSpace & object, charge: number, root: number): void {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.next++; // below SLOT_LIMIT: the caller ran checkRoom()
      if (slot >= this.roots.length) this.grow(); // unreachable: callers run checkRoomCharged() after their charge
    }
    this.live++;
    this.pool.pt.epoch++; // one more space for the PSS census
    this.charges[slot] = charge;
    // The slot's fault counters are zero: see clearFaults.
    this.used[slot] = 1;
    space.slot = slot;
    this.roots[slot] = root; // the space's root lives here (AddressSpace.root)
    this.levels[slot] = space.levels;
    if (this.registry === null) return;
    const len = this.nurseryLength;
    this.nursery[len] = space;
    this.nurseryLength = len + 1;
    this.nurseryAt[slot] = len + 1;
    if (len + 1 >= NURSERY) this.sweep();
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushNursery);
    }
  }

  /**
   * Drops released spaces from the nursery and registers the survivors of the
   * previous sweep that are still unreleased; the rest become survivors.
   * O(NURSERY), once per at least NURSERY - survivors additions, and each space
   * is swept at most twice.
   */
  private sweep(): void {
    const n = this.nursery;
    const old = this.survivors;
    let kept = 0;
    const at = this.nurseryAt;
    const len = this.nurseryLength;
    for (let i = 0; i < len; i++) {
      const space = n[i];
      if (space === null || space === undefined) continue; // released: never registered
      n[i] = null; // moved down or registered below: the nursery no longer holds it here
      if (i < old) {
        at[space.slot] = 0;
        this.register(space);
      } else {
        n[kept++] = space;
        at[space.slot] = kept;
      }
    }
    this.nurseryLength = kept;
    this.survivors = kept;
  }

  /** Registers every unreleased space of the nursery and empties it (a microtask after the job that made them). */
  private flush(): void {
    this.flushQueued = false;
    const n = this.nursery;
    const len = this.nurseryLength;
    for (let i = 0; i < len; i++) {
      const space = n[i];
      if (space === null || space === undefined) continue;
      n[i] = null;
      this.nurseryAt[space.slot] = 0;
      this.register(space);
    }
    this.nurseryLength = 0;
    this.survivors = 0;
  }

  private register(space: RegisteredSpace & object): void {
    const slot = space.slot;
    (this.registry as FinalizationRegistry<number>).register(space, (this.gens[slot] as number) * SLOT_LIMIT + slot);
  }

  /** Adds `n` to fault counter `counter` (FAULT_ZERO_FILL...) of `space`. O(1). */
  countFault(space: RegisteredSpace, counter: number, n: number): void {
    const slot = space.slot;
    if (slot >= 0) this.faults[slot * FAULT_COUNTERS + counter] += n;
  }

  /** Fault counter `counter` (FAULT_ZERO_FILL...) of `space`; 0 without a slot. O(1). */
  faultCount(space: RegisteredSpace, counter: number): number {
    const slot = space.slot;
    return slot >= 0 ? (this.faults[slot * FAULT_COUNTERS + counter] as number) : 0;
  }

  /** Records a new commit charge of `space`. */
  setCharge(space: RegisteredSpace, charge: number): void {
    if (space.slot >= 0) this.charges[space.slot] = charge;
  }

  /** `space` was released: frees its slot; its registration goes stale. */
  remove(space: RegisteredSpace): void {
    this.live--;
    this.pool.pt.epoch++;
    const slot = space.slot;
    if (slot < 0) return;
    this.used[slot] = 0;
    this.gens[slot] = ((this.gens[slot] as number) + 1) % SLOT_LIMIT;
    this.clearFaults(slot);
    const at = this.nurseryAt[slot] as number;
    if (at > 0) {
      this.nursery[at - 1] = null; // not kept alive until the next sweep
      this.nurseryAt[slot] = 0;
    }
    this.free.push(slot);
    space.slot = -1;
  }

  /** Finalization callback: a space was collected; reclaim it unless it was released. */
  private dropped(held: number): void {
    const slot = held % SLOT_LIMIT;
    if (Math.floor(held / SLOT_LIMIT) !== this.gens[slot]) return; // released (or its slot reused) already
    this.gens[slot] = ((this.gens[slot] as number) + 1) % SLOT_LIMIT;
    this.used[slot] = 0;
    const pool = this.pool;
    pool.pt.epoch++;
    pool.pt.release(this.roots[slot] as number, (this.levels[slot] as number) - 1);
    pool.uncharge(this.charges[slot] as number);
    this.clearFaults(slot);
    this.free.push(slot);
    this.live--;
    this.reclaimed++;
    // The last space of an attached version's view pool unpins the owner's version (attach.ts).
    if (pool.attachment !== null) pool.attachment.spaceReleased(pool);
  }

  /**
   * Zeroes the fault counters of `slot`, which is being freed, so that the
   * next space to take it starts from zero without a store at fork time (a
   * kept version never frees its slot). Four stores, not `fill` (a builtin
   * call per release).
   */
  private clearFaults(slot: number): void {
    const f = this.faults;
    const at = slot * FAULT_COUNTERS;
    f[at + FAULT_ZERO_FILL] = 0;
    f[at + FAULT_COPY] = 0;
    f[at + FAULT_REUSE] = 0;
    f[at + FAULT_PT_NODES] = 0;
  }

  /**
   * Doubles every table. Allocates them all before it replaces one, so a
   * refusal changes nothing.
   * @throws {OutOfMemoryError} when the engine refuses a table.
   */
  private grow(): void {
    const n = this.roots.length * 2;
    let roots: Int32Array;
    let levels: Uint8Array;
    let used: Uint8Array;
    let charges: Float64Array;
    let faults: Float64Array;
    let gens: Int32Array;
    let at: Int32Array;
    try {
      roots = new Int32Array(n);
      levels = new Uint8Array(n);
      used = new Uint8Array(n);
      charges = new Float64Array(n);
      faults = new Float64Array(n * FAULT_COUNTERS);
      gens = new Int32Array(n);
      at = new Int32Array(n);
    } catch (e) {
      throwRefused(e, 0, `the pool's space registry (${n} slots)`);
    }
    roots.set(this.roots);
    this.roots = roots;
    levels.set(this.levels);
    this.levels = levels;
    used.set(this.used);
    this.used = used;
    charges.set(this.charges);
    this.charges = charges;
    faults.set(this.faults);
    this.faults = faults;
    gens.set(this.gens);
    this.gens = gens;
    at.set(this.nurseryAt);
    this.nurseryAt = at;
  }
}
