/**
 * The hash table behind CowMap and CowSet: a bucket array of chain heads and
 * an append-only log of records in insertion order (layout.ts). A standalone
 * table has a space of its own, with the buckets at address 0 and the log at
 * its layout's log base (LOG_BASE_2, or LOG_BASE for a table made before
 * layout 2; less in a bounded space), both growing in place; an embedded
 * one (CowMap.create) keeps both in one block of a given heap, grown by
 * realloc, plus a header block (embedded.ts). This module holds the handle
 * (its fields, fork, copy) and the lookup; writes.ts holds the writes.
 *
 * @module
 */
import { AddressSpace, type Heap, ReleasedError } from "@pagefork/core";
import { freeTable } from "./embedded.js";
import type { Epoch } from "./epoch.js";
import { Cursor } from "./iterator.js";
import { classifyKey, keyEquals, type Probe, probe, storedKeyFootprint } from "./key.js";
import {
  align8,
  B_DATA,
  B_LENGTH,
  COMPACT_MIN_BYTES,
  EMBEDDED_COMPACT_MIN_BYTES,
  EMBEDDED_LOAD_FACTOR,
  EMBEDDED_MIN_BUCKETS,
  LOAD_FACTOR,
  MAX_BUCKETS,
  MIN_BUCKETS,
  R_CHAIN,
  R_HASH0,
  R_KEY0,
  SPACE_BYTES,
  spaceLayout,
  TABLE_LAYOUT,
} from "./layout.js";
import { offsetOf } from "./relayout.js";
import { classifyValue, pending } from "./value.js";
import { bucketsFor, insert } from "./writes.js";

/**
 * The parts of a table its versions share: one object per table made by
 * `new Table` without a parent, referenced by every fork of it. Kept out of
 * {@link Table} because a map kept in a history is one Table per version:
 * eleven fields fewer per version (88 bytes of JS heap the collector would
 * scan and copy, plus the 16-byte HeapNumber box of `logBytes`, 2^35 - 8
 * bytes by default, which no Smi holds; issue 13).
 *
 * The first eight fields never change. The last three (where the buckets and
 * the log are, and the log's bound) never change for a standalone table,
 * whose forks share this object; an embedded table changes them as its data
 * block moves, and has this object to itself: an embedded table is never
 * forked (a fork of its space makes a new Table by `attach`).
 */
class TableLayout {
  /** Bytes of each record's value slot: 8 for maps, 0 for sets. */
  readonly vbytes: number;
  /** Offset of the hash in a record. */
  readonly hashOff: number;
  /** Offset of the key bytes in a record. */
  readonly keyOff: number;
  /** The heap of an embedded table; null for a standalone one. */
  readonly heap: Heap | null;
  /** Byte address of an embedded table's header block; 0 for a standalone one. */
  readonly header: number;
  /** Most buckets: the bucket array stops doubling there (chains grow longer). */
  readonly maxBuckets: number;
  /** Fewest buckets: a page of them standalone (written anyway), EMBEDDED_MIN_BUCKETS embedded. */
  readonly minBuckets: number;
  /** Dead bytes below which the log is never compacted. */
  readonly compactMin: number;
  /** Most live entries per bucket before the bucket array doubles: LOAD_FACTOR standalone, EMBEDDED_LOAD_FACTOR embedded. */
  readonly loadFactor: number;
  /** Byte address of the bucket array: 0 standalone; an embedded table's data block (0 while it has none). */
  buckets: number;
  /** Byte address of the log (the layout's log base, or less in a bounded space; embedded: after the buckets in the data block). */
  logAddr: number;
  /** Most bytes the log may hold now: the bound of a standalone space; the capacity of an embedded data block. */
  logBytes: number;
  /** Table layout of a standalone table's space (1 or 2, see TABLE_LAYOUT); 0 for an embedded one. */
  readonly version: number;

  constructor(
    version: number,
    vbytes: number,
    heap: Heap | null,
    header: number,
    maxBuckets: number,
    minBuckets: number,
    compactMin: number,
    loadFactor: number,
    logAddr: number,
    logBytes: number,
  ) {
    this.version = version;
    this.vbytes = vbytes;
    this.hashOff = R_HASH0 + vbytes;
    this.keyOff = R_KEY0 + vbytes;
    this.heap = heap;
    this.header = header;
    this.maxBuckets = maxBuckets;
    this.minBuckets = minBuckets;
    this.compactMin = compactMin;
    this.loadFactor = loadFactor;
    this.buckets = 0;
    this.logAddr = logAddr;
    this.logBytes = logBytes;
  }
}

/**
 * Byte address of the u32 link (bucket slot or chain field) pointing at the
 * record the last {@link Table.find} found: module state rather than a field
 * of every version (issue 13). Read it with {@link foundLink} right after the
 * `find`, before anything else can run a lookup.
 */
let lastLink = 0;

/** The link to the record the last `find` found (see `lastLink`). */
export function foundLink(): number {
  return lastLink;
}

/**
 * The epoch of each table that was ever iterated: a side table rather than a
 * field that is null in almost every version of a history (8 bytes per
 * version; issue 13). Weak, so a dropped version takes its epochs along.
 */
