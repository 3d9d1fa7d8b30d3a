/**
 * What the shared algorithms need of an array: its space, the owner of that
 * space, its element kind, where its elements start and how many there are.
 * CowTypedArray and CowVector both are one.
 *
 * @module
 */
import type { AddressSpace, PageSpanCursor } from "@pagefork/core";
import type { ElementKind, NativeTypedArray } from "./kinds.js";
import type { ViewOwner } from "./space-owner.js";

/** A window of elements of one kind in an address space. @internal */
export interface ElementView {
  readonly space: AddressSpace;
  readonly owner: ViewOwner;
  readonly kind: ElementKind;
  /** Byte address of element 0 in `space`. */
  readonly byteOffset: number;
  /** Number of elements. */
  len: number;
  /** True once the view was released. */
  readonly isReleased: boolean;
  /** Throws ReleasedError once the view was released. */
  check(): void;
}

/** A page-span cursor over elements `[from, from + count)` of `view`, read-only. */
export function readSpans(view: ElementView, from: number, count: number): PageSpanCursor<NativeTypedArray> {
  return view.space.spans(
    view.kind.Native,
    view.byteOffset + from * view.kind.bytes,
    count,
  ) as PageSpanCursor<NativeTypedArray>;
}

/** A page-span cursor over elements `[from, from + count)` of `view`, each page faulted in for writing. */
export function writeSpans(view: ElementView, from: number, count: number): PageSpanCursor<NativeTypedArray> {
  return view.space.spans(
    view.kind.Native,
    view.byteOffset + from * view.kind.bytes,
    count,
    "write",
  ) as PageSpanCursor<NativeTypedArray>;
}

/** Elements per page of `view` (every page but a view's first and last holds exactly this many). */
export function elementsPerPage(view: ElementView): number {
  return view.space.pageSize >>> view.kind.shift;
}
