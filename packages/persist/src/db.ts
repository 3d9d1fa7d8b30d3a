/**
 * The LMDB environment of a store and its format record.
 *
 * One environment (a directory holding `data.mdb` and `lock.mdb`) with four
 * named databases:
 *
 * | database | key | value |
 * | --- | --- | --- |
 * | `meta` | `"format"`, `"counters"` | JSON: the format record, the blob counters |
 * | `blobs` | 32-byte SHA-256 | the bytes of a page, or the image of a page-table node (node-image.ts) |
 * | `refs` | 32-byte SHA-256 | u32 LE refcount: version roots and node entries that point at the blob |
 * | `versions` | name (keys.ts: UTF-8, escapes as lmdb-js's ordered-binary) | JSON version record (see record.ts) |
 *
 * Every save and delete is one LMDB write transaction: LMDB is copy-on-write
 * itself (a commit switches its meta page last), so a process killed at any
 * moment leaves the last committed transaction, whole.
 *
 * @module
 */
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { type Database, open, type RootDatabase } from "lmdb";
import { checkMetaPages, extendToLastPage } from "./data-file.js";
import { CorruptionError, FormatVersionError, throwCorrupt, throwFormat } from "./errors.js";
import { dropOpenLockTag, withOpenLock } from "./open-lock.js";

/**
 * Magic of the format record (the `meta` database's `"format"` entry): a
 * directory is a pagefork store only if it has this.
 * @example
 * ```ts
 * FORMAT_MAGIC; // "pagefork-persist"
 * ```
 */
export const FORMAT_MAGIC = "pagefork-persist";
/**
 * Format version this build writes and the newest it reads; a store or a
 * version record of a larger one gives {@link FormatVersionError}.
 *
 * - 1: page-table nodes stored dense (every entry, empty ones as zeros).
 * - 2: nodes stored sparse (a bitmap and the non-empty entries only; see
 *   node-image.ts). This build reads both: a store of format 1 loads as it
 *   is, and its format record becomes 2 when this build opens it (its next
 *   saves write sparse nodes, which a build of format 1 cannot read: it then
 *   refuses the store with FormatVersionError instead of misreading it).
 * - 3: a CowMap or CowSet record carries its table layout (`layout`: 2, the
 *   log at 2^26, in what `@pagefork/map` makes now); a record without it
 *   (formats 1 and 2) is layout 1 and loads as it is. A build of format 2
 *   would misread a layout-2 collection, so it must refuse the store: the
 *   format record is raised to 3 when this build opens a store.
 * @example
 * ```ts
 * FORMAT_VERSION; // 3
 * ```
 */
export const FORMAT_VERSION = 3;

/** The open databases of one store. */
export interface Dbs {
  /** The store's directory, its real path (the open lock is keyed by it). */
  readonly dir: string;
  readonly env: RootDatabase;
  readonly meta: Database<unknown, string>;
  readonly blobs: Database<Buffer, Buffer>;
  readonly refs: Database<Buffer, Buffer>;
  /** Keys are encoded by keys.ts (`encodeKey` / `decodeKey`), not by lmdb-js. */
  readonly versions: Database<string, Buffer>;
}

/** Blob counters kept in `meta` under "counters", updated by every write transaction. */
export interface Counters {
  /** Page blobs stored. */
  pages: number;
  /** Bytes of page blobs. */
  pageBytes: number;
  /** Page-table node blobs stored. */
  nodes: number;
  /** Bytes of node blobs. */
  nodeBytes: number;
}

/**
 * Opens (creating when absent) the environment at directory `path` and
 * checks its format record; a new store gets one.
 * @throws {FormatVersionError} when the store was written by a newer format, or is not a pagefork store.
 * @throws {CorruptionError} when `data.mdb` is shorter than its meta pages (truncated) or LMDB reports damage.
 */
