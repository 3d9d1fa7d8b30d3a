/**
 * Reclaiming what no record references: a mark-and-sweep of the store in
 * one write transaction (`Store.gc()`).
 *
 * Refcounts are exact as long as every record parses: a save or delete
 * releases what the record it replaces references. A record that does not
 * parse (damaged) is replaced or deleted without releasing anything (its
 * roots are unknown), so what it referenced stays stored and counted: a
 * leak, never a wrong free. The store counts those drops (`stats().unreclaimed`);
 * `gc()` recounts every reference from the records and intent records,
 * deletes the blobs none reaches, and rewrites the refcounts that differ.
 *
 * @module
 */
import { type Dbs, writeTxn } from "./db.js";
import { CorruptionError, throwCorrupt } from "./errors.js";
import { HASH_BYTES, hashOf, isZeroEntry } from "./hash.js";
import { decodeKey } from "./keys.js";
import { decodeNode, NODE_HEADER_BYTES } from "./node-image.js";
import { keepOpenLock } from "./open-lock.js";
import { entriesOf, parseRecord } from "./record.js";

/** Key prefix of the internal keys of the `versions` database (names may not start with it). */
const INTERNAL = "\u0000";
/** Key prefix of intent records (see save.ts). */
const PENDING = "\u0000pending\u0000";
/** The `meta` key counting damaged records dropped since the last collection. */
export const UNRECLAIMED_KEY = "unreclaimed";

/** What {@link Store.gc} did. */
export interface GcResult {
  /** Page and page-table node blobs deleted: stored, but referenced by no record. */
  blobsFreed: number;
  /** Bytes of those blobs. */
  bytesFreed: number;
  /** Refcounts rewritten to the references counted (those a dropped damaged record still held). */
  refcountsFixed: number;
}

/** Damaged records dropped since the last collection (their blobs are still counted). O(1). */
export function unreclaimed(dbs: Dbs): number {
  const n = dbs.meta.get(UNRECLAIMED_KEY);
  return typeof n === "number" ? n : 0;
}

/** Counts one more damaged record dropped (inside the caller's write transaction). */
export function noteUnreclaimed(dbs: Dbs): void {
  dbs.meta.putSync(UNRECLAIMED_KEY, unreclaimed(dbs) + 1);
}

/**
 * Recounts every reference from the records and intent records, deletes the
 * blobs none reaches and rewrites the refcounts that differ, in one write
 * transaction (the caller's LMDB environment serialises it with every other
 * writer, in any process). O(blobs) time and memory.
 * @throws {CorruptionError} naming the version, when a record does not parse
 *   or fails its checksum (its references are unknown: delete it or save over
 *   it first), or a page or node a record references is missing or damaged.
 *   Nothing is changed then.
 * @throws {FormatVersionError} when a record is of a newer format (nothing changed).
 */
