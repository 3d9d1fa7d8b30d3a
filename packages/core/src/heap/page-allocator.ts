/**
 * The heap's page allocator: whole pages and runs of pages inside `[base,
 * limit)`, with every piece of state in the space (see layout.ts).
 *
 * Free single pages sit on a stack of page numbers kept OUTSIDE the free pages,
 * so freeing a page never writes (and never copies) it: the page is discarded
 * (`MADV_DONTNEED`: back to the zero frame, frame reference dropped) and its
 * number is pushed. The top of the stack is a magazine in the header page
 * (Bonwick and Adams, "Magazines and Vmem", USENIX 2001), which every
 * operation writes anyway; below it, chunk pages linked like SQLite's freelist
 * trunk pages. A push that finds magazine and top chunk full makes the freed
 * page itself the next chunk (it was just discarded, so this is a zero-fill,
 * not a copy); a pop that finds the top chunk empty hands out the chunk page
 * itself. Pushes and pops are O(1) and write at most the header, one map page
 * and one chunk page.
 *
 * Runs of n >= 2 pages come first fit from a singly linked list of free runs
 * (threaded through page-map entries, split on allocation, never coalesced),
 * then from the break. A run, or a page, freed just below the break lowers the
 * break instead (as `sbrk` trimming, dlmalloc's "top" chunk). Single pages come
 * from the stack, then the break, then split off the first free run. So free
 * singles never merge into runs: a workload that frees singles and then asks
 * for runs grows the break, and gets OutOfMemoryError once it meets `limit`
 * even if enough scattered free pages exist.
 *
 * Every function is in two halves: `plan*` reads state, records the writes it
 * will do (reserve.ts) and keeps its decisions in a plan object the caller
 * passes ({@link TakePlan}, {@link RunPlan}, {@link ReleasePlan}: made once
 * per module, so nothing is allocated per call); `commit*` applies that plan
 * after the reservation succeeded.
 *
 * @module
 */
import { throwInvalid } from "../errors.js";
import {
  C_ENTRIES,
  C_PREV,
  chunkCap,
  E_BYTES,
  E_LEN,
  E_NEXT,
  E_STATE,
  entryAt,
  H_BRK,
  H_CHUNK_COUNT,
  H_CHUNK_TOP,
  H_CHUNKS,
  H_FREE,
  H_HIGH,
  H_MAG,
  H_MAG_COUNT,
  H_RUNS,
  type HeapCore,
  magCap,
  pageAt,
  S_CHUNK,
  S_FREE,
  S_RUN,
  S_UNUSED,
  SLOT,
} from "./layout.js";
import { touch, touchDiscard, touchHandOut, touchRange } from "./reserve.js";

const FROM_MAG = 1;
const FROM_CHUNK = 2;
const FROM_CHUNK_PAGE = 3;
const FROM_BREAK = 4;
const FROM_RUN = 5;

/** Decisions of {@link planTake}, applied by {@link commitTake}. */
export class TakePlan {
  /** Where the page comes from: FROM_MAG .. FROM_RUN. */
  from = 0;
  /** The page number. */
  page = 0;
  /** Magazine or chunk count before the take (FROM_MAG, FROM_CHUNK), or the run's length (FROM_RUN). */
  count = 0;
}

/**
 * Plans taking one page (stack, then break, then first free run). Returns its
 * page number, or -1 when the heap has no page left. Records the writes.
 */
export function planTake(h: HeapCore, t: TakePlan): number {
  const s = h.space;
  const b = h.base;
  touch(b);
  const mc = s.getUint32(b + H_MAG_COUNT);
  if (mc > 0) {
    t.from = FROM_MAG;
    t.count = mc;
    t.page = s.getUint32(b + H_MAG + (mc - 1) * SLOT);
  } else {
    const top = s.getUint32(b + H_CHUNK_TOP);
    if (top !== 0) {
      const cc = s.getUint32(b + H_CHUNK_COUNT);
      t.count = cc;
      if (cc > 0) {
        t.from = FROM_CHUNK;
        t.page = s.getUint32(pageAt(h, top) + C_ENTRIES + (cc - 1) * SLOT);
      } else {
        t.from = FROM_CHUNK_PAGE;
        t.page = top;
        touchDiscard(pageAt(h, top), 1 << h.shift); // commitTake discards it
      }
    } else {
      const brk = s.getFloat64(b + H_BRK);
      if (brk < h.dataEnd) {
        t.from = FROM_BREAK;
        t.page = brk;
      } else {
        const run = s.getUint32(b + H_RUNS);
        if (run === 0) return -1;
        t.from = FROM_RUN;
        t.page = run;
        t.count = s.getUint32(entryAt(h, run) + E_LEN);
        if (t.count > 1) touch(entryAt(h, run + 1));
      }
    }
  }
  touch(entryAt(h, t.page));
  // The page goes to the caller (a page, a slab, a one-page block): refused
  // now if the caller could not write it (write-protected or unmapped).
  touchHandOut(pageAt(h, t.page), 1 << h.shift);
  return t.page;
}

