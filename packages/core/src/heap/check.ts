/**
 * Heap integrity walk (`Heap.prototype.check`): recomputes every counter and
 * list of a heap from its page map and compares. O(pages below the break
 * + slots of slab pages). A debugging and testing aid, not a hot path.
 *
 * @module
 */
import {
  B_PAYLOAD,
  B_SIZE,
  B_TAG,
  C_ENTRIES,
  C_PREV,
  chunkCap,
  E_BUMP,
  E_CLASS,
  E_FREE,
  E_LEN,
  E_NEXT,
  E_PREV,
  E_SIZE,
  E_STATE,
  E_USED,
  entryAt,
  H_BLOCKS,
  H_BRK,
  H_CHUNK_COUNT,
  H_CHUNK_TOP,
  H_CHUNKS,
  H_FREE,
  H_HIGH,
  H_MAG,
  H_MAG_COUNT,
  H_MAGIC,
  H_PAGE_SIZE,
  H_PAGES,
  H_PAGES_OUT,
  H_PARTIAL,
  H_REQUESTED,
  H_RUNS,
  H_USABLE,
  H_VERSION,
  HEAP_MAGIC,
  HEAP_VERSION,
  HEAP_VERSION_ONE_MAP,
  type HeapCore,
  MAX_CLASSES,
  MIN_CLASS_SHIFT,
  magCap,
  pageAt,
  S_CHUNK,
  S_FREE,
  S_LARGE,
  S_LARGE_BODY,
  S_PAGE,
  S_RUN,
  S_SLAB,
  S_UNUSED,
  SLOT,
  TAG_FREE,
  TAG_LIVE,
} from "./layout.js";

function fail(h: HeapCore, why: string): never {
  throw new Error(`heap check failed (heap at ${h.base}): ${why}`);
}