export function openDbs(path: string, sync: boolean): Dbs {
  const file = join(path, "data.mdb");
  if (existsSync(file)) checkMetaPages(file);
  mkdirSync(path, { recursive: true });
  // The directory's real path names its open lock and this thread's tag file (open-lock.ts keys
  // both by it). Keyed by the path as given (before review 32), two handles of one thread opened
  // through two spellings of one directory (relative and absolute, a symlink) replaced each
  // other's tag file, and the lock one of them took was never released: every later write of
  // either waited forever (the other kept the lock file's age fresh).
  const dir = realpathSync(path);
  try {
    return openDbsLocked(dir, path, sync);
  } catch (e) {
    dropTagIfUnused(dir); // the lock's tag file, unless another store of this thread uses it
    throw e;
  }
}

function openDbsLocked(path: string, given: string, sync: boolean): Dbs {
  const file = join(given, "data.mdb");
  // Opened under the open lock: no other process opens, closes or commits meanwhile (see
  // open-lock.ts); so are openDB's (it creates a new store's databases in a write transaction).
  const dbs = withOpenLock(path, () => {
    let env: RootDatabase;
    try {
      // noSubdir false: lmdb-js would take a directory name with a dot ("tmp.x1y2") for a file name.
      // overlappingSync false: lmdb-js would otherwise return from a commit before its fsync
      // (flushing it with the next one), and `sync: true` promises the save is on disk.
      env = open({
        path,
        noSubdir: false,
        maxDbs: 8,
        compression: false,
        noSync: !sync,
        overlappingSync: false,
        cache: false,
      });
    } catch (e) {
      return throwCorrupt(null, null, `LMDB cannot open ${file}: ${(e as Error).message}`, e);
    }
    try {
      // Under LMDB's writer lock, before anything reads a data page: openDB reads the main
      // database's pages. open() did not (it reads the meta pages with pread, and the root
      // database's transaction touches no page).
      env.transactionSync(() => extendToLastPage(file));
      return {
        dir: path,
        env,
        meta: env.openDB<unknown, string>({ name: "meta", encoding: "json", cache: false }),
        blobs: env.openDB<Buffer, Buffer>({ name: "blobs", keyEncoding: "binary", encoding: "binary", cache: false }),
        refs: env.openDB<Buffer, Buffer>({ name: "refs", keyEncoding: "binary", encoding: "binary", cache: false }),
        versions: env.openDB<string, Buffer>({
          name: "versions",
          keyEncoding: "binary",
          encoding: "string",
          cache: false,
        }),
      } satisfies Dbs;
    } catch (e) {
      void closeEnv(path, env);
      if (e instanceof CorruptionError) throw e;
      return throwCorrupt(null, null, `LMDB cannot read ${file}: ${(e as Error).message}`, e);
    }
  });
  try {
    checkFormat(dbs);
  } catch (e) {
    void closeEnv(path, dbs.env);
    if (e instanceof CorruptionError || e instanceof FormatVersionError) throw e;
    return throwCorrupt(null, null, `LMDB cannot read ${file}: ${(e as Error).message}`, e);
  }
  return remember(dbs);
}

/**
 * Runs `fn` in one LMDB write transaction of `dbs` (lmdb-js's
 * `transactionSync`), holding the store's open lock (open-lock.ts) for the
 * whole of it: no process opens or closes the store meanwhile. Every write
 * of the package goes through here. Nested calls run in the same transaction.
 */
export function writeTxn<T>(dbs: Dbs, fn: () => T): T {
  return withOpenLock(dbs.dir, () => dbs.env.transactionSync(fn));
}

/** Closes the LMDB environment of `dbs` (under the open lock: see open-lock.ts). */
export function closeDbs(dbs: Dbs): Promise<void> {
  open_.delete(dbs);
  return closeEnv(dbs.dir, dbs.env);
}

/** The stores of this thread not closed yet: closed at its exit (`closeAtExit`). */
const open_ = new Set<Dbs>();
let exitHooked = false;

