/**
 * The fingerprint of a State's schema, saved beside its pages so that a load
 * with another schema is refused instead of reading the pages as records of
 * the wrong shape (wrong numbers, or a confusing error on some later read).
 *
 * @module
 */
import type { AnyType, ListType, MapType, NullableType, OptionalType, SetType, StructType } from "@pagefork/state";

/**
 * The whole structure of `type` as a string: `describe()` of every type,
 * with records spelled out field by field in their declaration order (the
 * order their layout follows), e.g.
 * `struct{title: string, tags: set<string>}`. O(size of the schema).
 */
export function schemaFingerprint(type: AnyType): string {
  switch (type.kind) {
    case "struct":
      return `struct{${Object.entries((type as StructType).shape as Record<string, AnyType>)
        .map(([name, f]) => `${JSON.stringify(name)}: ${schemaFingerprint(f)}`)
        .join(", ")}}`;
    case "list":
      return `list<${schemaFingerprint((type as ListType).element)}>`;
    case "set":
      return `set<${schemaFingerprint((type as SetType).element)}>`;
    case "map":
      return `map<${schemaFingerprint((type as MapType).key)}, ${schemaFingerprint((type as MapType).value)}>`;
    case "optional":
      return `optional<${schemaFingerprint((type as OptionalType).inner)}>`;
    case "nullable":
      return `nullable<${schemaFingerprint((type as NullableType).inner)}>`;
    default:
      return type.describe(); // scalars, enums (with their values), texts, typed arrays (kind and length)
  }
}
