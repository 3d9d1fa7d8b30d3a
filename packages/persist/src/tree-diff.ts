/**
 * Rebuilding the next version of a history from the one before it: walk two
 * stored trees at once, skipping every subtree whose address is the same in
 * both (the same content), and write only the pages that differ into a fork
 * of the previous version's space. Loaded versions so share their unchanged
 * pages' frames, as the versions that were saved did. The core's
 * `space.diff` does the same on page tables in memory.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import type { Dbs } from "./db.js";
import { throwCorrupt } from "./errors.js";
import { HASH_BYTES, hashOf, isZeroEntry } from "./hash.js";
import { decodeNode, NODE_HEADER_BYTES } from "./node-image.js";

/** Stands for a node above a tree's real root: entry 0 leads down to it, the others are empty. */
const VIRTUAL = "virtual";
type Ref = Buffer | null | typeof VIRTUAL;

/** One stored tree. */
export interface StoredTree {
  readonly root: Buffer | null;
  readonly levels: number;
}

/**
 * Makes `space` (holding the pages of tree `a`) hold those of tree `b`:
 * writes each page whose address differs, discards each page that became
 * zero. O(nodes on the paths to changed pages x fanout).
 * @throws {CorruptionError} naming `name` for a missing or damaged node or page.
 */
export function applyTreeDiff(dbs: Dbs, name: string, a: StoredTree, b: StoredTree, space: AddressSpace): void {
  const ps = space.pageSize;
  const maxVpn = space.size / ps;
  const top = Math.max(a.levels, b.levels) - 1;
  let fanout = 0;
  const entries = (ref: Ref, tree: StoredTree, level: number, base: number): (Buffer | null)[] | null => {
    if (ref === null) return null;
    if (ref === VIRTUAL) {
      const out: (Buffer | null)[] = [level - 1 === tree.levels - 1 ? tree.root : (VIRTUAL as unknown as Buffer)];
      return out;
    }
    const bytes = dbs.blobs.getBinary(ref);
    if (bytes === undefined) throwCorrupt(name, base, `page-table node (level ${level}) missing`);
    const node = hashOf(bytes).equals(ref) ? decodeNode(bytes, level) : null;
    if (node === null) throwCorrupt(name, base, `page-table node (level ${level}) fails its checksum`);
    fanout = 1 << (node[5] as number);
    const out: (Buffer | null)[] = [];
    for (let i = 0; i < fanout; i++) {
      const at = NODE_HEADER_BYTES + i * HASH_BYTES;
      out.push(isZeroEntry(node, at) ? null : Buffer.from(node.subarray(at, at + HASH_BYTES)));
    }
    return out;
  };
  const same = (x: Ref, y: Ref) =>
    x !== VIRTUAL && y !== VIRTUAL && (x === y || (x !== null && y !== null && x.equals(y)));
  const walk = (ra: Ref, rb: Ref, level: number, base: number): void => {
    const ea = entries(ra, a, level, base);
    const eb = entries(rb, b, level, base);
    const n = Math.max(ea?.length ?? 0, eb?.length ?? 0, fanout);
    const span = n ** level;
    for (let i = 0; i < n; i++) {
      const ca = (ea?.[i] ?? null) as Ref;
      const cb = (eb?.[i] ?? null) as Ref;
      if (same(ca, cb)) continue;
      const vpn = base + i * span;
      if (level > 0) walk(ca, cb, level - 1, vpn);
      else if (vpn >= maxVpn) throwCorrupt(name, vpn, `page beyond the space's ${maxVpn} pages`);
      else if (cb === null) space.discard(vpn * ps, ps);
      else {
        const page = dbs.blobs.getBinary(cb as Buffer);
        if (page === undefined) throwCorrupt(name, vpn, "page missing");
        if (page.length !== ps || !hashOf(page).equals(cb as Buffer))
          throwCorrupt(name, vpn, "page fails its checksum (SHA-256)");
        space.write(vpn * ps, page);
      }
    }
  };
  const ra: Ref = a.levels - 1 === top ? a.root : VIRTUAL;
  const rb: Ref = b.levels - 1 === top ? b.root : VIRTUAL;
  if (!same(ra, rb)) walk(ra, rb, top, 0);
}
