/**
 * Refcounted, content-addressed blobs: pages and page-table nodes. Used
 * inside one LMDB write transaction (a save or a delete); what it changes
 * commits or aborts with that transaction.
 *
 * A blob's refcount is the number of version roots and node entries that
 * point at it, as the core counts page-table entries per frame: saving a
 * version retains its root; a node stored for the first time retains each
 * of its entries; a node already stored is only retained itself. Releasing
 * the last reference deletes the blob and releases its entries in turn.
 *
 * Refcounts are changed in memory during the transaction and written once,
 * at its end ({@link BlobTxn.commitCounters}), only where they changed. A
 * save that replaces a version path-copies the nodes on each changed path:
 * the new node retains its fanout - 1 unchanged siblings and the old node,
 * freed, releases the same siblings, so their refcounts do not change and
 * are never read or written. Written eagerly, each of those 2 x 15 x levels
 * updates dirtied its own LMDB page (SHA-256 keys spread over the B-tree):
 * a one-page save of a 1 GiB space (5 levels) spent ~0.8 ms retaining,
 * ~0.6 ms releasing and ~1.5 ms committing ~150 dirty pages, against
 * ~0.1 ms each at 16 MiB (measured with `{ sync: false }`, 2-core VM).
 * Frees wait for the end too: a blob is freed when its final count is 0,
 * so the order of retains and releases inside a transaction does not matter.
 *
 * @module
 */
import { type Counters, type Dbs, readCounters } from "./db.js";
import { throwCorrupt } from "./errors.js";
import { HASH_BYTES, hashOf } from "./hash.js";
import { decodeNode } from "./node-image.js";
import { keepOpenLock } from "./open-lock.js";
import { NODE_HEADER_BYTES, type TreeNode } from "./tree.js";

/** What one transaction wrote, for the caller's report. */
export interface WriteTally {
  /** Page blobs written (new content). */
  pages: number;
  /** Node blobs written. */
  nodes: number;
  /** Bytes of the blobs written. */
  bytes: number;
}

/** `level` of a touched blob that is a page (nodes have level >= 0). */
const PAGE_LEVEL = -1;
/** `stored` of a touched blob whose stored refcount was not read yet. */
const UNREAD = -1;

/** A blob the transaction retained, released or put: its refcount before and its change. */
class Touched {
  /** Its content address (bytes nobody changes). */
  readonly hash: Buffer;
  /** Refcount in the store before the transaction (0: not stored), or UNREAD. */
  stored: number;
  /** Retains minus releases so far in this transaction. */
  delta: number;
  /** True when this transaction put its bytes (it was not stored). */
  fresh: boolean;
  /** True once freed (its final count reached 0). */
  freed: boolean;
  /** PAGE_LEVEL for a page, else the node's level (known once released, or retained as a node). */
  level: number;
  /** First vpn under it (for errors). */
  base: number;

  constructor(hash: Buffer, level: number, base: number) {
    this.hash = hash;
    this.stored = UNREAD;
    this.delta = 0;
    this.fresh = false;
    this.freed = false;
    this.level = level;
    this.base = base;
  }
}

/** Blob writes of one write transaction. */
export class BlobTxn {
  private readonly dbs: Dbs;
  /** Counters as they will be at commit. */
  readonly counters: Counters;
  /** What this transaction wrote. */
  readonly tally: WriteTally;
  /** Name of the version being written or deleted (for errors). */
  private readonly name: string;
  /**
   * Blobs touched, by address read as latin1 (a 32-character string: cheaper
   * to make than hex, and any 1:1 mapping of the bytes will do for a key).
   */
  private readonly touched: Map<string, Touched>;
  /** Touched blobs released since they were last examined: candidates for freeing. */
  private readonly released: Touched[];

  constructor(dbs: Dbs, name: string) {
    this.dbs = dbs;
    this.counters = readCounters(dbs);
    this.tally = { pages: 0, nodes: 0, bytes: 0 };
    this.name = name;
    this.touched = new Map();
    this.released = [];
  }