const epochs = new WeakMap<Table, Epoch>();

/**
 * One version of a table: the handle a CowMap or CowSet holds. Its fields
 * count what the log holds; all of the table's bytes are in `space`.
 * Standalone and embedded tables share this class (one hidden class for the
 * hot paths); `heap` tells them apart. The layout (constants, where the
 * buckets and the log are) is read through getters over the
 * {@link TableLayout} a table shares with its forks (TurboFan inlines them:
 * one more load). Seven fields per version: space, layout and the five
 * counters below.
 */
export class Table {
  /** The address space holding every byte of this version (a released stand-in once an embedded table is freed). */
  space: AddressSpace;
  /** The layout shared with the forks (see {@link TableLayout}). */
  private readonly layout: TableLayout;
  /** Buckets minus one; -1 while the table has never held an entry (no bucket array yet). */
  mask: number;
  /** Bytes appended to the log. */
  used: number;
  /** Bytes of dead records in the log: tombstones and superseded blobs. */
  garbage: number;
  /** Live entries. */
  size: number;
  /**
   * Writes of this table so far. Page readers (page-reader.ts) stamp a slice
   * with this plus the space's `bytesWritten` (which also counts the writes
   * of other structures in an embedded table's space) and reload it when the
   * stamp moves.
   */
  writes: number;

  /**
   * A new empty standalone table in `space`, or (with `heap`) an empty
   * embedded table whose header block is at `header` (embedded.ts fills in
   * the rest), or (with `parent`, from `fork()`) a fork of `parent` in
   * `space`, its forked space: one constructor, so forks and new tables
   * share one hidden class. `version` is a new standalone table's layout
   * (TABLE_LAYOUT; 1 for the space of one made before layout 2).
   */
  constructor(
    space: AddressSpace,
    vbytes: number,
    heap: Heap | null = null,
    header = 0,
    parent: Table | null = null,
    version = TABLE_LAYOUT,
  ) {
    this.space = space;
    if (parent !== null) {
      this.layout = parent.layout;
    } else if (heap === null) {
      const l = spaceLayout(space.size, space.pageSize, version);
      const minBuckets = Math.max(MIN_BUCKETS, space.pageSize / 4);
      this.layout = new TableLayout(
        version,
        vbytes,
        null,
        0,
        l.maxBuckets,
        minBuckets,
        COMPACT_MIN_BYTES,
        LOAD_FACTOR,
        l.logAddr,
        l.logBytes,
      );
    } else {
      this.layout = new TableLayout(
        0,
        vbytes,
        heap,
        header,
        MAX_BUCKETS,
        EMBEDDED_MIN_BUCKETS,
        EMBEDDED_COMPACT_MIN_BYTES,
        EMBEDDED_LOAD_FACTOR,
        0,
        0,
      );
    }
    this.mask = parent === null ? -1 : parent.mask;
    this.used = parent === null ? 0 : parent.used;
    this.garbage = parent === null ? 0 : parent.garbage;
    this.size = parent === null ? 0 : parent.size;
    this.writes = 0;
  }

  /** Bytes of each record's value slot: 8 for maps, 0 for sets. */
  get vbytes(): number {
    return this.layout.vbytes;
  }

  /** Table layout of a standalone table's space (1 or 2, see TABLE_LAYOUT); 0 for an embedded one. */
  get layoutVersion(): number {
    return this.layout.version;
  }

  /** Offset of the hash in a record. */
  get hashOff(): number {
    return this.layout.hashOff;
  }

  /** Offset of the key bytes in a record. */
  get keyOff(): number {
    return this.layout.keyOff;
  }

  /** The heap of an embedded table; null for a standalone one. */
  get heap(): Heap | null {
    return this.layout.heap;
  }

  /** Byte address of an embedded table's header block; 0 for a standalone one. */
  get header(): number {
    return this.layout.header;
  }

  /** Most buckets: the bucket array stops doubling there (chains grow longer). */
  get maxBuckets(): number {
    return this.layout.maxBuckets;
  }

  /** Fewest buckets: a page of them standalone (written anyway), EMBEDDED_MIN_BUCKETS embedded. */
  get minBuckets(): number {
    return this.layout.minBuckets;
  }

  /** Dead bytes below which the log is never compacted. */
  get compactMin(): number {
    return this.layout.compactMin;
  }

  /**
   * The current epoch, once an iterator was taken (see epoch.ts); null
   * before, and in a new fork (iterators belong to the version they were
   * taken from). Kept in {@link epochs}, not in a field: read only when an
   * iterator starts and when the log is compacted or cleared.
   */
  get epoch(): Epoch | null {
    return epochs.get(this) ?? null;
  }

  set epoch(e: Epoch) {
    epochs.set(this, e);
  }

  /** Most live entries per bucket before the bucket array doubles. */
  get loadFactor(): number {
    return this.layout.loadFactor;
  }

  /** Byte address of the bucket array: 0 standalone; an embedded table's data block (0 while it has none). */
  get buckets(): number {
    return this.layout.buckets;
  }

  /** Embedded tables only (a standalone table's forks share its layout). */
  set buckets(addr: number) {
    this.layout.buckets = addr;
  }

