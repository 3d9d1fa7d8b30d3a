/**
 * Iterators over an element view: values (also `[Symbol.iterator]`), keys and
 * entries, as `%TypedArray%.prototype.values` / `keys` / `entries` give them.
 *
 * The value iterator reads straight from the page span of the current page:
 * `next()` is a compare, a typed-array load and the `{ value, done }` object,
 * which TurboFan removes when it inlines `next()` into a `for..of` loop. Every
 * `next()` also compares the owner's write generation and the pool's
 * page-table epoch (see scan.ts): after a write through the array, its proxy
 * view or the space, or anything else that moved a page to another frame
 * (a COW copy, a zero-fill, a freed frame taken by another space), it
 * re-translates from the next index, so a loop that writes ahead of itself
 * reads what it wrote, as it would natively. Like the native iterators, these read the current
 * length at every step (a CowVector may grow or shrink while iterated) and
 * stay done once done.
 *
 * @module
 */
import type { PageSpanCursor } from "@pagefork/core";
import type { NativeTypedArray } from "./kinds.js";
import type { ViewOwner } from "./space-owner.js";
import { type ElementView, readSpans } from "./view.js";

/** An empty span array for iterators that have not read a page yet (Float64: the likely kind). */
const NO_SPAN = new Float64Array(0);

/**
 * The one result of a finished iterator, frozen so it can be shared: `next()`
 * then has a single allocation site, `{ value, done: false }`, which is the
 * one TurboFan can remove once `next()` is inlined into a `for..of` loop.
 */
// biome-ignore lint/suspicious/noExplicitAny: the done result carries no value of any type
const DONE: IteratorResult<any> = Object.freeze({ value: undefined, done: true });

/** Iterator over the values of a view. @internal */
export class ValueIterator<E> implements IterableIterator<E> {
  /** Slab view of the current span. */
  private array: NativeTypedArray;
  /** Next index in `array`. */
  private i: number;
  /** End of the current span in `array`. */
  private end: number;
  /** Write generation the span is valid for. */
  private gen: number;
  /** Page-table epoch of the pool the span is valid for. */
  private epoch: number;
  /** Element index of `array[spanStart]`. */
  private base: number;
  private spanStart: number;
  private cursor: PageSpanCursor<NativeTypedArray> | null;
  /** The view's owner, in a field of its own so `next()` loads one monomorphic field. */
  private readonly owner: ViewOwner;
  /** The pool's page-table arena, whose `epoch` moves with every change of a translation. */
  private readonly pt: { readonly epoch: number };
  /** null once done. */
  private view: ElementView | null;

  constructor(view: ElementView) {
    view.check();
    this.array = NO_SPAN;
    this.i = 0;
    this.end = 0;
    this.gen = view.owner.writes;
    this.epoch = view.space.pool.pt.epoch;
    this.base = 0;
    this.spanStart = 0;
    this.cursor = null;
    this.owner = view.owner;
    this.pt = view.space.pool.pt;
    this.view = view;
  }

  next(): IteratorResult<E> {
    const i = this.i;
    if (i < this.end && this.owner.writes === this.gen && this.pt.epoch === this.epoch) {
      this.i = i + 1;
      return { value: this.array[i] as E, done: false };
    }
    return this.refill();
  }

  /** Moves to the next span (or re-translates after a write) and returns the next value. */
  private refill(): IteratorResult<E> {
    const view = this.view;
    if (view === null) return DONE;
    const k = this.base + (this.i - this.spanStart); // next element index
    if (this.owner.writes !== this.gen || this.pt.epoch !== this.epoch) {
      view.check();
      this.gen = this.owner.writes;
      this.epoch = this.pt.epoch;
      this.cursor = null;
    }
    const len = view.len;
    if (k >= len) return this.finish();
    let c = this.cursor;
    if (c === null) {
      c = readSpans(view, k, len - k);
      this.cursor = c;
    }
    if (!c.next()) return this.finish();
    this.array = c.array;
    this.spanStart = c.start;
    this.base = k;
    this.end = c.end;
    this.i = c.start + 1;
    return { value: c.array[c.start] as E, done: false };
  }

  private finish(): IteratorResult<E> {
    this.view = null;
    this.cursor = null;
    this.array = NO_SPAN;
    this.i = 0;
    this.end = 0;
    return DONE;
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Array Iterator";
  }
}

/** Iterator over the indices of a view. @internal */
export class KeyIterator implements IterableIterator<number> {
  private k: number;
  private view: ElementView | null;

  constructor(view: ElementView) {
    view.check();
    this.k = 0;
    this.view = view;
  }

  next(): IteratorResult<number> {
    const view = this.view;
    if (view !== null) {
      view.check();
      if (this.k < view.len) return { value: this.k++, done: false };
      this.view = null;
    }
    return DONE;
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Array Iterator";
  }
}

/** Iterator over `[index, value]` pairs of a view. @internal */
export class EntryIterator<E> implements IterableIterator<[number, E]> {
  private k: number;
  private readonly values: ValueIterator<E>;

  constructor(view: ElementView) {
    this.k = 0;
    this.values = new ValueIterator<E>(view);
  }

  next(): IteratorResult<[number, E]> {
    const r = this.values.next();
    if (r.done === true) return DONE;
    return { value: [this.k++, r.value], done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Array Iterator";
  }
}
