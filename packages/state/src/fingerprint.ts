/**
 * `schemaFingerprint`: the whole structure of a schema as a string, to tell
 * whether pages written with one schema can be read with another.
 *
 * @module
 */
import type { AnyType, ListType, MapType, NullableType, OptionalType, SetType, StructType } from "./schema.js";

/**
 * The whole structure of `type` as a string: `describe()` of every type,
 * with records spelled out field by field in their declaration order (the
 * order their layout follows), so two schemas have the same fingerprint
 * exactly when they store data the same way. `describe()` of a record names
 * only its fields (it is for error messages). A shared handle carries it
 * (`State.attachShared` refuses another schema) and `@pagefork/persist`
 * saves it with a State (`load` refuses another schema). O(size of the schema).
 * @example
 * ```ts
 * const A = t.struct({ n: t.u32, tags: t.set(t.string) });
 * schemaFingerprint(A); // 'struct{"n": u32, "tags": set<string>}'
 * schemaFingerprint(t.struct({ n: t.f64, tags: t.set(t.string) })) === schemaFingerprint(A); // false
 * A.describe(); // "struct{n, tags}"
 * ```
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
