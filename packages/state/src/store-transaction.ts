/**
 * A store's transaction (`store.transact(label, fn)`): the version its
 * `setState`s build on and their patches, and a transaction nested in
 * another; and the errors of a store changed where it must not be.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { DraftError } from "./errors.js";
import type { Patch } from "./patch-types.js";
import type { AnyType } from "./schema.js";
import type { State } from "./state.js";

/** A transaction running: its base, its latest version, and the patches both ways from the base. */
export interface Transaction<S extends AnyType> {
  readonly base: State<S>;
  state: State<S>;
  patches: Patch[];
  inverse: Patch[];
}

/**
 * Runs a transaction nested in `tx`: its changes join `tx`, or on a throw
 * are dropped. The version `tx` holds at the start is kept by a fork (O(1)),
 * since the nested setStates release each version they supersede.
 */
export function nested<S extends AnyType, T>(tx: Transaction<S>, fn: () => T): T {
  const start = tx.state;
  const kept = start === tx.base ? null : start.fork();
  const patches = tx.patches.length;
  const inverse = tx.inverse;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    if (tx.state === start) kept?.release();
    else {
      if (tx.state !== tx.base) tx.state.release();
      tx.state = kept ?? tx.base;
      tx.patches.length = patches;
      tx.inverse = inverse;
    }
    throw e;
  }
  kept?.release();
  return result;
}

/** Throws the InvalidArgumentError of an undo, redo or goTo inside `transact()`. */
export function throwInTransaction(what: string, value: unknown): never {
  throw new InvalidArgumentError(what, value, "a call outside transact()");
}

/** Throws the DraftError of a store changed from inside one of its own recipes. */
export function throwInRecipe(what: string): never {
  throw new DraftError(
    `store.${what}() was called inside a recipe of the same store: the recipe's result would overwrite that change; make both changes in one recipe, or call ${what}() after it`,
  );
}
