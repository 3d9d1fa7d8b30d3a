/**
 * The leaf kinds of composite types: texts (`t.text()`) and fixed-length
 * typed arrays (`t.float64Array(n)` and the other kinds), nodes with a
 * structure of their own and no child nodes, with the interfaces of their
 * views and drafts.
 *
 * @module
 */
import { throwSchemaDefinition } from "./errors.js";
import { Type, type TypedArrayConstructor } from "./schema-scalars.js";

/** Methods a text view has: the read-only part of `CowText`. */
export interface TextView extends Iterable<string> {
  /** Length in UTF-16 code units. */
  readonly length: number;
  /** `String.prototype.slice` semantics. */
  slice(start?: number, end?: number): string;
  /** The code unit at `index` as a string, or "" out of range. */
  charAt(index: number): string;
  /** The code unit at `index`, or NaN out of range. */
  charCodeAt(index: number): number;
  /**
   * The code unit at `index` as a string, counting back from the end for a
   * negative `index`, or undefined out of range: `String.prototype.at`. O(height).
   */
  at(index: number): string | undefined;
  /**
   * The code point starting at code unit `pos` (a surrogate pair joined), or
   * undefined out of range: `String.prototype.codePointAt`. O(height).
   */
  codePointAt(pos: number): number | undefined;
  /**
   * First index at or after `position` where `searchString` occurs, or -1:
   * `String.prototype.indexOf` (same argument conversions). The text is
   * searched in windows of leaves, never copied whole: O(height + d + m) for
   * d code units scanned and a needle of m units.
   */
  indexOf(searchString: string, position?: number): number;
  /** Last index at or before `position` where `searchString` occurs, or -1: `String.prototype.lastIndexOf`. O(height + d + m). */
  lastIndexOf(searchString: string, position?: number): number;
  /** Whether `searchString` occurs at or after `position`: `String.prototype.includes` (a RegExp throws TypeError). O(height + d + m). */
  includes(searchString: string, position?: number): boolean;
  /** Whether the text at `position` begins with `searchString`: `String.prototype.startsWith`. O(height + m). */
  startsWith(searchString: string, position?: number): boolean;
  /** Whether the text before `endPosition` ends with `searchString`: `String.prototype.endsWith`. O(height + m). */
  endsWith(searchString: string, endPosition?: number): boolean;
  /** Code units `[start, end)` (swapped when `start` is the greater, clamped, no negatives): `String.prototype.substring`. O(height + result length). */
  substring(start: number, end?: number): string;
  /** The whole text. */
  toString(): string;
  /** The whole text (so `JSON.stringify` writes a string). */
  toJSON(): string;
}

/** A text draft: a {@link TextView} plus edits. Positions and lengths are UTF-16 code units. */
export interface TextDraft extends TextView {
  /** Inserts `text` before code unit `pos`. */
  insert(pos: number, text: string): void;
  /** Deletes `count` code units from `pos`. */
  delete(pos: number, count: number): void;
  /** Deletes `deleteCount` units at `pos` and inserts `text` there (one patch). */
  splice(pos: number, deleteCount: number, text?: string): void;
  /** Replaces the whole text. */
  replace(text: string): void;
}

/** An editable text (a `CowText` rope in the state's pages): `t.text()`. Plain data: a string. */
export class TextType extends Type<TextView, TextDraft, string> {
  readonly kind = "text" as const;
  describe(): string {
    return "text";
  }
}

/** The element type of a typed array. */
export type ElementOfArray<A> = A extends BigInt64Array | BigUint64Array ? bigint : number;

/**
 * Read-only view of a typed-array field: index reads, `length`, and the
 * TypedArray methods that do not write. `slice()` copies out to a native
 * typed array (the fast way to hand the data to a canvas or WebGL).
 */
