/**
 * Where a node that overflows is cut: the sizes of the pieces a split leaf
 * or inner node becomes (used by btree.ts for leaves, inner.ts for inner nodes).
 *
 * @module
 */
/** Sizes of the pieces of the last {@link cutPieces} (grown as needed). */
let cut = new Int32Array(64);

/** Size of piece `i` of the last {@link cutPieces}. */
export function pieceSize(i: number): number {
  return cut[i] as number;
}

/**
 * Cuts `total` items (code units of a leaf, entries of an inner node) into
 * the fewest pieces of at most `cap`, `ceil(total / cap)`, leaving their
 * sizes in `cut` and returning their number. `at` is the index just past the
 * inserted items (the cursor after a keystroke), or -1 for none. When one of
 * the cuts can fall there without needing more pieces, it does: the items
 * before it are packed full-first (so the piece that ends at the cursor,
 * which further typing fills, is the only one with room) and the items after
 * it go full-first too. Otherwise the pieces are near-equal (the first ones
 * one larger).
 *
 * Why: an even split leaves both halves half full, and typing (a run of
 * inserts at a moving cursor) fills one half and splits it again, so typed
 * text sits near 50% full: 50,000 keystrokes typed in one place fill 398
 * leaves of 252 units to 128 on average with even splits, 204 leaves to 250
 * with cuts at the cursor, as B+-trees do for ascending keys. Leaves use the
 * cursor; inner nodes do not: a cursor stays in one inner node for ~30 leaf
 * splits, far longer than a writer stays in one place, so there a cut at the
 * cursor is a cut at random (automerge-paper: inner nodes 14.9 entries full
 * on average with it, 17.9 with even splits). O(pieces).
 */
export function cutPieces(total: number, at: number, cap: number): number {
  const pieces = Math.ceil(total / cap);
  if (cut.length < pieces) cut = new Int32Array(Math.max(pieces, cut.length * 2));
  const left = Math.ceil(at / cap);
  const right = Math.ceil((total - at) / cap);
  if (at >= 0 && left + right === pieces) {
    let i = 0;
    for (let rest = at; rest > 0; rest -= cap) cut[i++] = Math.min(rest, cap);
    for (let rest = total - at; rest > 0; rest -= cap) cut[i++] = Math.min(rest, cap);
  } else {
    for (let i = 0; i < pieces; i++) cut[i] = Math.floor(total / pieces) + (i < total % pieces ? 1 : 0);
  }
  return pieces;
}
