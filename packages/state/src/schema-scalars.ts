/**
 * The scalar half of the schema (schema.ts has the containers and the struct
 * layout): the base class `Type`, the kinds, the number, bool, string and
 * enum types, the optional and nullable wrappers, and the slot layout of a
 * scalar in a record (tags, stamp, slot widths). schema.ts re-exports all of
 * it, so every other module keeps importing from there.
 *
 * @module
 */
import { throwSchemaDefinition } from "./errors.js";

/** The element kinds of typed-array fields, by constructor. */
export type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Names of the numeric scalar kinds. */
export type NumberKind = "f64" | "f32" | "i32" | "u32" | "i16" | "u16" | "i8" | "u8";

/** Every kind of schema type. */
export type Kind =
  | NumberKind
  | "bool"
  | "string"
  | "enum"
  | "optional"
  | "nullable"
  | "struct"
  | "list"
  | "map"
  | "set"
  | "text"
  | "typedArray";

/**
 * Base of every schema type. The three phantom members carry the TypeScript
 * types of the type's read-only view (`V`, what `state.root` gives), of its
 * draft (`D`, what a `produce` recipe gets) and of the plain data it accepts
 * (`I`, what `createState` and draft assignments take). They exist only for
 * the type checker.
 */
export abstract class Type<V = unknown, D = V, I = V> {
  /** Phantom (types only, never set): the view type, read by `t.Infer`. */
  declare readonly __view: V;
  /** Phantom (types only, never set): the draft type, read by `t.Draft`. */
  declare readonly __draft: D;
  /** Phantom (types only, never set): the plain-data type, read by `t.Input`. */
  declare readonly __input: I;
  /** What kind of type this is. */
  abstract readonly kind: Kind;
  /** A short description for error messages, e.g. `"u8"`, `"list<string>"`. */
  abstract describe(): string;
}

/** Any schema type. */
// biome-ignore lint/suspicious/noExplicitAny: the phantom parameters of an arbitrary type
export type AnyType = Type<any, any, any>;

/** Valid ranges of the integer kinds, `[min, max]`. */
export const INT_RANGE: Readonly<Record<"i32" | "u32" | "i16" | "u16" | "i8" | "u8", readonly [number, number]>> = {
  i32: [-(2 ** 31), 2 ** 31 - 1],
  u32: [0, 2 ** 32 - 1],
  i16: [-(2 ** 15), 2 ** 15 - 1],
  u16: [0, 2 ** 16 - 1],
  i8: [-128, 127],
  u8: [0, 255],
};

/** Bytes of a struct slot of each number kind. */
export const NUMBER_BYTES: Readonly<Record<NumberKind, number>> = {
  f64: 8,
  f32: 4,
  i32: 4,
  u32: 4,
  i16: 2,
  u16: 2,
  i8: 1,
  u8: 1,
};

/** A number field or element: `t.f64` … `t.u8`. */
export class NumberType<N extends NumberKind = NumberKind> extends Type<number> {
  readonly kind: N;
  constructor(kind: N) {
    super();
    this.kind = kind;
  }
  describe(): string {
    return this.kind;
  }
}

/** A boolean: `t.bool`. */
export class BoolType extends Type<boolean> {
  readonly kind = "bool" as const;
  describe(): string {
    return "bool";
  }
}

/** An immutable string: `t.string` (edit it by assigning; for an editable text use `t.text()`). */
export class StringType extends Type<string> {
  readonly kind = "string" as const;
  describe(): string {
    return "string";
  }
}

