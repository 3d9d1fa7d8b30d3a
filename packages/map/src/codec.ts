/**
 * The codec of values that are not stored inline: msgpackr in structured-clone
 * mode (`new Packr({ structuredClone: true })`: object identity and cycles,
 * Map, Set, Date, RegExp, Error, ArrayBuffer, DataView, every TypedArray,
 * bigints of any size), behind a walk that gives it `structuredClone`'s rules.
 *
 * The walk (one pass over the value, reading every property once, as
 * `structuredClone` does) builds a snapshot of plain containers that
 * msgpackr encodes exactly, recognises built-ins by their internal slots
 * as `structuredClone` does (a Map from another realm is a Map; an
 * `Object.create(Map.prototype)` is a plain object), and:
 * - refuses with {@link DataCloneError} what `structuredClone` refuses
 *   (functions, symbols, WeakMap, WeakSet, WeakRef, FinalizationRegistry,
 *   Promise, generators, Intl objects, arguments objects, the global object;
 *   another realm's too, by slot, or by tag where no method checks the slot
 *   without side effects)
 *   and what cannot be stored by value (SharedArrayBuffer and views on one,
 *   Blob, whose bytes are only readable asynchronously), and what msgpackr
 *   would change (an own property named `__proto__`, which it renames;
 *   property names with lone surrogates);
 * - records a patch for what msgpackr would otherwise alter: -0 (written as
 *   the integer 0), strings with lone surrogates (UTF-8 cannot carry them),
 *   array holes (left out of the snapshot; one patch per array lists their
 *   runs, so a sparse array costs its elements), boxed primitives (written as
 *   empty objects) and an Error's missing cause (written as undefined).
 *   Patches are encoded next to the snapshot and applied after decoding;
 *   a value needing none costs nothing extra.
 *
 * Known differences from `structuredClone`, documented in the README: an
 * Error keeps name, message and cause but not its stack; a typed array or
 * DataView comes back over a buffer of its own bytes (byteOffset 0), so two
 * views of one buffer come back over two buffers; a resizable ArrayBuffer
 * comes back fixed-length; non-index properties of arrays are not kept.
 *
 * The walk is codec-walk.ts, the patches codec-patches.ts, the tests of
 * built-ins by internal slot codec-slots.ts; this module holds the encoder.
 *
 * @module
 */
import { Packr } from "msgpackr";
import { AT_PROPERTY, applyPatches } from "./codec-patches.js";
import { Walk } from "./codec-walk.js";
import { DataCloneError } from "./errors.js";

/**
 * One encoder/decoder for every map: records (the default) are written with
 * their definitions inline when no shared `structures` are given, so each
 * value decodes on its own (verified: a value packed after others of the same
 * shape decodes with a fresh Packr). `useToJSON: false`: structuredClone
 * ignores toJSON. `copyBuffers: true`: decoded typed arrays must not alias
 * the scratch buffer values are read into.
 */
const packr = new Packr({ structuredClone: true, useToJSON: false, copyBuffers: true });

/** The bytes of an encoded value and whether patches must be applied when decoding it. */
export interface Encoded {
  bytes: Uint8Array;
  patched: boolean;
}

/**
 * Encodes `value` (an object, or a bigint outside int64) for storage.
 * Reads each property once; the returned bytes are valid until the next call.
 * @throws {DataCloneError} for a value that cannot be stored (see the module doc).
 */
export function encode(value: unknown): Encoded {
  const w = new Walk();
  const snapshot = w.value(value, null, AT_PROPERTY, 0);
  const patched = w.patches.length > 0;
  try {
    return { bytes: packr.pack(patched ? [snapshot, w.patches] : snapshot), patched };
  } catch (e) {
    // The walk refuses everything msgpackr would; this is a safety net.
    throw new DataCloneError("value", `the codec refused it (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Decodes bytes from {@link encode}. */
export function decode(bytes: Uint8Array, patched: boolean): unknown {
  const v = packr.unpack(bytes);
  if (!patched) return v;
  const [root, patches] = v as [unknown, unknown[][]];
  return applyPatches(root, patches);
}
