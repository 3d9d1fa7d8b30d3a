/**
 * The page-sharing map of one version: each page it maps, classified by
 * whether the previous and the next version map the same frame there.
 *
 * Computed with `space.diff(other, { compare: "frames" })`, which walks two
 * page tables together and skips every subtree they share: diffing a version
 * against its neighbours costs O(changed paths), not O(pages). Listing the
 * version's own pages is one diff against an empty space of the same pool,
 * O(page-table nodes of that version). Nothing walks other versions, so
 * scrubbing stays fast over 259,779 of them.
 *
 * In a history where each version is forked from the one before and edited
 * once, a frame is held by a contiguous run of versions. So a page's frame
 * is shared with the previous version, the next, both, or neither, and
 * "neither" is exactly what `stats().uss` counts (the private pages).
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";

/** The page's frame is the previous version's and the next version's too. */
export const PAGE_SHARED_BOTH = 0;
/** Shared with the previous version; the next edit copies (or frees) it. */
export const PAGE_SHARED_PREVIOUS = 1;
/** Copied (or zero-filled) by this version's edit, and shared with the next version. */
export const PAGE_COPIED_SHARED_NEXT = 2;
/** Copied by this version's edit and copied again by the next: mapped by this version alone. */
export const PAGE_PRIVATE = 3;

/** One of the four page classes, `PAGE_SHARED_BOTH` to `PAGE_PRIVATE`. */
export type PageClass =
  | typeof PAGE_SHARED_BOTH
  | typeof PAGE_SHARED_PREVIOUS
  | typeof PAGE_COPIED_SHARED_NEXT
  | typeof PAGE_PRIVATE;

/** The classified pages of one version. */
export interface PageMap {
  /** Byte addresses of the pages the version maps (non-zero frames), ascending. */
  readonly addresses: readonly number[];
  /** `classes[k]`: the {@link PageClass} of `addresses[k]`. */
  readonly classes: Uint8Array;
  /** Pages per class, indexed by {@link PageClass}. */
  readonly counts: readonly [number, number, number, number];
}

/** Whether ascending `sorted` holds `x`, advancing the cursor `at[0]` (a merge step). */
function advanceTo(sorted: readonly number[], at: number[], x: number): boolean {
  let k = at[0] as number;
  while (k < sorted.length && (sorted[k] as number) < x) k++;
  at[0] = k;
  return k < sorted.length && sorted[k] === x;
}

/**
 * Classifies `pages` (ascending byte addresses) by the pages whose frame
 * differs from the previous version (`changedFromPrevious`) and from the next
 * (`changedInNext`), both ascending as `diff` returns them. `null` stands for
 * a missing neighbour: no page is shared with it. O(pages + changes).
 */
export function classifyPages(
  pages: readonly number[],
  changedFromPrevious: readonly number[] | null,
  changedInNext: readonly number[] | null,
): PageMap {
  const classes = new Uint8Array(pages.length);
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  const atPrev = [0];
  const atNext = [0];
  for (let k = 0; k < pages.length; k++) {
    const a = pages[k] as number;
    const copied = changedFromPrevious === null || advanceTo(changedFromPrevious, atPrev, a);
    const replaced = changedInNext === null || advanceTo(changedInNext, atNext, a);
    const c = copied
      ? replaced
        ? PAGE_PRIVATE
        : PAGE_COPIED_SHARED_NEXT
      : replaced
        ? PAGE_SHARED_PREVIOUS
        : PAGE_SHARED_BOTH;
    classes[k] = c;
    counts[c]++;
  }
  return { addresses: pages, classes, counts };
}

/**
 * The page map of `space` between `previous` and `next` (either may be null
 * at the ends of the history). `empty` is a never-written space of the same
 * pool, so `space.diff(empty)` lists every page `space` maps.
 *
 * @throws {InvalidArgumentError} when the spaces are not of one pool (from `diff`).
 * @throws {ReleasedError} when one of them was released.
 */
export function pageMap(
  space: AddressSpace,
  previous: AddressSpace | null,
  next: AddressSpace | null,
  empty: AddressSpace,
): PageMap {
  const frames = { compare: "frames" } as const;
  const pages = space.diff(empty, frames);
  return classifyPages(
    pages,
    previous === null ? null : previous.diff(space, frames),
    next === null ? null : space.diff(next, frames),
  );
}
