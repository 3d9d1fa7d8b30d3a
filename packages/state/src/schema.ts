/**
 * The typed schema of a state: one class per kind of type, and the byte
 * layout of records (structs). A schema value is immutable; the `t` builders
 * (t.ts) are the way users make them.
 *
 * Layout of a struct record (a heap block, 8-byte aligned):
 *
 * ```
 * +0     f64   stamp (see lineage.ts): changes whenever the record or anything under it changes
 * +8     8-byte slots: f64 fields, string and composite pointers (byte addresses as f64)
 *        4-byte slots: f32, i32, u32
 *        2-byte slots: i16, u16, enums of more than 256 values
 *        1-byte slots: i8, u8, bool, small enums, then one tag byte per optional/nullable field
 * ```
 *
 * Fields are sorted by width (widest first) so no slot needs padding, and
 * the whole record is rounded up to 8 bytes. A string or composite field is
 * a pointer; 0 means "" for a string and "empty, not allocated yet" for a
 * list, map, set or text (see nodes.ts).
 *
 * @module
 */
import { throwSchemaDefinition } from "./errors.js";
import {
  type AnyType,
  BoolType,
  checkType,
  EnumType,
  type Field,
  NullableType,
  NumberType,
  OptionalType,
  RECORD_HEADER,
  StringType,
  slotBytes,
  Type,
  type TypedArrayConstructor,
} from "./schema-scalars.js";

// The scalar half lives in schema-scalars.ts (no import back from there, so no cycle).
export * from "./schema-scalars.js";

type Fields = Record<string, AnyType>;

type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalType ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Unwrap<T> = T extends OptionalType<infer I> ? I : T;

/** The read-only view of a struct with fields `F`. */
export type StructView<F extends Fields> = Simplify<
  { readonly [K in RequiredKeys<F>]: F[K]["__view"] } & { readonly [K in OptionalKeys<F>]?: Unwrap<F[K]>["__view"] }
>;
/** The draft of a struct with fields `F`: assignable fields. */
export type StructDraft<F extends Fields> = Simplify<
  { -readonly [K in RequiredKeys<F>]: F[K]["__draft"] } & { -readonly [K in OptionalKeys<F>]?: Unwrap<F[K]>["__draft"] }
>;
/** Plain data accepted for a struct with fields `F`. */
export type StructInput<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: F[K]["__input"] } & { [K in OptionalKeys<F>]?: Unwrap<F[K]>["__input"] }
>;

/** A record of named fields: `t.struct({ id: t.string, done: t.bool })`. */
export class StructType<F extends Fields = Fields> extends Type<StructView<F>, StructDraft<F>, StructInput<F>> {
  readonly kind = "struct" as const;
  /** The field types, as given. */
  readonly shape: Readonly<F>;
  /** @internal Fields in declaration order. */
  readonly fields: readonly Field[];
  /** @internal name -> field. */
  readonly byName: ReadonlyMap<string, Field>;
  /** @internal Field names in declaration order (own keys of views and drafts). */
  readonly names: readonly string[];
  /** Bytes of one record, stamp included (a multiple of 8). */
  readonly bytes: number;