/** Throws an Error naming the first inconsistency of the heap `h`. */
export function checkHeap(h: HeapCore): void {
  const s = h.space;
  const b = h.base;
  const ps = 1 << h.shift;
  const version = h.split === h.pages ? HEAP_VERSION_ONE_MAP : HEAP_VERSION;
  if (s.getUint32(b + H_MAGIC) !== HEAP_MAGIC || s.getUint32(b + H_VERSION) !== version) fail(h, "bad magic");
  if (s.getUint32(b + H_PAGE_SIZE) !== ps || s.getFloat64(b + H_PAGES) !== h.pages) fail(h, "bad geometry");
  const brk = s.getFloat64(b + H_BRK);
  const high = s.getFloat64(b + H_HIGH);
  if (!(h.dataStart <= brk && brk <= high && high <= h.dataEnd)) fail(h, `break ${brk} / high ${high} out of order`);
  const state = new Uint8Array(brk);
  for (let p = h.dataStart; p < brk; p++) state[p] = s.getUint8(entryAt(h, p) + E_STATE);
  for (let p = brk; p < high; p++)
    if (s.getUint8(entryAt(h, p) + E_STATE) !== S_UNUSED) fail(h, `page ${p} above the break is in use`);

  // free pages: magazine, chunks, runs; each exactly once
  const seen = new Uint8Array(brk);
  let free = 0;
  const stacked = (p: number, where: string): void => {
    if (!(p >= h.dataStart && p < brk) || state[p] !== S_FREE || seen[p] !== 0) fail(h, `${where}: bad free page ${p}`);
    seen[p] = 1;
    free++;
  };
  const mc = s.getUint32(b + H_MAG_COUNT);
  if (mc > magCap(h)) fail(h, "magazine overflow");
  for (let i = 0; i < mc; i++) stacked(s.getUint32(b + H_MAG + i * SLOT), "magazine");
  let chunk = s.getUint32(b + H_CHUNK_TOP);
  let count = s.getUint32(b + H_CHUNK_COUNT);
  let chunks = 0;
  if (chunk === 0 && count !== 0) fail(h, "entries without a chunk");
  while (chunk !== 0) {
    if (chunk >= brk || state[chunk] !== S_CHUNK || seen[chunk] !== 0) fail(h, `bad chunk page ${chunk}`);
    seen[chunk] = 2;
    if (count > chunkCap(h)) fail(h, "chunk overflow");
    for (let i = 0; i < count; i++) stacked(s.getUint32(pageAt(h, chunk) + C_ENTRIES + i * SLOT), `chunk ${chunk}`);
    chunks++;
    chunk = s.getUint32(pageAt(h, chunk) + C_PREV);
    count = chunkCap(h);
  }
  for (let run = s.getUint32(b + H_RUNS); run !== 0; run = s.getUint32(entryAt(h, run) + E_NEXT)) {
    const len = s.getUint32(entryAt(h, run) + E_LEN);
    if (run >= brk || state[run] !== S_RUN || seen[run] !== 0 || len < 1 || run + len > brk) fail(h, `bad run ${run}`);
    seen[run] = 3;
    for (let i = 1; i < len; i++) {
      if (state[run + i] !== S_FREE || seen[run + i] !== 0) fail(h, `bad page ${run + i} in run ${run}`);
      seen[run + i] = 3;
    }
    free += len;
  }
  if (free !== s.getFloat64(b + H_FREE)) fail(h, `free pages ${free} != counter ${s.getFloat64(b + H_FREE)}`);
  if (chunks !== s.getFloat64(b + H_CHUNKS)) fail(h, `chunk pages ${chunks} != counter`);

  // in-use pages and blocks
  const classes = h.shift - MIN_CLASS_SHIFT;
  let pagesOut = 0;
  let blocks = 0;
  let requested = 0;
  let usable = 0;
  let partial = 0;
  for (let p = h.dataStart; p < brk; p++) {
    const st = state[p] as number;
    const e = entryAt(h, p);
    if (st === S_FREE || st === S_RUN || st === S_CHUNK) {
      if (seen[p] === 0) fail(h, `free page ${p} is on no list`);
    } else if (st === S_PAGE) pagesOut++;
    else if (st === S_LARGE) {
      const size = s.getFloat64(e + E_SIZE);
      const n = Math.ceil(size / ps);
      if (size + B_PAYLOAD <= ps >>> 1 || p + n > brk) fail(h, `bad large block at page ${p}`);
      for (let i = 1; i < n; i++) if (state[p + i] !== S_LARGE_BODY) fail(h, `bad body of large block ${p}`);
      p += n - 1;
      blocks++;
      requested += size;
      usable += n * ps;
    } else if (st === S_SLAB) {
      const k = s.getUint8(e + E_CLASS);
      const cs = k + MIN_CLASS_SHIFT;
      const slots = ps >>> cs;
      const used = s.getUint16(e + E_USED);
      const bump = s.getUint16(e + E_BUMP);
      if (k >= classes || used > bump || bump > slots) fail(h, `bad slab ${p}`);
      if (used < slots) partial++;
      let frees = 0;
      for (let f = s.getUint16(e + E_FREE); f !== 0; f = s.getUint32(pageAt(h, p) + ((f - 1) << cs) + B_PAYLOAD)) {
        if (f > bump || s.getUint32(pageAt(h, p) + ((f - 1) << cs) + B_TAG) !== TAG_FREE || ++frees > bump)
          fail(h, `bad free list in slab ${p}`);
      }
      let live = 0;
      for (let i = 0; i < bump; i++) {
        const start = pageAt(h, p) + (i << cs);
        if (s.getUint32(start + B_TAG) !== TAG_LIVE) continue;
        live++;
        requested += s.getUint32(start + B_SIZE);
        usable += (1 << cs) - B_PAYLOAD;
      }
      if (live !== used || frees !== bump - used) fail(h, `slab ${p}: ${live} live, ${frees} free, ${used} used`);
      blocks += live;
    } else fail(h, `page ${p} has state ${st}`);
  }
  if (pagesOut !== s.getFloat64(b + H_PAGES_OUT)) fail(h, "pages-allocated counter");
  if (blocks !== s.getFloat64(b + H_BLOCKS)) fail(h, `blocks ${blocks} != counter ${s.getFloat64(b + H_BLOCKS)}`);
  if (requested !== s.getFloat64(b + H_REQUESTED)) fail(h, "requested-bytes counter");
  if (usable !== s.getFloat64(b + H_USABLE)) fail(h, "usable-bytes counter");

  // partial lists: exactly the slabs with a free slot, doubly linked
  for (let k = 0; k < MAX_CLASSES; k++) {
    let prev = 0;
    let p = s.getUint32(b + H_PARTIAL + k * SLOT);
    if (k >= classes && p !== 0) fail(h, `list of class ${k} beyond pageSize/2`);
    for (; p !== 0; p = s.getUint32(entryAt(h, p) + E_NEXT)) {
      const e = entryAt(h, p);
      if (p >= brk || state[p] !== S_SLAB || s.getUint8(e + E_CLASS) !== k || s.getUint32(e + E_PREV) !== prev)
        fail(h, `bad partial list of class ${k} at page ${p}`);
      if (s.getUint16(e + E_USED) >= ps >>> (k + MIN_CLASS_SHIFT) || partial-- <= 0)
        fail(h, `full slab ${p} on a partial list`);
      prev = p;
    }
  }
  if (partial !== 0) fail(h, `${partial} slab(s) with free slots are on no list`);
}
