/**
 * The errors CowText throws, from small helpers (the classes are @pagefork/core's).
 *
 * @module
 */
import { type FramePool, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { MAX_TEXT_LENGTH } from "./layout.js";

export function throwInvalid(argument: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(argument, value, expected);
}

export function throwReleased(what = "text"): never {
  throw new ReleasedError(what);
}

/** Throws ReleasedError once `t` was released or freed (or its embedder released the space). O(1). */
export function checkLive(t: { readonly released: boolean }): void {
  if (t.released) throwReleased();
}

export function throwNotString(method: string, value: unknown): never {
  throw new TypeError(`CowText.${method}: text must be a string, got ${typeof value}`);
}

export function throwTooLong(k: number, len: number): never {
  throw new InvalidArgumentError(
    "text",
    `a string of ${k} code units`,
    `one that keeps the text within ${MAX_TEXT_LENGTH} code units (it holds ${len})`,
  );
}

export function throwEmbedded(method: string): never {
  throw new InvalidArgumentError(
    "this",
    "an embedded CowText",
    `a standalone text: an embedded text lives in a space its embedder owns, so ${method} that space (heap.space) instead, or free() the text`,
  );
}

/** An edit needs `pages` more node pages than the text's heap has left. */
export function throwHeapFull(pages: number, pageSize: number, why: string): never {
  throw new OutOfMemoryError(pages * pageSize, why);
}

/** A text handle made from root, height and length (a share handle, `adoptText`) whose length its pages do not hold. */
export function throwLengthMismatch(len: number): never {
  throw new InvalidArgumentError(
    "state",
    `a text of ${len} code units`,
    "the length its pages hold (the handle or saved state does not fit its pages)",
  );
}

/**
 * The pool's out-of-memory hook edited the text whose edit waited for frames
 * (the edit's plan is stale): nothing changed by that edit; call it again.
 */
export function throwHookEdited(pages: number, pageSize: number): never {
  throw new OutOfMemoryError(
    pages * pageSize,
    "the onOutOfMemory hook edited this text while this call waited for frames; nothing changed, call again",
  );
}

/**
 * An edit still `frames` frames short after the pool's out-of-memory hook
 * ran (it runs once per call): the hook changed what the edit needs (it
 * wrote the text's heap, or forked its space) or freed too little.
 */
export function throwShortAfterHook(pool: FramePool, frames: number): never {
  throw new OutOfMemoryError(
    frames * pool.pageSize,
    `pool limit maxBytes=${pool.maxBytes} reached (${pool.framesInUse} frames of ${pool.pageSize} B in use, after the onOutOfMemory hook)`,
  );
}

/** `includes`, `startsWith` or `endsWith` was given a regular expression to search for (a TypeError, as natively). */
export function throwRegExp(method: string): never {
  throw new TypeError(
    `CowText.${method}: the search string must not be a regular expression (as String.prototype.${method})`,
  );
}
