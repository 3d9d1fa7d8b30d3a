/**
 * The one reservation every CowMap/CowSet write makes before it changes
 * anything: `space.reserveFrames` (the core's check, which runs the pool's
 * out-of-memory hook once when the pool is short), then a check that the
 * hook left the space writable.
 *
 * The hook is user code. A write counts its pages as upper bounds (every page
 * it may touch needs a frame, shared or not), so a hook that forks the space
 * needs nothing more. But a hook that freezes the space, or unmaps or
 * write-protects part of it, stopped the write at the first page there, its
 * earlier steps done (an embedded `clear()` freed the data block and then
 * failed to write the header: the entries were gone and the call threw).
 * So after the hook the space must still be writable wherever it was
 * before; otherwise the write is refused, having changed nothing. A write
 * does not list its pages, so any such change refuses it.
 *
 * And a hook that writes a map or set itself: a write's key and value are
 * encoded into module scratch (the probe, the pending value) before it
 * reserves, and its table's plan (buckets, log end) read; a `set` made in
 * the hook reused that scratch, so the waiting `set` wrote the hook's key
 * again (a map holding "hook" twice and not the key it was asked to set).
 * Every write bumps {@link generation} as it reserves, whatever its pool, so
 * the waiting write sees one made in the hook and is refused instead
 * (OutOfMemoryError, nothing changed, "call again").
 *
 * A hook that only reads reclassifies the scratch too: `other.has(k)`,
 * `get`, a `delete` of an absent key, an `add` of an element already there,
 * a `set` refused for its value (DataCloneError) write no table and bump no
 * generation, yet they overwrite the probe (and the last two the pending
 * value), and the waiting write stored the hook's key (`m.set("newkey", 42)`
 * left `"hookkey" => 42`). So the slow path (the hook may run) saves the
 * probe and the pending value before and puts them back after: a read
 * changes nothing the write planned. The fast path (no hook) copies nothing.
 *
 * @module
 */
import { type AddressSpace, OutOfMemoryError } from "@pagefork/core";
import { throwFrozenTable } from "./freeze.js";
import { type Probe, probe } from "./key.js";
import { type PendingValue, pending } from "./value.js";

/** A copy of the write's scratch (the probe and the pending value), taken while the hook may run. */
class Scratch {
  kind = 0;
  bytes = 0;
  hash = 0;
  meta = 0;
  str = "";
  lo = 0;
  hi = 0;
  tag = 0;
  num = 0;
  big = 0n;
  vstr = "";
  vbytes: Uint8Array | null = null;
  blobBytes = 0;

  save(p: Probe, v: PendingValue): void {
    this.kind = p.kind;
    this.bytes = p.bytes;
    this.hash = p.hash;
    this.meta = p.meta;
    this.str = p.str;
    this.lo = p.lo;
    this.hi = p.hi;
    this.tag = v.tag;
    this.num = v.num;
    this.big = v.big;
    this.vstr = v.str;
    // Encoded bytes live in msgpackr's buffer, which a later encode may reuse: keep a copy.
    this.vbytes = v.bytes === null ? null : v.bytes.slice();
    this.blobBytes = v.blobBytes;
  }

  restore(p: Probe, v: PendingValue): void {
    p.kind = this.kind;
    p.bytes = this.bytes;
    p.hash = this.hash;
    p.meta = this.meta;
    p.str = this.str;
    p.lo = this.lo;
    p.hi = this.hi;
    v.tag = this.tag;
    v.num = this.num;
    v.big = this.big;
    v.str = this.vstr;
    v.bytes = this.vbytes;
    v.blobBytes = this.blobBytes;
    this.vbytes = null;
  }
}

/** Map and set writes that reserved so far (all tables, all pools): one made in the hook changes it. */
let generation = 0;

/** What the reservation reads of a table: its write generation. */
interface Written {
  readonly writes: number;
}

/**
 * Throws unless the pool of `space` can supply `frames` frames now (after
 * the out-of-memory hook's one chance) for a write of table `t` (null: one
 * being made) and, when the hook ran, no map or set was written meanwhile
 * and the space is still writable wherever it was before. Every map or set
 * write calls it once before it changes anything, even in a pool without
 * a limit. O(1) unless the pool is short, then O(mappings) besides the
 * hook. Changes nothing, except what the hook does.
 * @throws {OutOfMemoryError} when the frames cannot be had, or the hook wrote a map or set.
 * @throws {ReleasedError} when the hook released `space`.
 * @throws {ProtectionFault} when the space is frozen (before anything, the hook included, runs), or
 *   the hook froze it or write-protected part of it.
 * @throws {SegmentationFault} when the hook unmapped part of it.
 */
export function reserveFrames(space: AddressSpace, frames: number, t: Written | null): void {
  // A frozen space refuses every write (freeze.ts): here, before the table's counters change.
  if (space.frozen) throwFrozenTable(frames, space.pageSize);
  const g = ++generation;
  const pool = space.pool;
  if (frames <= pool.framesAvailable()) {
    // The hook cannot run (always so without a limit). The engine may still refuse a slab or a page-table
    // node at a later page of the write: the core makes those allocations now, before the first write.
    space.reserveFrames(frames);
    return;
  }
  const writes = t === null ? 0 : t.writes;
  const before = space.mappings();
  // A scratch per call, not one module copy: a hook may itself reach this slow path (its own pool short).
  const scratch = new Scratch();
  scratch.save(probe, pending);
  try {
    space.reserveFrames(frames);
  } finally {
    scratch.restore(probe, pending);
  }
  if (generation !== g || (t !== null && t.writes !== writes))
    throw new OutOfMemoryError(
      frames * pool.pageSize,
      "the onOutOfMemory hook wrote a CowMap or CowSet while this call waited for frames; nothing changed, call again",
    );
  for (const b of before) if (b.protection === "read-write") space.checkWritable(b.start, b.end - b.start);
}
