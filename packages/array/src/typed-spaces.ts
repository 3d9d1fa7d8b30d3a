/**
 * Where a fixed-length COW array's elements come to live: a new space of
 * its own (standalone), or one new block of a caller's heap (embedded). Each
 * function reads the constructor argument as the native TypedArray
 * constructor does (a length, or a source to copy), makes the room, writes
 * the source, and fills the one hand-off (adoption.ts) that the kind's
 * constructor then adopts, so every array, whatever its origin, is made by
 * its kind's one constructor (one hidden class per kind).
 *
 * @module
 */
import { AddressSpace, type Heap } from "@pagefork/core";
import { type Adoption, adoption } from "./adoption.js";
import { isCowArray } from "./brand.js";
import { allocFrames, HDR_BYTES, requirePoolFrames, TYPED_MAGIC, writeHeader } from "./in-space.js";
import { toLength } from "./indices.js";
import { type ElementKind, kindOfInstance, type NativeTypedArray } from "./kinds.js";
import { ARRAY_PAGE_SIZE, type CowArrayOptions, chosenPool, defaultArrayPool } from "./options.js";
import { SpaceOwner } from "./space-owner.js";
import type { ElementView } from "./view.js";

/** Largest number of pages in one address space (the core's limit: vpns are uint32). */
const MAX_PAGES = 2 ** 32;

/**
 * A new standalone array of `kind`: `arg` zeros (a length), or a copy of
 * `arg` (iterable, array-like, native or COW typed array), in a space of its
 * own. The space is released again if the copy is refused.
 * @throws {RangeError} for an invalid length; {@link TypeError} for an ArrayBuffer or BigInt/Number mixing.
 * @throws {InvalidArgumentError} for invalid options.
 */
export function standaloneArray(kind: ElementKind, arg: unknown, options: CowArrayOptions | undefined): Adoption {
  const given = chosenPool(options);
  const name = `Cow${kind.name}Array`;
  // Without a pool or page size the page size follows the length, known only
  // once the argument is read: bound it by ARRAY_PAGE_SIZE, the page size of
  // every array too large for the small default (options.ts).
  const ps = given === undefined ? ARRAY_PAGE_SIZE : given.pageSize;
  const max = Math.floor(Math.min(MAX_PAGES * ps, Number.MAX_SAFE_INTEGER) / kind.bytes);
  const s = sourceOrLength(kind, arg, max, name, "");
  const source = typeof s === "number" ? null : s;
  const len = source === null ? (s as number) : source.length;
  const pool = given ?? defaultArrayPool(len * kind.bytes);
  const space = new AddressSpace({ size: Math.max(len * kind.bytes, 1), pool });
  if (source !== null && len > 0) {
    try {
      space.write(0, source);
    } catch (e) {
      space.release();
      throw e;
    }
  }
  return adoption.window(space, null, 0, len);
}

/**
 * A new embedded array of `kind` in `heap`, from the argument of the kind's
 * `create(heap, lengthOrSource)`: read as the constructor reads it, bounded
 * by what the heap's range holds.
 * @throws {RangeError} for an invalid length; TypeError as the constructor.
 * @throws {OutOfMemoryError} when the heap's range or the pool has no room; nothing changed then.
 */
export function embeddedArray(kind: ElementKind, heap: Heap, arg: unknown): Adoption {
  const name = `Cow${kind.name}Array`;
  const max = Math.floor((heap.limit - heap.base - HDR_BYTES) / kind.bytes); // the one block holds the header too
  const s = sourceOrLength(kind, arg, max, name, " in this heap");
  return typeof s === "number"
    ? embedNew(kind, heap, s, null, s, null)
    : embedNew(kind, heap, s.length, s, s.length, null);
}

/**
 * A new embedded array of `len` elements of `kind` in `heap`, holding
 * `source` (null: zeros), of which the caller (or `source`) writes the first
 * `written`: reserves the frames of both allocations and of the writes, then
 * allocates (element block first), then writes. `watch`: the array a copy is
 * made from (null for a new one), which the out-of-memory hook must not have
 * written or released meanwhile ({@link requirePoolFrames}).
 */
export function embedNew(
  kind: ElementKind,
  heap: Heap,
  len: number,
  source: NativeTypedArray | null,
  written: number,
  watch: ElementView | null,
): Adoption {
  const bytes = len * kind.bytes;
  const space = heap.space;
  requirePoolFrames(heap, allocFrames(heap, bytes, written * kind.bytes), watch);
  // One block, header then elements: one heap call, so a refusal changes nothing.
  const header = source === null ? heap.calloc(HDR_BYTES + bytes) : heap.malloc(HDR_BYTES + bytes);
  const data = header + HDR_BYTES;
  writeHeader(space, header, TYPED_MAGIC, kind, len, data);
  if (source !== null && len > 0) space.write(data, source); // reserved above: cannot be refused
  return adoption.window(space, new SpaceOwner(heap, header, 0), data, len);
}

/**
 * What a constructor argument gives, as the native constructor reads it: an
 * object is a source (returned as a native array of `kind`), anything else
 * a length (ToIndex), both at most `max` elements.
 */
function sourceOrLength(
  kind: ElementKind,
  arg: unknown,
  max: number,
  name: string,
  where: string,
): NativeTypedArray | number {
  if ((typeof arg === "object" && arg !== null) || typeof arg === "function") {
    const source = sourceArray(kind, arg, name);
    const len = source.length;
    if (len > max)
      throw new RangeError(`Invalid typed array length: ${len} (${name}${where} holds 0 to ${max} elements)`);
    return source;
  }
  return toLength(arg, max, `${name}${where}`);
}

/**
 * The elements a constructor argument that is an object supplies, as a native
 * array of `kind`.
 */
function sourceArray(kind: ElementKind, arg: object, name: string): NativeTypedArray {
  if (arg instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && arg instanceof SharedArrayBuffer))
    throw new TypeError(
      `${name} cannot view an ArrayBuffer: its elements live in an address space. Copy them in with ${name}.from(new ${kind.Native.name}(buffer))`,
    );
  const src = isCowArray(arg) ? arg.toTypedArray() : arg;
  const k = kindOfInstance(src);
  if (k === kind) return src as NativeTypedArray;
  if (k !== undefined && k.bigint !== kind.bigint)
    throw new TypeError(`Cannot mix BigInt and other types: a ${k.Native.name} cannot initialize a ${name}`);
  return new (kind.Native as new (s: unknown) => NativeTypedArray)(src);
}
