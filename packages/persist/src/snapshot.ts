/**
 * Pages of an address space in and out of the store: which pages a save
 * must look at, their hashes, and a space rebuilt from a stored tree.
 *
 * @module
 */
import { AddressSpace } from "@pagefork/core";
import type { BlobTxn } from "./blobs.js";
import type { Dbs } from "./db.js";
import { throwCorrupt } from "./errors.js";
import { HASH_BYTES, hashOf, isZeroEntry, zeroPageHash } from "./hash.js";
import { decodeNode } from "./node-image.js";
import { NODE_HEADER_BYTES, type Tree, updateTree } from "./tree.js";

/**
 * Byte addresses of the pages of `space` a save must hash: with a baseline
 * (a fork of the version last saved under the name, same pool), the pages
 * whose frames differ from it, found by the core's page-table diff in
 * O(changed paths); otherwise every page not on the zero frame, by a diff
 * against an empty space of the same pool (O(page-table nodes)).
 */
export function pagesToHash(space: AddressSpace, baseline: AddressSpace | null): number[] {
  if (baseline !== null) return space.diff(baseline, { compare: "frames" });
  const empty = new AddressSpace({ size: space.pageSize, pool: space.pool });
  try {
    return space.diff(empty, { compare: "frames" });
  } finally {
    empty.release();
  }
}

/**
 * Hashes the pages at `addresses` of `space`, stores those the store lacks
 * (inside `txn`), and returns `tree` updated with them. A page whose bytes are
 * all zero becomes a zero entry. O(addresses x pageSize) hashing, plus the
 * path copies of `updateTree`.
 */
export function hashPages(space: AddressSpace, addresses: readonly number[], tree: Tree, txn: BlobTxn): Tree {
  const ps = space.pageSize;
  const zero = zeroPageHash(ps);
  const buf = Buffer.allocUnsafe(ps);
  const changes = new Map<number, Buffer | null>();
  if (addresses.length === 0) return updateTree(tree, changes);
  // Read through a fork: a read gives the space it reads a TLB (kept until the
  // space is released), and a history's versions have none (fork() moves it to
  // the child). Saving 20,001 versions of a text gave each one: ~2 s of GC.
  // The fork is O(1) and its release returns the TLB to the pool.
  const reader = space.fork();
  // A page outside every mapping has no bytes: it leaves the tree as a zero
  // entry (a vector adopted from an earlier, smaller save is diffed against a
  // baseline that mapped more). Mappings are few (one per vector).
  const maps = space.mappings();
  try {
    for (const addr of addresses) {
      if (!maps.some((m) => addr >= m.start && addr < m.end)) {
        changes.set(addr / ps, null);
        continue;
      }
      reader.read(addr, buf);
      const h = hashOf(buf);
      if (h.equals(zero)) changes.set(addr / ps, null);
      else {
        txn.putPage(h, buf);
        changes.set(addr / ps, h);
      }
    }
  } finally {
    reader.release();
  }
  return updateTree(tree, changes);
}

/**
 * Writes every page of the stored tree rooted at `root` into `space` (whose
 * pages must read as zero), checking each node's and page's SHA-256 against
 * its address. Returns how many pages it wrote (the record's `pages`, when
 * sound). O(pages x pageSize).
 * @throws {CorruptionError} naming `name` and the page, for a missing, damaged
 *   or misshapen page or node, or a page beyond the space.
 */
export function readPages(dbs: Dbs, name: string, root: Buffer, levels: number, space: AddressSpace): number {
  const ps = space.pageSize;
  const maxVpn = space.size / ps;
  let pages = 0;
  const visit = (hash: Buffer, level: number, base: number): void => {
    let bytes: Buffer | undefined;
    try {
      bytes = dbs.blobs.getBinary(hash);
    } catch (e) {
      throwCorrupt(name, base, `LMDB cannot read the page-table node: ${(e as Error).message}`, e);
    }
    if (bytes === undefined) throwCorrupt(name, base, `page-table node (level ${level}) missing`);
    const node = hashOf(bytes).equals(hash) ? decodeNode(bytes, level) : null;
    if (node === null) throwCorrupt(name, base, `page-table node (level ${level}) fails its checksum`);
    const shift = node[5] as number;
    const span = 2 ** (shift * level);
    for (let i = 0; i < 1 << shift; i++) {
      const at = NODE_HEADER_BYTES + i * HASH_BYTES;
      if (isZeroEntry(node, at)) continue;
      const child = node.subarray(at, at + HASH_BYTES);
      const vpn = base + i * span;
      if (level > 0) {
        visit(Buffer.from(child), level - 1, vpn);
        continue;
      }
      if (vpn >= maxVpn) throwCorrupt(name, vpn, `page beyond the space's ${maxVpn} pages`);
      let page: Buffer | undefined;
      try {
        page = dbs.blobs.getBinary(child);
      } catch (e) {
        throwCorrupt(name, vpn, `LMDB cannot read the page: ${(e as Error).message}`, e);
      }
      if (page === undefined) throwCorrupt(name, vpn, "page missing");
      if (page.length !== ps) throwCorrupt(name, vpn, `page of ${page.length} bytes, expected ${ps}`);
      if (!hashOf(page).equals(child)) throwCorrupt(name, vpn, "page fails its checksum (SHA-256)");
      space.write(vpn * ps, page);
      pages++;
    }
  };
  visit(root, levels - 1, 0);
  return pages;
}
