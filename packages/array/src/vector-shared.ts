/**
 * Handing a standalone CowVector to another thread: the handle of its space
 * (from `AddressSpace.share()`, or a copy from `transferCopy()`) plus what a
 * vector keeps outside its space (element kind, length, maximum length and
 * the bytes mapped for elements), all plain data for `postMessage`. The
 * class's `share()`, `transferCopy()` and `attachShared()` call these.
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
import { type ElementKind, elementKinds } from "./kinds.js";

/** The `format` of a {@link SharedVectorHandle}. */
export const VECTOR_HANDLE_FORMAT = "pagefork.shared-vector/1";

/**
 * A version of a standalone `CowVector` handed to another thread: what
 * its `share()` and `transferCopy()` return and `CowVector.attachShared()`
 * takes. Plain data: `postMessage(handle)` carries it (for a `transferCopy()`
 * handle, `postMessage(handle, [handle.space.bytes])` moves the copy's
 * buffer). Treat it as opaque: a changed handle is refused.
 */
export interface SharedVectorHandle {
  /** `"pagefork.shared-vector/1"`. */
  readonly format: typeof VECTOR_HANDLE_FORMAT;
  /** Element kind: `"Float64"` for a vector of Float64Array, and so on. */
  readonly kind: string;
  /** Length in elements. */
  readonly length: number;
  /** Most elements the vector's space holds. */
  readonly maxLength: number;
  /** Bytes mapped for elements from address 0 (the capacity, page-rounded). */
  readonly capacityBytes: number;
  /** The space: shared (zero copy) or copied. */
  readonly space: SharedSpaceHandle | SpaceCopy;
}

/** What a vector keeps outside its space. @internal */
export interface VectorFields {
  readonly kind: ElementKind;
  readonly length: number;
  readonly maxLength: number;
  readonly capacityBytes: number;
}

/** A handle for the vector `fields` over `space` (shared, or copied when `copy`). @internal */
export function vectorHandle(
  fields: VectorFields,
  space: AddressSpace,
  copy: boolean,
  options: ShareOptions | undefined,
): SharedVectorHandle {
  return {
    format: VECTOR_HANDLE_FORMAT,
    kind: fields.kind.name,
    length: fields.length,
    maxLength: fields.maxLength,
    capacityBytes: fields.capacityBytes,
    space: copy ? space.transferCopy() : space.share(options),
  };
}

/**
 * Checks `handle`'s shape and kind (`expected`, when given), then attaches
 * its space. Every check runs before the space is attached, so a refused
 * handle stays attachable. @internal
 */
export function attachVectorSpace(
  handle: unknown,
  expected: ElementKind | undefined,
): { space: AddressSpace; fields: VectorFields } {
  const h = handle as SharedVectorHandle;
  if (typeof h !== "object" || h === null || h.format !== VECTOR_HANDLE_FORMAT)
    throwHandle(
      typeof h === "object" && h !== null && typeof (h as { format?: unknown }).format === "string" ? "type" : "forged",
      "not a handle made by a CowVector's share() or transferCopy()",
    );
  const kind = elementKinds.find((k) => k.name === h.kind);
  if (kind === undefined) throwHandle("forged", `unknown element kind ${String(h.kind)}`);
  if (expected !== undefined && kind !== expected)
    throwHandle("type", `a vector of ${kind.name}Array given where ${expected.name}Array was expected`);
  const size = typeof h.space === "object" && h.space !== null ? (h.space as { size?: unknown }).size : undefined;
  const ok =
    typeof size === "number" &&
    isCount(h.length) &&
    isCount(h.maxLength) &&
    isCount(h.capacityBytes) &&
    h.length <= h.maxLength &&
    h.maxLength * kind.bytes <= size &&
    h.capacityBytes <= size &&
    h.length * kind.bytes <= h.capacityBytes;
  if (!ok) throwHandle("forged", "the handle's length, maxLength or capacity does not fit its space");
  const space = AddressSpace.attach(h.space);
  return {
    space,
    fields: { kind, length: h.length, maxLength: h.maxLength, capacityBytes: h.capacityBytes },
  };
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function throwHandle(reason: "forged" | "type", why: string): never {
  throw new InvalidHandleError(reason, why);
}
