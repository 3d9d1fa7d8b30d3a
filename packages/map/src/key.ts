/**
 * Keys stored by value: classification of a probe key into a kind, its byte
 * length and a 32-bit hash (no allocation for strings, numbers, booleans,
 * null and undefined), comparison of a stored key against the probe in place,
 * and decoding a stored key back into a JS value.
 *
 * Equality is SameValueZero, as for Map keys: every NaN is one key and -0 is
 * +0 (both are canonicalized before hashing), and the kind keeps "1", 1 and
 * 1n apart.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import {
  KIND_BIGINT,
  KIND_FALSE,
  KIND_LATIN1,
  KIND_MASK,
  KIND_NULL,
  KIND_NUMBER,
  KIND_TRUE,
  KIND_UNDEFINED,
  KIND_UTF16,
  KLEN_ESCAPE,
  KLEN_SHIFT,
} from "./layout.js";
import { equalsLatin1, equalsUtf16, readLatin1, readUtf16, writeLatin1, writeUtf16 } from "./text.js";

/** FNV-1a offset basis and prime (Fowler, Noll, Vo), the per-unit step of the string hash. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Golden-ratio multiplier (Knuth, TAOCP vol. 3, 6.4) mixing the two words of a number. */
const GOLDEN = 0x9e3779b1;
/** Distinct seeds so that "1", 1 and 1n do not land in one bucket on purpose. */
const SEED_BIGINT = 0x5bd1e995;

/**
 * MurmurHash3's 32-bit finalizer (Appleby, 2011): every input bit affects
 * every output bit, so the low bits that pick the bucket are well mixed even
 * for sequential integers or keys that differ in one character.
 */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A classified key: what {@link classifyKey} fills and the table's lookup
 * and writes read. Every field is set in the constructor (one hidden class).
 * One instance, {@link probe}, serves every operation: the entry points
 * (ops.ts, `CowMap.get`, table copies) pass it down as an argument, so
 * nothing is allocated per lookup and the signatures show where the key goes.
 */
export class Probe {
  /** Record kind (KIND_*). */
  kind: number;
  /** Key bytes (0 for undefined, null and booleans, 8 for numbers). */
  bytes: number;
  /** Hash of the key. */
  hash: number;
  /** The meta word of a record of this key, value tag bits clear. */
  meta: number;
  /** The string (or the hex digits of a bigint) whose code units are the key bytes. */
  str: string;
  /** Low word of a number key's canonical float64. */
  lo: number;
  /** High word of a number key's canonical float64. */
  hi: number;
  constructor() {
    this.kind = 0;
    this.bytes = 0;
    this.hash = 0;
    this.meta = 0;
    this.str = "";
    this.lo = 0;
    this.hi = 0;
  }
}

/**
 * @internal The one preallocated probe the entry points pass down. JS is
 * single-threaded and a table operation runs no user code between
 * classifying its key and using it, so operations never see each other's key.
 */
export const probe = new Probe();

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** High word of the one NaN every NaN key becomes (the quiet NaN 0x7ff8000000000000). */
const NAN_HI = 0x7ff80000;

/** True when `key` can be a key: a primitive other than a symbol. */
export function isKey(key: unknown): boolean {
  const t = typeof key;
  return t === "string" || t === "number" || t === "bigint" || t === "boolean" || t === "undefined" || key === null;
}

/**
 * Classifies `key` into `probe`; false when it cannot be a key (an object,
 * function or symbol). O(length) for strings and bigints, O(1) otherwise;
 * allocates only for bigints (their hex digits).
 */
export function classifyKey(key: unknown, probe: Probe): boolean {
  switch (typeof key) {
    case "string":
      classifyString(key, KIND_LATIN1, FNV_OFFSET, probe);
      return true;
    case "number": {
      let lo = 0;
      let hi = NAN_HI;
      if (!Number.isNaN(key)) {
        f64[0] = key === 0 ? 0 : key; // -0 becomes +0
        lo = u32[0] as number;
        hi = u32[1] as number;
      }
      probe.kind = KIND_NUMBER;
      probe.bytes = 8;
      probe.lo = lo;
      probe.hi = hi;
      probe.hash = fmix32(Math.imul(lo, GOLDEN) ^ hi);
      probe.meta = KIND_NUMBER | (8 << KLEN_SHIFT);
      return true;
    }
    case "bigint":
      classifyString(key.toString(16), KIND_BIGINT, SEED_BIGINT, probe);
      return true;
    case "boolean":
      constantKey(key ? KIND_TRUE : KIND_FALSE, probe);
      return true;
    case "undefined":
      constantKey(KIND_UNDEFINED, probe);
      return true;
    case "object":
      if (key !== null) return false;
      constantKey(KIND_NULL, probe);
      return true;
    default:
      return false;
  }
}

