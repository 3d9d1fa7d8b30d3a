/**
 * Errors of @pagefork/map. The core's errors (ReleasedError,
 * OutOfMemoryError, InvalidArgumentError) are thrown as they are.
 *
 * @module
 */
import { brandErrorClass, InvalidArgumentError } from "@pagefork/core";

/**
 * A value `set` cannot store by value: something `structuredClone` refuses
 * too (a function, a symbol, a WeakMap, a Promise...), or something the codec
 * cannot keep exactly (see the package README for the list). The message says
 * what was found and where (`path`, a JS-like access path from the value's
 * root). Named after the DOMException `structuredClone` throws. The map is
 * left unchanged.
 *
 * @example
 * ```ts
 * const m = new CowMap();
 * let caught: unknown;
 * try { m.set("f", { run: () => 1 }); } catch (e) { caught = e; }
 * caught instanceof DataCloneError; // true
 * (caught as DataCloneError).path; // "value.run"
 * m.size; // 0
 * m.release();
 * ```
 */
export class DataCloneError extends Error {
  /** Stable error code. */
  readonly code = "ERR_DATA_CLONE";
  /** Where the refused part is, e.g. `value.items[3].callback`. */
  readonly path: string;
  constructor(path: string, what: string) {
    super(`cannot store ${path} by value: ${what}`);
    this.name = "DataCloneError";
    this.path = path;
  }
}
// `instanceof DataCloneError` holds for one thrown by the package's other build too.
brandErrorClass(DataCloneError, "ERR_DATA_CLONE");

/**
 * A pagefork structure given as a value, or found inside one: a CowMap,
 * CowSet or one of their iterators, a CowText, a COW typed array or
 * CowVector, a `@pagefork/state` view, draft or State, an AddressSpace, Heap,
 * FramePool, History or proxy view, or a class instance holding one of the
 * core's in a field. Its contents live in the pages of an address space (or
 * it is one), not in its own fields, so a stored copy cannot hold them:
 * walked as `structuredClone` walks a class instance, a CowMap would be
 * stored as `{}`. The message names the structure, where it is (`path`) and
 * what to store instead (`new Map(x)` for a CowMap, `x.toString()` for a
 * CowText, `current(x)` for a state view...). The map is left unchanged.
 *
 * A {@link DataCloneError} (same `code`, `"ERR_DATA_CLONE"`), so code that
 * handles every unstorable value catches it too. `instanceof
 * StructureValueError` follows the prototype chain only (no brand of its
 * own), so that an error from another copy of the package still passes
 * `instanceof DataCloneError`.
 *
 * @example
 * ```ts
 * const inner = CowMap.from([["x", 1]]);
 * const m = new CowMap<string, unknown>();
 * let caught: unknown;
 * try { m.set("k", { nested: inner }); } catch (e) { caught = e; }
 * caught instanceof StructureValueError; // true
 * caught instanceof DataCloneError; // true
 * [(caught as StructureValueError).path, (caught as StructureValueError).structure]; // ["value.nested", "CowMap"]
 * m.set("k", { nested: new Map(inner) }); // a plain copy is stored
 * [...(m.get("k") as { nested: Map<string, number> }).nested]; // [["x", 1]]
 * inner.release(); m.release();
 * ```
 */
export class StructureValueError extends DataCloneError {
  /** What was found at `path`: "CowMap", "AddressSpace", "@pagefork/state view", a class's name... */
  readonly structure: string;
  /**
   * @param path - where it is, e.g. `value.items[3]`.
   * @param structure - what it is (see {@link StructureValueError.structure}).
   * @param holding - for a class instance that holds a core object: that object's name and path, e.g.
   *   `"AddressSpace (value.space)"`; "" otherwise.
   * @param instead - what to store instead, e.g. `"new Map(x)"`; "" when nothing fits.
   */
  constructor(path: string, structure: string, holding: string, instead: string) {
    super(
      path,
      `it is ${article(structure)} ${structure}${holding === "" ? "" : ` holding a pagefork ${holding}`}, whose ` +
        "contents live in the pages of an address space, not in its own fields: a stored copy would lose them " +
        `(structuredClone would give {})${instead === "" ? "" : `; store a plain copy instead, e.g. ${instead}`}`,
    );
    this.name = "StructureValueError";
    this.structure = structure;
  }
}

/** @internal Throws {@link StructureValueError} (see its constructor for the arguments). */
export function throwStructureValue(path: string, structure: string, holding: string, instead: string): never {
  throw new StructureValueError(path, structure, holding, instead);
}

function article(name: string): string {
  return /^[aeiou]/i.test(name) ? "an" : "a";
}

/**
 * A key that cannot be stored by value: an object, function or symbol. Keys
 * live as bytes in pages, so only primitives that compare by value (strings,
 * numbers, bigints, booleans, null, undefined) can be keys. A TypeError.
 *
 * @example
 * ```ts
 * const s = new CowSet();
 * let caught: unknown;
 * // TypeScript already refuses an object key; untyped code meets the error at run time.
 * try { s.add({ id: 1 } as never); } catch (e) { caught = e; }
 * caught instanceof KeyTypeError; // true
 * caught instanceof TypeError; // true
 * s.release();
 * ```
 */
export class KeyTypeError extends TypeError {
  /** Stable error code. */
  readonly code = "ERR_KEY_TYPE";
  /** The refused key. */
  readonly key: unknown;
  constructor(key: unknown) {
    super(
      `invalid key: ${describeType(key)}. Keys are stored by value in pages, so only strings, numbers, ` +
        "bigints, booleans, null and undefined can be keys (use a primitive id, e.g. obj.id)",
    );
    this.name = "KeyTypeError";
    this.key = key;
  }
}
brandErrorClass(KeyTypeError, "ERR_KEY_TYPE");

function describeType(v: unknown): string {
  if (typeof v === "symbol") return `a symbol (${String(v)})`;
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return "an array";
  return `an object (${Object.prototype.toString.call(v)})`;
}

/** @internal */
export function throwKeyType(key: unknown): never {
  throw new KeyTypeError(key);
}

/** @internal A method of `cls` called on something that is not one, as `Map.prototype.get.call(new Set())`. */
export function throwIncompatible(cls: string, method: string, receiver: unknown): never {
  const what =
    receiver === null || (typeof receiver !== "object" && typeof receiver !== "function")
      ? String(receiver)
      : Object.prototype.toString.call(receiver);
  throw new TypeError(`${cls}.prototype.${method} called on an incompatible receiver ${what}`);
}

/** @internal `fork()` or `release()` of an embedded collection: its space belongs to the embedder. */
export function throwEmbedded(receiver: object, method: string): never {
  const cls = Object.prototype.toString.call(receiver).slice(8, -1);
  throw new InvalidArgumentError(
    "this",
    receiver,
    `a standalone ${cls}: an embedded one lives in its heap's space, so ${method} that space (free() frees the ${cls})`,
  );
}
