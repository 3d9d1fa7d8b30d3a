/**
 * Checks of LMDB's data file (`data.mdb`) made with plain file reads, outside
 * LMDB: its meta pages before LMDB maps the file (a file too short, or not
 * LMDB's, crashed the process), and its length against the last page LMDB's
 * newest meta page names (a read past the end of a truncated file through
 * LMDB's memory map kills the process with SIGBUS). Used by db.ts when it
 * opens a store.
 *
 * @module
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from "node:fs";
import { throwCorrupt } from "./errors.js";

/** LMDB's meta page magic (mm_magic). */
const LMDB_MAGIC = 0xbeefc0de;
/**
 * Byte offsets in a meta page of lmdb-js's LMDB (data version 2, 24-byte
 * page header): mm_magic, the free DB's md_pad (the page size), mm_last_pg,
 * mm_txnid (read off files it wrote, and checked against its getStats()).
 */
const META = { magic: 24, pageSize: 48, lastPage: 144, txnid: 152, end: 160 } as const;

/**
 * Checks `data.mdb` before LMDB maps it, with plain file reads (nothing
 * written): LMDB trusts what it finds there, and crashes the process on a
 * file shorter than its two meta pages (SIGSEGV) or with a bad page size.
 * Its extension to LMDB's last page is left to `extendToLastPage`,
 * under the writer lock.
 *
 * An empty file is left to LMDB (it initialises it).
 * @throws {CorruptionError} when the file is shorter than its two meta pages, has no LMDB magic,
 *   or names a page size that is not a power of two from 512 to 65,536.
 */
export function checkMetaPages(file: string): void {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    metaPageSize(file, fd, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * The page size of LMDB's first meta page, read through `fd` (a file of `size` bytes).
 * @throws {CorruptionError} as `checkMetaPages`.
 */
function metaPageSize(file: string, fd: number, size: number): number {
  const head = Buffer.alloc(META.end);
  if (readSync(fd, head, 0, META.end, 0) < META.end || head.readUInt32LE(META.magic) !== LMDB_MAGIC)
    throwCorrupt(null, null, `${file} is not an LMDB data file, or is truncated (${size} bytes)`);
  const ps = head.readUInt32LE(META.pageSize);
  if (ps < 512 || ps > 65536 || (ps & (ps - 1)) !== 0) throwCorrupt(null, null, `${file}: bad LMDB page size ${ps}`);
  if (size < 2 * ps) throwCorrupt(null, null, `${file} is truncated: ${size} bytes, shorter than its two meta pages`);
  return ps;
}

/**
 * Extends `data.mdb` with zero pages up to the last page LMDB's newer meta
 * page names, when it is shorter; never shrinks it. Runs inside a write
 * transaction (LMDB's writer lock), before anything reads a data page:
 * LMDB reads data pages through a memory map, and a read past the end of a
 * truncated file kills the process (SIGBUS).
 *
 * - Shorter than its two meta pages, or not LMDB's (as `checkMetaPages`):
 *   CorruptionError (LMDB refused neither: it opened the file).
 * - Shorter than the last page: extended. A sound file can be a few pages
 *   short (LMDB does not write pages it allocated and freed within one
 *   transaction: seen after a delete, 69,632 bytes for a last page ending at
 *   73,728); in a truncated file the lost pages then read as zeros, which
 *   LMDB reports as corrupt (MDB_CORRUPTED) or the pages' SHA-256 checksums
 *   catch: a CorruptionError, never a crash and never a wrong value.
 *
 * Why under the lock: a writer in another process writes the pages of its
 * transaction past the last committed page before it writes the meta page
 * that names them. Before review 29 the size was taken (stat) before LMDB
 * opened, outside the lock: a writer committing in between made it stale,
 * and the file was cut to the last committed page, destroying the pages of
 * the writer's next transaction (its history then pointed at lost pages).
 * Under the lock no writer is between its pages and its meta page, and the
 * size and meta pages are read through one descriptor there.
 * @throws {CorruptionError} when the file is shorter than its two meta pages or they are not LMDB's.
 */
export function extendToLastPage(file: string): void {
  const fd = openSync(file, "r+");
  try {
    const size = fstatSync(fd).size;
    const ps = metaPageSize(file, fd, size);
    const metas = [0, ps].map((at) => {
      const m = Buffer.alloc(META.end);
      readSync(fd, m, 0, META.end, at);
      return m;
    });
    const newest = metas
      .filter((m) => m.readUInt32LE(META.magic) === LMDB_MAGIC)
      .reduce((a, b) => (b.readBigUInt64LE(META.txnid) > a.readBigUInt64LE(META.txnid) ? b : a));
    const need = (Number(newest.readBigUInt64LE(META.lastPage)) + 1) * ps;
    if (size < need) ftruncateSync(fd, need);
  } finally {
    closeSync(fd);
  }
}
