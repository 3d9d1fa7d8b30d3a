/**
 * `util.inspect` / `console.log` support without importing `node:util` (the
 * package also runs in browsers): Node looks methods up under this
 * registered symbol and passes its own `inspect` function in.
 *
 * @module
 */

/** Node's `util.inspect.custom`. */
export const INSPECT: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;

/** The `inspect(value, options)` function Node passes to custom inspectors. */
export type InspectFn = (value: unknown, options?: object) => string;

/**
 * The `inspect` used when none is passed: a method called by hand, or by a
 * formatter other than Node's (a test runner's diff). A plain one-line form:
 * strings quoted, bigints with `n`, a Map or Set as its entries; never throws.
 */
export function plainInspect(value: unknown): string {
  try {
    return JSON.stringify(value, plainReplacer) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function plainReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Map || v instanceof Set) return [...v];
  return v;
}

/** Options Node passes; the ones this package reads. */
export interface InspectOptions {
  depth?: number | null;
  maxArrayLength?: number | null;
  maxStringLength?: number | null;
}

/** Elements to show of a long list or array: Node's `maxArrayLength` (default 100). */
export function shownElements(options: InspectOptions | undefined, length: number): number {
  const max = options?.maxArrayLength;
  return Math.min(length, max === null ? length : (max ?? 100));
}

/** Formats `plain` (already cut to what is shown) with a tag, as Node formats a Map or a typed array. */
export function formatTagged(
  tag: string,
  plain: unknown,
  options: InspectOptions | undefined,
  inspect: InspectFn,
): string {
  return `${tag} ${inspect(plain, options)}`;
}
