/**
 * How an error message shows a refused value, written once for every
 * package (the core's InvalidArgumentError, the state's SchemaError).
 *
 * @module
 */

/** Code units of a string a message shows (a text as a bad argument would put all of itself in the message). */
const SHOWN_UNITS = 64;

/**
 * A refused value as an error message shows it, in O(1) and without running
 * the value's code: no `toString`, `valueOf` or `Symbol.toPrimitive`
 * (`String(v)` ran them, could throw or change state, and an array or a
 * structure became a message as long as its contents), no getter (a class's
 * `constructor` or static `name`, a `Symbol.toStringTag`): only own data
 * properties are read. Primitives as literals (`5`, `-0`, `"a"`, `5n`,
 * `true`, `null`, `undefined`), strings past 64 code units cut, with their
 * length; `a symbol (desc)`, `a function`, `an array of N`, `an object` (a
 * plain object), `an instance of Name` (a class instance, by its
 * constructor's name), else `an object` (a revoked Proxy, say). A Proxy's
 * traps still run for the prototype and the constructor it reports.
 * @example
 * ```ts
 * [describeValue(-0), describeValue("4k"), describeValue([1, 2]), describeValue({})]; // ["-0", '"4k"', "an array of 2", "an object"]
 * describeValue(new Date(0)); // "an instance of Date"
 * ```
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v.length <= SHOWN_UNITS
        ? JSON.stringify(v)
        : `${JSON.stringify(`${v.slice(0, SHOWN_UNITS)}…`)} (a string of ${v.length} code units)`;
    case "bigint":
      return `${v}n`;
    case "number":
      return Object.is(v, -0) ? "-0" : `${v}`;
    case "symbol":
      return v.description === undefined ? "a symbol" : `a symbol (${v.description})`;
    case "function":
      return "a function";
    case "object":
      if (v === null) return "null";
      try {
        return Array.isArray(v) ? `an array of ${v.length}` : describeObject(v);
      } catch {
        return "an object"; // a revoked Proxy
      }
    default:
      return `${v}`; // undefined, boolean
  }
}

/** `an object` or `an instance of Name`, reading own data properties only (no getter runs). */
function describeObject(v: object): string {
  const proto = Object.getPrototypeOf(v);
  if (proto === null || proto === Object.prototype) return "an object";
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  const name = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name")?.value : undefined;
  return typeof name === "string" && name !== "" ? `an instance of ${name}` : "an object";
}
