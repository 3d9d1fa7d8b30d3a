/**
 * Error classes of @pagefork/state. Each has a stable `code`, and
 * `instanceof` recognises one thrown by the package's other build (ESM/CJS). Hot code
 * throws through the small `throwX(): never` helpers at the bottom.
 *
 * The core's errors (`OutOfMemoryError`, `ReleasedError`, ...) pass through
 * unchanged: catch them from `@pagefork/core`.
 *
 * @module
 */
import { brandErrorClass, describeValue } from "@pagefork/core";

/** A path into a state: field names, list indices and map keys, as in Immer's patches. */
export type Path = readonly (string | number | boolean | null)[];

/** `state.todos[3].title` style rendering of a path, for messages. */
export function formatPath(path: Path): string {
  let out = "state";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (typeof p === "string" && /^[A-Za-z_$][\w$]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/**
 * A value does not fit the schema: a wrong type, a number out of its kind's
 * range, a missing required field, an unknown field, an unsupported value (a
 * function, a symbol, a class instance where plain data is expected), or a
 * malformed schema definition. The call that throws it changed nothing.
 *
 * @example
 * ```ts
 * const Todo = t.struct({ title: t.string, done: t.bool });
 * let caught: unknown;
 * try { createState(Todo, { title: "a", done: "no" } as never); } catch (e) { caught = e; }
 * caught instanceof SchemaError; // true
 * (caught as SchemaError).path; // ["done"]
 * (caught as SchemaError).expected; // "bool"
 * ```
 */
export class SchemaError extends TypeError {
  /** Stable error code. */
  readonly code = "ERR_SCHEMA";
  /** Where in the state the value was going (empty for the root, or for a schema definition). */
  readonly path: Path;
  /** What the schema expects there, e.g. `"u8"`, `"struct{id, title}"`. */
  readonly expected: string;
  constructor(path: Path, expected: string, got: string, detail?: string) {
    super(`${formatPath(path)}: expected ${expected}, got ${got}${detail === undefined ? "" : ` (${detail})`}`);
    this.name = "SchemaError";
    this.path = path;
    this.expected = expected;
  }
}
brandErrorClass(SchemaError, "ERR_SCHEMA");

/**
 * A draft was used when it can no longer be: after its recipe returned (or
 * threw), or a draft that was removed from the state and then written.
 *
 * @example
 * ```ts
 * const S = t.struct({ n: t.f64 });
 * const s0 = createState(S, { n: 1 });
 * let leaked: { n: number } | undefined;
 * const s1 = produce(s0, (d) => { leaked = d; d.n = 2; });
 * let caught: unknown;
 * try { leaked!.n = 3; } catch (e) { caught = e; }
 * caught instanceof DraftError; // true
 * s1.root.n; // 2
 * ```
 */
export class DraftError extends Error {
  /** Stable error code. */
  readonly code = "ERR_DRAFT";
  constructor(why: string) {
    super(why);
    this.name = "DraftError";
  }
}
brandErrorClass(DraftError, "ERR_DRAFT");

/**
 * A patch that cannot be applied: an unknown op, a path that does not lead
 * to a value of the state, or a value that does not fit the schema there
 * (then the cause is the {@link SchemaError}). `applyPatches` changed nothing.
 *
 * @example
 * ```ts
 * const S = t.struct({ n: t.f64 });
 * const s0 = createState(S, { n: 1 });
 * let caught: unknown;
 * try { applyPatches(s0, [{ op: "replace", path: ["m"], value: 1 }]); } catch (e) { caught = e; }
 * caught instanceof PatchError; // true
 * (caught as PatchError).index; // 0
 * ```
 */
export class PatchError extends Error {
  /** Stable error code. */
  readonly code = "ERR_PATCH";
  /** Index of the refused patch in the array given to `applyPatches`. */
  readonly index: number;
  constructor(index: number, why: string, options?: ErrorOptions) {
    super(`patch ${index}: ${why}`, options);
    this.name = "PatchError";
    this.index = index;
  }
}
brandErrorClass(PatchError, "ERR_PATCH");

/** Throws a SchemaError for a value at `path`. */
export function throwSchema(path: Path, expected: string, value: unknown, detail?: string): never {
  throw new SchemaError(path, expected, describeValue(value), detail);
}

/** Throws a SchemaError for a malformed schema definition (`where` names the builder). */
export function throwSchemaDefinition(where: string, value: unknown, expected: string): never {
  throw new SchemaError([], expected, describeValue(value), `in ${where}`);
}

/** Throws the DraftError of a draft used after its recipe returned. */
export function throwRevoked(): never {
  throw new DraftError(
    "this draft can no longer be used: its produce() recipe has returned (or thrown); read the result instead",
  );
}

/** Throws a TypeError for a write to a read-only view. */
export function throwReadOnly(what: string): never {
  throw new TypeError(`cannot ${what}: a state version is read-only; change it with produce(state, (draft) => ...)`);
}
