/**
 * Values of a CowMap: classification into an 8-bit tag plus either an inline
 * 8-byte slot (undefined, null, booleans, numbers, bigints in int64, strings
 * of up to 8 one-byte or 4 two-byte code units) or a blob record in the log
 * (longer strings as raw code units; everything else as msgpackr bytes, see
 * codec.ts). Inline values are read without allocation (a number comes back
 * as the very float64 stored, -0 and NaN included); blob values are decoded
 * into fresh objects on every read.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import { decode, encode } from "./codec.js";
import { DataCloneError } from "./errors.js";
import {
  B_DATA,
  B_LENGTH,
  SHORT_LATIN1_MAX,
  SHORT_UTF16_MAX,
  TAG_MASK,
  TAG_SHIFT,
  V_BIGINT64,
  V_BLOB_LATIN1,
  V_BLOB_PACKED,
  V_BLOB_UTF16,
  V_FALSE,
  V_KIND_MASK,
  V_LEN_SHIFT,
  V_NULL,
  V_NUMBER,
  V_SHORT_LATIN1,
  V_SHORT_UTF16,
  V_TRUE,
  V_UNDEFINED,
} from "./layout.js";
import { readLatin1, readUtf16, writeLatin1, writeUtf16 } from "./text.js";

/** Tag of packed bytes that carry patches (see codec.ts): V_BLOB_PACKED with bit 4 set. */
export const V_BLOB_PATCHED = V_BLOB_PACKED | (1 << V_LEN_SHIFT);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A classified value: what {@link classifyValue} fills (after any user code
 * the encoding runs: getters) and the writes of the same operation consume.
 * Every field is set in the constructor (one hidden class). One instance,
 * {@link pending}, serves every write, passed down as an argument.
 */
export class PendingValue {
  /** Value tag (V_*, with an inline string's length in the high bits). */
  tag: number;
  /** The number, for V_NUMBER. */
  num: number;
  /** The bigint, for V_BIGINT64. */
  big: bigint;
  /** The string, for inline and blob strings. */
  str: string;
  /** Encoded bytes, for packed blobs (valid until the next encode). */
  bytes: Uint8Array | null;
  /** Bytes of blob data (0 when the value is inline). */
  blobBytes: number;
  constructor() {
    this.tag = 0;
    this.num = 0;
    this.big = 0n;
    this.str = "";
    this.bytes = null;
    this.blobBytes = 0;
  }
}

/** @internal The one preallocated pending value the entry points pass down (no allocation per write). */
export const pending = new PendingValue();

/**
 * Classifies `value` into `p`. O(1) for inline values, O(size) for strings
 * and encoded values.
 * @throws {DataCloneError} for a value that cannot be stored; nothing has changed.
 */
export function classifyValue(value: unknown, p: PendingValue): void {
  p.blobBytes = 0;
  p.bytes = null;
  switch (typeof value) {
    case "number":
      p.tag = V_NUMBER;
      p.num = value;
      return;
    case "string":
      classifyString(value, p);
      return;
    case "undefined":
      p.tag = V_UNDEFINED;
      return;
    case "boolean":
      p.tag = value ? V_TRUE : V_FALSE;
      return;
    case "bigint":
      if (value >= INT64_MIN && value <= INT64_MAX) {
        p.tag = V_BIGINT64;
        p.big = value;
        return;
      }
      break;
    case "object":
      if (value === null) {
        p.tag = V_NULL;
        return;
      }
      break;
    case "symbol":
      throw new DataCloneError("value", "a symbol cannot be cloned");
    default:
      throw new DataCloneError("value", "a function cannot be cloned");
  }
  const e = encode(value); // runs getters: must come before anything is written
  p.tag = e.patched ? V_BLOB_PATCHED : V_BLOB_PACKED;
  p.bytes = e.bytes;
  p.blobBytes = e.bytes.length;
}

function classifyString(s: string, p: PendingValue): void {
  const n = s.length;
  let wide = 0;
  for (let i = 0; i < n; i++) wide |= s.charCodeAt(i);
  p.str = s;
  if (wide <= 0xff) {
    if (n <= SHORT_LATIN1_MAX) p.tag = V_SHORT_LATIN1 | (n << V_LEN_SHIFT);
    else {
      p.tag = V_BLOB_LATIN1;
      p.blobBytes = n;
    }
  } else if (n <= SHORT_UTF16_MAX) p.tag = V_SHORT_UTF16 | (n << V_LEN_SHIFT);
  else {
    p.tag = V_BLOB_UTF16;
    p.blobBytes = n * 2;
  }
}

