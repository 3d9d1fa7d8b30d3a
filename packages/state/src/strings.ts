/**
 * Immutable strings (`t.string` fields and list elements) as heap blocks.
 *
 * ```
 * +0   u32   units << 1 | wide      (wide = 1: UTF-16LE, 2 bytes a unit; 0: Latin-1, 1 byte a unit)
 * +4   bytes the code units
 * ```
 *
 * The empty string is the null pointer 0: no block. A string whose code
 * units are all below 256 (ASCII and Latin-1 text, most keys and titles)
 * takes one byte a unit. Astral characters and lone surrogates round-trip
 * unchanged (UTF-16 code units are stored, not code points).
 *
 * Scratch buffers are module-level and grow to the longest string seen, so
 * reading and writing allocate nothing but the string itself.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";

/** Bytes of the length word before the units. */
const S_HEADER = 4;
/** Code units per `String.fromCharCode.apply` call: below engines' argument limits. */
const APPLY_CHUNK = 8192;

let bytes = new Uint8Array(256);
let units = new Uint16Array(128);

function scratchBytes(n: number): Uint8Array {
  if (bytes.length < n) bytes = new Uint8Array(Math.max(n, bytes.length * 2));
  return bytes;
}

function scratchUnits(n: number): Uint16Array {
  if (units.length < n) units = new Uint16Array(Math.max(n, units.length * 2));
  return units;
}

/** True if every code unit of `s` is below 256. */
function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Bytes a string block for `s` takes (0 for the empty string). */
export function stringBytes(s: string): number {
  if (s.length === 0) return 0;
  return S_HEADER + (isLatin1(s) ? s.length : s.length * 2);
}

/**
 * Allocates a block for `s` and writes it; returns its address (0 for "").
 * O(s.length). Throws OutOfMemoryError (from the heap or the pool) with nothing changed.
 */
export function writeString(heap: Heap, s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const narrow = isLatin1(s);
  const size = S_HEADER + (narrow ? n : n * 2);
  const addr = heap.malloc(size);
  const space = heap.space;
  try {
    space.setUint32(addr, (n * 2 + (narrow ? 0 : 1)) >>> 0);
    if (narrow) {
      const b = scratchBytes(n);
      for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i);
      space.write(addr + S_HEADER, b.subarray(0, n));
    } else {
      const u = scratchUnits(n);
      for (let i = 0; i < n; i++) u[i] = s.charCodeAt(i);
      space.write(addr + S_HEADER, new Uint8Array(u.buffer, 0, n * 2));
    }
  } catch (e) {
    heap.free(addr);
    throw e;
  }
  return addr;
}

/** The string at `addr` (a block from {@link writeString}, or 0 for ""). O(length). */
export function readString(space: AddressSpace, addr: number): string {
  if (addr === 0) return "";
  const meta = space.getUint32(addr);
  const n = meta >>> 1;
  if ((meta & 1) === 0) {
    if (n <= 16) {
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(space.getUint8(addr + S_HEADER + i));
      return s;
    }
    const b = space.read(addr + S_HEADER, scratchBytes(n).subarray(0, n));
    return decode(b, n);
  }
  const u = scratchUnits(n);
  space.read(addr + S_HEADER, new Uint8Array(u.buffer, 0, n * 2));
  return decode(u, n);
}

function decode(a: Uint8Array | Uint16Array, n: number): string {
  if (n <= APPLY_CHUNK) return String.fromCharCode.apply(null, a.subarray(0, n) as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += APPLY_CHUNK)
    parts.push(String.fromCharCode.apply(null, a.subarray(i, Math.min(n, i + APPLY_CHUNK)) as unknown as number[]));
  return parts.join("");
}

/** Frees the block of a string (nothing for ""). */
export function freeString(heap: Heap, addr: number): void {
  if (addr !== 0) heap.free(addr);
}