  /** Refcount of `hash` as committed (0: not stored), not counting this transaction's changes. */
  refcount(hash: Buffer): number {
    const r = this.dbs.refs.getBinaryFast(hash);
    return r === undefined ? 0 : r.readUInt32LE(0);
  }

  /**
   * The entry of `hash`, made when absent. `hash` is kept, not copied: every
   * caller passes bytes nobody changes afterwards (a fresh digest, a sealed
   * node's bytes, a buffer LMDB copied out for us).
   */
  private touch(hash: Buffer, level: number, base: number): Touched {
    const key = hash.toString("latin1");
    let t = this.touched.get(key);
    if (t === undefined) {
      t = new Touched(hash, level, base);
      this.touched.set(key, t);
      if ((this.touched.size & 1023) === 0) keepOpenLock(); // a long transaction keeps its lock (open-lock.ts)
    } else if (t.level === PAGE_LEVEL && level !== PAGE_LEVEL) t.level = level;
    return t;
  }

  /** Reads the stored refcount of `t` if not read yet; returns it. */
  private stored(t: Touched): number {
    if (t.stored === UNREAD) t.stored = this.refcount(t.hash);
    return t.stored;
  }

  /** True when `t` is stored (before the transaction, or put by it). */
  private exists(t: Touched): boolean {
    return t.fresh || this.stored(t) > 0;
  }

  /**
   * Stores page bytes under `hash` unless stored already; its refcount (the
   * nodes that retain it) is written at the end. Returns true when written.
   */
  putPage(hash: Buffer, bytes: Uint8Array): boolean {
    const t = this.touch(hash, PAGE_LEVEL, 0);
    if (this.exists(t)) return false;
    this.dbs.blobs.putSync(hash, bytes as Buffer);
    t.fresh = true;
    this.counters.pages++;
    this.counters.pageBytes += bytes.length;
    this.tally.pages++;
    this.tally.bytes += bytes.length;
    return true;
  }

  /**
   * One more reference to `node` (a root, or an entry of a new parent): a
   * node not stored yet is written, and retains its entries (whose refcounts
   * are only counted here). O(new nodes x fanout).
   *
   * Only a node made by `update` (the update that made the tree being saved)
   * can be new; one made by an earlier update belongs to a tree a committed
   * transaction saved (the store keeps a name's tree only while its record
   * holds it) or to one saved earlier in this transaction, so it is counted
   * without reading whether it is stored: a one-page save of a 1 GiB space
   * so reads 6 refcounts instead of ~40 (the unchanged siblings on its path).
   * A count that changes is read at the end anyway, and a missing blob found then.
   * @param base - first vpn under the node.
   * @param update - `Tree.update` of the tree the node belongs to.
   */
  retainNode(node: TreeNode, shift: number, base: number, update: number): void {
    // node.bytes and node.hash never change once the node is hashed (path copy): views will do.
    const t = this.touch(node.hash as Buffer, node.level, base);
    t.delta++;
    if (node.owner !== update || this.exists(t)) return;
    const image = node.image as Buffer;
    this.dbs.blobs.putSync(t.hash, image);
    t.fresh = true;
    this.counters.nodes++;
    this.counters.nodeBytes += image.length;
    this.tally.nodes++;
    this.tally.bytes += image.length;
    const fanout = 1 << shift;
    const span = 2 ** (shift * node.level);
    for (let i = 0; i < fanout; i++) {
      const at = NODE_HEADER_BYTES + i * HASH_BYTES;
      if (isZero(node.bytes, at)) continue;
      const vpn = base + i * span;
      if (node.level === 0) this.touch(node.bytes.subarray(at, at + HASH_BYTES), PAGE_LEVEL, vpn).delta++;
      else {
        const child = (node.children as (TreeNode | null)[])[i];
        if (child === null || child === undefined) throwCorrupt(this.name, vpn, "page-table node without its child");
        this.retainNode(child, shift, vpn, update);
      }
    }
  }

