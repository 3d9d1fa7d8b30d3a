/**
 * A standalone CowText taken apart and put back together: its space holds
 * the nodes and a header (magic and layout version at address 0), and three
 * numbers live outside it (root address, height, length). `textStateOf`
 * gives those; `adoptText` rebuilds the text over a space holding the same
 * pages (one a store such as `@pagefork/persist` rebuilt from disk).
 *
 * @module
 */
import { type AddressSpace, InvalidArgumentError, isAddressSpace, ReleasedError } from "@pagefork/core";
import { CowText, textOver } from "./cow-text.js";
import { markStale, upgradeHeader } from "./header.js";
import { H_MAGIC, H_VERSION, MAX_TEXT_LENGTH, TEXT_LAYOUT_OLDEST, TEXT_LAYOUT_VERSION, TEXT_MAGIC } from "./layout.js";
import { LAG_MISMATCH, MAX_DEPTH, ownLength, setLag } from "./tree.js";

/**
 * What a standalone CowText keeps outside its space: plain data
 * (JSON-safe), from {@link textStateOf}, for {@link adoptText}.
 */
export interface TextState {
  /** Byte address of the root node (0: empty). */
  readonly root: number;
  /** Tree height (0: the root is a leaf). */
  readonly height: number;
  /** Length in UTF-16 code units. */
  readonly length: number;
}

/**
 * The numbers of the standalone text `text` that live outside its space
 * (its `space` holds the rest). Save them with the space's pages; give both
 * to {@link adoptText}. O(1).
 * @throws {TypeError} when `text` is not a CowText.
 * @throws {InvalidArgumentError} for an embedded text (it lives in its heap: keep the space that holds it).
 * @throws {ReleasedError} after `release()`.
 * @example
 * ```ts
 * const t = CowText.from("hello");
 * textStateOf(t).length; // 5
 * t.release();
 * ```
 */
export function textStateOf(text: CowText): TextState {
  if (!(text instanceof CowText)) throw new TypeError(`textStateOf: ${String(text)} is not a CowText`);
  if (text.released) throw new ReleasedError("text");
  if (text.embedded)
    throw new InvalidArgumentError(
      "text",
      text,
      "a standalone CowText (an embedded one lives in its heap: keep its space)",
    );
  return { root: text.root, height: text.height, length: text.len };
}

/**
 * A standalone CowText over `space`, which must hold the pages of the text
 * `state` was taken from (its own space, a fork of it, or a copy of its
 * pages in a space of the same size and page size, e.g. one a store
 * rebuilt). The text owns `space` from then on: its `release()` releases
 * it. A frozen space gives a read-only text (edits throw ProtectionFault;
 * `fork()` gives a writable one). O(1): reads the header at address 0 (and
 * marks one of an older layout version 5; when the space is frozen or page 0
 * is read-only, the first edit of the text or of a fork marks it, or throws
 * ProtectionFault) and the root; the first read or
 * edit of the text then finds its lagging path from the pages (layout.ts),
 * O(nodes) once, and throws InvalidArgumentError (changing nothing) if
 * `state.length` is not the length the pages hold.
 * @throws {InvalidArgumentError} when `space` is not an AddressSpace, holds
 *   no standalone text header (magic and layout version at address 0), or
 *   `state` is not a text's state inside it (its root not a node page; its
 *   length not the one a leaf root or a tree with no lagging path holds);
 *   nothing changed then.
 * @throws {ReleasedError} when `space` was released.
 * @throws {OutOfMemoryError} when the header of an older layout version must
 *   be marked version 5 and the pool has no frame for its page; nothing changed then.
 * @example
 * ```ts
 * const t = CowText.from("hello");
 * const state = JSON.parse(JSON.stringify(textStateOf(t)));
 * const back = adoptText(t.space.fork(), state);
 * back.insert(5, " world");
 * [back.toString(), t.toString()]; // ["hello world", "hello"]
 * back.release(); t.release();
 * ```
 */
export function adoptText(space: AddressSpace, state: TextState): CowText {
  if (!isAddressSpace(space)) throw new InvalidArgumentError("space", space, "an AddressSpace");
  if (space.released) throw new ReleasedError("address space");
  const version = space.getUint32(H_VERSION);
  if (space.getUint32(H_MAGIC) !== TEXT_MAGIC || version < TEXT_LAYOUT_OLDEST || version > TEXT_LAYOUT_VERSION)
    throw new InvalidArgumentError(
      "space",
      space,
      `the space of a standalone CowText (a text header of layout version ${TEXT_LAYOUT_OLDEST} to ${TEXT_LAYOUT_VERSION} at address 0)`,
    );
  const s = state as Partial<TextState> | null;
  const ok =
    typeof s === "object" &&
    s !== null &&
    Number.isSafeInteger(s.root) &&
    Number.isSafeInteger(s.height) &&
    Number.isSafeInteger(s.length) &&
    (s.root as number) >= 0 &&
    (s.root as number) < space.size &&
    (s.height as number) >= 0 &&
    (s.height as number) < MAX_DEPTH &&
    (s.length as number) >= 0 &&
    (s.length as number) <= MAX_TEXT_LENGTH &&
    (s.root === 0) === (s.length === 0);
  const ps = space.pageSize;
  // The root is a node page (page 0 is the header), and the length must be the one its pages hold:
  // a length off by one read as the entries say, but made `length` disagree with `toString()`, and
  // an insert at the end wrote past the last leaf's units. Checked here when it takes O(1) (a leaf
  // root, or a root whose total is the length: no path lags); otherwise finding the lagging path
  // takes O(nodes), which the first read or edit does anyway (tree.ts findLag, which throws on a
  // mismatch): searching at every adoption cost 70 us per version of an 81k-unit text, about
  // 420 ms of a ~1.6 s loadHistory of 6,000 such versions.
  const { root, height, length } = (s ?? {}) as TextState;
  let lag = ok && root === 0 ? 0 : LAG_MISMATCH;
  if (ok && root !== 0 && root % ps === 0 && root >= ps) {
    const own = ownLength(space, root, height);
    lag = own === length ? 0 : height === 0 ? LAG_MISMATCH : -1;
  }
  if (lag === LAG_MISMATCH)
    throw new InvalidArgumentError(
      "state",
      state,
      "an object { root, height, length } of a text in this space (its root a node page, its length the one its pages hold)",
    );
  // Edits may leave a path of inner nodes behind (layout version 5): an older reader must refuse the text.
  const upgraded = upgradeHeader(space, 0, TEXT_LAYOUT_VERSION);
  const text = textOver({ space, root, height, len: length });
  if (!upgraded) markStale(text, TEXT_LAYOUT_VERSION); // its first edit raises the header, or throws
  if (lag === 0) setLag(text, 0); // no path lags: the first read need not search the pages
  return text;
}
