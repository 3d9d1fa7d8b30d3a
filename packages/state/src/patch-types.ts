/**
 * Patch format: Immer's (`{ op, path, value }`), plus one op for texts.
 *
 * @module
 */

/** One step of a path: a field name, a list index, a map key (or a set element's index). */
export type PathKey = string | number | boolean;

/**
 * A change, in Immer's patch format (JSON Patch with arrays for paths):
 * - `{ op: "replace", path, value }`: the value at `path` is now `value`;
 * - `{ op: "add", path, value }`: a new list element (inserted at the index
 *   `path` ends with), map entry, optional field or set element (at the index
 *   it has in the set's insertion order);
 * - `{ op: "remove", path }`: a list element (later ones move down), a map
 *   entry, an optional field, or a set element (then `value` says which);
 * - `{ op: "splice", path, index, deleteCount, insert }`: a text edit
 *   (pagefork's own op; ask for `textPatches: "replace"` to get Immer's plain
 *   `replace` of the whole text instead).
 *
 * Values are JSON-compatible (`jsonOf`: maps as objects, sets and typed
 * arrays as arrays), so patches survive `JSON.stringify` and apply to the
 * state's `toJSON()` with Immer's own `applyPatches` (text splices aside).
 */
export type Patch =
  | { readonly op: "replace" | "add"; readonly path: PathKey[]; readonly value: unknown }
  | { readonly op: "remove"; readonly path: PathKey[]; readonly value?: unknown }
  | {
      readonly op: "splice";
      readonly path: PathKey[];
      readonly index: number;
      readonly deleteCount: number;
      readonly insert: string;
    };
