/**
 * The writes of a {@link Table} (a {@link Probe} holds the key, a
 * {@link PendingValue} the value, both passed in): insert, update, remove and clear, and how each plans and reserves
 * its frames before it changes anything. Standalone tables grow in place in
 * their own space (relayout.ts moves them whole now and then); embedded ones
 * grow their data block in the heap (embedded.ts).
 *
 * Costs after a fork, in pages written (each write to a shared page copies
 * it): an update of an inline value 1 (the record), a new key 2 (the log
 * tail and the bucket), a delete 2 (the record and the link to it), a blob
 * value 1 to 2 more (the log tail); embedded, plus the header's page.
 * Resizing the buckets writes them and every record's chain field;
 * compaction rewrites the live log. Both happen only when the table doubles,
 * shrinks to an eighth, or is half dead, so they are amortized O(1) per write.
 *
 * @module
 */
import { OutOfMemoryError } from "@pagefork/core";
import { freeData, growData, HEAP_CALL_PAGES, shrinkBuckets, shrinkData, syncHeader } from "./embedded.js";
import { Epoch } from "./epoch.js";
import { keyFootprint, type Probe, writeKey } from "./key.js";
import {
  align8,
  B_DATA,
  B_LENGTH,
  KIND_BLOB,
  KIND_DELETED,
  KIND_MASK,
  MAX_ENTRIES,
  R_CHAIN,
  R_VALUE,
  SHRINK_DIVISOR,
  TAG_MASK,
  TAG_SHIFT,
} from "./layout.js";
import { compact, offsetOf, pageUp, refOf, relink } from "./relayout.js";
import { reserveFrames } from "./reserve.js";
import type { Table } from "./table.js";
import { type PendingValue, pendingIsBlob, slotBlob, writeBlobData, writeSlot } from "./value.js";

/**
 * Appends a record for the key of `probe` (with the value of `pending`, for
 * maps; a set's record ignores `pending` and takes tag 0) and
 * links it at the head of its chain, after growing the bucket array when it
 * is full.
 */
export function insert(t: Table, probe: Probe, pending: PendingValue): void {
  if (t.size >= MAX_ENTRIES) throw new RangeError(`CowMap/CowSet maximum size exceeded (${MAX_ENTRIES} entries)`);
  const recBytes = align8(t.keyOff + keyFootprint(probe.bytes));
  const blobBytes = t.vbytes !== 0 && pendingIsBlob(pending) ? align8(B_DATA + pending.blobBytes) : 0;
  const need = recBytes + blobBytes;
  const nb = t.mask + 1;
  // Doubling, as V8's OrderedHashTable: the load goes from the load factor to
  // half that. A bounded space's bucket region may stop it (chains grow).
  let buckets = nb;
  if (t.size + 1 > nb * t.loadFactor) {
    buckets = nb === 0 ? t.minBuckets : nb * 2;
    if (buckets > t.maxBuckets) buckets = nb;
  }
  const grow = buckets !== nb;
  if (t.heap !== null) {
    // embedded: a larger data block (realloc) when the buckets double or the log is full
    if (grow || t.used + need > t.logBytes) growData(t, buckets, need);
    else reserve(t, 0, need, 1);
  } else {
    room(t, need, grow ? resizeBytes(t, buckets) : 0, 1); // + the bucket page
    if (grow) relink(t, buckets, null);
  }
  t.writes++;
  const s = t.space;
  const blobRef = blobBytes !== 0 ? appendBlob(t, pending) : 0;
  const off = t.used;
  const rec = t.logAddr + off;
  const link = t.buckets + (probe.hash & t.mask) * 4;
  // A set's record takes tag 0: `pending` holds the last map write's value, whose tag made equal sets differ in their bytes.
  s.setUint32(rec, probe.meta | ((t.vbytes !== 0 ? pending.tag : 0) << TAG_SHIFT));
  s.setUint32(rec + R_CHAIN, s.getUint32(link));
  if (t.vbytes !== 0) writeSlot(s, rec + R_VALUE, blobRef, pending);
  s.setUint32(rec + t.hashOff, probe.hash);
  writeKey(s, rec + t.keyOff, probe);
  s.setUint32(link, refOf(off)); // the record becomes reachable only now
  t.used = off + recBytes;
  t.size++;
  if (t.heap !== null) syncHeader(t);
}

