/**
 * @pagefork/persist: incremental, crash-safe persistence of pagefork
 * versions in LMDB. Pages are stored once by content (SHA-256, which is
 * also their checksum) with a refcount; a save writes only the pages the
 * store lacks and the page-table nodes on their paths, in one transaction.
 *
 * @packageDocumentation
 */

export { FORMAT_MAGIC, FORMAT_VERSION } from "./db.js";
export { CorruptionError, FormatVersionError, VersionNotFoundError } from "./errors.js";
export type { GcResult } from "./gc.js";
export type { Persistable } from "./kinds.js";
export { openStore, type StoreOptions } from "./open-store.js";
export { HISTORY_TXN_BYTES, type SaveResult } from "./save.js";
export type { StoreStats } from "./stats.js";
export { type LoadOptions, Store } from "./store.js";
