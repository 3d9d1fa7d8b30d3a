/**
 * How the structures show themselves in `console.log` and `util.inspect`:
 * their contents, briefly, as Node shows a Map, a Set, a string or a typed
 * array, never their internals (a space's slabs print as megabytes of bytes).
 *
 * No `node:util` import: the packages run in browsers too. Node looks a
 * custom inspector up under the registered symbol
 * `Symbol.for("nodejs.util.inspect.custom")` and passes its own `inspect`
 * function as the third argument; these helpers format through it, so the
 * output has Node's quoting, colours, grouping of numbers into columns and
 * line breaks. Without it (another runtime calling the method by hand) they
 * fall back to a plain one-line form.
 *
 * Bounded output: a structure shows at most `maxArrayLength` elements
 * (default 100) and `maxStringLength` UTF-16 code units (default 10,000),
 * then "... N more items" / "... N more characters", as Node does for native
 * values; only the shown part is read from the pages.
 *
 * @module
 */

/**
 * Node's `util.inspect.custom`: the registered symbol under which
 * `util.inspect` and `console.log` look up a custom inspector. Use it to
 * give a structure built on the core the same `console.log` output as the
 * library's own.
 *
 * @example
 * ```ts
 * INSPECT_CUSTOM === Symbol.for("nodejs.util.inspect.custom"); // true
 * ```
 */
export const INSPECT_CUSTOM: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;

/**
 * The options Node passes to a custom inspector: those the helpers read. The
 * others (colors, breakLength, stylize...) are passed on to Node's `inspect`
 * unchanged.
 */
export interface InspectOptions {
  /** Levels of nesting to show; `null` for all. */
  depth?: number | null;
  /** Elements (or entries) to show of a long list; `null` for all. Node's default: 100. */
  maxArrayLength?: number | null;
  /** UTF-16 code units to show of a long string; `null` for all. Node's default: 10,000. */
  maxStringLength?: number | null;
}

/** The `inspect(value, options)` function Node passes to a custom inspector. */
export type InspectFunction = (value: unknown, options?: InspectOptions) => string;

/** Node's default `maxArrayLength`: elements shown of a long array. */
const DEFAULT_MAX_ARRAY_LENGTH = 100;
/** Node's default `maxStringLength`: code units shown of a long string. */
const DEFAULT_MAX_STRING_LENGTH = 10_000;

/** A limit option as a count: `null` means no limit, absent means Node's default, negatives mean 0. */
function limit(value: number | null | undefined, fallback: number): number {
  if (value === null) return Number.POSITIVE_INFINITY;
  if (typeof value !== "number" || Number.isNaN(value)) return fallback;
  return Math.max(0, Math.floor(value));
}

/** "... N more items" with Node's wording. */
function more(n: number, what: "item" | "character"): string {
  return `... ${n} more ${what}${n > 1 ? "s" : ""}`;
}

/**
 * Formats `value` through Node's `inspect`. When the structure is longer than
 * the limit, `value` holds the shown part plus ONE element more and the
 * limit is the shown part, so that Node lays it out exactly as it lays out a
 * long native value ("... 1 more item" as its last entry); the true remainder
 * then replaces that 1. (The limit passed is the user's own, normalised:
 * nested values inside the entries keep it.)
 */
function viaNode(
  inspect: InspectFunction,
  value: unknown,
  options: InspectOptions,
  shown: number,
  remaining: number,
  what: "item" | "character",
): string {
  if (remaining === 0) return inspect(value, options);
  const key = what === "item" ? "maxArrayLength" : "maxStringLength";
  const out = inspect(value, { ...options, [key]: shown } as InspectOptions);
  if (remaining === 1) return out;
  const one = more(1, what);
  const at = out.lastIndexOf(one);
  return at < 0 ? out : out.slice(0, at) + more(remaining, what) + out.slice(at + one.length);
}