  /** Byte address of the log (the layout's log base, or less in a bounded space; embedded: after the buckets in the data block). */
  get logAddr(): number {
    return this.layout.logAddr;
  }

  /** Embedded tables only. */
  set logAddr(addr: number) {
    this.layout.logAddr = addr;
  }

  /** Most bytes the log may hold now: the bound of a standalone space; the capacity of an embedded data block. */
  get logBytes(): number {
    return this.layout.logBytes;
  }

  /** Embedded tables only. */
  set logBytes(bytes: number) {
    this.layout.logBytes = bytes;
  }

  /** A new version sharing every page: O(1). */
  fork(): Table {
    // the classes refuse it before: forking an embedded table would fork the embedder's whole space
    if (this.heap !== null) throw new Error("internal error: an embedded table is never forked");
    return new Table(this.space.fork(), this.vbytes, null, 0, this);
  }

  /**
   * A new standalone table holding the same entries (for the set methods'
   * results): an O(1) fork of a standalone table. An embedded table's copy
   * goes to a new space of its pool, entry by entry, so that a set method
   * never writes to the embedder's space (which may be frozen).
   */
  copy(): Table {
    if (this.heap === null) return this.fork();
    const r = this.emptyLike();
    try {
      copyEntries(this, r);
    } catch (e) {
      r.drop(false);
      throw e;
    }
    return r;
  }

  /**
   * A new empty standalone table of the same kind in a new space of the same
   * pool, of the same size for a standalone one. An embedded one has no bound
   * of its own: the default (SPACE_BYTES), or under `overcommit: "never"`
   * (which charges every space its whole size) the size of the embedder's
   * space, so that a set method of an embedded set is not refused for a
   * 64 GiB charge.
   */
  emptyLike(): Table {
    const s = this.space;
    const size = this.heap === null || s.pool.overcommit === "never" ? Math.min(s.size, SPACE_BYTES) : SPACE_BYTES;
    return new Table(new AddressSpace({ size, pool: s.pool }), this.vbytes);
  }

  /**
   * Gives the table's storage back: releases a standalone table's space,
   * frees an embedded table's blocks. `reserve` false: a half-built table
   * being undone, whose blocks were just written (private pages: their free
   * needs no frame), so no worst-case reservation may refuse it.
   */
  drop(reserve = true): void {
    if (this.heap === null) this.space.release();
    else if (!this.space.released) freeTable(this, reserve);
  }

  /** Throws ReleasedError once the space is released. */
  check(what: string): void {
    if (this.space.released) throw new ReleasedError(what);
  }

  /**
   * Sizes the bucket array of a table that never held an entry for
   * `entries` entries, so that filling it relinks nothing. Writes nothing: a
   * fresh bucket region reads as zeros. No effect on a table with buckets.
   */
  presize(entries: number): void {
    if (this.mask >= 0 || !(entries > 0) || this.heap !== null) return; // embedded: grown by doubling
    this.mask = Math.min(bucketsFor(Math.ceil(entries / 2), this.minBuckets, this.loadFactor), this.maxBuckets) - 1;
  }

  /** The space users see: the table's own (standalone) or its heap's (embedded: the embedder's space). */
  outerSpace(): AddressSpace {
    return this.heap === null ? this.space : this.heap.space;
  }

  // ---- lookup ----

  /**
   * Byte address of the live record whose key is `probe`'s, or -1; sets
   * the link {@link foundLink} returns. Reads the bucket, then per record of the chain its hash, and only
   * on a hash match its meta word and key bytes. No allocation.
   */
  find(probe: Probe): number {
    const s = this.space;
    const l = this.layout;
    const hash = probe.hash;
    const hashOff = l.hashOff;
    const logAddr = l.logAddr;
    let link = l.buckets + (hash & this.mask) * 4;
    let ref = this.mask < 0 ? 0 : s.getUint32(link); // mask -1: no bucket array yet
    while (ref !== 0) {
      const rec = logAddr + offsetOf(ref);
      if (s.getUint32(rec + hashOff) === hash && keyEquals(s, s.getUint32(rec), rec + l.keyOff, probe)) {
        lastLink = link;
        return rec;
      }
      link = rec + R_CHAIN;
      ref = s.getUint32(link);
    }
    return -1;
  }

  // ---- sizes ----

  /** Bytes of the entry or tombstone at `rec` whose meta word is `meta`. */
  recordSize(rec: number, meta: number): number {
    return align8(this.keyOff + storedKeyFootprint(this.space, meta, rec + this.keyOff));
  }

  /** Bytes of the blob record at `b`. */
  blobSize(b: number): number {
    return align8(B_DATA + this.space.getUint32(b + B_LENGTH));
  }
}

/** Adds every live entry of `from` to the empty table `to`, in order (embedded.ts copies a table this way). */
function copyEntries(from: Table, to: Table): void {
  const c = new Cursor(from);
  while (c.step("set")) {
    classifyKey(c.key(from), probe);
    if (from.vbytes !== 0) classifyValue(c.value(from), pending);
    insert(to, probe, pending);
  }
}
