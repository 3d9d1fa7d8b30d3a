/**
 * The key types of CowMap and CowSet.
 *
 * @module
 */

/**
 * The keys a CowMap or CowSet can hold: primitives compared by value
 * (SameValueZero). Objects, functions and symbols cannot be keys (see
 * {@link KeyTypeError}).
 *
 * @example
 * ```ts
 * const m = new CowMap<CowKey, string>();
 * m.set("1", "string").set(1, "number").set(1n, "bigint").set(null, "null");
 * m.size; // 4
 * m.release();
 * ```
 */
export type CowKey = string | number | bigint | boolean | null | undefined;

/**
 * The key type of a CowMap or CowSet whose keys TypeScript infers from its
 * entries or values: the inferred type `T` restricted to {@link CowKey}, with
 * `true`/`false` widened to `boolean`. With it, `new CowSet(["a"])` is a
 * `CowSet<string>` and `CowMap.from([["alice", 1]])` a
 * `CowMap<string, number>`, as TypeScript types `new Set(["a"])` and
 * `new Map([["alice", 1]])`; a key type given explicitly is kept as given
 * (`new CowSet<"red" | "green">()`). The constructors and `from` take their
 * type parameters unconstrained and intersect them with CowKey, because a
 * type parameter constrained to primitives keeps literal types: with
 * `K extends CowKey`, `CowMap.from([["alice", 1]])` could hold only the key
 * "alice".
 *
 * @example
 * ```ts
 * const k: CowKeyOf<"a" | true | object> = "a"; // "a" | boolean
 * const m = CowMap.from([["alice", 1]]); // CowMap<string, number>
 * m.set("carol", 2);
 * [k, m.size]; // ["a", 2]
 * m.release();
 * ```
 */
export type CowKeyOf<T> = WidenBoolean<T & CowKey>;
/** `true` or `false` widened to `boolean` (they are the literal types a primitive-keyed inference keeps). */
type WidenBoolean<T> = T extends boolean ? boolean : T;
