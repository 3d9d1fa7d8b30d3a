/**
 * The window of an embedded array that a tracking proxy view (and each
 * `subarray` of one) covers: elements `[begin, end)` of the array, or
 * `[begin, length)` for a length-tracking one, resolved against the array's
 * block and length NOW on every read of `byteOffset` and `len`.
 *
 * It is an {@link ElementView}, so the array's own scans (scan.ts, bulk.ts)
 * run over it and see what they see over the array: a callback that shrinks
 * the vector, moves its block or frees it makes the next step read
 * `undefined` (past the new end), re-translate (a moved block) or throw
 * {@link ReleasedError}, never read or write the old, freed block. As a
 * native typed array over a resizable buffer: a length-tracking window
 * (`end` -1) follows the length; a fixed one (`subarray(b, e)`) keeps its
 * length while the array holds it and has length 0 ("out of bounds") when
 * the array shrinks below its end.
 *
 * @module
 */
import {
  type AddressSpace,
  INSPECT_CUSTOM,
  type InspectFunction,
  type InspectOptions,
  type ProxyView,
} from "@pagefork/core";
import type { ElementKind } from "./kinds.js";
import type { ViewOwner } from "./space-owner.js";
import type { ElementView } from "./view.js";

/** What a tracking view needs of its array: the element view plus its public mutating methods. @internal */
export interface Tracked extends ElementView {
  /** True once the array was freed. */
  readonly released: boolean;
  set(a: unknown, b?: unknown): void;
  get(index: number): number | bigint | undefined;
  fill(value: unknown, start?: number, end?: number): unknown;
  copyWithin(target: number, start: number, end?: number): unknown;
  reverse(): unknown;
  sort(comparator?: unknown): unknown;
}

/** The key under which a tracking view answers its window (for the methods, whose `this` is the proxy). @internal */
export const WINDOW: unique symbol = Symbol("@pagefork/array tracked window");

/** The Proxy's target: the array, the window's bounds, and the core view of it as last seen. @internal */
export class TrackTarget implements ElementView {
  readonly array: Tracked;
  /** First element of the window, an index of the array. */
  readonly begin: number;
  /** One past the last element, or -1: the window tracks the array's length. */
  readonly end: number;
  /** The core view of the window as last made (`current` in embedded-view.ts), its byte offset and length. */
  view: ProxyView | null;
  at: number;
  n: number;
  constructor(array: Tracked, begin: number, end: number) {
    this.array = array;
    this.begin = begin;
    this.end = end;
    this.view = null;
    this.at = -1;
    this.n = -1;
  }
  get space(): AddressSpace {
    return this.array.space;
  }
  get owner(): ViewOwner {
    return this.array.owner;
  }
  get kind(): ElementKind {
    return this.array.kind;
  }
  get isReleased(): boolean {
    return this.array.isReleased;
  }
  /** Byte address of the window's element 0 in the array's block now. */
  get byteOffset(): number {
    return this.array.byteOffset + this.begin * this.array.kind.bytes;
  }
  /** Elements in the window now: 0 when the array no longer reaches it (out of bounds). */
  get len(): number {
    const n = this.array.len;
    if (this.end < 0) return n > this.begin ? n - this.begin : 0;
    return this.end <= n ? this.end - this.begin : 0;
  }
  /** True when the array no longer reaches the window (a native typed array's IsTypedArrayOutOfBounds). */
  get outOfBounds(): boolean {
    const n = this.array.len;
    return this.end < 0 ? this.begin > n : this.end > n;
  }
  set len(_: number) {
    throw new TypeError("a tracking view's length is its array's"); // ElementView's field; never assigned here
  }
  /** ReleasedError once the array was freed. */
  check(): void {
    this.array.check();
  }
  /** The window itself, under the key a tracking view answers it by (so the inspect method works on either). */
  get [WINDOW](): TrackTarget {
    return this;
  }
  /**
   * How `console.log` shows a tracking view: as the core's view of its
   * window now. Node calls it on the Proxy's target (or on the proxy).
   */
  [INSPECT_CUSTOM](_depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    const w = windowOf(this);
    if (w.isReleased) return `${w.kind.Native.name} view <released>`;
    const v = w.space.view(w.kind.Native, w.byteOffset, w.len);
    return inspect === undefined ? String(v) : inspect(v, options);
  }
}

/** The window of a tracking view `view` (a method's `this`). @throws {TypeError} for anything else. @internal */
export function windowOf(view: unknown): TrackTarget {
  const w = typeof view === "object" && view !== null ? (view as { [WINDOW]?: TrackTarget })[WINDOW] : undefined;
  if (w === undefined) throw new TypeError("this is not a proxy view of an embedded array");
  return w;
}
