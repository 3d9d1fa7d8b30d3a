/**
 * Writing versions inside LMDB write transactions: one version, a whole
 * history (in chunks, with an intent record so a crash leaks nothing), and
 * the recovery of a history save that a crash cut short.
 *
 * @module
 */
import { threadId } from "node:worker_threads";
import type { AddressSpace } from "@pagefork/core";
import { BlobTxn } from "./blobs.js";
import { type Dbs, FORMAT_VERSION, writeTxn } from "./db.js";
import { CorruptionError } from "./errors.js";
import { intentRoots, noteUnreclaimed } from "./gc.js";
import { decodeKey, encodeKey, startsWith } from "./keys.js";
import type { Described } from "./kinds.js";
import { osThread, running, threadRuns } from "./liveness.js";
import { type Entry, entriesOf, parseRecord, recordText, type VersionRecord } from "./record.js";
import { hashPages, pagesToHash } from "./snapshot.js";
import { emptyTree, fanoutShiftFor, type Tree } from "./tree.js";

/** Keys of the `versions` database that are not names start with this (names may not). */
export const INTERNAL_KEY = "\u0000";
/**
 * Key prefix of a history save's pending chunks:
 * `\0pending\0<name>\0<writer>\0<chunk>.<tid>`, the writer `p<pid>t<threadId>s<save>`
 * and `tid` the writer's OS thread id (see liveness.ts). Records written before
 * review 27 have no writer (`\0pending\0<name>\0<chunk>`), before review 33 no
 * tid (`<chunk>` alone). The tid rides on the chunk part, which builds before
 * review 33 pop without reading: they still find the writer, and judge it by
 * its pid as they did (a writer tag they did not know would have read as no
 * writer at all, and they released a live writer's chunks).
 */
const PENDING = `${INTERNAL_KEY}pending${INTERNAL_KEY}`;
/** This thread's writer tag: intent records of another live writer are never released. */
const WRITER = `p${process.pid}t${threadId}`;
/** A writer tag in an intent key. */
const WRITER_TAG = /^p(\d+)t(\d+)s\d+$/;
/** The chunk part of an intent key: the chunk number, then (since review 33) `.<tid>`. */
const CHUNK_PART = /^\d+(?:\.(\d+))?$/;
/** The suffix this thread puts after a chunk number: its OS thread id, when known. */
const TID_SUFFIX = osThread === null ? "" : `.${osThread}`;
/** History saves this thread began (each names its own intent records). */
let saves = 0;

/**
 * Bytes (blobs written plus pages hashed) one `saveHistory` transaction
 * handles before it commits a chunk: 256 MiB. Saving the automerge-paper
 * history (259,779 versions, 863 MiB of blobs): one transaction 404 s
 * (data.mdb 1.80 GiB; past LMDB's dirty-page limit a transaction spills its
 * pages), chunks of 64 MiB 290 s (3.34 GiB), of 256 MiB 125 s (3.81 GiB: each
 * commit copies the B-tree pages it changed, and LMDB reuses the old copies
 * only in later transactions).
 * @example
 * ```ts
 * HISTORY_TXN_BYTES; // 268435456
 * ```
 */
export const HISTORY_TXN_BYTES = 256 * 1024 * 1024;

/** The last version saved (under a name, or before this one in a history), to hash the next one against. */
export interface Saved {
  /** A version whose frames hold the saved bytes (a fork, for a name). */
  readonly baseline: AddressSpace;
  readonly tree: Tree;
  readonly kind: string;
}

/** What one save wrote. */
export interface SaveResult {
  /** Pages whose bytes the save hashed (the changed ones, for a save after a save of the same name). */
  pagesHashed: number;
  /** Page blobs written: pages the store did not hold. */
  pagesWritten: number;
  /** Page-table nodes written. */
  nodesWritten: number;
  /** Bytes of the blobs written (pages and nodes; LMDB's own overhead not counted). */
  bytesWritten: number;
  /** Non-zero pages of the version (of every version, for a history). */
  pages: number;
}