/**
 * Rewrites the value of the record at `rec` (found by `find(probe)`) with
 * the value of `pending`. Maps only.
 */
export function update(t: Table, rec: number, probe: Probe, pending: PendingValue): void {
  const blobBytes = pendingIsBlob(pending) ? align8(B_DATA + pending.blobBytes) : 0;
  // + the record's meta and slot (two pages when it straddles)
  if (t.heap !== null) {
    if (t.used + blobBytes > t.logBytes) {
      growData(t, t.mask + 1, blobBytes);
      rec = t.find(probe); // the data block moved
    } else reserve(t, 0, blobBytes, 2);
  } else if (room(t, blobBytes, 0, 2)) rec = t.find(probe); // a compaction moved the record
  t.writes++;
  const s = t.space;
  const meta = s.getUint32(rec);
  const old = slotBlob(s, meta, rec + R_VALUE);
  if (old >= 0) t.garbage += t.blobSize(t.logAddr + offsetOf(old));
  const blobRef = blobBytes !== 0 ? appendBlob(t, pending) : 0;
  writeSlot(s, rec + R_VALUE, blobRef, pending);
  const next = (meta & ~(TAG_MASK << TAG_SHIFT)) | (pending.tag << TAG_SHIFT);
  if (next !== meta) s.setUint32(rec, next);
  if (old >= 0) maybeCompact(t);
  // An inline value over an inline value changes nothing the header holds.
  if (t.heap !== null && (blobBytes !== 0 || old >= 0)) syncHeader(t);
}

/** Appends the blob record of the classified value `pending`; returns its ref. The caller has reserved the pages. */
function appendBlob(t: Table, pending: PendingValue): number {
  const s = t.space;
  const off = t.used;
  const b = t.logAddr + off;
  s.setUint32(b, KIND_BLOB | (pending.tag << TAG_SHIFT));
  s.setUint32(b + B_LENGTH, pending.blobBytes);
  writeBlobData(s, b + B_DATA, pending);
  t.used = off + align8(B_DATA + pending.blobBytes);
  return refOf(off);
}

/**
 * Deletes the record at `rec` (found by `find`; `link` is the link to it,
 * `foundLink()` read right after that `find`): unlinks
 * it from its chain and turns it into a tombstone, which keeps its place in
 * the log (for iterators) until a compaction drops it.
 */
export function remove(t: Table, rec: number, link: number): void {
  const s = t.space;
  reserve(t, 0, 0, 2); // the record's meta word and the link to it
  t.writes++;
  const meta = s.getUint32(rec);
  s.setUint32(link, s.getUint32(rec + R_CHAIN));
  s.setUint32(rec, (meta & ~KIND_MASK) | KIND_DELETED);
  let dead = t.recordSize(rec, meta);
  if (t.vbytes !== 0) {
    const b = slotBlob(s, meta, rec + R_VALUE);
    if (b >= 0) dead += t.blobSize(t.logAddr + offsetOf(b));
  }
  t.garbage += dead;
  t.size--;
  if (t.heap !== null && t.size === 0 && affords(t, 0, true)) {
    freeData(t); // an embedded table that empties goes back to its header alone
    closeEpoch(t);
  } else {
    const nb = t.mask + 1;
    if (nb > t.minBuckets && t.size * SHRINK_DIVISOR < nb * t.loadFactor) {
      const smaller = bucketsFor(t.size, t.minBuckets, t.loadFactor);
      if (affords(t, resizeBytes(t, smaller))) {
        if (t.heap !== null) shrinkBuckets(t, smaller);
        else relink(t, smaller, null);
      }
    }
    maybeCompact(t);
  }
  if (t.heap !== null) syncHeader(t);
}

/** Drops every entry: the pages go back to the pool (shared ones stay with the versions that share them); an embedded table frees its data block. */
export function clear(t: Table): void {
  // Empty already: a frozen space keeps its (empty) pages, as a frozen collection must (freeze.ts).
  if (t.size === 0 && t.space.frozen) return;
  t.writes++;
  if (t.heap !== null) {
    reserve(t, 0, 0, HEAP_CALL_PAGES); // the free of the data block
    if (t.buckets !== 0) freeData(t);
    t.size = 0;
    syncHeader(t);
  } else {
    const s = t.space;
    const ps = s.pageSize;
    if (t.mask >= 0) s.discard(t.buckets, pageUp((t.mask + 1) * 4, ps));
    if (t.used > 0) s.discard(t.logAddr, pageUp(t.used, ps));
    t.mask = -1;
    t.used = 0;
    t.garbage = 0;
  }
  t.size = 0;
  closeEpoch(t);
}

