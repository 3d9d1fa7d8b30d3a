/**
 * The figures of `Store.stats()`: names, blobs and their bytes (from the
 * counters every write transaction keeps), the bytes the versions map, and
 * the damage found.
 *
 * @module
 */
import { type Dbs, readCounters } from "./db.js";
import { CorruptionError, FormatVersionError } from "./errors.js";
import { unreclaimed } from "./gc.js";
import { decodeKey } from "./keys.js";
import { entriesOf, parseRecord, type VersionRecord } from "./record.js";
import { INTERNAL_KEY } from "./save.js";

/** Figures of {@link Store.stats}; sizes in bytes. */
export interface StoreStats {
  /** Names held. */
  versions: number;
  /** Distinct page blobs stored. */
  pages: number;
  /** Bytes of the stored pages. */
  pageBytes: number;
  /** Page-table node blobs stored. */
  nodes: number;
  /** Bytes of the stored nodes. */
  nodeBytes: number;
  /** Bytes the saved versions map: their non-zero pages x page size, summed over every version. */
  logicalBytes: number;
  /** `logicalBytes / pageBytes`: how many times a stored page is used on average (1 when nothing is shared). */
  dedupRatio: number;
  /** Size of the LMDB data file (`data.mdb`), including free pages LMDB reuses. */
  fileBytes: number;
  /**
   * Names whose record this build cannot read, in key order: damaged (it does not parse or
   * fails its checksum: `load` throws CorruptionError) or of a newer format (FormatVersionError).
   * Counted in `versions`, not in `logicalBytes`. Empty in a sound store.
   */
  unreadable: string[];
  /**
   * Damaged records (and intent records) dropped by a save over them, a delete or the
   * recovery since the last {@link Store.gc}: what they referenced is still stored and
   * counted in `pages` and `nodes` (their roots are unknown). 0 in a sound store.
   */
  unreclaimed: number;
}

/**
 * The figures of the store `dbs` as its current read transaction sees them.
 * A record that cannot be read is listed in `unreadable`, not thrown.
 * O(names) (reads every record).
 */
export function storeStats(dbs: Dbs): StoreStats {
  const c = readCounters(dbs);
  let logical = 0;
  let versions = 0;
  const unreadable: string[] = [];
  for (const { key, value } of dbs.versions.getRange()) {
    const name = decodeKey(key as unknown as Buffer);
    if (name.startsWith(INTERNAL_KEY)) continue;
    versions++;
    let rec: VersionRecord;
    try {
      rec = parseRecord(name, value as string);
    } catch (e) {
      if (!(e instanceof CorruptionError || e instanceof FormatVersionError)) throw e;
      unreadable.push(name);
      continue;
    }
    for (const e of entriesOf(rec)) logical += e.pages * e.pageSize;
  }
  const st = dbs.env.getStats() as { pageSize: number; lastPageNumber: number };
  return {
    versions,
    pages: c.pages,
    pageBytes: c.pageBytes,
    nodes: c.nodes,
    nodeBytes: c.nodeBytes,
    logicalBytes: logical,
    dedupRatio: c.pageBytes === 0 ? 1 : logical / c.pageBytes,
    fileBytes: (st.lastPageNumber + 1) * st.pageSize,
    unreadable,
    unreclaimed: unreclaimed(dbs),
  };
}
