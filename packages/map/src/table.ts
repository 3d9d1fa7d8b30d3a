/**
 * The hash table behind CowMap and CowSet: a bucket array of chain heads and
 * an append-only log of records in insertion order (layout.ts). A standalone
 * table has a space of its own, with the buckets at address 0 and the log at
 * LOG_BASE (or less in a bounded space), both growing in place; an embedded
 * one (CowMap.create) keeps both in one block of a given heap, grown by
 * realloc, plus a header block (embedded.ts). This module holds the
 * operations (find, insert, update, remove, clear) and decides when to make
 * the two whole-table moves of relayout.ts: resizing the bucket array and
 * compacting the log in place.
 *
 * Costs after a fork, in pages written (each write to a shared page copies
 * it): an update of an inline value 1 (the record), a new key 2 (the log
 * tail and the bucket), a delete 2 (the record and the link to it), a blob
 * value 1 to 2 more (the log tail). Resizing the buckets writes them and
 * every record's chain field; compaction rewrites the live log. Both happen
 * only when the table doubles, shrinks to an eighth, or is half dead, so they
 * are amortized O(1) per write.
 *
 * @module
 */
import { AddressSpace, type Heap, ReleasedError } from "@pagefork/core";
import { freeData, freeTable, growData, HEAP_CALL_PAGES, shrinkBuckets, shrinkData, syncHeader } from "./embedded.js";
import { Epoch } from "./epoch.js";
import { Cursor } from "./iterator.js";
import { classifyKey, keyEquals, keyFootprint, probe, storedKeyFootprint, writeKey } from "./key.js";
import {
  align8,
  B_DATA,
  B_LENGTH,
  COMPACT_MIN_BYTES,
  EMBEDDED_COMPACT_MIN_BYTES,
  EMBEDDED_MIN_BUCKETS,
  KIND_BLOB,
  KIND_DELETED,
  KIND_MASK,
  LOAD_FACTOR,
  MAX_BUCKETS,
  MAX_ENTRIES,
  MIN_BUCKETS,
  R_CHAIN,
  R_HASH0,
  R_KEY0,
  R_VALUE,
  SHRINK_DIVISOR,
  SPACE_BYTES,
  spaceLayout,
  TAG_MASK,
  TAG_SHIFT,
} from "./layout.js";
import { compact, offsetOf, pageUp, refOf, relink } from "./relayout.js";
import { classifyValue, pending, pendingIsBlob, slotBlob, writeBlobData, writeSlot } from "./value.js";

/** Set by `fork()` just before it calls the constructor, so forks and new tables share one hidden class. */
let forkOf: Table | null = null;

/**
 * One version of a table: the handle a CowMap or CowSet holds. Its fields
 * count what the log holds; all of the table's bytes are in `space`.
 * Standalone and embedded tables share this class (one hidden class for the
 * hot paths); `heap` tells them apart.
 */
export class Table {
  /** The address space holding every byte of this version (a released stand-in once an embedded table is freed). */
  space: AddressSpace;
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
  /**
   * Byte address of the bucket array: 0 in a standalone space; an embedded
   * table's data block (0 while it has none). A field so `find` reads it like the others.
   */
  buckets: number;
  /** Byte address of the log (LOG_BASE, or less in a bounded space; embedded: after the buckets in the data block). */
  logAddr: number;
  /** Most buckets: the bucket array stops doubling there (chains grow longer). */
  readonly maxBuckets: number;
  /** Fewest buckets: a page of them standalone (written anyway), EMBEDDED_MIN_BUCKETS embedded. */
  readonly minBuckets: number;
  /** Most bytes the log may hold now: the bound of a standalone space; the capacity of an embedded data block. */
  logBytes: number;
  /** Dead bytes below which the log is never compacted. */
  readonly compactMin: number;
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
   * A new empty standalone table in `space`, a fork of the table `fork()`
   * named, or (with `heap`) an empty embedded table whose header block is
   * at `header` (embedded.ts fills in the rest).
   */
  constructor(space: AddressSpace, vbytes: number, heap: Heap | null = null, header = 0) {
    const parent = forkOf;
    forkOf = null;
    this.space = parent === null ? space : parent.space.fork();
    this.vbytes = vbytes;
    this.hashOff = R_HASH0 + vbytes;
    this.keyOff = R_KEY0 + vbytes;
    this.heap = heap;
    this.header = header;
    this.buckets = 0;
    if (parent !== null) {
      this.logAddr = parent.logAddr;
      this.maxBuckets = parent.maxBuckets;
      this.minBuckets = parent.minBuckets;
      this.logBytes = parent.logBytes;
      this.compactMin = parent.compactMin;
    } else if (heap === null) {
      const l = spaceLayout(space.size, space.pageSize);
      this.logAddr = l.logAddr;
      this.maxBuckets = l.maxBuckets;
      this.minBuckets = Math.max(MIN_BUCKETS, space.pageSize / 4);
      this.logBytes = l.logBytes;
      this.compactMin = COMPACT_MIN_BYTES;
    } else {
      this.logAddr = 0;
      this.maxBuckets = MAX_BUCKETS;
      this.minBuckets = EMBEDDED_MIN_BUCKETS;
      this.logBytes = 0;
      this.compactMin = EMBEDDED_COMPACT_MIN_BYTES;
    }
    this.mask = parent === null ? -1 : parent.mask;
    this.used = parent === null ? 0 : parent.used;
    this.garbage = parent === null ? 0 : parent.garbage;
    this.size = parent === null ? 0 : parent.size;
    this.epoch = null; // iterators belong to the version they were taken from
    this.link = 0;
    this.writes = 0;
  }