export interface TypedArrayView<A extends NativeArray = NativeArray> extends Iterable<ElementOfArray<A>> {
  readonly [index: number]: ElementOfArray<A>;
  /** Elements. */
  readonly length: number;
  /** The element at `index` (negative counts from the end), as `TypedArray.prototype.at`. O(1). */
  at(index: number): ElementOfArray<A> | undefined;
  /** Elements `[start, end)` copied into a new native typed array, page span by page span. O(end - start). */
  slice(start?: number, end?: number): A;
  /** First index of `value` from `fromIndex`, or -1, as `TypedArray.prototype.indexOf`. O(n). */
  indexOf(value: ElementOfArray<A>, fromIndex?: number): number;
  /** Whether `value` is an element (SameValueZero), as `TypedArray.prototype.includes`. O(n). */
  includes(value: ElementOfArray<A>, fromIndex?: number): boolean;
  /** Folds the elements from the first, as `TypedArray.prototype.reduce`. O(n). */
  reduce<U>(fn: (acc: U, value: ElementOfArray<A>, index: number) => U, initial: U): U;
  /** Calls `fn` for each element, as `TypedArray.prototype.forEach`. O(n). */
  forEach(fn: (value: ElementOfArray<A>, index: number) => void): void;
  /** The elements as a string, as `TypedArray.prototype.join`. O(n). */
  join(separator?: string): string;
  /** The elements as a JSON array (numbers; decimal strings for the BigInt kinds). O(n). */
  toJSON(): (number | string)[];
  /** Elements `[start, end)` as a new native typed array (a copy: the view is read-only). O(end - start). */
  subarray(start?: number, end?: number): A;
  /** A new native typed array of `fn`'s results, as `TypedArray.prototype.map`. O(n). */
  map(fn: (value: ElementOfArray<A>, index: number, array: this) => ElementOfArray<A>, thisArg?: unknown): A;
  /** A new native typed array of the elements `fn` keeps, as `TypedArray.prototype.filter`. O(n). */
  filter(fn: (value: ElementOfArray<A>, index: number, array: this) => unknown, thisArg?: unknown): A;
  /** A sorted native copy, as `TypedArray.prototype.toSorted`. O(n log n). */
  toSorted(compare?: (a: ElementOfArray<A>, b: ElementOfArray<A>) => number): A;
  /** A reversed native copy. O(n). */
  toReversed(): A;
  /** A native copy with element `index` (negative from the end) set to `value`; RangeError out of range. O(n). */
  with(index: number, value: ElementOfArray<A>): A;
  /** First element `fn` accepts, or undefined. O(n). */
  find(
    fn: (value: ElementOfArray<A>, index: number, array: this) => unknown,
    thisArg?: unknown,
  ): ElementOfArray<A> | undefined;
  /** Index of the first element `fn` accepts, or -1. O(n). */
  findIndex(fn: (value: ElementOfArray<A>, index: number, array: this) => unknown, thisArg?: unknown): number;
  /** Whether `fn` accepts every element. O(n). */
  every(fn: (value: ElementOfArray<A>, index: number, array: this) => unknown, thisArg?: unknown): boolean;
  /** Whether `fn` accepts some element. O(n). */
  some(fn: (value: ElementOfArray<A>, index: number, array: this) => unknown, thisArg?: unknown): boolean;
  /** Last index of `value` at or before `fromIndex`, or -1. O(n). */
  lastIndexOf(value: ElementOfArray<A>, fromIndex?: number): number;
  /** Bytes per element of the kind. */
  readonly BYTES_PER_ELEMENT: number;
  /** `length * BYTES_PER_ELEMENT`. */
  readonly byteLength: number;
}

/** The native typed arrays. */
export type NativeArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | BigInt64Array
  | BigUint64Array;

/** A fixed-length typed array: `t.float64Array(1024 * 1024)` and the other kinds. */
export class TypedArrayType<A extends NativeArray = NativeArray> extends Type<
  TypedArrayView<A>,
  A,
  A | ArrayLike<ElementOfArray<A>>
> {
  readonly kind = "typedArray" as const;
  /** The native constructor of the element kind. */
  readonly ctor: TypedArrayConstructor;
  /** Elements. */
  readonly length: number;
  constructor(ctor: TypedArrayConstructor, length: number) {
    super();
    if (!Number.isSafeInteger(length) || length < 0 || length * ctor.BYTES_PER_ELEMENT > 2 ** 40)
      throwSchemaDefinition(`t.${arrayBuilderName(ctor)}`, length, "a non-negative integer number of elements");
    this.ctor = ctor;
    this.length = length;
  }
  describe(): string {
    return `${this.ctor.name}(${this.length})`;
  }
}

/** `"float64Array"` for Float64Array, ... */
export function arrayBuilderName(ctor: TypedArrayConstructor): string {
  const n = ctor.name;
  return n.charAt(0).toLowerCase() + n.slice(1);
}
