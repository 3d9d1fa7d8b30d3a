/**
 * Strings as bytes in an address space: one byte per code unit ("latin1",
 * when every unit is below 256) or two (UTF-16, lone surrogates included).
 * Keys are compared in place against the probe string, code unit by code
 * unit, four bytes per read, so a lookup never decodes a stored key.
 *
 * Every address passed here is 4-aligned (key bytes start at +12 or +20 of an
 * 8-aligned record, blob data at +8), so words can be read and written with
 * the space's aligned u32 accessors. Reads may look at up to 3 bytes past a
 * string's end: still inside its record, whose size is rounded up to 8.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";

/** One-byte strings up to this many code units are decoded with one `String.fromCharCode` call of that many arguments ({@link smallLatin1}, {@link latin1From}). */
const SMALL_LATIN1 = 12;
/** Same for UTF-16 strings (two units per word). */
const SMALL_UTF16 = 6;
/**
 * Up to this many code units, a string is read word by word (one-byte: into
 * scratch bytes, decoded in pieces by {@link latin1From}; UTF-16: unit by
 * unit into a reused array, decoded with one `apply`); longer ones take the
 * bulk path, whose `subarray` view and page walk cost more than a short loop.
 */
const MEDIUM_UNITS = 48;
/**
 * Code units per chunk of a long string read or written through a scratch
 * buffer and one bulk `space.read`/`space.write` (a bulk call walks pages,
 * not elements). 8192 also keeps `String.fromCharCode.apply` well under
 * engines' argument-count limits (V8's is about 65,000).
 */
const CHUNK = 8192;
/**
 * Strings of more bytes than this are written through the bulk path: on
 * Node 20, u32 word stores and one `space.write` were even at 1 KiB, and
 * the bulk write ~1.5x faster at 4 KiB.
 */
const BULK_BYTES = 2048;

const scratch8 = new Uint8Array(CHUNK);
/** The words of {@link scratch8}, for {@link readLatin1}. */
const scratch32 = new Uint32Array(scratch8.buffer);
const scratch16 = new Uint16Array(CHUNK);
/** Code units of a medium string, for `String.fromCharCode.apply` (array reused, no allocation). */
const units: number[] = [];

/** Writes the `n` code units of `s` (all below 256) as bytes at `addr`. */
export function writeLatin1(space: AddressSpace, addr: number, s: string, n: number): void {
  if (n > BULK_BYTES) {
    for (let at = 0; at < n; at += CHUNK) {
      const m = Math.min(CHUNK, n - at);
      for (let i = 0; i < m; i++) scratch8[i] = s.charCodeAt(at + i);
      space.write(addr + at, scratch8.subarray(0, m));
    }
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4)
    space.setUint32(
      addr + i,
      (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0,
    );
  for (; i < n; i++) space.setUint8(addr + i, s.charCodeAt(i));
}

/** Writes the `n` code units of `s` as UTF-16LE at `addr`. */
export function writeUtf16(space: AddressSpace, addr: number, s: string, n: number): void {
  if (n * 2 > BULK_BYTES) {
    for (let at = 0; at < n; at += CHUNK) {
      const m = Math.min(CHUNK, n - at);
      for (let i = 0; i < m; i++) scratch16[i] = s.charCodeAt(at + i);
      space.write(addr + at * 2, scratch16.subarray(0, m));
    }
    return;
  }
  let i = 0;
  for (; i + 2 <= n; i += 2) space.setUint32(addr + i * 2, (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)) >>> 0);
  if (i < n) space.setUint16(addr + i * 2, s.charCodeAt(i));
}

