/**
 * Handing a standalone CowText to another thread: the handle of its space
 * (from `AddressSpace.share()`, or a copy from `transferCopy()`) plus the
 * tree's root address, height and length, which live outside the space.
 *
 * @module
 */
import {
  AddressSpace,
  InvalidHandleError,
  type SharedSpaceHandle,
  type ShareOptions,
  type SpaceCopy,
} from "@pagefork/core";

/** The `format` of a {@link SharedTextHandle}. */
export const TEXT_HANDLE_FORMAT = "pagefork.shared-text/1";

/**
 * A version of a standalone CowText handed to another thread: what its
 * `share()` and `transferCopy()` return and `CowText.attachShared()` takes.
 * Plain data for `postMessage` (for a copy, transfer `handle.space.bytes`).
 */
export interface SharedTextHandle {
  /** `"pagefork.shared-text/1"`. */
  readonly format: typeof TEXT_HANDLE_FORMAT;
  /** Byte address of the root node (0: empty). */
  readonly root: number;
  /** Tree height (0: the root is a leaf). */
  readonly height: number;
  /** Length in UTF-16 code units. */
  readonly length: number;
  /** The space: shared (zero copy) or copied. */
  readonly space: SharedSpaceHandle | SpaceCopy;
}

/** What a text's constructor adopts from an attached handle. @internal */
export interface AttachedText {
  readonly space: AddressSpace;
  readonly root: number;
  readonly height: number;
  readonly len: number;
}

/** The handle of a standalone text's version. @internal */
export function textHandle(
  space: AddressSpace,
  root: number,
  height: number,
  len: number,
  copy: boolean,
  options: ShareOptions | undefined,
): SharedTextHandle {
  return {
    format: TEXT_HANDLE_FORMAT,
    root,
    height,
    length: len,
    space: copy ? space.transferCopy() : space.share(options),
  };
}

/** Checks a handle and attaches its space. @internal */
export function attachTextSpace(handle: unknown): AttachedText {
  const h = handle as SharedTextHandle;
  if (typeof h !== "object" || h === null || h.format !== TEXT_HANDLE_FORMAT)
    throwHandle(
      typeof h === "object" && h !== null && typeof (h as { format?: unknown }).format === "string" ? "type" : "forged",
      "not a handle made by CowText's share() or transferCopy()",
    );
  const ok =
    Number.isSafeInteger(h.root) &&
    h.root >= 0 &&
    Number.isSafeInteger(h.height) &&
    h.height >= 0 &&
    Number.isSafeInteger(h.length) &&
    h.length >= 0 &&
    (h.root === 0) === (h.length === 0) &&
    rootInSpace(h.root, h.height, h.space);
  if (!ok) throwHandle("forged", "the handle's root, height or length is not a text's");
  return { space: AddressSpace.attach(h.space), root: h.root, height: h.height, len: h.length };
}

/**
 * Most levels a text's tree can have: every inner node has two children or
 * more and a space holds at most 2 ** 32 pages, one node per page.
 */
const MAX_TEXT_HEIGHT = 32;

/**
 * Whether `root` can be a node page of `space` (a page-aligned byte address
 * inside it) and `height` a tree's. Checked before the space is attached: a
 * root past the space or off a page boundary attached, and every read then
 * threw a SegmentationFault or AlignmentFault, the handle spent.
 */
function rootInSpace(root: number, height: number, space: unknown): boolean {
  if (typeof space !== "object" || space === null) return false;
  const { size, pageSize } = space as { size?: unknown; pageSize?: unknown };
  if (typeof size !== "number" || typeof pageSize !== "number" || !(pageSize > 0)) return false;
  return height <= MAX_TEXT_HEIGHT && root < size && root % pageSize === 0;
}

function throwHandle(reason: "forged" | "type", why: string): never {
  throw new InvalidHandleError(reason, why);
}
