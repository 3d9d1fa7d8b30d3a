/**
 * The store: `openStore(path)`, then `save`, `saveHistory`, `load`,
 * `loadHistory`, `list`, `delete`, `stats`, `gc`, `close`.
 *
 * @module
 */
import {
  type AddressSpace,
  type Forkable,
  type FramePool,
  History,
  InvalidArgumentError,
  ReleasedError,
} from "@pagefork/core";
import type { AnyType } from "@pagefork/state";
import { Baselines } from "./baselines.js";
import { BlobTxn } from "./blobs.js";
import { checkLoad, checkName, checkPageSize } from "./checks.js";
import { closeDbs, type Dbs, FORMAT_VERSION, writeTxn } from "./db.js";
import { throwCorrupt, throwNotFound } from "./errors.js";
import { collectGarbage, type GcResult } from "./gc.js";
import { decodeKey, encodeKey } from "./keys.js";
import { describe, type Persistable } from "./kinds.js";
import { readEntry, readHistory } from "./load.js";
import { parseRecord, type VersionRecord } from "./record.js";
import {
  INTERNAL_KEY,
  putRecord,
  recoverPending,
  releaseOld,
  type SaveResult,
  saveVersion,
  unpinReadTxn,
  writeHistory,
} from "./save.js";
import { type StoreStats, storeStats } from "./stats.js";
import type { Tree } from "./tree.js";

/** Options of {@link Store.load} and {@link Store.loadHistory}. */
export interface LoadOptions {
  /** The frame pool the loaded version takes its frames from (its page size must be the saved one's). */
  pool: FramePool;
  /** The schema of a saved `State` (required to load one, ignored otherwise). */
  schema?: AnyType;
}

/**
 * A store of versions in an LMDB environment (a directory). Open it with
 * {@link openStore}. Pages are stored once by content (SHA-256), with a
 * refcount; each name maps to a version record holding the root of its
 * page-table tree (see the package README for the format).
 *
 * Incremental saves: the store keeps, per name, an O(1) fork of the version
 * last saved (sharing every frame) and the tree saved with it; the next save
 * of that name hashes only the pages whose frames differ, found by the
 * core's page-table diff, and writes those the store lacks plus the tree
 * nodes on their paths. A first save under a name is diffed against the
 * version saved last under any name (same pool, size and kind), so saving
 * a fork under a new name costs its changes too. Those forks are released by `delete(name)` and
 * `close()`; until then they keep the saved version's frames alive (a frame
 * the application later writes is copied, as after any fork).
 *
 * Atomicity: every save and delete is one LMDB write transaction, so a
 * process killed at any point leaves every earlier save intact; a history
 * goes in chunks of ~256 MiB, the record last (see `saveHistory`). A call that
 * throws (bad input, damage found) changes nothing in the store.
 *
 * Several handles or processes may write a store at once: LMDB serialises
 * write transactions across processes, and a save reads what it replaces
 * inside its own, so saves interleave whole; the last save of a name wins
 * (no compare-and-set). A kept fork is diffed against only while the store
 * still holds its version under its name; otherwise (another handle or
 * process replaced or deleted it) a save hashes every page. LMDB's lock
 * file needs a local file system.
 *
 * @example
 * ```ts
 * import { AddressSpace } from "@pagefork/core";
 * import { openStore } from "@pagefork/persist";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const store = openStore(mkdtempSync(join(tmpdir(), "pf-")));
 * const a = new AddressSpace({ size: 1 << 20 });
 * a.setFloat64(0, 3.5);
 * (await store.save("doc", a)).pagesWritten; // 1
 * const b = a.fork();
 * b.setFloat64(8192, 7);
 * (await store.save("doc", b)).pagesWritten; // 1 (page 2; page 0 is stored already)
 * const c = (await store.load("doc", { pool: a.pool })) as AddressSpace;
 * [c.getFloat64(0), c.getFloat64(8192)]; // [3.5, 7]
 * store.list(); // ["doc"]
 * c.release(); b.release(); a.release();
 * await store.close();
 * ```
 */
export class Store {
  #dbs: Dbs | null;
  /** The versions saved last, to diff the next saves against. */
  readonly #kept: Baselines;
  /** The directory of the LMDB environment. */
  readonly path: string;