  constructor(shape: F) {
    super();
    if (shape === null || typeof shape !== "object" || Array.isArray(shape))
      throwSchemaDefinition("t.struct", shape, "an object of field types");
    // `t.struct({ __proto__: t.u8 })`: an object literal's `__proto__:` sets the
    // prototype, so the field would be dropped without a word.
    if (Object.getPrototypeOf(shape) instanceof Type)
      throwSchemaDefinition(
        "t.struct",
        shape,
        'an object of field types (its prototype is a schema type: a field named __proto__ is written ["__proto__"]: t.x)',
      );
    const names = Object.keys(shape);
    const entries = names.map((name, position) => {
      const declared = shape[name] as AnyType;
      checkType(`t.struct field "${name}"`, declared);
      let type = declared;
      let optional = false;
      let nullable = false;
      if (type instanceof OptionalType) {
        optional = true;
        type = type.inner;
      }
      if (type instanceof NullableType) {
        nullable = true;
        type = type.inner;
      }
      return { name, declared, type, optional, nullable, position, bytes: slotBytes(type) };
    });
    // widest first: every slot is naturally aligned without padding
    const order = [...entries].sort((a, b) => b.bytes - a.bytes || a.position - b.position);
    let at = RECORD_HEADER;
    const offsets = new Map<string, number>();
    for (const e of order) {
      offsets.set(e.name, at);
      at += e.bytes;
    }
    const tags = new Map<string, number>();
    for (const e of entries) if (e.optional || e.nullable) tags.set(e.name, at++);
    this.bytes = Math.ceil(at / 8) * 8;
    this.shape = Object.freeze({ ...shape });
    this.fields = Object.freeze(
      entries.map(
        (e): Field =>
          Object.freeze({
            name: e.name,
            type: e.type,
            declared: e.declared,
            optional: e.optional,
            nullable: e.nullable,
            offset: offsets.get(e.name) as number,
            tag: tags.get(e.name) ?? -1,
            position: e.position,
          }),
      ),
    );
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
    this.names = Object.freeze(names);
  }
  describe(): string {
    return `struct{${this.names.join(", ")}}`;
  }
}

/** A growable list: `t.list(x)`. Elements of any type, structs included. */
export class ListType<E extends AnyType = AnyType> extends Type<
  readonly E["__view"][],
  E["__draft"][],
  readonly E["__input"][]
> {
  readonly kind = "list" as const;
  /** The type of every element. */
  readonly element: E;
  constructor(element: E) {
    super();
    checkType("t.list", element);
    if (element.kind === "optional")
      throwSchemaDefinition("t.list", element.describe(), "an element type that is not optional (use t.nullable)");
    this.element = element;
  }
  describe(): string {
    return `list<${this.element.describe()}>`;
  }
}

/** Types a map key or set element may have: strings, numbers, booleans, enums. */
export type KeyType = StringType | NumberType | BoolType | EnumType;

/** A map: `t.map(t.string, Todo)`, with Map's semantics (insertion order, SameValueZero keys). */
export class MapType<K extends KeyType = KeyType, V extends AnyType = AnyType> extends Type<
  ReadonlyMap<K["__view"], V["__view"]>,
  Map<K["__view"], V["__draft"]>,
  | ReadonlyMap<K["__view"], V["__input"]>
  | (K extends StringType | EnumType<string> ? Readonly<Record<string, V["__input"]>> : never)
> {
  readonly kind = "map" as const;
  /** The type of the keys (string, number kinds, bool or enum). */
  readonly key: K;
  /** The type of the values. */
  readonly value: V;
  constructor(key: K, value: V) {
    super();
    checkKey("t.map", key);
    checkType("t.map", value);
    if (value.kind === "optional")
      throwSchemaDefinition("t.map", value.describe(), "a value type that is not optional (use t.nullable)");
    this.key = key;
    this.value = value;
  }
  describe(): string {
    return `map<${this.key.describe()}, ${this.value.describe()}>`;
  }
}

/** A set: `t.set(t.string)`, with Set's semantics. */
export class SetType<K extends KeyType = KeyType> extends Type<
  ReadonlySet<K["__view"]>,
  Set<K["__view"]>,
  ReadonlySet<K["__view"]> | readonly K["__view"][]
> {
  readonly kind = "set" as const;
  /** The type of the elements (string, number kinds, bool or enum). */
  readonly element: K;
  constructor(element: K) {
    super();
    checkKey("t.set", element);
    this.element = element;
  }
  describe(): string {
    return `set<${this.element.describe()}>`;
  }
}

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

function checkKey(where: string, type: unknown): void {
  checkType(where, type);
  const k = (type as AnyType).kind;
  if (
    !(type instanceof StringType || type instanceof NumberType || type instanceof BoolType || type instanceof EnumType)
  )
    throwSchemaDefinition(where, k, "a key type: t.string, a number type, t.bool or t.enum");
}

/** True for the kinds stored behind a pointer to a node (struct, list, map, set, text, typed array). */
export function isComposite(type: AnyType): boolean {
  const k = type.kind;
  return k === "struct" || k === "list" || k === "map" || k === "set" || k === "text" || k === "typedArray";
}
