/**
 * The reads that the views (view-collections.ts) and the drafts
 * (draft-map.ts, draft-set.ts) of maps and sets share: membership and the
 * stored slot of a key, on the collection's handle. The classes extend
 * different natives (Map, Set) and wrap what they read differently (a view
 * or a draft), so they share these functions rather than a base class.
 *
 * @module
 */

import { isValidKey } from "./check.js";
import type { MapHandle, SetHandle } from "./containers.js";
import type { AnyType } from "./schema.js";
import { encodeKey } from "./slots.js";

/**
 * True when `key` is in the map or set behind handle `h` (null: never
 * allocated, empty), `kt` being its key (element) type; a key that cannot
 * be one of `kt` is not there. O(1) expected.
 */
export function handleHas(h: MapHandle | SetHandle | null, kt: AnyType, key: unknown): boolean {
  return h !== null && isValidKey(kt, key) && h.has(encodeKey(kt, key));
}

/**
 * The stored slot (before decoding) of `key` in the map behind handle `h`,
 * or undefined when it is not there (or cannot be a key of type `kt`).
 * O(1) expected.
 */
export function storedSlot(h: MapHandle | null, kt: AnyType, key: unknown): unknown {
  if (h === null || !isValidKey(kt, key)) return undefined;
  return h.get(encodeKey(kt, key));
}