  /** Blob bytes one transaction of `saveHistory` writes before it commits a chunk. */
  readonly #historyTxnBytes: number;

  /** @internal Use {@link openStore}. */
  constructor(path: string, dbs: Dbs, historyTxnBytes: number) {
    this.path = path;
    this.#dbs = dbs;
    this.#historyTxnBytes = historyTxnBytes;
    this.#kept = new Baselines();
  }

  #open(): Dbs {
    if (this.#dbs === null) throw new ReleasedError("store");
    return this.#dbs;
  }

  /**
   * Saves `version` under `name`, replacing what the name held, in one
   * transaction. Writes only pages the store lacks: a first save writes every
   * non-zero page; a save of a fork of the version last saved under `name`
   * that changed k pages hashes those k pages and writes them plus the
   * page-table nodes on their paths (about k x levels nodes of ~1 page each).
   * `version`: an AddressSpace (its mappings and frozen flag are kept), a
   * standalone Cow*Array (a subarray too), a standalone CowVector, CowText,
   * CowMap or CowSet (with the numbers it keeps outside its space), or a State.
   * A record under `name` that does not parse or fails its checksum is
   * replaced (what it referenced stays stored, its roots unknown, until
   * {@link Store.gc}; `stats().unreclaimed` counts it).
   * @returns what was written.
   * @throws {InvalidArgumentError} for a bad name (not a non-empty string of
   *   at most 500 UTF-8 bytes) or an unsupported, released or embedded version; nothing changed.
   * @throws {FormatVersionError} when `name` holds a record of a newer format; nothing changed.
   * @throws {ReleasedError} after `close()`.
   */
  async save(name: string, version: Persistable): Promise<SaveResult> {
    const dbs = this.#open();
    checkName(name);
    const d = describe(version);
    let tree: Tree | undefined;
    // The fork kept for the next save is taken inside the transaction, after the pages are
    // hashed (their reader fork released): a pool that refuses it (overcommit "never") then
    // aborts the save. Taken after the commit (before review 32), its refusal threw from a save
    // that had committed.
    let baseline: AddressSpace | undefined;
    let tally: SaveResult;
    try {
      tally = this.#write(dbs, name, (txn) => {
        const { tree: t, entry, hashed } = saveVersion(d, this.#kept.get(dbs, name), txn);
        tree = t;
        baseline = d.space.fork();
        return { record: { format: FORMAT_VERSION, type: "version", ...entry }, hashed, pages: t.pages };
      });
    } catch (e) {
      baseline?.release();
      throw e;
    }
    this.#kept.remember(name, { baseline: baseline as AddressSpace, tree: tree as Tree, kind: d.kind });
    return tally;
  }

  /**
   * Saves every version of `history` under `name` (oldest first, with its
   * position, `maxVersions` and `freeze`). Versions share their unchanged
   * pages and subtrees in the store as in memory: each is hashed only where
   * its frames differ from the version before it. The versions go in LMDB
   * transactions of ~256 MiB ({@link HISTORY_TXN_BYTES}: one transaction past
   * LMDB's dirty-page limit spills and slows down many times over); the
   * record under `name` is replaced only by the last, so a crash midway
   * leaves the old one intact, and the chunks already committed (listed by
   * intent records) are released by the next `openStore`.
   * @throws {InvalidArgumentError} for a bad name, a released history or a version {@link Store.save} refuses.
   * @throws {ReleasedError} after `close()`.
   */
  async saveHistory<T extends Persistable & Forkable<T>>(name: string, history: History<T>): Promise<SaveResult> {
    const dbs = this.#open();
    checkName(name);
    if (!(history instanceof History) || history.released)
      throw new InvalidArgumentError("history", history, "a History not released");
    const described = [...history].map((v) => describe(v));
    const meta = {
      position: history.position,
      maxVersions: Number.isFinite(history.maxVersions) ? history.maxVersions : null,
      freeze: history.freezes,
    };
    let result: SaveResult;
    try {
      result = writeHistory(dbs, name, described, meta, this.#historyTxnBytes);
    } catch (e) {
      recoverPending(dbs, name); // the chunks committed before the failure
      throw e;
    }
    this.#kept.forget(name);
    return result;
  }

  /** Runs one write transaction that replaces `name`'s record (see `putRecord`). */
  #write(
    dbs: Dbs,
    name: string,
    body: (txn: BlobTxn) => { record: VersionRecord; hashed: number; pages: number },
  ): SaveResult {
    unpinReadTxn(dbs);
    return writeTxn(dbs, () => {
      const txn = new BlobTxn(dbs, name);
      const { record, hashed, pages } = body(txn);
      putRecord(dbs, txn, name, record);
      txn.commitCounters();
      const t = txn.tally;
      return { pagesHashed: hashed, pagesWritten: t.pages, nodesWritten: t.nodes, bytesWritten: t.bytes, pages };
    });
  }

  /**
   * The version saved under `name`, rebuilt in `options.pool`: equal, byte for
   * byte, to the one saved, and of the same kind (an AddressSpace, Cow*Array,
   * CowVector, CowText, CowMap, CowSet or State; pass `schema` for a State),
   * writable (frozen when its space was frozen at the save) and forkable. Every page and page-table
   * node read is checked against its SHA-256. O(pages x pageSize). The caller
   * owns (releases) the result.
   * @throws {VersionNotFoundError} when the name is unknown or holds a history.
   * @throws {CorruptionError} naming the version and page, for a missing or damaged page or node;
   *   naming the version, for a record whose numbers (a text's root, a table's counters, a
   *   vector's length) do not fit its pages, e.g. a record of another kind.
   * @throws {FormatVersionError} when the record was written by a newer format.
   * @throws {InvalidArgumentError} for a bad name, pool (not a FramePool, or another page size), a
   *   missing schema or one other than the State was saved with (its fields, their types and
   *   order; records saved before the schema was kept load with any), or a record of a kind this
   *   build does not know (a newer one). Nothing is kept then.
   * @throws {ReleasedError} after `close()`.
   */
  async load(name: string, options: LoadOptions): Promise<Persistable> {
    const dbs = this.#open();
    checkName(name);
    const { pool, schema } = checkLoad(options);
    unpinReadTxn(dbs); // the newest commit (see #record)
    const rec = this.#record(dbs, name);
    if (rec.type !== "version") return throwNotFound(name, `${JSON.stringify(name)} holds a history: use loadHistory`);
    checkPageSize(rec, pool);
    return readEntry(dbs, name, rec, pool, schema);
  }

  /**
   * The history saved under `name`, rebuilt in `options.pool`: its versions
   * (each equal to the one saved), its position, `maxVersions` and `freeze`.
   * Each version after the first is a fork of the one before it with only
   * the differing pages written, so they share frames as the saved ones did.
   * O(first version's pages + changed pages).
   * @throws {VersionNotFoundError} when the name is unknown or holds a single version.
   * @throws {CorruptionError}, {FormatVersionError}, {InvalidArgumentError}, {ReleasedError}: as {@link Store.load}.
   */
  async loadHistory(name: string, options: LoadOptions): Promise<History<Persistable>> {
    const dbs = this.#open();
    checkName(name);
    const { pool, schema } = checkLoad(options);
    unpinReadTxn(dbs); // the newest commit (see #record)
    const rec = this.#record(dbs, name);
    if (rec.type !== "history") return throwNotFound(name, `${JSON.stringify(name)} holds one version: use load`);
    if (rec.entries.length === 0) throwCorrupt(name, null, "a history record with no version");
    for (const e of rec.entries) checkPageSize(e, pool);
    return readHistory(dbs, name, rec, pool, schema);
  }

  /**
   * The record under `name`. The public reads (`load`, `loadHistory`, `list`,
   * `stats`) first drop lmdb-js's cached read transaction (`unpinReadTxn`):
   * lmdb-js keeps one until a timer of the next event-loop turn, so a read in
   * the same turn as a commit by another handle or process (an awaited
   * `save` of a second handle: its promise settles in microtasks) saw the
   * snapshot before it (`list()` without the name just saved, `load` the
   * version it replaced) before review 31. The reads of one call share one
   * snapshot. O(1): an LMDB txn reset and renew.
   */
  #record(dbs: Dbs, name: string): VersionRecord {
    let text: string | undefined;
    try {
      text = dbs.versions.get(encodeKey(name));
    } catch (e) {
      throwCorrupt(name, null, `LMDB cannot read the version record: ${(e as Error).message}`, e);
    }
    if (text === undefined) return throwNotFound(name);
    return parseRecord(name, text);
  }

  /**
   * Names held, in key order (UTF-8 bytes, for names without U+0000..U+001B:
   * see keys.ts). O(names). @throws {ReleasedError} after `close()`.
   */
  list(): string[] {
    const dbs = this.#open();
    unpinReadTxn(dbs); // the newest commit (see #record)
    const names: string[] = [];
    for (const k of dbs.versions.getKeys()) {
      const name = decodeKey(k as unknown as Buffer);
      if (!name.startsWith(INTERNAL_KEY)) names.push(name);
    }
    return names;
  }

  /**
   * Removes `name` in one transaction; pages and nodes no other version uses
   * are freed. Resolves to false (changing nothing) when the name is unknown.
   * A record that does not parse or fails its checksum is removed, what it
   * referenced left stored (its roots are unknown) until {@link Store.gc}. O(nodes and pages freed).
   * @throws {InvalidArgumentError} for a bad name. @throws {ReleasedError} after `close()`.
   * @throws {CorruptionError} when a node to free is damaged (nothing is removed then).
   */
  async delete(name: string): Promise<boolean> {
    const dbs = this.#open();
    checkName(name);
    unpinReadTxn(dbs);
    const key = encodeKey(name);
    const removed = writeTxn(dbs, () => {
      const old = dbs.versions.get(key);
      if (old === undefined) return false;
      const txn = new BlobTxn(dbs, name);
      dbs.versions.removeSync(key);
      releaseOld(dbs, txn, name, old);
      txn.commitCounters();
      return true;
    });
    this.#kept.forget(name);
    return removed;
  }

  /**
   * What the store holds: names, distinct pages and nodes and their bytes,
   * the bytes the versions map, the dedup ratio, and the damage found: names
   * whose record cannot be read (`unreadable`) and damaged records dropped
   * whose pages are not reclaimed yet (`unreclaimed`; see {@link Store.gc}).
   * A damaged record is reported, not thrown: before review 28 one such record
   * made every `stats()` throw CorruptionError. O(names) (reads every record).
   * @throws {ReleasedError} after `close()`.
   */
  stats(): StoreStats {
    const dbs = this.#open();
    unpinReadTxn(dbs); // the newest commit (see #record)
    return storeStats(dbs);
  }

  /**
   * Reclaims what no record references, in one write transaction: recounts
   * every reference from the records and intent records (mark), deletes the
   * page and node blobs none reaches (sweep), and rewrites the refcounts that
   * differ. Needed only after damage: a save over a damaged record, or a
   * delete of one, drops it without releasing what it referenced (its roots
   * are unknown; `stats().unreclaimed` counts those drops); in a sound store
   * it frees nothing and fixes nothing. Not run by `openStore`: it reads
   * every node and keeps one entry per blob, O(blobs) time and memory.
   * @returns the blobs and bytes freed and the refcounts rewritten.
   * @throws {CorruptionError} naming the version, while a record that does
   *   not parse or fails its checksum is stored (its references are unknown:
   *   delete it or save over it first), or when a page or node a record
   *   references is missing or damaged. Nothing changed then.
   * @throws {FormatVersionError} when a record is of a newer format (nothing changed).
   * @throws {ReleasedError} after `close()`.
   * @example
   * ```ts
   * import { openStore } from "@pagefork/persist";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * const store = openStore(mkdtempSync(join(tmpdir(), "pf-")), { sync: false });
   * if (store.stats().unreclaimed > 0) await store.gc();
   * (await store.gc()).blobsFreed; // 0: a sound store has nothing to reclaim
   * await store.close();
   * ```
   */
  async gc(): Promise<GcResult> {
    const dbs = this.#open();
    unpinReadTxn(dbs);
    return collectGarbage(dbs);
  }

  /** Releases the forks kept for incremental saves and closes LMDB. Idempotent. */
  async close(): Promise<void> {
    const dbs = this.#dbs;
    if (dbs === null) return;
    this.#kept.clear();
    this.#dbs = null;
    await closeDbs(dbs);
  }
}