  /**
   * Drops one reference to the node `hash` at `level`. When its count ends
   * at zero (checked at the end of the transaction) it is deleted and its
   * entries released. O(1) here; the frees cost O(nodes and pages freed x fanout).
   */
  releaseNode(hash: Buffer, level: number, base: number): void {
    const t = this.touch(hash, level, base);
    t.delta--;
    this.released.push(t);
  }

  /**
   * Frees every blob whose count reaches zero, recursively, then writes the
   * refcounts that changed and the counters. Call last in the transaction.
   * @throws {CorruptionError} when a blob to free, or a page a new node
   *   retains, is missing, or a node to free fails its checksum (the
   *   caller's transaction then aborts: nothing is committed).
   */
  commitCounters(): void {
    for (const t of this.touched.values()) if (t.fresh && t.delta === 0) this.released.push(t); // put, never retained
    for (let t = this.released.pop(); t !== undefined; t = this.released.pop()) {
      // Only a count that went down can reach zero (or a blob put and never retained): the
      // siblings a new node retained and the node it replaced released end at delta 0 and are
      // neither read nor written (a sibling missing from a damaged store is found by a load).
      if (t.freed || t.delta > 0 || (t.delta === 0 && !t.fresh)) continue;
      const count = this.stored(t) + t.delta;
      if (!this.exists(t)) throwCorrupt(this.name, t.base, `${what(t)} missing`);
      if (count < 0) throwCorrupt(this.name, t.base, `${what(t)} released more often than it is referenced`);
      if (count === 0) this.free(t);
    }
    for (const t of this.touched.values()) {
      if (t.freed) {
        if (t.stored > 0) this.dbs.refs.removeSync(t.hash);
        continue;
      }
      if (t.delta === 0 && !t.fresh) continue; // unchanged: not even read
      if (!this.exists(t)) throwCorrupt(this.name, t.base, "a page the version shares is missing from the store");
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(t.stored + t.delta, 0);
      this.dbs.refs.putSync(t.hash, b);
    }
    this.touched.clear();
    this.dbs.meta.putSync("counters", this.counters);
  }

  /** Deletes the blob of `t` (count 0) and, for a node, releases its entries. */
  private free(t: Touched): void {
    t.freed = true;
    const bytes = this.dbs.blobs.getBinary(t.hash);
    if (bytes === undefined) throwCorrupt(this.name, t.base, `${what(t)} missing`);
    if (t.level === PAGE_LEVEL) {
      this.dbs.blobs.removeSync(t.hash);
      this.counters.pages--;
      this.counters.pageBytes -= bytes.length;
      return;
    }
    const level = t.level;
    const dense = hashOf(bytes).equals(t.hash) ? decodeNode(bytes, level) : null;
    if (dense === null) throwCorrupt(this.name, t.base, `page-table node (level ${level}) fails its checksum`);
    const shift = dense[5] as number;
    this.dbs.blobs.removeSync(t.hash);
    this.counters.nodes--;
    this.counters.nodeBytes -= bytes.length;
    const span = 2 ** (shift * level);
    for (let i = 0; i < 1 << shift; i++) {
      const at = NODE_HEADER_BYTES + i * HASH_BYTES;
      if (isZero(dense, at)) continue;
      const child = dense.subarray(at, at + HASH_BYTES); // a copy (getBinary's, or decodeNode's): nothing changes it
      const c = this.touch(child, level > 0 ? level - 1 : PAGE_LEVEL, t.base + i * span);
      c.delta--;
      this.released.push(c);
    }
  }
}

function what(t: Touched): string {
  return t.level === PAGE_LEVEL ? "page" : `page-table node (level ${t.level})`;
}

function isZero(a: Uint8Array, at: number): boolean {
  for (let k = 0; k < HASH_BYTES; k++) if (a[at + k] !== 0) return false;
  return true;
}
