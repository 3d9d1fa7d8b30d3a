/**
 * Checks of the store's arguments: names, load options, page sizes. Each
 * throws InvalidArgumentError before anything is read or written.
 *
 * @module
 */
import { type FramePool, InvalidArgumentError, isFramePool } from "@pagefork/core";
import type { AnyType } from "@pagefork/state";
import type { Entry } from "./record.js";
import { INTERNAL_KEY } from "./save.js";
import type { LoadOptions } from "./store.js";

/** Longest name, in UTF-8 bytes (LMDB keys are at most 511 bytes). */
const MAX_NAME_BYTES = 500;

/** Checks a version's name: a non-empty string of at most MAX_NAME_BYTES UTF-8 bytes, not starting with U+0000. */
export function checkName(name: unknown): asserts name is string {
  if (
    typeof name !== "string" ||
    name === "" ||
    name.startsWith(INTERNAL_KEY) ||
    Buffer.byteLength(name) > MAX_NAME_BYTES
  )
    throw new InvalidArgumentError(
      "name",
      name,
      `a non-empty string of at most ${MAX_NAME_BYTES} UTF-8 bytes, not starting with U+0000`,
    );
}

/** Checks the options of a load: an object with a FramePool. */
export function checkLoad(options: LoadOptions): { pool: FramePool; schema: AnyType | undefined } {
  if (options === null || typeof options !== "object" || !isFramePool(options.pool))
    throw new InvalidArgumentError("options", options, "an object { pool: FramePool, schema? }");
  return { pool: options.pool, schema: options.schema };
}

/** Checks that `pool` has the page size entry `e` was saved with. */
export function checkPageSize(e: Entry, pool: FramePool): void {
  if (e.pageSize !== pool.pageSize)
    throw new InvalidArgumentError("pool", pool, `a FramePool of the saved page size ${e.pageSize}`);
}