/** One of a fixed list of strings or numbers: `t.enum(["todo", "done"])`. Stored as its index. */
export class EnumType<E extends string | number = string | number> extends Type<E> {
  readonly kind = "enum" as const;
  /** The values, in order; a value is stored as its index. */
  readonly values: readonly E[];
  /** @internal value -> index. */
  readonly index: ReadonlyMap<E, number>;
  constructor(values: readonly E[]) {
    super();
    if (!Array.isArray(values) || values.length === 0)
      throwSchemaDefinition("t.enum", values, "a non-empty array of strings or numbers");
    const index = new Map<E, number>();
    for (const v of values) {
      if ((typeof v !== "string" && typeof v !== "number") || Number.isNaN(v))
        throwSchemaDefinition("t.enum", v, "a string or a number (not NaN)");
      if (index.has(v as E)) throwSchemaDefinition("t.enum", v, "distinct values");
      index.set(v as E, index.size);
    }
    if (values.length > 65536) throwSchemaDefinition("t.enum", values.length, "at most 65536 values");
    this.values = Object.freeze([...values]);
    this.index = index;
  }
  describe(): string {
    return `enum(${this.values.map((v) => JSON.stringify(v)).join(" | ")})`;
  }
}

/** A struct field that may be absent (`undefined`): `t.optional(x)`. */
export class OptionalType<T extends AnyType = AnyType> extends Type<
  T["__view"] | undefined,
  T["__draft"] | undefined,
  T["__input"] | undefined
> {
  readonly kind = "optional" as const;
  /** The type of the value when present. */
  readonly inner: T;
  constructor(inner: T) {
    super();
    checkType("t.optional", inner);
    if (inner.kind === "optional") throwSchemaDefinition("t.optional", inner.describe(), "a type that is not optional");
    this.inner = inner;
  }
  describe(): string {
    return `optional<${this.inner.describe()}>`;
  }
}

/** A value that may be `null`: `t.nullable(x)`. */
export class NullableType<T extends AnyType = AnyType> extends Type<
  T["__view"] | null,
  T["__draft"] | null,
  T["__input"] | null
> {
  readonly kind = "nullable" as const;
  /** The type of the value when not null. */
  readonly inner: T;
  constructor(inner: T) {
    super();
    checkType("t.nullable", inner);
    if (inner.kind === "nullable" || inner.kind === "optional")
      throwSchemaDefinition("t.nullable", inner.describe(), "a type that is not already optional or nullable");
    this.inner = inner;
  }
  describe(): string {
    return `nullable<${this.inner.describe()}>`;
  }
}

/** Where and how a struct field is stored. */
export interface Field {
  /** Field name. */
  readonly name: string;
  /** The field's type without its optional/nullable wrappers. */
  readonly type: AnyType;
  /** The field's declared type (with wrappers). */
  readonly declared: AnyType;
  /** `t.optional`: the field may be absent. */
  readonly optional: boolean;
  /** `t.nullable`: the field may be null. */
  readonly nullable: boolean;
  /** Byte offset of the value slot in the record. */
  readonly offset: number;
  /** Byte offset of the tag byte (TAG_*), -1 for a field that is neither optional nor nullable. */
  readonly tag: number;
  /** Position in declaration order. */
  readonly position: number;
}

/** Tag byte of an optional/nullable field: absent. */
export const TAG_UNDEFINED = 0;
/** Tag byte: null. */
export const TAG_NULL = 1;
/** Tag byte: a value is in the slot. */
export const TAG_VALUE = 2;

/** Byte offset of the stamp in every node (records and container nodes). */
export const NODE_STAMP = 0;
/** Bytes before the first field of a record (the stamp). */
export const RECORD_HEADER = 8;

/** Bytes of the slot holding a value of `type` (without wrappers) in a record. */
export function slotBytes(type: AnyType): number {
  switch (type.kind) {
    case "f64":
    case "f32":
    case "i32":
    case "u32":
    case "i16":
    case "u16":
    case "i8":
    case "u8":
      return NUMBER_BYTES[type.kind];
    case "bool":
      return 1;
    case "enum":
      return (type as EnumType).values.length <= 256 ? 1 : 2;
    default:
      return 8; // string and composite pointers
  }
}

/** @throws {SchemaError} (definition) when `type` is not a schema type. */
export function checkType(where: string, type: unknown): asserts type is AnyType {
  if (!(type instanceof Type)) throwSchemaDefinition(where, type, "a schema type (t.f64, t.struct({...}), ...)");
}