function constantKey(kind: number, probe: Probe): void {
  probe.kind = kind;
  probe.bytes = 0;
  probe.hash = fmix32(kind);
  probe.meta = kind;
}

/**
 * FNV-1a over the UTF-16 code units, finished with fmix32; notes on the way
 * whether every unit is below 256 (then the key is stored one byte per unit).
 * The hash depends only on the code units, never on the storage width.
 */
function classifyString(s: string, kind: number, seed: number, probe: Probe): void {
  const n = s.length;
  let h = seed;
  let wide = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    wide |= c;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  if (kind === KIND_LATIN1 && wide > 0xff) kind = KIND_UTF16;
  const bytes = kind === KIND_UTF16 ? n * 2 : n;
  probe.kind = kind;
  probe.bytes = bytes;
  probe.str = s;
  probe.hash = fmix32(h ^ n);
  probe.meta = kind | (Math.min(bytes, KLEN_ESCAPE) << KLEN_SHIFT);
}

/** Bytes a key of `bytes` key bytes occupies in a record: the escaped length word comes first. */
export function keyFootprint(bytes: number): number {
  return bytes >= KLEN_ESCAPE ? bytes + 4 : bytes;
}

/**
 * True when the key stored at `keyAddr` (the record's key field), whose
 * record has meta word `meta`, equals the probe `p`. The caller has compared
 * the hashes; kind and length come from the meta word, then the bytes in place.
 */
export function keyEquals(space: AddressSpace, meta: number, keyAddr: number, p: Probe): boolean {
  if ((meta & (KIND_MASK | (KLEN_ESCAPE << KLEN_SHIFT))) !== p.meta) return false;
  switch (p.kind) {
    case KIND_NUMBER:
      return space.getUint32(keyAddr) === p.lo && space.getUint32(keyAddr + 4) === p.hi;
    case KIND_LATIN1:
    case KIND_BIGINT:
    case KIND_UTF16: {
      const n = p.bytes;
      if (n >= KLEN_ESCAPE) {
        if (space.getUint32(keyAddr) !== n) return false;
        keyAddr += 4;
      }
      return p.kind === KIND_UTF16
        ? equalsUtf16(space, keyAddr, p.str, n >>> 1)
        : equalsLatin1(space, keyAddr, p.str, n);
    }
    default:
      return true; // undefined, null, false, true: the kind is the key
  }
}

/** Writes the key bytes of probe `p` at `keyAddr` (the escaped length word first, when needed). */
export function writeKey(space: AddressSpace, keyAddr: number, p: Probe): void {
  switch (p.kind) {
    case KIND_NUMBER:
      space.setUint32(keyAddr, p.lo);
      space.setUint32(keyAddr + 4, p.hi);
      return;
    case KIND_LATIN1:
    case KIND_BIGINT:
    case KIND_UTF16: {
      const n = p.bytes;
      if (n >= KLEN_ESCAPE) {
        space.setUint32(keyAddr, n);
        keyAddr += 4;
      }
      if (p.kind === KIND_UTF16) writeUtf16(space, keyAddr, p.str, n >>> 1);
      else writeLatin1(space, keyAddr, p.str, n);
      return;
    }
    default:
  }
}

/** The key stored at `keyAddr` in a record whose meta word is `meta`, as a JS value (a new string for string keys). */
export function readKey(space: AddressSpace, meta: number, keyAddr: number): unknown {
  const kind = meta & KIND_MASK;
  switch (kind) {
    case KIND_LATIN1:
    case KIND_UTF16:
    case KIND_BIGINT: {
      let n = meta >>> KLEN_SHIFT;
      if (n === KLEN_ESCAPE) {
        n = space.getUint32(keyAddr);
        keyAddr += 4;
      }
      if (kind === KIND_LATIN1) return readLatin1(space, keyAddr, n);
      if (kind === KIND_UTF16) return readUtf16(space, keyAddr, n >>> 1);
      const hex = readLatin1(space, keyAddr, n);
      return hex.charCodeAt(0) === 0x2d ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
    }
    case KIND_NUMBER:
      u32[0] = space.getUint32(keyAddr);
      u32[1] = space.getUint32(keyAddr + 4);
      return f64[0];
    case KIND_TRUE:
      return true;
    case KIND_FALSE:
      return false;
    case KIND_NULL:
      return null;
    default:
      return undefined;
  }
}

/** Bytes of key data (escaped length word included) of a record whose meta word is `meta`, at `keyAddr`. */
export function storedKeyFootprint(space: AddressSpace, meta: number, keyAddr: number): number {
  const n = meta >>> KLEN_SHIFT;
  return n === KLEN_ESCAPE ? space.getUint32(keyAddr) + 4 : n;
}