  /** A new version sharing every page: O(1). */
  fork(): Table {
    forkOf = this;
    return new Table(this.space, this.vbytes);
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

  // ---- lookup ----

  /**
   * Byte address of the live record whose key is the probe's, or -1; sets
   * `link`. Reads the bucket, then per record of the chain its hash, and only
   * on a hash match its meta word and key bytes. No allocation.
   */
  find(): number {
    const s = this.space;
    const hash = probe.hash;
    const hashOff = this.hashOff;
    let link = this.buckets + (hash & this.mask) * 4;
    let ref = this.mask < 0 ? 0 : s.getUint32(link); // mask -1: no bucket array yet
    while (ref !== 0) {
      const rec = this.logAddr + offsetOf(ref);
      if (s.getUint32(rec + hashOff) === hash && keyEquals(s, s.getUint32(rec), rec + this.keyOff)) {
        this.link = link;
        return rec;
      }
      link = rec + R_CHAIN;
      ref = s.getUint32(link);
    }
    return -1;
  }

  // ---- writes (the probe holds the key, `pending` the value) ----

  /**
   * Appends a record for the probe key (with the pending value, for maps)
   * and links it at the head of its chain, after growing the bucket array
   * when it is full.
   */
  insert(): void {
    if (this.size >= MAX_ENTRIES) throw new RangeError(`CowMap/CowSet maximum size exceeded (${MAX_ENTRIES} entries)`);
    const recBytes = align8(this.keyOff + keyFootprint(probe.bytes));
    const blobBytes = this.vbytes !== 0 && pendingIsBlob() ? align8(B_DATA + pending.blobBytes) : 0;
    const need = recBytes + blobBytes;
    const nb = this.mask + 1;
    // Doubling, as V8's OrderedHashTable: the load goes from LOAD_FACTOR to
    // half that. A bounded space's bucket region may stop it (chains grow).
    let buckets = nb;
    if (this.size + 1 > nb * LOAD_FACTOR) {
      buckets = nb === 0 ? this.minBuckets : nb * 2;
      if (buckets > this.maxBuckets) buckets = nb;
    }
    const grow = buckets !== nb;
    if (this.heap !== null) {
      // embedded: a larger data block (realloc) when the buckets double or the log is full
      if (grow || this.used + need > this.logBytes) growData(this, buckets, need);
      else this.reserve(0, need, 1);
    } else {
      this.room(need, grow ? this.resizeBytes(buckets) : 0, 1); // + the bucket page
      if (grow) relink(this, buckets, null);
    }
    this.writes++;
    const s = this.space;
    const blobRef = blobBytes !== 0 ? this.appendBlob() : 0;
    const off = this.used;
    const rec = this.logAddr + off;
    const link = this.buckets + (probe.hash & this.mask) * 4;
    s.setUint32(rec, probe.meta | (pending.tag << TAG_SHIFT));
    s.setUint32(rec + R_CHAIN, s.getUint32(link));
    if (this.vbytes !== 0) writeSlot(s, rec + R_VALUE, blobRef);
    s.setUint32(rec + this.hashOff, probe.hash);
    writeKey(s, rec + this.keyOff);
    s.setUint32(link, refOf(off)); // the record becomes reachable only now
    this.used = off + recBytes;
    this.size++;
    if (this.heap !== null) syncHeader(this);
  }

  /** Rewrites the value of the record at `rec` (found by `find`) with the pending value. Maps only. */
  update(rec: number): void {
    const blobBytes = pendingIsBlob() ? align8(B_DATA + pending.blobBytes) : 0;
    // + the record's meta and slot (two pages when it straddles)
    if (this.heap !== null) {
      if (this.used + blobBytes > this.logBytes) {
        growData(this, this.mask + 1, blobBytes);
        rec = this.find(); // the data block moved
      } else this.reserve(0, blobBytes, 2);
    } else if (this.room(blobBytes, 0, 2)) rec = this.find(); // a compaction moved the record
    this.writes++;
    const s = this.space;
    const meta = s.getUint32(rec);
    const old = slotBlob(s, meta, rec + R_VALUE);
    if (old >= 0) this.garbage += this.blobSize(this.logAddr + offsetOf(old));
    const blobRef = blobBytes !== 0 ? this.appendBlob() : 0;
    writeSlot(s, rec + R_VALUE, blobRef);
    const next = (meta & ~(TAG_MASK << TAG_SHIFT)) | (pending.tag << TAG_SHIFT);
    if (next !== meta) s.setUint32(rec, next);
    if (old >= 0) this.maybeCompact();
    if (this.heap !== null) syncHeader(this);
  }

  /** Appends the pending value's blob record; returns its ref. The caller has reserved the pages. */
  private appendBlob(): number {
    const s = this.space;
    const off = this.used;
    const b = this.logAddr + off;
    s.setUint32(b, KIND_BLOB | (pending.tag << TAG_SHIFT));
    s.setUint32(b + B_LENGTH, pending.blobBytes);
    writeBlobData(s, b + B_DATA);
    this.used = off + align8(B_DATA + pending.blobBytes);
    return refOf(off);
  }

  /**
   * Deletes the record at `rec` (found by `find`, which set `link`): unlinks
   * it from its chain and turns it into a tombstone, which keeps its place in
   * the log (for iterators) until a compaction drops it.
   */
  remove(rec: number): void {
    const s = this.space;
    this.reserve(0, 0, 2); // the record's meta word and the link to it
    this.writes++;
    const meta = s.getUint32(rec);
    s.setUint32(this.link, s.getUint32(rec + R_CHAIN));
    s.setUint32(rec, (meta & ~KIND_MASK) | KIND_DELETED);
    let dead = this.recordSize(rec, meta);
    if (this.vbytes !== 0) {
      const b = slotBlob(s, meta, rec + R_VALUE);
      if (b >= 0) dead += this.blobSize(this.logAddr + offsetOf(b));
    }
    this.garbage += dead;
    this.size--;
    if (this.heap !== null && this.size === 0 && this.affords(0)) {
      freeData(this); // an embedded table that empties goes back to its header alone
      this.closeEpoch();
    } else {
      const nb = this.mask + 1;
      if (nb > this.minBuckets && this.size * SHRINK_DIVISOR < nb * LOAD_FACTOR) {
        const smaller = bucketsFor(this.size, this.minBuckets);
        if (this.affords(this.resizeBytes(smaller))) {
          if (this.heap !== null) shrinkBuckets(this, smaller);
          else relink(this, smaller, null);
        }
      }
      this.maybeCompact();
    }
    if (this.heap !== null) syncHeader(this);
  }

  /** Drops every entry: the pages go back to the pool (shared ones stay with the versions that share them); an embedded table frees its data block. */
  clear(): void {
    this.writes++;
    if (this.heap !== null) {
      this.reserve(0, 0, 0);
      if (this.buckets !== 0) freeData(this);
      this.size = 0;
      syncHeader(this);
    } else {
      const s = this.space;
      const ps = s.pageSize;
      if (this.mask >= 0) s.discard(this.buckets, pageUp((this.mask + 1) * 4, ps));
      if (this.used > 0) s.discard(this.logAddr, pageUp(this.used, ps));
      this.mask = -1;
      this.used = 0;
      this.garbage = 0;
    }
    this.size = 0;
    this.closeEpoch();
  }

  /** After a clear: live iterators go on from the start of the (new) log, as Map's after `clear`. */
  private closeEpoch(): void {
    const e = this.epoch;
    if (e !== null) {
      e.cleared = true;
      this.epoch = e.next = new Epoch();
    }
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

  // ---- whole-table moves ----

  /**
   * Prepares a write that appends `bytes` to the log, moves `moved` bytes
   * (a bucket resize, 0 if none) and writes `pages` single pages in place:
   * when the log would pass its bound (`logBytes`) it compacts first, if
   * that frees enough; then it reserves the frames of everything (see
   * `reserve`), and only then compacts. Returns true when it compacted (the
   * records moved: addresses found before are stale).
   * @throws {RangeError} when even a compacted log could not take `bytes` more.
   * @throws {OutOfMemoryError} from the reservation; nothing has changed.
   */
  private room(bytes: number, moved: number, pages: number): boolean {
    let compactFirst = false;
    if (this.used + bytes > this.logBytes) {
      if (this.used - this.garbage + bytes > this.logBytes)
        throw new RangeError(
          `CowMap/CowSet maximum size exceeded (a log of ${this.logBytes} bytes: see the maxBytes option)`,
        );
      compactFirst = true;
    }
    this.reserve(moved + (compactFirst ? this.compactBytes() : 0), bytes, pages);
    if (compactFirst) compact(this);
    return compactFirst;
  }

  /** Bytes a compaction writes (an upper bound): the live log moved and every chain relinked. */
  private compactBytes(): number {
    return this.used + (this.mask + 1) * 4;
  }

  /** Bytes a resize to `buckets` buckets writes: the bucket array and the chain field of every record. */
  private resizeBytes(buckets: number): number {
    return buckets * 4 + this.used;
  }

  /**
   * Refuses, before anything changes, a write that the pool's `maxBytes`
   * could not complete: `moved` bytes of a whole-table move (0 if none),
   * `bytes` appended (one more page: they may start mid-page) and `pages`
   * single pages written in place. An upper bound: it counts pages that may
   * already be private, so near the limit it may refuse a write that needed
   * a few frames fewer.
   */
  reserve(moved: number, bytes: number, pages: number): void {
    const pool = this.space.pool;
    if (pool.maxBytes === Number.POSITIVE_INFINITY) return;
    const ps = pool.pageSize;
    const appended = bytes === 0 ? 0 : Math.ceil(bytes / ps) + 1;
    // embedded: + the header page, and a heap call's metadata (a free may follow)
    const extra = this.heap === null ? 0 : 1 + HEAP_CALL_PAGES;
    pool.requireFrames(Math.ceil(moved / ps) + appended + pages + extra);
    // The out-of-memory hook may have released spaces: maybe this one.
    if (this.space.released) throw new ReleasedError("collection");
  }

  /**
   * True when the pool can surely supply the pages of a move of `bytes`
   * (plus, embedded, a heap call and the header): optional work (shrinking,
   * compacting, freeing an empty data block) is skipped otherwise, so a
   * delete never fails for its sake.
   */
  affords(bytes: number): boolean {
    const pool = this.space.pool;
    if (pool.maxBytes === Number.POSITIVE_INFINITY) return true;
    const extra = this.heap === null ? 0 : 1 + HEAP_CALL_PAGES;
    return Math.ceil(bytes / pool.pageSize) + 1 + extra <= pool.framesAvailable();
  }

  /** Compacts when dead records are at least half the log (and more than a few pages). */
  private maybeCompact(): void {
    const g = this.garbage;
    if (g < this.compactMin || g * 2 < this.used) return;
    if (!this.affords(this.compactBytes())) return;
    compact(this);
    if (this.heap !== null) shrinkData(this);
  }
}

/**
 * Buckets for a table that must take `entries` live entries and then as many
 * again before it is full: a power of two, at least `min` (the table's
 * `minBuckets`).
 */
function bucketsFor(entries: number, min: number): number {
  let nb = min;
  while (nb * LOAD_FACTOR < 2 * entries) nb *= 2;
  return nb;
}

/** Adds every live entry of `from` to the empty table `to`, in order (embedded.ts copies a table this way). */
function copyEntries(from: Table, to: Table): void {
  const c = new Cursor(from);
  while (c.step("set")) {
    classifyKey(c.key(from));
    if (from.vbytes !== 0) classifyValue(c.value(from));
    to.insert();
  }
}
