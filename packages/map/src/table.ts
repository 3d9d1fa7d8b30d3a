/**
 * The hash table behind CowMap and CowSet: a bucket array of chain heads and
 * an append-only log of records in insertion order (layout.ts). A standalone
 * table has a space of its own, with the buckets at address 0 and the log at
 * LOG_BASE (or less in a bounded space), both growing in place; an embedded
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
  EMBEDDED_MIN_BUCKETS,
  MAX_BUCKETS,
  MIN_BUCKETS,
  R_CHAIN,
  R_HASH0,
  R_KEY0,
  SPACE_BYTES,
  spaceLayout,
} from "./layout.js";
import { offsetOf } from "./relayout.js";
import { classifyValue, pending } from "./value.js";
import { bucketsFor, insert } from "./writes.js";

/**
 * The parts of a table that never change and that its forks share: one
 * object per table made by `new Table` without a parent, referenced by every
 * fork of it. Kept out of {@link Table} because a map kept in a history is
 * one Table per version: eight fields fewer per version (64 bytes of JS heap
 * the collector would scan and copy; issue 13).
 */
class TableConsts {
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

  constructor(
    vbytes: number,
    heap: Heap | null,
    header: number,
    maxBuckets: number,
    minBuckets: number,
    compactMin: number,
  ) {
    this.vbytes = vbytes;
    this.hashOff = R_HASH0 + vbytes;
    this.keyOff = R_KEY0 + vbytes;
    this.heap = heap;
    this.header = header;
    this.maxBuckets = maxBuckets;
    this.minBuckets = minBuckets;
    this.compactMin = compactMin;
  }
}

/**
 * One version of a table: the handle a CowMap or CowSet holds. Its fields
 * count what the log holds; all of the table's bytes are in `space`.
 * Standalone and embedded tables share this class (one hidden class for the
 * hot paths); `heap` tells them apart. The constant parts are getters over
 * the {@link TableConsts} a table shares with its forks (TurboFan inlines
 * them: one more load).
 */
export class Table {
  /** The address space holding every byte of this version (a released stand-in once an embedded table is freed). */
  space: AddressSpace;
  /** The constants shared with the forks. */
  private readonly consts: TableConsts;
  /**
   * Byte address of the bucket array: 0 in a standalone space; an embedded
   * table's data block (0 while it has none). A field so `find` reads it like the others.
   */
  buckets: number;
  /** Byte address of the log (LOG_BASE, or less in a bounded space; embedded: after the buckets in the data block). */
  logAddr: number;
  /** Most bytes the log may hold now: the bound of a standalone space; the capacity of an embedded data block. */
  logBytes: number;
  /** Buckets minus one; -1 while the table has never held an entry (no bucket array yet). */
  mask: number;
  /** Bytes appended to the log. */
  used: number;
  /** Bytes of dead records in the log: tombstones and superseded blobs. */
  garbage: number;
  /** Live entries. */
  size: number;
  /** The current epoch, once an iterator was taken; see epoch.ts. */
  epoch: Epoch | null;
  /** Set by `find`: byte address of the u32 link (bucket slot or chain field) that points at the record found. */
  link: number;
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
   * share one hidden class.
   */
  constructor(space: AddressSpace, vbytes: number, heap: Heap | null = null, header = 0, parent: Table | null = null) {
    this.space = space;
    if (parent !== null) {
      this.consts = parent.consts;
      this.buckets = 0;
      this.logAddr = parent.logAddr;
      this.logBytes = parent.logBytes;
    } else if (heap === null) {
      const l = spaceLayout(space.size, space.pageSize);
      const minBuckets = Math.max(MIN_BUCKETS, space.pageSize / 4);
      this.consts = new TableConsts(vbytes, null, 0, l.maxBuckets, minBuckets, COMPACT_MIN_BYTES);
      this.buckets = 0;
      this.logAddr = l.logAddr;
      this.logBytes = l.logBytes;
    } else {
      this.consts = new TableConsts(
        vbytes,
        heap,
        header,
        MAX_BUCKETS,
        EMBEDDED_MIN_BUCKETS,
        EMBEDDED_COMPACT_MIN_BYTES,
      );
      this.buckets = 0;
      this.logAddr = 0;
      this.logBytes = 0;
    }
    this.mask = parent === null ? -1 : parent.mask;
    this.used = parent === null ? 0 : parent.used;
    this.garbage = parent === null ? 0 : parent.garbage;
    this.size = parent === null ? 0 : parent.size;
    this.epoch = null; // iterators belong to the version they were taken from
    this.link = 0;
    this.writes = 0;
  }

  /** Bytes of each record's value slot: 8 for maps, 0 for sets. */
  get vbytes(): number {
    return this.consts.vbytes;
  }

  /** Offset of the hash in a record. */
  get hashOff(): number {
    return this.consts.hashOff;
  }

  /** Offset of the key bytes in a record. */
  get keyOff(): number {
    return this.consts.keyOff;
  }

  /** The heap of an embedded table; null for a standalone one. */
  get heap(): Heap | null {
    return this.consts.heap;
  }

  /** Byte address of an embedded table's header block; 0 for a standalone one. */
  get header(): number {
    return this.consts.header;
  }

  /** Most buckets: the bucket array stops doubling there (chains grow longer). */
  get maxBuckets(): number {
    return this.consts.maxBuckets;
  }

  /** Fewest buckets: a page of them standalone (written anyway), EMBEDDED_MIN_BUCKETS embedded. */
  get minBuckets(): number {
    return this.consts.minBuckets;
  }

  /** Dead bytes below which the log is never compacted. */
  get compactMin(): number {
    return this.consts.compactMin;
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

  /** A new empty standalone table of the same kind in a new space of the same pool (and size, for a standalone one). */
  emptyLike(): Table {
    const s = this.space;
    const size = this.heap === null ? s.size : SPACE_BYTES;
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
    this.mask = Math.min(bucketsFor(Math.ceil(entries / 2), this.minBuckets), this.maxBuckets) - 1;
  }

  /** The space users see: the table's own (standalone) or its heap's (embedded: the embedder's space). */
  outerSpace(): AddressSpace {
    return this.heap === null ? this.space : this.heap.space;
  }

  // ---- lookup ----

  /**
   * Byte address of the live record whose key is `probe`'s, or -1; sets
   * `link`. Reads the bucket, then per record of the chain its hash, and only
   * on a hash match its meta word and key bytes. No allocation.
   */
  find(probe: Probe): number {
    const s = this.space;
    const hash = probe.hash;
    const hashOff = this.hashOff;
    let link = this.buckets + (hash & this.mask) * 4;
    let ref = this.mask < 0 ? 0 : s.getUint32(link); // mask -1: no bucket array yet
    while (ref !== 0) {
      const rec = this.logAddr + offsetOf(ref);
      if (s.getUint32(rec + hashOff) === hash && keyEquals(s, s.getUint32(rec), rec + this.keyOff, probe)) {
        this.link = link;
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