/**
 * Hashes and stores one version's pages inside `txn`, diffed against `prev`
 * when it is of the same pool, size and kind; retains its root.
 */
export function saveVersion(
  d: Described,
  prev: Saved | undefined,
  txn: BlobTxn,
): { tree: Tree; entry: Entry; hashed: number } {
  const space = d.space;
  const shift = fanoutShiftFor(space.pageSize);
  const incremental =
    prev !== undefined &&
    prev.kind === d.kind &&
    prev.baseline.pool === space.pool &&
    prev.baseline.size === space.size &&
    !prev.baseline.released &&
    prev.tree.shift === shift;
  const addresses = pagesToHash(space, incremental ? (prev as Saved).baseline : null);
  const tree = hashPages(space, addresses, incremental ? (prev as Saved).tree : emptyTree(shift), txn);
  if (tree.root !== null) txn.retainNode(tree.root, shift, 0, tree.update);
  const entry: Entry = {
    kind: d.kind,
    pageSize: space.pageSize,
    size: space.size,
    shift,
    root: tree.root === null ? null : (tree.root.hash as Buffer).toString("hex"),
    levels: tree.levels,
    pages: tree.pages,
    meta: d.meta,
  };
  return { tree, entry, hashed: addresses.length };
}

/** Drops the references a record held (its roots). */
export function releaseRecord(txn: BlobTxn, rec: VersionRecord): void {
  for (const e of entriesOf(rec)) if (e.root !== null) txn.releaseNode(Buffer.from(e.root, "hex"), e.levels - 1, 0);
}

/**
 * Releases the roots of `text`, the record under `name` being replaced or
 * deleted. A record that does not parse (not JSON, misshapen, failing its
 * checksum) is dropped without releasing anything: its roots are unknown,
 * so the blobs it referenced keep their counts (a leak, never a wrong
 * free: counted in `stats().unreclaimed`, reclaimed by `gc()`), and the name
 * can be written or deleted again. Refusing instead
 * stuck the name: every save of it and every delete threw CorruptionError.
 * @throws {FormatVersionError} for a record of a newer format (not damage:
 *   a newer build's data, left alone).
 */
export function releaseOld(dbs: Dbs, txn: BlobTxn, name: string, text: string): void {
  let rec: VersionRecord;
  try {
    rec = parseRecord(name, text);
  } catch (e) {
    if (e instanceof CorruptionError) {
      noteUnreclaimed(dbs); // counted for stats().unreclaimed; gc() reclaims what it referenced
      return;
    }
    throw e;
  }
  releaseRecord(txn, rec);
}

/**
 * Puts `record` under `name` and releases the record it replaces (after the
 * new roots were retained, so shared blobs never drop to zero; see
 * {@link releaseOld} for one that does not parse), then the counters.
 * Inside the caller's transaction.
 */
export function putRecord(dbs: Dbs, txn: BlobTxn, name: string, record: VersionRecord): void {
  const key = encodeKey(name);
  const old = dbs.versions.get(key);
  dbs.versions.putSync(key, recordText(record));
  if (old !== undefined) releaseOld(dbs, txn, name, old);
}

/**
 * Saves the versions of a history under `name`. The versions go in chunks,
 * one transaction each of about `txnBytes` of blobs written plus bytes
 * hashed: every chunk but the last
 * also writes an intent record `\0pending\0<name>\0<k>` listing the roots it
 * retained; the last writes the history record, replaces the old one and
 * removes the intent records. Until then the old record is untouched; a
 * crash leaves intent records, whose roots {@link recoverPending} releases.
 */