/** Applies the last planTake. The caller then writes the page's map entry. */
export function commitTake(h: HeapCore, t: TakePlan): void {
  const s = h.space;
  const b = h.base;
  const p = t.page;
  switch (t.from) {
    case FROM_MAG:
      s.setUint32(b + H_MAG_COUNT, t.count - 1);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) - 1);
      break;
    case FROM_CHUNK:
      s.setUint32(b + H_CHUNK_COUNT, t.count - 1);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) - 1);
      break;
    case FROM_CHUNK_PAGE: {
      const prev = s.getUint32(pageAt(h, p) + C_PREV);
      s.discard(pageAt(h, p), 1 << h.shift); // stale entries: back to zeros
      s.setUint32(b + H_CHUNK_TOP, prev);
      s.setUint32(b + H_CHUNK_COUNT, prev === 0 ? 0 : chunkCap(h));
      s.setFloat64(b + H_CHUNKS, s.getFloat64(b + H_CHUNKS) - 1);
      break;
    }
    case FROM_BREAK:
      raiseBreak(h, p + 1);
      break;
    default: {
      const next = s.getUint32(entryAt(h, p) + E_NEXT);
      if (t.count > 1) {
        const e = entryAt(h, p + 1);
        s.setUint8(e + E_STATE, S_RUN);
        s.setUint32(e + E_NEXT, next);
        s.setUint32(e + E_LEN, t.count - 1);
        s.setUint32(b + H_RUNS, p + 1);
      } else s.setUint32(b + H_RUNS, next);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) - 1);
    }
  }
}

/** Sets the break to `brk` (above the current one) and the high-water mark. */
export function raiseBreak(h: HeapCore, brk: number): void {
  const s = h.space;
  s.setFloat64(h.base + H_BRK, brk);
  if (brk > s.getFloat64(h.base + H_HIGH)) s.setFloat64(h.base + H_HIGH, brk);
}

/** Decisions of {@link planRun}, applied by {@link commitRun}. */
export class RunPlan {
  /** First page of the run. */
  page = 0;
  /** The free run before it in the list; -1: from the break; 0: the list head is in the header. */
  prev = -1;
  /** Length of the free run taken from. */
  len = 0;
  /** The free run after it in the list. */
  next = 0;
}

/**
 * Plans taking `n >= 2` contiguous pages: first fit over the free runs, else
 * from the break. Returns the first page, or -1. O(free runs) reads.
 */
export function planRun(h: HeapCore, n: number, r: RunPlan): number {
  const s = h.space;
  const b = h.base;
  touch(b);
  let prev = 0;
  let cur = s.getUint32(b + H_RUNS);
  while (cur !== 0) {
    const e = entryAt(h, cur);
    const len = s.getUint32(e + E_LEN);
    if (len >= n) break;
    prev = cur;
    cur = s.getUint32(e + E_NEXT);
  }
  if (cur !== 0) {
    r.page = cur;
    r.prev = prev;
    r.len = s.getUint32(entryAt(h, cur) + E_LEN);
    r.next = s.getUint32(entryAt(h, cur) + E_NEXT);
    if (prev !== 0) touch(entryAt(h, prev));
    if (r.len > n) touch(entryAt(h, cur + n));
  } else {
    const brk = s.getFloat64(b + H_BRK);
    if (brk + n > h.dataEnd) return -1;
    r.page = brk;
    r.prev = -1;
  }
  touchEntries(h, r.page, n);
  touchHandOut(pageAt(h, r.page), n * (1 << h.shift)); // the caller's pages: writable, or refused now
  return r.page;
}

/** Applies the last planRun: the head gets `headState`, the other pages `bodyState`. */
export function commitRun(h: HeapCore, n: number, r: RunPlan, headState: number, bodyState: number): void {
  const s = h.space;
  const b = h.base;
  const p = r.page;
  if (r.prev < 0) raiseBreak(h, p + n);
  else {
    let link = r.next;
    if (r.len > n) {
      link = p + n;
      const e = entryAt(h, link);
      s.setUint8(e + E_STATE, S_RUN);
      s.setUint32(e + E_NEXT, r.next);
      s.setUint32(e + E_LEN, r.len - n);
    }
    if (r.prev === 0) s.setUint32(b + H_RUNS, link);
    else s.setUint32(entryAt(h, r.prev) + E_NEXT, link);
    s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) - n);
  }
  setStates(h, p, n, headState, bodyState);
}

/** Writes the state of pages `[p, p + n)`. */
export function setStates(h: HeapCore, p: number, n: number, headState: number, bodyState: number): void {
  const s = h.space;
  s.setUint8(entryAt(h, p) + E_STATE, headState);
  // entryAt per page: the entries of a run that straddles the split are in two maps.
  for (let i = 1; i < n; i++) s.setUint8(entryAt(h, p + i) + E_STATE, bodyState);
}

/**
 * Records writes to the page-map entries of pages `[p, p + n)` (n >= 1): one
 * range, or two when the pages straddle the split (layout.ts).
 */
