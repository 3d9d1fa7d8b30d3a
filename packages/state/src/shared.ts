/**
 * Handing a state version to another thread: the handle of its space (from
 * `AddressSpace.share()`, or a copy from `transferCopy()`), the schema's
 * description (to refuse a handle attached with another schema) and the
 * lineage's next stamp (so versions the reader produces from a fork get
 * stamps no shared node has). The root address is in the space's header.
 *
 * @module
 */
import {
  AddressSpace,
  InvalidArgumentError,
  InvalidHandleError,
  type SharedSpaceHandle,
  type ShareOptions,
  type SpaceCopy,
} from "@pagefork/core";
import { attachState } from "./attach.js";
import { schemaFingerprint } from "./fingerprint.js";
import type { AnyType } from "./schema.js";
import { Type } from "./schema.js";
import { State } from "./state.js";

/** The `format` of a {@link SharedStateHandle}. */
export const STATE_HANDLE_FORMAT = "pagefork.shared-state/1";

/**
 * A state version handed to another thread: what {@link State.share} and
 * {@link State.transferCopy} return and {@link State.attachShared} takes.
 * Plain data for `postMessage` (for a copy, transfer `handle.space.bytes`).
 */
export interface SharedStateHandle {
  /** `"pagefork.shared-state/1"`. */
  readonly format: typeof STATE_HANDLE_FORMAT;
  /** `schemaFingerprint(schema)` of the version's schema (its whole structure). */
  readonly schema: string;
  /** The lineage's next stamp when the handle was made. */
  readonly nextStamp: number;
  /** The space: shared (zero copy) or copied. */
  readonly space: SharedSpaceHandle | SpaceCopy;
}

function handleOf(state: State, copy: boolean, options: ShareOptions | undefined): SharedStateHandle {
  if (!(state instanceof State)) throwHandle("forged", "not a State");
  return {
    format: STATE_HANDLE_FORMAT,
    schema: schemaFingerprint(state.schema),
    nextStamp: state.lineage.nextStamp,
    space: copy ? state.space.transferCopy() : state.space.share(options),
  };
}

/** See State.share. @internal */
export function shareState(state: State, options?: ShareOptions): SharedStateHandle {
  return handleOf(state, false, options);
}

/** See State.transferCopy. @internal */
export function transferStateCopy(state: State): SharedStateHandle {
  return handleOf(state, true, undefined);
}

/** See State.attachShared. @internal */
export function attachSharedState<S extends AnyType>(handle: SharedStateHandle, schema: S): State<S> {
  const h = handle as SharedStateHandle;
  if (typeof h !== "object" || h === null || h.format !== STATE_HANDLE_FORMAT)
    throwHandle("forged", "not a handle made by shareState() or transferStateCopy()");
  if (!(schema instanceof Type)) throwHandle("type", "the second argument must be the state's schema");
  // The whole structure: describe() of a record names only its fields, so a
  // schema with the same names and other types passed, and read the pages wrongly.
  const print = schemaFingerprint(schema);
  if (h.schema !== print) throwHandle("type", `the handle's schema ${h.schema} is not ${print}`);
  if (!Number.isSafeInteger(h.nextStamp) || h.nextStamp < 1) throwHandle("forged", "bad stamp");
  const space = AddressSpace.attach(h.space);
  try {
    // The same checks of the header and root as for a loaded version (attach.ts).
    return attachState(schema, space, { nextStamp: h.nextStamp });
  } catch (e) {
    space.release();
    if (e instanceof InvalidArgumentError)
      throwHandle("forged", `the shared space does not hold a state: ${e.message}`);
    throw e;
  }
}

function throwHandle(reason: "forged" | "type", why: string): never {
  throw new InvalidHandleError(reason, why);
}