export function writeHistory(
  dbs: Dbs,
  name: string,
  described: readonly Described[],
  meta: { position: number; maxVersions: number | null; freeze: boolean },
  txnBytes: number,
): SaveResult {
  recoverPending(dbs, name); // stale chunks of an earlier save of `name`, if the store was not reopened since
  const writer = `${WRITER}s${saves++}`;
  const mine: Buffer[] = [];
  const result: SaveResult = { pagesHashed: 0, pagesWritten: 0, nodesWritten: 0, bytesWritten: 0, pages: 0 };
  const entries: Entry[] = [];
  let prev: Saved | undefined;
  let i = 0;
  let chunk = 0;
  while (i < described.length || entries.length === 0) {
    unpinReadTxn(dbs);
    writeTxn(dbs, () => {
      const txn = new BlobTxn(dbs, name);
      const first = entries.length;
      let hashedBytes = 0; // work of the chunk: bytes hashed, whether or not the store already held them
      do {
        const d = described[i] as Described;
        const r = saveVersion(d, prev, txn);
        hashedBytes += r.hashed * d.space.pageSize;
        entries.push(r.entry);
        result.pagesHashed += r.hashed;
        result.pages += r.tree.pages;
        prev = { baseline: d.space, tree: r.tree, kind: d.kind };
        i++;
      } while (i < described.length && txn.tally.bytes + hashedBytes < txnBytes);
      if (i < described.length) {
        const roots = entries.slice(first).map((e) => [e.root, e.levels]);
        const key = encodeKey(
          `${PENDING}${name}${INTERNAL_KEY}${writer}${INTERNAL_KEY}${String(chunk++).padStart(8, "0")}${TID_SUFFIX}`,
        );
        dbs.versions.putSync(key, JSON.stringify(roots));
        mine.push(key);
      } else {
        putRecord(dbs, txn, name, { format: FORMAT_VERSION, type: "history", ...meta, entries });
        // only this save's: another process may be saving a history of `name` at the same time
        for (const key of mine) dbs.versions.removeSync(key);
      }
      txn.commitCounters();
      result.pagesWritten += txn.tally.pages;
      result.nodesWritten += txn.tally.nodes;
      result.bytesWritten += txn.tally.bytes;
    });
  }
  return result;
}

/**
 * Ends lmdb-js's shared read transaction before a write transaction. It is
 * renewed only on a later macrotask, so a program that awaits save after save
 * (microtasks) kept one open from its first read on, and LMDB cannot reuse a
 * page freed after a live reader's snapshot: the file grew by every page each
 * commit copied. (It did not explain the growth of a chunked history save:
 * see HISTORY_TXN_BYTES.)
 */
export function unpinReadTxn(dbs: Dbs): void {
  dbs.env.resetReadTxn();
}

/** Key bytes of every intent record (ordered-binary's short form, as `encodeKey` writes). */
const PENDING_KEY = encodeKey(PENDING);
/**
 * Key bytes that begin an intent record lmdb-js wrote in its long form (a
 * key of 64 UTF-16 units or more, before review 28: raw zeros). Such keys
 * sort before {@link PENDING_KEY}'s range, so the recovery scans both.
 */
const LEGACY_PENDING_KEY = Buffer.from("\u001b\u0000pending\u0000", "latin1");

/** An intent record's key, and the name and writer it names. */
interface Intent {
  readonly key: Buffer;
  readonly name: string;
  /** Writer tag, or null for a record written before review 27. */
  readonly writer: string | null;
  /** The writer's OS thread id, or null (unknown: no procfs, or written before review 33). */
  readonly tid: number | null;
}

/**
 * The intent records of `name` (of every name when null). A key is
 * `\0pending\0<name>\0<writer>\0<chunk>`; the name may hold U+0000 itself,
 * so it is what lies between the prefix and the last two parts (the last one
 * when the one before it is not a writer tag: a record without a writer), and
 * is compared whole: the records of "a\0b" are not those of "a". O(records
 * of names that begin with `name`).
 */
