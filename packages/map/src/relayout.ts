/**
 * The two whole-table moves of a {@link Table}: relinking every record into a
 * new bucket array (when the table doubles or shrinks) and compacting the
 * log in place (when dead records are half of it). Both are O(log bytes) and
 * amortized O(1) per write (see table.ts); after a fork they write, and so
 * copy, every page of what they move.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import { Epoch } from "./epoch.js";
import { KIND_BLOB, KIND_DELETED, KIND_MASK, R_CHAIN, R_VALUE, RECORD_ALIGN } from "./layout.js";
import type { Table } from "./table.js";
import { slotBlob } from "./value.js";

/** Byte offset in the log of the record named by `ref` (refs count 8-byte units, 0 is null). */
export function offsetOf(ref: number): number {
  return (ref - 1) * RECORD_ALIGN;
}

/** The ref naming the record at log offset `off`. */
export function refOf(off: number): number {
  return off / RECORD_ALIGN + 1;
}

/** `n` rounded up to a multiple of the page size `ps`. */
export function pageUp(n: number, ps: number): number {
  return Math.ceil(n / ps) * ps;
}

/**
 * Replaces the bucket array of `t` by one of `buckets` buckets (its old pages
 * are discarded, so the new one reads as zeros) and links every live entry
 * of the log into it, in log order, each at the head of its chain. After a
 * compaction, `runs` maps old blob offsets to new ones. Records do not move:
 * live iterators need no remapping.
 */
export function relink(t: Table, buckets: number, runs: Runs | null): void {
  t.writes++;
  const s = t.space;
  // A standalone space discards the old array (its pages then read as
  // zeros); an embedded data block has room for the new one at its start.
  if (t.heap !== null) s.fill(0, t.buckets, t.buckets + buckets * 4);
  else if (t.mask >= 0) s.discard(t.buckets, pageUp((t.mask + 1) * 4, s.pageSize));
  const mask = buckets - 1;
  const hashOff = t.hashOff;
  const base = t.logAddr;
  const end = t.used;
  const remap = runs !== null && t.vbytes !== 0;
  for (let p = 0; p < end; ) {
    const a = base + p;
    const meta = s.getUint32(a);
    const kind = meta & KIND_MASK;
    if (kind === KIND_BLOB) {
      p += t.blobSize(a);
      continue;
    }
    if (kind !== KIND_DELETED) {
      const link = t.buckets + (s.getUint32(a + hashOff) & mask) * 4;
      s.setUint32(a + R_CHAIN, s.getUint32(link));
      s.setUint32(link, refOf(p));
      if (remap) {
        const b = slotBlob(s, meta, a + R_VALUE);
        if (b >= 0) s.setUint32(a + R_VALUE, refOf((runs as Runs).map(offsetOf(b))));
      }
    }
    p += t.recordSize(a, meta);
  }
  t.mask = mask;
}

/**
 * Squeezes the dead records out of the log of `t` in place: slides each
 * maximal run of live records down (one `copyWithin` per run; runs only move
 * to lower addresses, so memmove order is safe), discards the pages freed at
 * the end, relinks every chain and remaps blob refs, and closes the epoch so
 * live iterators follow. A blob is live when a live entry points at it.
 */
export function compact(t: Table): void {
  t.writes++;
  const s = t.space;
  const base = t.logAddr;
  const end = t.used;
  const liveBlobs = t.vbytes !== 0 ? markLiveBlobs(t) : null;
  const runs = new Runs();
  let runStart = -1;
  for (let p = 0; p < end; ) {
    const a = base + p;
    const meta = s.getUint32(a);
    const kind = meta & KIND_MASK;
    let live: boolean;
    let size: number;
    if (kind === KIND_BLOB) {
      size = t.blobSize(a);
      const unit = p / RECORD_ALIGN; // not >>>: logs may pass 4 GiB
      live = liveBlobs !== null && ((liveBlobs[Math.floor(unit / 32)] as number) & (1 << (unit % 32))) !== 0;
    } else {
      size = t.recordSize(a, meta);
      live = kind !== KIND_DELETED;
    }
    if (live && runStart < 0) runStart = p;
    else if (!live && runStart >= 0) {
      runs.move(s, base, runStart, p);
      runStart = -1;
    }
    p += size;
  }
  if (runStart >= 0) runs.move(s, base, runStart, end);
  const newUsed = runs.total;
  // Drop the whole pages the log no longer reaches (an embedded log is a heap
  // block: only pages wholly inside it, i.e. of a large block, are its own).
  const ps = s.pageSize;
  const from = pageUp(base + newUsed, ps);
  const to =
    t.heap === null
      ? pageUp(base + end, ps)
      : Math.floor(Math.min(pageUp(base + end, ps), base + t.logBytes) / ps) * ps;
  if (to > from) s.discard(from, to - from);
  t.used = newUsed;
  t.garbage = 0;
  relink(t, t.mask + 1, runs);
  const e = t.epoch;
  if (e !== null) {
    e.oldStart = runs.oldStart;
    e.newStart = runs.newStart;
    e.length = runs.length;
    e.newUsed = newUsed;
    t.epoch = e.next = new Epoch();
  }
}

/** A bitset over the log's 8-byte units marking the blob records live entries point at. */
function markLiveBlobs(t: Table): Uint32Array {
  const s = t.space;
  const base = t.logAddr;
  const end = t.used;
  const bits = new Uint32Array(Math.ceil(end / RECORD_ALIGN / 32) + 1);
  for (let p = 0; p < end; ) {
    const a = base + p;
    const meta = s.getUint32(a);
    const kind = meta & KIND_MASK;
    if (kind === KIND_BLOB) {
      p += t.blobSize(a);
      continue;
    }
    if (kind !== KIND_DELETED) {
      const b = slotBlob(s, meta, a + R_VALUE);
      if (b >= 0) {
        const unit = b - 1;
        bits[unit >>> 5] = (bits[unit >>> 5] as number) | (1 << (unit & 31));
      }
    }
    p += t.recordSize(a, meta);
  }
  return bits;
}

/** The live runs a compaction moved: old start, new start and length of each, in log order. */
export class Runs {
  readonly oldStart: number[];
  readonly newStart: number[];
  readonly length: number[];
  /** Bytes kept so far: the new start of the next run. */
  total: number;
  constructor() {
    this.oldStart = [];
    this.newStart = [];
    this.length = [];
    this.total = 0;
  }

  /** Slides the run `[from, to)` of the log at `base` down to the end of the runs kept so far. */
  move(s: AddressSpace, base: number, from: number, to: number): void {
    if (from !== this.total) s.copyWithin(base + this.total, base + from, base + to);
    this.oldStart.push(from);
    this.newStart.push(this.total);
    this.length.push(to - from);
    this.total += to - from;
  }

  /** New offset of the live record at old offset `p`. O(log runs). */
  map(p: number): number {
    const starts = this.oldStart;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= p) lo = mid;
      else hi = mid - 1;
    }
    return (this.newStart[lo] as number) + p - (starts[lo] as number);
  }
}
