/**
 * The page-table image of a saved version: a Merkle radix tree over page
 * indices (vpns). A leaf node holds the content addresses (SHA-256) of
 * `fanout` pages, an inner node those of `fanout` child nodes; an all-zero
 * entry is a zero page, or a subtree of zero pages, and is never stored.
 * A node's own address is the SHA-256 of its stored image (node-image.ts:
 * sparse, only the non-empty entries), so two versions that
 * share a subtree share its node in the store, and saving a version that
 * changed k pages writes those pages and the nodes on their paths: the
 * same path copying as the core's page table (and as ZFS/Btrfs snapshots
 * and git trees), keyed by content instead of by frame.
 *
 * In memory a tree is kept (per name, by the store) so that the next save
 * of the same name updates only the paths to changed pages. Nodes are
 * path-copied: a node made for one save is never changed by another.
 *
 * Shape: `levels` is the fewest that reach the highest non-zero page (a
 * tree grows a root when a page beyond it is written and drops one when
 * only its first child is left), so equal page contents give equal trees
 * whatever the history: the hash of the root names the version's content.
 *
 * @module
 */
import { HASH_BYTES, hashOf, isZeroEntry } from "./hash.js";
import { encodeNode, NODE_HEADER_BYTES, NODE_MAGIC } from "./node-image.js";

export { NODE_HEADER_BYTES, NODE_MAGIC };

/** Fewest entries per node: small enough that a 256-byte page's path costs 264-byte nodes. */
const MIN_FANOUT_SHIFT = 3;
/**
 * Most entries per node: 16 (512 bytes of entries). A new node retains each
 * of its entries, and entries are SHA-256 keys spread over the whole refcount
 * B-tree, so each one dirties its own LMDB page: a one-page save of a 64 MiB
 * space took 6.6 ms p50 at fanout 128 (2 levels x 127 siblings), 0.92 ms at
 * 16 (4 levels x 15) and 1.1 ms at 8 (6 levels x 7), measured with
 * `{ sync: false }` on the 2-core VM.
 */
const MAX_FANOUT_SHIFT = 4;

/**
 * log2 of the fanout for a page size: pageSize / 32 entries (a node about a
 * page), between 8 and 16. A save that changes one page writes that page and
 * one node of at most 520 bytes per level.
 */
export function fanoutShiftFor(pageSize: number): number {
  const s = Math.log2(pageSize / HASH_BYTES);
  return Math.min(MAX_FANOUT_SHIFT, Math.max(MIN_FANOUT_SHIFT, s));
}

/** One node of a tree in memory. */
export class TreeNode {
  /** 0 for a leaf (entries address pages), else the height above the leaves. */
  readonly level: number;
  /** Header and `fanout` entries of 32 bytes (the dense image, changed in place by its update). */
  readonly bytes: Buffer;
  /** The stored (sparse) image of `bytes`, set with `hash`. */
  image: Buffer | null;
  /** Child nodes of an inner node (null entries are empty subtrees); null for a leaf. */
  readonly children: (TreeNode | null)[] | null;
  /** Content address of `bytes`; null while the node is being changed. */
  hash: Buffer | null;
  /** Number of the update that made this node (path copy: only that update may change it). */
  owner: number;

  constructor(level: number, shift: number, owner: number, from: TreeNode | null) {
    const fanout = 1 << shift;
    this.level = level;
    if (from !== null) {
      this.bytes = Buffer.from(from.bytes);
      this.children = from.children === null ? null : from.children.slice();
    } else {
      this.bytes = Buffer.alloc(NODE_HEADER_BYTES + fanout * HASH_BYTES);
      this.bytes.writeUInt32LE(NODE_MAGIC, 0);
      this.bytes[4] = level;
      this.bytes[5] = shift;
      this.children = level === 0 ? null : new Array<TreeNode | null>(fanout).fill(null);
    }
    this.image = null;
    this.hash = null;
    this.owner = owner;
  }
}

/** A tree: its root (null when every page is zero) and levels (>= 1). */
export interface Tree {
  readonly root: TreeNode | null;
  readonly levels: number;
  /** log2 of the fanout. */
  readonly shift: number;
  /** Non-zero pages the tree addresses. */
  readonly pages: number;
  /**
   * Number of the update that made this tree (0 for an empty tree): its
   * nodes whose `owner` is this number are new; every other node was made
   * by an earlier update, of a tree that was saved (see `BlobTxn.retainNode`).
   */
  readonly update: number;
}