function pendingKeys(dbs: Dbs, name: string | null): Intent[] {
  const out: Intent[] = [];
  const starts = [name === null ? PENDING_KEY : encodeKey(`${PENDING}${name}${INTERNAL_KEY}`), LEGACY_PENDING_KEY];
  for (const start of starts)
    for (const k of dbs.versions.getKeys({ start })) {
      if (!startsWith(k as unknown as Buffer, start)) break;
      const key = Buffer.from(k as unknown as Buffer); // a copy: lmdb-js may reuse its key buffer
      const parts = decodeKey(key).slice(PENDING.length).split(INTERNAL_KEY);
      const tid = CHUNK_PART.exec(parts.pop() as string)?.[1]; // the chunk number, and the writer's tid
      const writer =
        parts.length > 1 && WRITER_TAG.test(parts[parts.length - 1] as string) ? (parts.pop() as string) : null;
      const owner = parts.join(INTERNAL_KEY);
      if (name === null || owner === name)
        out.push({ key, name: owner, writer, tid: writer === null || tid === undefined ? null : Number(tid) });
    }
  return out;
}

/**
 * True when the intent records of `writer` (OS thread `tid`) were left by a
 * writer no longer saving: one of this thread (its saves run synchronously,
 * so none is running now), of a process no longer running, of a thread whose
 * OS thread is gone (since review 33: a Worker terminated, or ended by an
 * uncaught error, between two chunks of its save; its records stayed until
 * its process exited before, as the open lock's tag files did before review
 * 32), or a record without a writer (written before review 27). Another
 * thread of this process, or another live process, may be between two chunks
 * of its save: its records are left; so are those of a live process whose
 * thread cannot be told (no tid: written before review 33, or without
 * procfs). (A pid or tid reused keeps a dead writer's records until its new
 * owner ends: a leak until then, never a wrong free; see liveness.ts.)
 */
function abandoned(writer: string | null, tid: number | null): boolean {
  const m = writer === null ? null : WRITER_TAG.exec(writer);
  if (m === null) return true;
  const pid = Number(m[1]);
  if (pid === process.pid && Number(m[2]) === threadId) return true;
  if (tid !== null) return !threadRuns(pid, tid);
  return pid !== process.pid && !running(pid);
}

/**
 * Releases the roots listed by the abandoned intent records of `name` (every
 * name when null; see `abandoned`) and removes the records, in one
 * transaction: what a history save committed before a crash or an error.
 * Before, this released the records of a save still running in another
 * process too, which then committed a history of freed nodes.
 * O(blobs freed). Nothing when none.
 */
export function recoverPending(dbs: Dbs, name: string | null): void {
  // One verdict per writer for the whole call: asked per record, before the transaction and
  // again inside it, a live writer's save 2,000 chunks in cost ~4,000 signals per call. A writer
  // found running and then ending before the transaction keeps its records until the next
  // recovery (a leak until then, never a wrong free); an ended writer does not come back.
  const verdicts = new Map<string, boolean>();
  const gone = ({ writer, tid }: Intent): boolean => {
    const who = `${writer}/${tid}`;
    let v = verdicts.get(who);
    if (v === undefined) {
      v = abandoned(writer, tid);
      verdicts.set(who, v);
    }
    return v;
  };
  if (!pendingKeys(dbs, name).some(gone)) return;
  unpinReadTxn(dbs);
  writeTxn(dbs, () => {
    const txn = new BlobTxn(dbs, name ?? "(pending history)");
    for (const intent of pendingKeys(dbs, name)) {
      if (!gone(intent)) continue;
      const key = intent.key;
      let roots: [string | null, number][] = [];
      try {
        roots = intentRoots(decodeKey(key), dbs.versions.get(key) as string);
      } catch (e) {
        // Damaged (intent records carry no checksum): dropped with its roots unknown, as a
        // damaged version record. It threw a SyntaxError before, at every openStore.
        if (!(e instanceof CorruptionError)) throw e;
        noteUnreclaimed(dbs);
      }
      for (const [root, levels] of roots) if (root !== null) txn.releaseNode(Buffer.from(root, "hex"), levels - 1, 0);
      dbs.versions.removeSync(key);
    }
    txn.commitCounters();
  });
}