function remember(dbs: Dbs): Dbs {
  open_.add(dbs);
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", closeAtExit);
  }
  return dbs;
}

/**
 * Closes, under the open lock, the stores a program left open when it exits.
 * lmdb-js would close them after this (its exit hook), outside the lock, and
 * such a close could destroy the write mutex under another process opening
 * the store (see open-lock.ts): seen within 60 processes that opened a store
 * and exited without `close()` beside one opening and closing it in a loop.
 * lmdb-js's close is synchronous here (no asynchronous writes are pending).
 */
function closeAtExit(): void {
  for (const dbs of [...open_]) {
    open_.delete(dbs);
    try {
      void closeEnv(dbs.dir, dbs.env);
    } catch {
      // exiting: lmdb-js's own hook closes what this could not
    }
  }
}

function closeEnv(dir: string, env: RootDatabase): Promise<void> {
  const closed = withOpenLock(dir, () => env.close());
  dropTagIfUnused(dir);
  return closed;
}

/** Removes this thread's tag file of the open lock in `dir` (open-lock.ts) when no store of it is open here. */
function dropTagIfUnused(dir: string): void {
  for (const d of open_) if (d.dir === dir) return;
  dropOpenLockTag(dir);
}

/**
 * Reads (or, in a new store, writes) the format record; raises an older
 * store's to this format. What to write is decided again inside the write
 * transaction, from the record read there: decided from a read before it
 * (as before review 29), a second process opening a new store at once wrote
 * a format record and zero counters over the first one's saves (the counters
 * then no longer counted the blobs), and a store a newer build raised
 * meanwhile was lowered back to this format.
 */
function checkFormat(dbs: Dbs): void {
  if (formatToWrite(dbs) === null) return;
  writeTxn(dbs, () => {
    const write = formatToWrite(dbs);
    if (write === null) return;
    dbs.meta.putSync("format", { magic: FORMAT_MAGIC, version: FORMAT_VERSION });
    if (write === "new")
      dbs.meta.putSync("counters", { pages: 0, pageBytes: 0, nodes: 0, nodeBytes: 0 } satisfies Counters);
  });
}

/**
 * Checks the format record as the current transaction sees it: "new" when
 * the store has none and is empty (it gets one), "raise" when it is of an
 * older format, null when it is of this format.
 * @throws {FormatVersionError} when the store is of a newer format or not a pagefork store.
 * @throws {CorruptionError} when the record cannot be read or its version is not a positive integer.
 */
function formatToWrite(dbs: Dbs): "new" | "raise" | null {
  let rec: unknown;
  try {
    rec = dbs.meta.get("format");
  } catch (e) {
    throwCorrupt(null, null, `the format record cannot be read: ${(e as Error).message}`, e);
  }
  if (rec === undefined) {
    const empty = dbs.versions.getKeysCount() === 0 && dbs.blobs.getKeysCount() === 0;
    if (!empty) throwFormat(Number.NaN, FORMAT_VERSION, "not a pagefork store: it holds data but no format record");
    return "new";
  }
  const r = rec as { magic?: unknown; version?: unknown };
  if (typeof r !== "object" || r === null || r.magic !== FORMAT_MAGIC)
    throwFormat(Number.NaN, FORMAT_VERSION, `not a pagefork store: format record ${JSON.stringify(rec)}`);
  if (typeof r.version !== "number" || !Number.isInteger(r.version) || r.version < 1)
    throwCorrupt(null, null, `bad format version ${JSON.stringify(r.version)}`);
  if (r.version > FORMAT_VERSION) throwFormat(r.version, FORMAT_VERSION);
  return r.version < FORMAT_VERSION ? "raise" : null;
}

/** The blob counters (zeros when absent). */
export function readCounters(dbs: Dbs): Counters {
  const c = dbs.meta.get("counters") as Counters | undefined;
  return c === undefined ? { pages: 0, pageBytes: 0, nodes: 0, nodeBytes: 0 } : { ...c };
}