export function touchEntries(h: HeapCore, p: number, n: number): void {
  const ps = 1 << h.shift;
  if (p < h.split && p + n > h.split) {
    touchRange(entryAt(h, p), (h.split - p) * E_BYTES, ps);
    touchRange(h.highMap, (p + n - h.split) * E_BYTES, ps);
  } else touchRange(entryAt(h, p), n * E_BYTES, ps);
}

const TO_TRIM = 1;
const TO_MAG = 2;
const TO_CHUNK = 3;
const TO_NEW_CHUNK = 4;
const TO_RUNS = 5;

/** Decisions of {@link planRelease}, applied by {@link commitRelease}. */
export class ReleasePlan {
  /** Where the pages go: TO_TRIM .. TO_RUNS. */
  to = 0;
  /** First page freed. */
  page = 0;
  /** Pages freed. */
  n = 0;
  /** Magazine or top-chunk count before the push. */
  count = 0;
  /** The top chunk page before the push. */
  top = 0;
}

/**
 * Plans freeing pages `[p, p + n)` (already validated): trim at the break,
 * else push a single page on the stack, else push a run on the run list.
 */
export function planRelease(h: HeapCore, p: number, n: number, r: ReleasePlan): void {
  const s = h.space;
  const b = h.base;
  touch(b);
  touchDiscard(pageAt(h, p), n * (1 << h.shift)); // commitRelease discards the pages: a write-protected one refuses
  r.page = p;
  r.n = n;
  if (p + n === s.getFloat64(b + H_BRK)) {
    r.to = TO_TRIM;
    touchEntries(h, p, n);
    return;
  }
  if (n > 1) {
    r.to = TO_RUNS;
    touchEntries(h, p, n);
    return;
  }
  touch(entryAt(h, p));
  const mc = s.getUint32(b + H_MAG_COUNT);
  if (mc < magCap(h)) {
    r.to = TO_MAG;
    r.count = mc;
    return;
  }
  r.top = s.getUint32(b + H_CHUNK_TOP);
  r.count = s.getUint32(b + H_CHUNK_COUNT);
  if (r.top !== 0 && r.count < chunkCap(h)) {
    r.to = TO_CHUNK;
    touch(pageAt(h, r.top) + C_ENTRIES + r.count * SLOT);
  } else {
    r.to = TO_NEW_CHUNK;
    touch(pageAt(h, p)); // written after its discard: a zero-fill, never a copy
  }
}

/** Applies the last planRelease: discards the pages, then records them as free (header first, page map last). */
export function commitRelease(h: HeapCore, r: ReleasePlan): void {
  const s = h.space;
  const b = h.base;
  const p = r.page;
  const n = r.n;
  s.discard(pageAt(h, p), n * (1 << h.shift));
  let state = S_FREE;
  switch (r.to) {
    case TO_TRIM:
      s.setFloat64(b + H_BRK, p);
      setStates(h, p, n, S_UNUSED, S_UNUSED);
      return;
    case TO_RUNS: {
      const e = entryAt(h, p);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) + n);
      const next = s.getUint32(b + H_RUNS);
      s.setUint32(b + H_RUNS, p);
      setStates(h, p, n, S_RUN, S_FREE);
      s.setUint32(e + E_NEXT, next);
      s.setUint32(e + E_LEN, n);
      return;
    }
    case TO_MAG:
      s.setUint32(b + H_MAG + r.count * SLOT, p);
      s.setUint32(b + H_MAG_COUNT, r.count + 1);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) + 1);
      break;
    case TO_CHUNK:
      s.setUint32(pageAt(h, r.top) + C_ENTRIES + r.count * SLOT, p);
      s.setUint32(b + H_CHUNK_COUNT, r.count + 1);
      s.setFloat64(b + H_FREE, s.getFloat64(b + H_FREE) + 1);
      break;
    default:
      s.setUint32(pageAt(h, p) + C_PREV, r.top);
      s.setUint32(b + H_CHUNK_TOP, p);
      s.setUint32(b + H_CHUNK_COUNT, 0);
      s.setFloat64(b + H_CHUNKS, s.getFloat64(b + H_CHUNKS) + 1);
      state = S_CHUNK;
  }
  s.setUint8(entryAt(h, p) + E_STATE, state);
}

/**
 * Page number of `addr` when it is the start of `n` pages past the metadata,
 * each in state `state` (pages at or above the break are S_UNUSED); otherwise
 * throws InvalidArgumentError naming `what`. Reads only.
 */
export function checkPages(h: HeapCore, addr: number, n: number, state: number, what: string): number {
  const ps = 1 << h.shift;
  const rel = typeof addr === "number" ? addr - h.base : Number.NaN;
  const p = rel / ps;
  if (!Number.isInteger(p) || p < h.dataStart || p + n > h.dataEnd) throwInvalid("address", addr, what);
  const s = h.space;
  for (let i = 0; i < n; i++)
    if (s.getUint8(entryAt(h, p + i) + E_STATE) !== state) throwInvalid("address", addr, what);
  return p;
}
