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
} from "./schema-scalars.js";

// The scalar half lives in schema-scalars.ts, texts and typed arrays in schema-leaves.ts
// (no import back from there, so no cycle).
export * from "./schema-leaves.js";
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