/** The empty tree of a fanout. */
export function emptyTree(shift: number): Tree {
  return { root: null, levels: 1, shift, pages: 0, update: 0 };
}

let updates = 0;

/**
 * A new tree: `tree` with the page entries in `changes` (vpn -> page address,
 * or null for a zero page) set, every node on a changed path copied and
 * rehashed. `tree` is not changed. O(changes x levels x fanout) bytes copied,
 * plus one SHA-256 per new node.
 */
export function updateTree(tree: Tree, changes: ReadonlyMap<number, Buffer | null>): Tree {
  const owner = ++updates;
  const shift = tree.shift;
  const mask = (1 << shift) - 1;
  let root = tree.root;
  let levels = tree.levels;
  let pages = tree.pages;
  const own = (n: TreeNode | null, level: number): TreeNode =>
    n === null ? new TreeNode(level, shift, owner, null) : n.owner === owner ? n : new TreeNode(level, shift, owner, n);
  for (const [vpn, hash] of changes) {
    if (hash === null && (root === null || !covers(levels, shift, vpn))) continue; // already zero
    while (!covers(levels, shift, vpn)) {
      // Grow: the old root becomes child 0 of a new one.
      const top = new TreeNode(levels, shift, owner, null);
      (top.children as (TreeNode | null)[])[0] = root;
      if (root?.hash) root.hash.copy(top.bytes, NODE_HEADER_BYTES);
      root = top;
      levels++;
    }
    root = own(root, levels - 1);
    let node = root;
    for (let level = levels - 1; level > 0; level--) {
      const i = Math.floor(vpn / 2 ** (shift * level)) & mask;
      const children = node.children as (TreeNode | null)[];
      const child = own(children[i] as TreeNode | null, level - 1);
      children[i] = child;
      node = child;
    }
    const at = NODE_HEADER_BYTES + (vpn & mask) * HASH_BYTES;
    pages += (hash === null ? 0 : 1) - (isZeroEntry(node.bytes, at) ? 0 : 1);
    if (hash === null) node.bytes.fill(0, at, at + HASH_BYTES);
    else hash.copy(node.bytes, at);
  }
  root = root === null ? null : seal(root, owner);
  // Shrink: a root whose only non-empty entry is the first is not needed.
  while (root !== null && levels > 1 && onlyFirst(root)) {
    root = (root.children as (TreeNode | null)[])[0] as TreeNode | null;
    levels--;
  }
  return { root, levels, shift, pages, update: owner };
}

/** True when `vpn` is below fanout ** levels. */
function covers(levels: number, shift: number, vpn: number): boolean {
  return vpn < 2 ** (shift * levels);
}

/** True when every entry but the first of an inner node is empty. */
function onlyFirst(node: TreeNode): boolean {
  if (node.level === 0) return false;
  const n = (node.children as unknown[]).length;
  for (let i = 1; i < n; i++) if (!isZeroEntry(node.bytes, NODE_HEADER_BYTES + i * HASH_BYTES)) return false;
  return true;
}

/**
 * Rehashes the nodes `owner` made under `node`, bottom-up; returns null for
 * a node left with no entry (its parent's entry becomes zero).
 */
function seal(node: TreeNode, owner: number): TreeNode | null {
  if (node.owner !== owner || node.hash !== null) return node;
  const children = node.children;
  if (children !== null) {
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as TreeNode | null;
      if (c === null || c.owner !== owner) continue;
      const sealed = seal(c, owner);
      children[i] = sealed;
      const at = NODE_HEADER_BYTES + i * HASH_BYTES;
      if (sealed === null) node.bytes.fill(0, at, at + HASH_BYTES);
      else (sealed.hash as Buffer).copy(node.bytes, at);
    }
  }
  let empty = true;
  for (let at = NODE_HEADER_BYTES; at < node.bytes.length; at += HASH_BYTES)
    if (!isZeroEntry(node.bytes, at)) {
      empty = false;
      break;
    }
  if (empty) return null;
  node.image = encodeNode(node.bytes);
  node.hash = hashOf(node.image);
  return node;
}

/** Entry `i` of a node's bytes (a view, not a copy), or null when empty. */
export function entryOf(bytes: Uint8Array, i: number): Buffer | null {
  const at = NODE_HEADER_BYTES + i * HASH_BYTES;
  if (isZeroEntry(bytes, at)) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, HASH_BYTES);
}