/** One value in the fallback form (no Node `inspect`): strings quoted, bigints with `n`. */
function plain(value: unknown): string {
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
  if (typeof value === "bigint") return `${value}n`;
  if (Object.is(value, -0)) return "-0";
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * Whether Node has gone past `depth` at this level: then a non-empty
 * structure shows as `[head]` (Node's `[Map]`, with the size kept), and an
 * empty one in full, as Node shows `Map(0) {}` at any depth.
 */
function beyondDepth(depth: number | null | undefined): boolean {
  return typeof depth === "number" && depth < 0;
}

/**
 * Options for the inner `inspect` call: `depth` is what remains at this
 * level; `showHidden` off, or Node would list the hidden properties of the
 * temporary native copy (its `buffer`...), which are not the structure's.
 */
function inner(depth: number | null | undefined, options: InspectOptions | undefined): InspectOptions {
  return { ...options, depth: depth ?? null, showHidden: false } as InspectOptions;
}

/**
 * Formats a list-like structure as Node formats a typed array:
 * `head [ 1, 2, 3 ]`, showing at most `maxArrayLength` elements then
 * "... N more items". Reads only `min(length, maxArrayLength + 1)` elements,
 * through `read`. O(elements shown).
 *
 * @param head - what precedes the elements, e.g. `"CowFloat64Array(1000000)"`.
 * @param length - number of elements.
 * @param read - returns the first `count` elements (numbers, bigints...): a native typed array of the kind, or any array-like.
 * @param depth - the `depth` Node passed (levels left); below 0, a non-empty structure shows as `[head]`.
 * @param options - the options Node passed.
 * @param inspect - the `inspect` Node passed; absent, a plain one-line form is used.
 * @example
 * ```ts
 * const squares = { length: 1000, [INSPECT_CUSTOM]: (d: number, o: InspectOptions, i?: InspectFunction) =>
 *   inspectElements("Squares(1000)", 1000, (n) => Array.from({ length: n }, (_, k) => k * k), d, o, i) };
 * squares[INSPECT_CUSTOM](2, { maxArrayLength: 3 }); // "Squares(1000) [ 0, 1, 4, ... 997 more items ]"
 * ```
 */
export function inspectElements(
  head: string,
  length: number,
  read: (count: number) => ArrayLike<unknown>,
  depth: number | null | undefined,
  options: InspectOptions | undefined,
  inspect?: InspectFunction,
): string {
  if (beyondDepth(depth) && length > 0) return `[${head}]`;
  const shown = Math.min(length, limit(options?.maxArrayLength, DEFAULT_MAX_ARRAY_LENGTH));
  const remaining = length - shown;
  const items = read(remaining > 0 ? shown + 1 : shown);
  if (inspect === undefined) {
    const parts = Array.from(items).slice(0, shown).map(plain);
    if (remaining > 0) parts.push(more(remaining, "item"));
    return parts.length === 0 ? `${head} []` : `${head} [ ${parts.join(", ")} ]`;
  }
  // A native typed array is formatted as one of its kind, so that Node breaks
  // lines as it does for typed arrays (its "Float64Array(n) " prefix counts in
  // that choice); the prefix is then dropped for `head`.
  const o = inner(depth, options);
  const out =
    remaining > 0 && length <= MAX_ARRAY_LENGTH
      ? inspect(longArray(items, shown, length), { ...o, maxArrayLength: shown } as InspectOptions)
      : viaNode(inspect, ArrayBuffer.isView(items) ? items : Array.from(items), o, shown, remaining, "item");
  return `${head} ${out.replace(/^[\w$]+\(\d+\) /, "")}`;
}

/** Longest JS array: a longer structure is shown through {@link viaNode}. */
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/** Array subclasses named after each typed-array kind met, made once per name (see {@link longArray}). */
const namedArrays = new Map<string, ArrayConstructor>();

/**
 * An array of `length` elements of which only the first `shown + 1` exist (a
 * sparse array: O(shown) time and memory whatever `length`), for Node to
 * format with `maxArrayLength: shown`. Node then writes the true
 * "... N more items" itself and counts its length when it chooses where to
 * break lines, exactly as for the whole native value (a stand-in of
 * `shown + 1` elements made Node choose with "... 1 more item", which broke
 * lines differently near the 80-column limit). When `items` is a typed
 * array, the stand-in is an array subclass of the same name, so Node's
 * "Float64Array(length) [" prefix (which counts in that choice too) has the
 * native value's length.
 */
function longArray(items: ArrayLike<unknown>, shown: number, length: number): unknown[] {
  let out: unknown[] = [];
  if (ArrayBuffer.isView(items)) {
    const name = items.constructor.name;
    let Named = namedArrays.get(name);
    if (Named === undefined) {
      Named = { [name]: class extends Array {} }[name] as unknown as ArrayConstructor;
      namedArrays.set(name, Named);
    }
    out = new Named();
  }
  // The element after the shown ones too (read anyway): Node tests the types of
  // `output.length` elements to choose how to pad its columns of numbers.
  for (let i = 0; i <= shown; i++) out.push(items[i]);
  out.length = length;
  return out;
}

/**
 * Formats a Map-like or Set-like structure as Node formats a Map or a Set:
 * `head { 'a' => 1, 'b' => 2 }` or `head { 'a', 'b' }`, showing at most
 * `maxArrayLength` entries then "... N more items". Reads only
 * `min(size, maxArrayLength + 1)` entries, through `read`. O(entries shown).
 *
 * @param head - what precedes the entries, e.g. `"CowMap(3)"`.
 * @param size - number of entries.
 * @param read - returns the first `count` entries: `[key, value]` pairs (a map) or values (a set).
 * @param kind - `"map"` shows `key => value`, `"set"` shows values.
 * @param depth - the `depth` Node passed (levels left); below 0, a non-empty structure shows as `[head]`.
 * @param options - the options Node passed.
 * @param inspect - the `inspect` Node passed; absent, a plain one-line form is used.
 * @example
 * ```ts
 * const entries: [string, number][] = [["a", 1], ["b", 2]];
 * inspectEntries("Pairs(2)", 2, (n) => entries.slice(0, n), "map", 2, {}); // "Pairs(2) { 'a' => 1, 'b' => 2 }"
 * ```
 */
export function inspectEntries(
  head: string,
  size: number,
  read: (count: number) => Iterable<unknown>,
  kind: "map" | "set",
  depth: number | null | undefined,
  options: InspectOptions | undefined,
  inspect?: InspectFunction,
): string {
  if (beyondDepth(depth) && size > 0) return `[${head}]`;
  const shown = Math.min(size, limit(options?.maxArrayLength, DEFAULT_MAX_ARRAY_LENGTH));
  const remaining = size - shown;
  const entries = [...read(remaining > 0 ? shown + 1 : shown)];
  if (inspect === undefined) {
    const parts = entries.slice(0, shown).map((e) => {
      if (kind === "set") return plain(e);
      const [k, v] = e as [unknown, unknown];
      return `${plain(k)} => ${plain(v)}`;
    });
    if (remaining > 0) parts.push(more(remaining, "item"));
    return parts.length === 0 ? `${head} {}` : `${head} { ${parts.join(", ")} }`;
  }
  const native = kind === "map" ? new Map(entries as [unknown, unknown][]) : new Set(entries);
  const out = viaNode(inspect, native, inner(depth, options), shown, remaining, "item");
  // Node writes "Map(n) {...}" / "Set(n) {...}"; the head replaces that prefix.
  return `${head} ${out.replace(/^(?:Map|Set)\(\d+\) /, "")}`;
}

/**
 * Formats a text structure as Node formats a string: `head 'text'`, showing
 * at most `maxStringLength` UTF-16 code units then "... N more characters".
 * Reads only `min(length, maxStringLength + 1)` code units, through `read`.
 *
 * @param head - what precedes the text, e.g. `"CowText(11)"`.
 * @param length - length of the text in UTF-16 code units.
 * @param read - returns the first `count` code units as a string.
 * @param options - the options Node passed.
 * @param inspect - the `inspect` Node passed; absent, a plain form is used.
 * @example
 * ```ts
 * const text = "hello world";
 * inspectText("Text(11)", 11, (n) => text.slice(0, n), { maxStringLength: 5 }); // "Text(11) 'hello'... 6 more characters"
 * ```
 */
export function inspectText(
  head: string,
  length: number,
  read: (count: number) => string,
  options: InspectOptions | undefined,
  inspect?: InspectFunction,
): string {
  const shown = Math.min(length, limit(options?.maxStringLength, DEFAULT_MAX_STRING_LENGTH));
  const remaining = length - shown;
  const text = read(remaining > 0 ? shown + 1 : shown);
  if (inspect === undefined) {
    return `${head} ${plain(text.slice(0, shown))}${remaining > 0 ? more(remaining, "character") : ""}`;
  }
  return `${head} ${viaNode(inspect, text, { ...options }, shown, remaining, "character")}`;
}

/**
 * Formats a summary record as Node formats an object of a class:
 * `head { size: 65536, rss: 4096 }`.
 *
 * @param head - the class name, e.g. `"AddressSpace"`.
 * @param record - the fields to show.
 * @param depth - the `depth` Node passed (levels left); below 0, a non-empty structure shows as `[head]`.
 * @param options - the options Node passed.
 * @param inspect - the `inspect` Node passed; absent, a plain one-line form is used.
 * @example
 * ```ts
 * inspectRecord("Pool", { frames: 3, free: 1 }, 2, {}); // "Pool { frames: 3, free: 1 }"
 * ```
 */
export function inspectRecord(
  head: string,
  record: object,
  depth: number | null | undefined,
  options: InspectOptions | undefined,
  inspect?: InspectFunction,
): string {
  if (beyondDepth(depth)) return `[${head}]`;
  if (inspect === undefined) {
    const parts = Object.entries(record).map(([k, v]) => `${k}: ${plain(v)}`);
    return parts.length === 0 ? `${head} {}` : `${head} { ${parts.join(", ")} }`;
  }
  return `${head} ${inspect(record, inner(depth, options))}`;
}
