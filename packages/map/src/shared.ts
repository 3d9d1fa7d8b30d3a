/**
 * Handing a standalone CowMap or CowSet to another thread: the handle of its
 * space (from `AddressSpace.share()`, or a copy from `transferCopy()`) plus
 * the few counters of its table that live outside the space (buckets mask,
 * log bytes used and dead, entries) and its layout version. Where its
 * regions are follows from that version and its space's size and page size.
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
import { spaceLayout, TABLE_LAYOUT } from "./layout.js";
import { Table } from "./table.js";

/** The `format` of a {@link SharedCollectionHandle}. */
export const COLLECTION_HANDLE_FORMAT = "pagefork.shared-collection/1";

/**
 * A version of a standalone CowMap or CowSet handed to another thread: what
 * their `share()` and `transferCopy()` return and `attachShared()` takes.
 * Plain data for `postMessage` (for a copy, transfer `handle.space.bytes`).
 */
export interface SharedCollectionHandle {
  /** `"pagefork.shared-collection/1"`. */
  readonly format: typeof COLLECTION_HANDLE_FORMAT;
  /** `"CowMap"` or `"CowSet"`. */
  readonly type: "CowMap" | "CowSet";
  /** Buckets minus one (-1: never held an entry). */
  readonly mask: number;
  /** Bytes appended to the log. */
  readonly used: number;
  /** Bytes of dead records in the log. */
  readonly garbage: number;
  /** Entries. */
  readonly size: number;
  /** Layout of the space (1: log at 2^27; 2: at 2^26, what this build makes); absent in a handle made before layout 2: 1. */
  readonly layout?: number;
  /** The space: shared (zero copy) or copied. */
  readonly space: SharedSpaceHandle | SpaceCopy;
}

/** A handle of the standalone table `t`. @internal */
export function tableHandle(
  t: Table,
  type: "CowMap" | "CowSet",
  copy: boolean,
  options: ShareOptions | undefined,
): SharedCollectionHandle {
  return {
    format: COLLECTION_HANDLE_FORMAT,
    type,
    mask: t.mask,
    used: t.used,
    garbage: t.garbage,
    size: t.size,
    layout: t.layoutVersion,
    space: copy ? t.space.transferCopy() : t.space.share(options),
  };
}

/** The table a handle names, over its attached (frozen) space. @internal */
export function attachTableShared(handle: unknown, type: "CowMap" | "CowSet", vbytes: number): Table {
  const h = handle as SharedCollectionHandle;
  if (typeof h !== "object" || h === null || h.format !== COLLECTION_HANDLE_FORMAT)
    throwHandle(
      typeof h === "object" && h !== null && typeof (h as { format?: unknown }).format === "string" ? "type" : "forged",
      `not a handle made by a ${type}'s share() or transferCopy()`,
    );
  if (h.type !== type) throwHandle("type", `a ${String(h.type)} handle given to ${type}.attachShared`);
  const ok =
    Number.isSafeInteger(h.mask) &&
    h.mask >= -1 &&
    // -1 (no bucket array yet) or a power of two minus one no larger than the space: a
    // forged mask attached, then probed buckets past the space (SegmentationFault).
    validMask(h.mask, h.space) &&
    Number.isSafeInteger(h.used) &&
    h.used >= 0 &&
    Number.isSafeInteger(h.garbage) &&
    h.garbage >= 0 &&
    h.garbage <= h.used &&
    Number.isSafeInteger(h.size) &&
    h.size >= 0 &&
    (h.layout === undefined || h.layout === 1 || h.layout === TABLE_LAYOUT);
  if (!ok || !fitsLayout(h)) throwHandle("forged", "the handle's counters are not a table's");
  // a handle made before layouts were recorded: layout 1
  const t = new Table(AddressSpace.attach(h.space), vbytes, null, 0, null, h.layout ?? 1);
  t.mask = h.mask;
  t.used = h.used;
  t.garbage = h.garbage;
  t.size = h.size;
  return t;
}

/**
 * Whether the counters fit the regions of a space of the handle's size and
 * page size in its layout, as `adoptCollection` checks a saved state: the
 * buckets within their region (a mask past it read the log's bytes as
 * bucket links), the log within its bound and 8-aligned (records are), and
 * no entries without a bucket array. Read from the handle alone, before the space is attached,
 * so a refused handle stays attachable.
 */
function fitsLayout(h: SharedCollectionHandle): boolean {
  const sp = h.space as { size?: unknown; pageSize?: unknown };
  const size = sp.size;
  const pageSize = sp.pageSize;
  if (typeof size !== "number" || typeof pageSize !== "number" || !(pageSize > 0)) return false;
  const l = spaceLayout(size, pageSize, h.layout ?? 1);
  if (h.used % 8 !== 0 || h.used > l.logBytes) return false;
  if (h.mask === -1) return h.used === 0 && h.size === 0;
  return h.mask + 1 <= l.maxBuckets;
}

/** Whether `mask` is -1 or `2 ** k - 1` with `mask + 1` bucket links (4 bytes each) fitting in `space`. */
function validMask(mask: number, space: unknown): boolean {
  if (mask === -1) return true;
  const size = typeof space === "object" && space !== null ? (space as { size?: unknown }).size : undefined;
  if (typeof size !== "number" || (mask + 1) * 4 > size) return false; // 4-byte bucket links
  return mask < 2 ** 31 && ((mask + 1) & mask) === 0;
}

function throwHandle(reason: "forged" | "type", why: string): never {
  throw new InvalidHandleError(reason, why);
}