/** True when the `n` bytes at `addr` are the code units of `s` (length `n`, all below 256). */
export function equalsLatin1(space: AddressSpace, addr: number, s: string, n: number): boolean {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = space.getUint32(addr + i);
    if (
      w !==
      (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0
    )
      return false;
  }
  for (; i < n; i++) if (space.getUint8(addr + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** True when the `n` UTF-16 code units at `addr` are those of `s`. */
export function equalsUtf16(space: AddressSpace, addr: number, s: string, n: number): boolean {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    if (space.getUint32(addr + i * 2) !== (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)) >>> 0) return false;
  }
  return i === n || space.getUint16(addr + i * 2) === s.charCodeAt(i);
}

/** The string of `n` one-byte code units at `addr`. */
export function readLatin1(space: AddressSpace, addr: number, n: number): string {
  if (n <= SMALL_LATIN1) return smallLatin1(space, addr, n);
  if (n <= MEDIUM_UNITS) {
    // Whole words (the string's record is 8-aligned and padded, see the
    // module doc) into the scratch bytes, then the same decoder iteration uses.
    for (let i = 0; i < n; i += 4) scratch32[i >> 2] = space.getUint32(addr + i);
    return latin1From(scratch8, 0, n);
  }
  let out = "";
  for (let at = 0; at < n; at += CHUNK) {
    const m = Math.min(CHUNK, n - at);
    const view = scratch8.subarray(0, m);
    space.read(addr + at, view);
    out += String.fromCharCode.apply(null, view as unknown as number[]);
  }
  return out;
}

/** The string of `n` UTF-16 code units at `addr`. */
export function readUtf16(space: AddressSpace, addr: number, n: number): string {
  if (n <= SMALL_UTF16) return smallUtf16(space, addr, n);
  if (n <= MEDIUM_UNITS) {
    units.length = n;
    for (let i = 0; i < n; i++) units[i] = space.getUint16(addr + i * 2);
    return String.fromCharCode.apply(null, units);
  }
  let out = "";
  for (let at = 0; at < n; at += CHUNK) {
    const m = Math.min(CHUNK, n - at);
    const view = scratch16.subarray(0, m);
    space.read(addr + at * 2, view);
    out += String.fromCharCode.apply(null, view as unknown as number[]);
  }
  return out;
}

/**
 * Up to 12 one-byte units from three words and one `String.fromCharCode`
 * call with that many arguments: about 3x faster than a loop of
 * concatenations or `apply` (measured on Node 20, 10-unit keys: 21 ns against
 * 68 ns and 37 ns).
 */
function smallLatin1(space: AddressSpace, addr: number, n: number): string {
  if (n === 0) return "";
  const a = space.getUint32(addr);
  const b = n > 4 ? space.getUint32(addr + 4) : 0;
  const c = n > 8 ? space.getUint32(addr + 8) : 0;
  const f = String.fromCharCode;
  switch (n) {
    case 1:
      return f(a & 255);
    case 2:
      return f(a & 255, (a >>> 8) & 255);
    case 3:
      return f(a & 255, (a >>> 8) & 255, (a >>> 16) & 255);
    case 4:
      return f(a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24);
    case 5:
      return f(a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24, b & 255);
    case 6:
      return f(a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24, b & 255, (b >>> 8) & 255);
    case 7:
      return f(a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24, b & 255, (b >>> 8) & 255, (b >>> 16) & 255);
    case 8:
      return f(
        a & 255,
        (a >>> 8) & 255,
        (a >>> 16) & 255,
        a >>> 24,
        b & 255,
        (b >>> 8) & 255,
        (b >>> 16) & 255,
        b >>> 24,
      );
    case 9:
      return f(
        a & 255,
        (a >>> 8) & 255,
        (a >>> 16) & 255,
        a >>> 24,
        b & 255,
        (b >>> 8) & 255,
        (b >>> 16) & 255,
        b >>> 24,
        c & 255,
      );
    case 10:
      return f(
        a & 255,
        (a >>> 8) & 255,
        (a >>> 16) & 255,
        a >>> 24,
        b & 255,
        (b >>> 8) & 255,
        (b >>> 16) & 255,
        b >>> 24,
        c & 255,
        (c >>> 8) & 255,
      );
    case 11:
      return f(
        a & 255,
        (a >>> 8) & 255,
        (a >>> 16) & 255,
        a >>> 24,
        b & 255,
        (b >>> 8) & 255,
        (b >>> 16) & 255,
        b >>> 24,
        c & 255,
        (c >>> 8) & 255,
        (c >>> 16) & 255,
      );
    default:
      return f(
        a & 255,
        (a >>> 8) & 255,
        (a >>> 16) & 255,
        a >>> 24,
        b & 255,
        (b >>> 8) & 255,
        (b >>> 16) & 255,
        b >>> 24,
        c & 255,
        (c >>> 8) & 255,
        (c >>> 16) & 255,
        c >>> 24,
      );
  }
}

/** Up to 6 UTF-16 units from three words, as {@link smallLatin1}. */
function smallUtf16(space: AddressSpace, addr: number, n: number): string {
  if (n === 0) return "";
  const a = space.getUint32(addr);
  const b = n > 2 ? space.getUint32(addr + 4) : 0;
  const c = n > 4 ? space.getUint32(addr + 8) : 0;
  const f = String.fromCharCode;
  switch (n) {
    case 1:
      return f(a & 0xffff);
    case 2:
      return f(a & 0xffff, a >>> 16);
    case 3:
      return f(a & 0xffff, a >>> 16, b & 0xffff);
    case 4:
      return f(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16);
    case 5:
      return f(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16, c & 0xffff);
    default:
      return f(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16, c & 0xffff, c >>> 16);
  }
}

/**
 * The string of `n` one-byte code units at `u8[i]` (a raw slab slice, see
 * page-reader.ts, or the scratch bytes of {@link readLatin1}). Up to
 * {@link SMALL_LATIN1} units take one `String.fromCharCode` call with that
 * many arguments; up to {@link MEDIUM_UNITS}, pieces of that size joined
 * with `+`; longer strings one `apply` per {@link CHUNK}. Measured on Node 20
 * (1M keys iterated, or decoded in a loop): a fixed-arity call decodes 11
 * units in 17 ns where `apply` of a reused array takes 54 ns, and pieces
 * joined with `+` beat `apply` up to 48 units (36 units: 67 ns against 103);
 * `for..of` over 1M 11-unit keys went from 86 to 39 ns per entry.
 */
export function latin1From(u8: Uint8Array, i: number, n: number): string {
  const f = String.fromCharCode;
  switch (n) {
    case 0:
      return "";
    case 1:
      return f(u8[i] as number);
    case 2:
      return f(u8[i] as number, u8[i + 1] as number);
    case 3:
      return f(u8[i] as number, u8[i + 1] as number, u8[i + 2] as number);
    case 4:
      return f(u8[i] as number, u8[i + 1] as number, u8[i + 2] as number, u8[i + 3] as number);
    case 5:
      return f(u8[i] as number, u8[i + 1] as number, u8[i + 2] as number, u8[i + 3] as number, u8[i + 4] as number);
    case 6:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
      );
    case 7:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
      );
    case 8:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
        u8[i + 7] as number,
      );
    case 9:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
        u8[i + 7] as number,
        u8[i + 8] as number,
      );
    case 10:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
        u8[i + 7] as number,
        u8[i + 8] as number,
        u8[i + 9] as number,
      );
    case 11:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
        u8[i + 7] as number,
        u8[i + 8] as number,
        u8[i + 9] as number,
        u8[i + 10] as number,
      );
    case 12:
      return f(
        u8[i] as number,
        u8[i + 1] as number,
        u8[i + 2] as number,
        u8[i + 3] as number,
        u8[i + 4] as number,
        u8[i + 5] as number,
        u8[i + 6] as number,
        u8[i + 7] as number,
        u8[i + 8] as number,
        u8[i + 9] as number,
        u8[i + 10] as number,
        u8[i + 11] as number,
      );
    default:
      return n <= MEDIUM_UNITS ? latin1Pieces(u8, i, n) : latin1Long(u8, i, n);
  }
}

/** {@link latin1From} of 13 to {@link MEDIUM_UNITS} units: pieces of {@link SMALL_LATIN1}, joined. */
function latin1Pieces(u8: Uint8Array, i: number, n: number): string {
  let s = latin1From(u8, i, SMALL_LATIN1);
  let k = SMALL_LATIN1;
  for (; n - k > SMALL_LATIN1; k += SMALL_LATIN1) s += latin1From(u8, i + k, SMALL_LATIN1);
  return s + latin1From(u8, i + k, n - k);
}

/** {@link latin1From} of more than {@link MEDIUM_UNITS} units: one `apply` per {@link CHUNK}. */
function latin1Long(u8: Uint8Array, i: number, n: number): string {
  let out = "";
  for (let at = 0; at < n; at += CHUNK) {
    const m = Math.min(CHUNK, n - at);
    out += String.fromCharCode.apply(null, u8.subarray(i + at, i + at + m) as unknown as number[]);
  }
  return out;
}