/** True when the classified value `p` needs a blob record. */
export function pendingIsBlob(p: PendingValue): boolean {
  return (p.tag & V_KIND_MASK) >= V_BLOB_LATIN1;
}

/** Writes the blob data of the classified value `p` at `dataAddr` (a blob record's B_DATA). */
export function writeBlobData(space: AddressSpace, dataAddr: number, p: PendingValue): void {
  switch (p.tag & V_KIND_MASK) {
    case V_BLOB_LATIN1:
      writeLatin1(space, dataAddr, p.str, p.blobBytes);
      return;
    case V_BLOB_UTF16:
      writeUtf16(space, dataAddr, p.str, p.blobBytes >>> 1);
      return;
    default:
      space.write(dataAddr, p.bytes as Uint8Array);
  }
}

/**
 * Writes the classified value `p` into the 8-byte slot at `slot`; `blobRef`
 * is the ref of its blob record when it has one. Every byte of the slot is
 * written, so an in-place update leaves no trace of the old value.
 */
export function writeSlot(space: AddressSpace, slot: number, blobRef: number, p: PendingValue): void {
  switch (p.tag & V_KIND_MASK) {
    case V_NUMBER:
      space.setFloat64(slot, p.num);
      return;
    case V_BIGINT64:
      space.setBigInt64(slot, p.big);
      return;
    case V_SHORT_LATIN1: {
      const s = p.str;
      const n = s.length;
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        if (i < 4) lo |= s.charCodeAt(i) << (i * 8);
        else hi |= s.charCodeAt(i) << ((i - 4) * 8);
      }
      space.setUint32(slot, lo >>> 0);
      space.setUint32(slot + 4, hi >>> 0);
      return;
    }
    case V_SHORT_UTF16: {
      const s = p.str;
      const n = s.length;
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        if (i < 2) lo |= s.charCodeAt(i) << (i * 16);
        else hi |= s.charCodeAt(i) << ((i - 2) * 16);
      }
      space.setUint32(slot, lo >>> 0);
      space.setUint32(slot + 4, hi >>> 0);
      return;
    }
    default:
      space.setUint32(slot, blobRef);
      space.setUint32(slot + 4, 0);
  }
}

/** Scratch the bytes of packed values are read into before decoding (grown on demand). */
let readBuffer = new Uint8Array(256);
/** Largest scratch kept between reads: a bigger value gets a buffer of its own, so one huge read does not pin memory. */
const MAX_SCRATCH = 1 << 20;

/**
 * The value of an entry whose meta word is `meta`, from its slot at `slot`;
 * blob refs resolve against the log at `logAddr`. A blob value is decoded
 * into a new object or string on every call.
 */
export function readValue(space: AddressSpace, meta: number, slot: number, logAddr: number): unknown {
  const tag = (meta >>> TAG_SHIFT) & TAG_MASK;
  switch (tag & V_KIND_MASK) {
    case V_NUMBER:
      return space.getFloat64(slot);
    case V_UNDEFINED:
      return undefined;
    case V_NULL:
      return null;
    case V_FALSE:
      return false;
    case V_TRUE:
      return true;
    case V_SHORT_LATIN1:
      return readLatin1(space, slot, tag >>> V_LEN_SHIFT);
    case V_SHORT_UTF16:
      return readUtf16(space, slot, tag >>> V_LEN_SHIFT);
    case V_BIGINT64:
      return space.getBigInt64(slot);
    default:
      return readBlob(space, tag, logAddr + (space.getUint32(slot) - 1) * 8);
  }
}

function readBlob(space: AddressSpace, tag: number, blob: number): unknown {
  const n = space.getUint32(blob + B_LENGTH);
  const data = blob + B_DATA;
  switch (tag & V_KIND_MASK) {
    case V_BLOB_LATIN1:
      return readLatin1(space, data, n);
    case V_BLOB_UTF16:
      return readUtf16(space, data, n >>> 1);
    default: {
      if (n > MAX_SCRATCH) return decode(space.read(data, new Uint8Array(n)), tag === V_BLOB_PATCHED);
      if (readBuffer.length < n) readBuffer = new Uint8Array(Math.min(MAX_SCRATCH, Math.max(n, readBuffer.length * 2)));
      const view = readBuffer.subarray(0, n);
      space.read(data, view);
      return decode(view, tag === V_BLOB_PATCHED);
    }
  }
}

/** The ref of the blob record holding the value in an entry's slot, or -1 when the value is inline. */
export function slotBlob(space: AddressSpace, meta: number, slot: number): number {
  const tag = (meta >>> TAG_SHIFT) & TAG_MASK;
  return (tag & V_KIND_MASK) >= V_BLOB_LATIN1 ? space.getUint32(slot) : -1;
}
