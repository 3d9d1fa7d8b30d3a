/**
 * Handing a fixed-length COW array to another thread: the handle of its
 * space (from `AddressSpace.share()`, or a copy from `transferCopy()`) plus
 * the element kind, offset and length, all plain data for `postMessage`.
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

/** The `format` of a {@link SharedArrayHandle}. */
export const ARRAY_HANDLE_FORMAT = "pagefork.shared-array/1";

/**
 * A version of a standalone Cow*Array handed to another thread: what
 * `share()` and `transferCopy()` return and `attachShared()` takes. Plain
 * data: `postMessage(handle)` carries it (for a `transferCopy()` handle,
 * `postMessage(handle, [handle.space.bytes])` moves the copy's buffer).
 */
export interface SharedArrayHandle {
  /** `"pagefork.shared-array/1"`. */
  readonly format: typeof ARRAY_HANDLE_FORMAT;
  /** Element kind: `"Float64"` for a CowFloat64Array, and so on. */
  readonly kind: string;
  /** Byte address of element 0 in the space (non-zero for a subarray). */
  readonly byteOffset: number;
  /** Length in elements. */
  readonly length: number;
  /** The space: shared (zero copy) or copied. */
  readonly space: SharedSpaceHandle | SpaceCopy;
}

/** A handle for `space` (shared, or copied when `copy`). @internal */
export function arrayHandle(
  kind: string,
  space: AddressSpace,
  byteOffset: number,
  length: number,
  copy: boolean,
  options: ShareOptions | undefined,
): SharedArrayHandle {
  return {
    format: ARRAY_HANDLE_FORMAT,
    kind,
    byteOffset,
    length,
    space: copy ? space.transferCopy() : space.share(options),
  };
}

/** Checks `handle`'s shape and kind, then attaches its space. @internal */
export function attachArraySpace(
  handle: unknown,
  kind: string,
  bytes: number,
): { space: AddressSpace; h: SharedArrayHandle } {
  const h = handle as SharedArrayHandle;
  if (typeof h !== "object" || h === null || h.format !== ARRAY_HANDLE_FORMAT)
    throwHandle(
      typeof h === "object" && h !== null && typeof (h as { format?: unknown }).format === "string" ? "type" : "forged",
      "not a handle made by a Cow*Array's share() or transferCopy()",
    );
  if (h.kind !== kind) throwHandle("type", `a Cow${String(h.kind)}Array handle given to Cow${kind}Array.attachShared`);
  const ok =
    Number.isSafeInteger(h.byteOffset) &&
    Number.isSafeInteger(h.length) &&
    h.byteOffset >= 0 &&
    // Element 0 on an element boundary, as subarray() keeps it: else every read threw an AlignmentFault.
    h.byteOffset % bytes === 0 &&
    h.length >= 0 &&
    typeof h.space === "object" &&
    h.space !== null &&
    h.byteOffset + h.length * bytes <= (h.space as { size: number }).size;
  if (!ok) throwHandle("forged", "the handle's offset or length does not fit its space");
  return { space: AddressSpace.attach(h.space), h };
}

function throwHandle(reason: "forged" | "type", why: string): never {
  throw new InvalidHandleError(reason, why);
}