export function collectGarbage(dbs: Dbs): GcResult {
  return writeTxn(dbs, () => {
    /** References counted, by address (latin1). */
    const counted = new Map<string, number>();
    const counters = { pages: 0, pageBytes: 0, nodes: 0, nodeBytes: 0 };
    const visit = (name: string, hash: Buffer, level: number, base: number): void => {
      const key = hash.toString("latin1");
      const n = counted.get(key);
      counted.set(key, (n ?? 0) + 1);
      if (n !== undefined) return; // its entries are counted once, as its refcount's holders count them
      if ((counted.size & 1023) === 0) keepOpenLock(); // a long transaction keeps its lock (open-lock.ts)
      if (level < 0) {
        const page = dbs.blobs.getBinaryFast(hash);
        if (page === undefined) throwCorrupt(name, base, "page missing");
        counters.pages++;
        counters.pageBytes += page.length;
        return;
      }
      const bytes = dbs.blobs.getBinary(hash);
      if (bytes === undefined) throwCorrupt(name, base, `page-table node (level ${level}) missing`);
      const node = hashOf(bytes).equals(hash) ? decodeNode(bytes, level) : null;
      if (node === null) throwCorrupt(name, base, `page-table node (level ${level}) fails its checksum`);
      counters.nodes++;
      counters.nodeBytes += bytes.length;
      const shift = node[5] as number;
      const span = 2 ** (shift * level);
      for (let i = 0; i < 1 << shift; i++) {
        const at = NODE_HEADER_BYTES + i * HASH_BYTES;
        if (!isZeroEntry(node, at))
          visit(name, Buffer.from(node.subarray(at, at + HASH_BYTES)), level - 1, base + i * span);
      }
    };
    for (const { key, value } of dbs.versions.getRange()) {
      const name = decodeKey(key as unknown as Buffer);
      const text = value as string;
      if (name.startsWith(PENDING)) {
        for (const [root, levels] of intentRoots(name, text))
          if (root !== null) visit(name, Buffer.from(root, "hex"), levels - 1, 0);
        continue;
      }
      if (name.startsWith(INTERNAL)) continue;
      let rec: ReturnType<typeof parseRecord>;
      try {
        rec = parseRecord(name, text);
      } catch (e) {
        if (e instanceof CorruptionError)
          throwCorrupt(
            name,
            null,
            `${e.message.replace(/^store corrupt: [^:]*: /, "")}; gc() needs every record's references: delete the name or save over it first`,
            e,
          );
        throw e;
      }
      for (const e of entriesOf(rec)) if (e.root !== null) visit(name, Buffer.from(e.root, "hex"), e.levels - 1, 0);
    }
    const result: GcResult = { blobsFreed: 0, bytesFreed: 0, refcountsFixed: 0 };
    const garbage: Buffer[] = [];
    for (const k of dbs.blobs.getKeys()) {
      const hash = k as unknown as Buffer;
      if (!counted.has(hash.toString("latin1"))) garbage.push(Buffer.from(hash));
    }
    const stale: Buffer[] = [];
    const fix: [Buffer, number][] = [];
    const held = new Set<string>();
    for (const { key, value } of dbs.refs.getRange()) {
      const hash = key as unknown as Buffer;
      const k = hash.toString("latin1");
      const want = counted.get(k);
      if (want === undefined) stale.push(Buffer.from(hash));
      else {
        held.add(k);
        if ((value as Buffer).readUInt32LE(0) !== want) fix.push([Buffer.from(hash), want]);
      }
    }
    for (const [k, n] of counted) if (!held.has(k)) fix.push([Buffer.from(k, "latin1"), n]);
    for (const hash of garbage) {
      const bytes = dbs.blobs.getBinaryFast(hash);
      result.bytesFreed += bytes === undefined ? 0 : bytes.length;
      dbs.blobs.removeSync(hash);
      result.blobsFreed++;
    }
    for (const hash of stale) dbs.refs.removeSync(hash);
    for (const [hash, n] of fix) {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(n, 0);
      dbs.refs.putSync(hash, b);
      result.refcountsFixed++;
    }
    dbs.meta.putSync("counters", counters);
    dbs.meta.putSync(UNRECLAIMED_KEY, 0);
    return result;
  });
}

/**
 * The roots an intent record lists (`[[hex | null, levels], ...]`).
 * @throws {CorruptionError} when it does not parse (its references are unknown).
 */
export function intentRoots(key: string, text: string): [string | null, number][] {
  let roots: unknown;
  try {
    roots = JSON.parse(text);
  } catch {
    roots = undefined;
  }
  const ok =
    Array.isArray(roots) &&
    roots.every(
      (r) =>
        Array.isArray(r) &&
        r.length === 2 &&
        (r[0] === null || (typeof r[0] === "string" && /^[0-9a-f]{64}$/.test(r[0]))) &&
        Number.isSafeInteger(r[1]) &&
        r[1] >= 1,
    );
  if (!ok) throwCorrupt(null, null, `the intent record ${JSON.stringify(key)} does not parse`);
  return roots as [string | null, number][];
}
