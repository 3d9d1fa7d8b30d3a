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
 * Order is kept: a map inside any patch value (a map entry's, a struct
 * field's, a list element's, a `diffPatches` replace, a recipe's returned
 * root; nested in records, lists and maps at any depth) whose keys an object
 * would reorder (integer-like keys, which JS objects list first, ascending)
 * is sent as `{}` followed by one `add` per entry in the map's order, so
 * applying the patches (directly or after `JSON.stringify`) builds maps that
 * iterate as the source's did; a map an object keeps in order stays an
 * object. A set's `add` is applied at its index (the inverse of a `delete`
 * puts the element back in place).
 * The inverse of a map entry's `remove` is an `add`, which appends the
 * entry at the end of the map's order, as Immer's does.
 */
export type Patch =
  | {
      /** What changed: the value at `path` is now `value`, or a new element/entry/field is there. */
      readonly op: "replace" | "add";
      /** Where, from the root: field names, list indices, map keys, a set element's index. */
      readonly path: PathKey[];
      /** The new value, JSON-compatible. */
      readonly value: unknown;
    }
  | {
      /** A list element, map entry, optional field or set element went away. */
      readonly op: "remove";
      /** Where, from the root. */
      readonly path: PathKey[];
      /** For a set element: which one (JSON form). */
      readonly value?: unknown;
    }
  | {
      /** A text edit (pagefork's own op). */
      readonly op: "splice";
      /** The text's path from the root. */
      readonly path: PathKey[];
      /** Position of the edit in UTF-16 code units. */
      readonly index: number;
      /** Code units deleted at `index`. */
      readonly deleteCount: number;
      /** Text inserted at `index` after the deletion. */
      readonly insert: string;
    };
