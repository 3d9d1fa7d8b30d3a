/**
 * Opening a store: `openStore(path, options)` opens (creating when absent)
 * the LMDB environment, checks its format and releases what a history save
 * cut short by a crash had committed.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { closeDbs, openDbs } from "./db.js";
import { HISTORY_TXN_BYTES, recoverPending } from "./save.js";
import { Store } from "./store.js";

/** Options of {@link openStore}. */
export interface StoreOptions {
  /**
   * Flush to disk (fsync) at every commit, so a save survives a power loss
   * as well as a killed process. Default true. With false a commit is
   * durable against a crash of the process (LMDB's pages are in the OS page
   * cache) but not of the machine; saves are then faster. A crash of the
   * machine with false may lose every commit since the kernel last wrote
   * the file out, and may leave the newest commit's meta page naming pages
   * never written: versions that read them then fail with CorruptionError
   * and refcounts may be off (see the README's "Durability").
   */
  sync?: boolean;
  /**
   * @internal Blob bytes a `saveHistory` transaction writes before it commits
   * a chunk (default {@link HISTORY_TXN_BYTES}); tests make it tiny.
   */
  historyTxnBytes?: number;
}

/**
 * Opens the store in directory `path` (created when absent): an LMDB
 * environment (`data.mdb`, `lock.mdb`). A new store gets the format record
 * (magic and version); an existing one is checked first.
 * @throws {InvalidArgumentError} when `path` is not a non-empty string or `options` is not an object.
 * @throws {FormatVersionError} for a store of a newer format, or a directory holding another LMDB database.
 * @throws {CorruptionError} when `data.mdb` is truncated or LMDB cannot open it.
 * @example
 * ```ts
 * import { openStore } from "@pagefork/persist";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const store = openStore(join(mkdtempSync(join(tmpdir(), "pf-")), "db"), { sync: false });
 * store.stats().versions; // 0
 * await store.close();
 * ```
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  if (typeof path !== "string" || path === "") throw new InvalidArgumentError("path", path, "a directory path");
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", options, "an object { sync? }");
  const dbs = openDbs(path, options.sync !== false);
  try {
    recoverPending(dbs, null); // a saveHistory cut short by a crash: release what it had committed
  } catch (e) {
    void closeDbs(dbs);
    throw e;
  }
  return new Store(path, dbs, options.historyTxnBytes ?? HISTORY_TXN_BYTES);
}