/** After a clear: live iterators go on from the start of the (new) log, as Map's after `clear`. */
function closeEpoch(t: Table): void {
  const e = t.epoch;
  if (e !== null) {
    e.cleared = true;
    t.epoch = e.next = new Epoch();
  }
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
function room(t: Table, bytes: number, moved: number, pages: number): boolean {
  let compactFirst = false;
  if (t.used + bytes > t.logBytes) {
    if (t.used - t.garbage + bytes > t.logBytes)
      throw new RangeError(
        `CowMap/CowSet maximum size exceeded (a log of ${t.logBytes} bytes: see the maxBytes option)`,
      );
    compactFirst = true;
  }
  reserve(t, moved + (compactFirst ? compactBytes(t) : 0), bytes, pages);
  if (compactFirst) compact(t);
  return compactFirst;
}

/** Bytes a compaction writes (an upper bound): the live log moved and every chain relinked. */
function compactBytes(t: Table): number {
  return t.used + (t.mask + 1) * 4;
}

/** Bytes a resize to `buckets` buckets writes: the bucket array and the chain field of every record. */
function resizeBytes(t: Table, buckets: number): number {
  return buckets * 4 + t.used;
}

/**
 * Refuses, before anything changes, a write that the pool's `maxBytes`
 * could not complete: `moved` bytes of a whole-table move (0 if none),
 * `bytes` appended (one more page: they may start mid-page) and `pages`
 * single pages written in place. An upper bound: it counts pages that may
 * already be private, so near the limit it may refuse a write that needed
 * a few frames fewer.
 */
export function reserve(t: Table, moved: number, bytes: number, pages: number): void {
  const ps = t.space.pageSize;
  const appended = bytes === 0 ? 0 : Math.ceil(bytes / ps) + 1;
  // embedded: + the header's page (a heap call reserves its own: growData, clear)
  const extra = t.heap === null ? 0 : 1;
  // One core check (the pool's hook, ReleasedError if it released this space), and the space still writable after it.
  reserveFrames(t.space, Math.ceil(moved / ps) + appended + pages + extra, t);
}

/**
 * True when the pool can surely supply the pages of a move of `bytes` (plus,
 * embedded, the header's page, and with `heapCall` a heap call's): optional
 * work (shrinking, compacting, freeing an empty data block) is skipped
 * otherwise, so a delete never fails for its sake. It also makes now the
 * engine's allocations for those pages' faults (`space.reserveFrames`, which
 * cannot run the out-of-memory hook here: the frames are there), and skips
 * the work when the engine refuses one: the move comes after the write it
 * follows, and a slab refused at its third page left the table half
 * relinked or half compacted, the call thrown.
 */
export function affords(t: Table, bytes: number, heapCall = false): boolean {
  const space = t.space;
  const pool = space.pool;
  const extra = (t.heap === null ? 0 : 1) + (heapCall ? HEAP_CALL_PAGES : 0);
  const frames = Math.ceil(bytes / pool.pageSize) + 1 + extra;
  if (frames > pool.framesAvailable()) return false;
  try {
    space.reserveFrames(frames);
  } catch (e) {
    if (e instanceof OutOfMemoryError) return false;
    throw e;
  }
  return true;
}

/** Compacts when dead records are at least half the log (and more than a few pages). */
function maybeCompact(t: Table): void {
  const g = t.garbage;
  if (g < t.compactMin || g * 2 < t.used) return;
  if (!affords(t, compactBytes(t))) return;
  compact(t);
  if (t.heap !== null) shrinkData(t);
}

/**
 * Buckets for a table that must take `entries` live entries and then as many
 * again before it is full: a power of two, at least `min` (the table's
 * `minBuckets`).
 */
export function bucketsFor(entries: number, min: number, loadFactor: number): number {
  let nb = min;
  while (nb * loadFactor < 2 * entries) nb *= 2;
  return nb;
}
