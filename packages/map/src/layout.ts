/**
 * Byte layout of a CowMap / CowSet inside its address space, and the numbers
 * that size it. Everything the collection holds is here: the bucket array,
 * the entry log (keys, inline values, insertion order) and the value blobs.
 *
 * ```
 * [0, LOG_BASE)       buckets  u32[nb]: head of each chain, a record ref (0: empty)
 * [LOG_BASE, ...)     log      records appended in insertion order, each 8-aligned:
 *
 * entry record (map: V = 8; set: V = 0, no value slot)
 *   +0        u32 meta   kind (bits 0-3) | value tag (bits 4-11) | key bytes (bits 12-31)
 *   +4        u32 chain  next record of the same bucket (a ref), 0 ends the chain
 *   +8        8 B value  float64, inline bytes, or u32 ref of a blob record   (maps only)
 *   +8+V      u32 hash   32-bit hash of the key
 *   +12+V     key bytes  [u32 byte length when the meta says "escaped"] bytes
 *
 * blob record (a value too large to be inline: long string, big bigint, msgpack)
 *   +0        u32 meta   KIND_BLOB | value tag (bits 4-11)
 *   +4        u32 byte length
 *   +8        bytes
 * ```
 *
 * Both regions grow in place: the virtual space above each is free, and a
 * page costs nothing until written. Growing the buckets rewrites the bucket
 * array and relinks every record (chain fields); the log never moves to grow.
 * Dead records (tombstones, superseded blobs) are squeezed out in place when
 * they make up half the log.
 *
 * A ref is `(offset >>> 3) + 1` where offset is the record's byte offset from
 * the start of the log, so a u32 names any record of a log up to 32 GiB and 0
 * stays free to mean "none". Offsets are relative so a log copied whole keeps
 * its refs.
 *
 * The log is the insertion order: `set` appends, `delete` turns the record
 * into a tombstone (kind DELETED, same size) and unlinks it from its chain,
 * re-setting an existing key rewrites its value in place. A rehash copies the
 * live records, in order, into a new generation and drops the dead ones. This
 * is the "deterministic hash table" of Tyler Close (described by Jason
 * Orendorff, "Deterministic hash tables", Mozilla wiki, 2012) that V8's
 * OrderedHashMap and SpiderMonkey's OrderedHashTable implement.
 *
 * @module
 */

// ---- record fields ----

// +0: the u32 meta word (kind, value tag and key length), read as `getUint32(rec)`.
/** u32 ref of the next record of the same bucket (0: end of chain). */
export const R_CHAIN = 4;
/** 8-byte value slot of a map record (8-aligned because records are). */
export const R_VALUE = 8;
/** Bytes of a map record's value slot. A set's records have none. */
export const MAP_VALUE_BYTES = 8;
/** Offset of the hash for a record whose value slot has `vbytes` bytes: `R_HASH0 + vbytes`. */
export const R_HASH0 = 8;
/** Offset of the key bytes for a record whose value slot has `vbytes` bytes: `R_KEY0 + vbytes`. */
export const R_KEY0 = 12;
/** u32 byte length of a blob record's data. */
export const B_LENGTH = 4;
/** First data byte of a blob record. */
export const B_DATA = 8;

/** Records start at multiples of 8 so value slots can hold an aligned float64. */
export const RECORD_ALIGN = 8;
// ---- meta word ----

/** Bits of the record kind. */
export const KIND_MASK = 0xf;
/** Shift of the value tag (8 bits). */
export const TAG_SHIFT = 4;
/** Mask of the value tag once shifted down. */
export const TAG_MASK = 0xff;
/** Shift of the key length in bytes (20 bits). */
export const KLEN_SHIFT = 12;
/**
 * Key length meaning "longer: the real byte length is the u32 before the key
 * bytes". 2^20 - 1 bytes covers every key a program would hash in practice;
 * the escape keeps the meta word at 32 bits without capping key length.
 */
export const KLEN_ESCAPE = 0xfffff;

// ---- record kinds (bits 0-3 of the meta word) ----
// Zero is never written, so a zero meta word marks the end of the log.

/** A deleted entry: skipped by iteration, dropped by the next rehash. Keeps its key length so it can be stepped over. */
export const KIND_DELETED = 1;
/** A blob: the bytes of one value, referenced from an entry's value slot. */
export const KIND_BLOB = 2;
/** Key `undefined` (no key bytes). */
export const KIND_UNDEFINED = 3;
/** Key `null` (no key bytes). */
export const KIND_NULL = 4;
/** Key `false` (no key bytes). */
export const KIND_FALSE = 5;
/** Key `true` (no key bytes). */
export const KIND_TRUE = 6;
/** A number key: its float64 bits, canonical (-0 stored as +0, every NaN as one NaN), as two u32 words lo, hi. */
export const KIND_NUMBER = 7;
/** A bigint key: its hexadecimal digits (with a leading "-" when negative), one byte each. */
export const KIND_BIGINT = 8;
/** A string key whose code units are all below 256: one byte per code unit. */
export const KIND_LATIN1 = 9;
/** Any other string key: its UTF-16 code units, two bytes each, lone surrogates included. */
export const KIND_UTF16 = 10;

// ---- value tags (bits 4-11 of an entry's meta; low 4 bits: the kind of value) ----

/** `undefined`. */
export const V_UNDEFINED = 0;
/** `null`. */
export const V_NULL = 1;
/** `false`. */
export const V_FALSE = 2;
/** `true`. */
export const V_TRUE = 3;
/** A number, as the float64 in the slot (so -0 and NaN round-trip). */
export const V_NUMBER = 4;
/** A string of at most 8 code units below 256, one byte each in the slot; the length is in the tag's high 4 bits. */
export const V_SHORT_LATIN1 = 5;
/** A string of at most 4 code units, two bytes each in the slot; the length is in the tag's high 4 bits. */
export const V_SHORT_UTF16 = 6;
/** A bigint in [-2^63, 2^63), as the int64 in the slot. */
export const V_BIGINT64 = 7;
/** A string of code units below 256 in a blob, one byte each. */
export const V_BLOB_LATIN1 = 8;
/** A string in a blob, as UTF-16 code units. */
export const V_BLOB_UTF16 = 9;
/** Anything else: msgpackr bytes (structured-clone mode) in a blob. */
export const V_BLOB_PACKED = 10;
/** Mask of the value kind in a tag; the high 4 bits hold an inline string's length. */
export const V_KIND_MASK = 0xf;
/** Shift of an inline string's length inside the tag. */
export const V_LEN_SHIFT = 4;
/** Latin-1 code units that fit the 8-byte slot. */
export const SHORT_LATIN1_MAX = 8;
/** UTF-16 code units that fit the 8-byte slot. */
export const SHORT_UTF16_MAX = 4;

// ---- sizing ----

/**
 * Most live entries per bucket before a standalone table grows: 1. With the
 * bucket count a power of two, chains average 0.5 to 1 record; the stored
 * hash rejects almost every foreign record without reading its key, but
 * reading it is a read of another random page: in a large map every record
 * of a chain is one more page-table walk and cache miss. A successful
 * lookup in a chain of load a reads 1 + a/2 records on average: at 1M keys,
 * 1.48 here against 1.95 at V8's OrderedHashTable load of 2 (kLoadFactor),
 * which measured random `get` ~10% faster (issue 13: 2.94 -> ~2.5 random
 * page reads per lookup) for 4 bytes of bucket per 0.5 to 1 entries, 4 to
 * 8 bytes per entry. A table adopted or attached with more entries per
 * bucket (made before) reads the same and grows at its next new key.
 */
export const LOAD_FACTOR = 1;
/**
 * Most live entries per bucket before an embedded table grows: 2, as V8's
 * OrderedHashTable. An app state may hold 100,000 small embedded
 * collections, where bytes count more than a page read (their buckets and
 * log share one heap block).
 */
export const EMBEDDED_LOAD_FACTOR = 2;
/** Fewest buckets: 16, or one page of them when pages hold more (a tiny map takes one bucket page anyway). */
export const MIN_BUCKETS = 16;
/**
 * A delete halves (or more) the bucket array when fewer than
 * `1 / SHRINK_DIVISOR` of the entries the buckets allow are live (V8 shrinks
 * at a quarter of its capacity; here capacity is the load factor per bucket and
 * a resize leaves room for twice the entries, so 8 keeps grow and shrink from
 * chasing each other).
 */
export const SHRINK_DIVISOR = 8;
/**
 * Dead bytes (tombstones and superseded blobs) that trigger an in-place
 * compaction once they are also half the log: each compaction moves at most
 * as many live bytes as dead ones were made since the last, so it is
 * amortized O(1) per write, and the log is never more than twice its live
 * bytes (plus this floor, which spares small maps compactions that would
 * free less than a few pages).
 */
export const COMPACT_MIN_BYTES = 4096;

/**
 * Byte address of the log in a layout-1 space (see {@link TABLE_LAYOUT}):
 * 2^27. Below it, the bucket array has room for 2^25 buckets, i.e. 2^25
 * entries at LOAD_FACTOR 1 (chains grow longer past that, up to
 * MAX_ENTRIES), and grows in place. The log's base sets the page-table depth
 * of every map: at 1 KiB pages, vpn 2^17 needs 6 levels of fanout 8, which a
 * 1M-entry map needs anyway (its 32 MiB log spans 2^15 pages); at 512 B
 * pages it needs 7.
 */
export const LOG_BASE = 2 ** 27;
/**
 * Byte address of the log in a layout-2 space: 2^26, room for 2^24 buckets
 * below it (16,777,216 entries at LOAD_FACTOR 1; chains grow longer past
 * that, up to MAX_ENTRIES, as in a bounded space). At the default 512 B
 * pages its vpn is 2^17, so a map whose log stays under 64 MiB (about 2M
 * entries of 32 bytes) keeps 6 page-table levels, as layout 1 did at 1 KiB.
 */
export const LOG_BASE_2 = 2 ** 26;
/**
 * Layout of the standalone tables this build makes: 2 (log at
 * {@link LOG_BASE_2}). Layout 1 (log at {@link LOG_BASE}) is every
 * standalone table made before; such tables still load
 * (`adoptCollection`, `attachShared`: a saved state or handle without a
 * `layout` is layout 1) and keep their layout in every fork. Embedded tables
 * have no fixed regions and no layout.
 */
export const TABLE_LAYOUT = 2;
/** Most buckets: the region below LOG_BASE (layout 1; embedded tables grow to the same bound). */
export const MAX_BUCKETS = LOG_BASE / 4;
/** Most live entries, in every layout: 2^26, four times native Map's 2^24 (MAX_BUCKETS at EMBEDDED_LOAD_FACTOR). */
export const MAX_ENTRIES = MAX_BUCKETS * EMBEDDED_LOAD_FACTOR;
/** Largest log: refs count 8-byte units in a u32 (`(offset >>> 3) + 1`). */
export const MAX_LOG_BYTES = 2 ** 35 - RECORD_ALIGN;
/**
 * Default virtual size of a standalone collection's space: the bucket region
 * and the largest log, rounded to a power of two. Virtual bytes cost nothing
 * until written, except under a pool's `overcommit: "never"`, which charges
 * every space its size: the `maxBytes` option bounds it.
 */
export const SPACE_BYTES = 2 ** 36;
/**
 * Share of a bounded space (the `maxBytes` option) given to the bucket
 * region: an eighth, rounded down to a power of two, at most LOG_BASE. A log
 * record takes at least 16 bytes and a bucket 4 bytes per 0.5 to 1 entries,
 * so the buckets keep the load factor until the log is at least half full
 * (nearly full for records of 32 bytes or more); past that the bucket array
 * stops doubling and chains grow longer.
 */
export const BUCKET_SHARE = 8;

/** Where the regions of a standalone collection's space of `size` bytes (pages of `pageSize` bytes) go. */
export interface SpaceLayout {
  /** Byte address of the log; the bucket region is `[0, logAddr)`. */
  readonly logAddr: number;
  /** Most buckets the region holds. */
  readonly maxBuckets: number;
  /** Most bytes the log may hold. */
  readonly logBytes: number;
}

/**
 * The regions of a space of `size` bytes in table layout `layout` (1 or 2,
 * see {@link TABLE_LAYOUT}): the layout's log base and the largest log for
 * the default size, smaller regions for a bounded one (both layouts give
 * the same below 512 MiB).
 */
export function spaceLayout(size: number, pageSize: number, layout: number): SpaceLayout {
  let logAddr = layout === 1 ? LOG_BASE : LOG_BASE_2;
  while (logAddr > pageSize && logAddr * BUCKET_SHARE > size) logAddr /= 2;
  return { logAddr, maxBuckets: logAddr / 4, logBytes: Math.min(MAX_LOG_BYTES, size - logAddr) };
}

/** Rounds a byte count up to a multiple of 8 (int32 arithmetic below 2^31, the common case). */
export function align8(n: number): number {
  return n < 0x7ffffff8 ? (n + 7) & ~7 : Math.ceil(n / 8) * 8;
}

// ---- embedded mode: a collection inside a given heap (CowMap.create / CowSet.create) ----
//
// header block (malloc'd, HEADER_BYTES; its address is the collection's `address`)
//   +0   u32 tag      magic (bits 8-31: MAGIC_MAP or MAGIC_SET) | log2 of the buckets (bits 0-7; 0: no data block)
//   +4   u32 size     live entries
//   +8   f64 data     byte address of the data block (0: none yet)
//   +16  u32 used     bytes appended to the log / 8
//   +20  u32 garbage  bytes of dead records in the log / 8
// data block (malloc'd, grown by realloc)
//   +0                u32[nb] buckets (nb >= 2, so the log starts 8-aligned)
//   +4 nb             log, as in a space of its own: refs are offsets from the log's start, so a
//                     data block that moves (realloc) or a log that moves inside it (the buckets
//                     grow) keeps every ref
//
// An empty collection is its header alone (a 32-byte heap block); the first
// entry allocates a data block just large enough for it and 2 buckets.

/** u32 magic and log2(buckets) of an embedded collection's header. */
export const H_TAG = 0;
/** u32 live entries. */
export const H_SIZE = 4;
/** f64 byte address of the data block (0: none). */
export const H_DATA = 8;
/** u32 bytes appended to the log, in 8-byte units. */
export const H_USED = 16;
/** u32 bytes of dead records, in 8-byte units. */
export const H_GARBAGE = 20;
/** Bytes of the header block. */
export const HEADER_BYTES = 24;
/** Tag magic of an embedded CowMap ("pfm"). */
export const MAGIC_MAP = 0x70666d;
/** Tag magic of an embedded CowSet ("pfs"). */
export const MAGIC_SET = 0x706673;
/** Bits of the tag below the magic: log2 of the bucket count. */
export const TAG_MAGIC_SHIFT = 8;
/**
 * Fewest buckets of an embedded collection: 2 (8 bytes), so that a set of a
 * few entries takes a few dozen bytes (an app state may hold 100,000 of them);
 * a standalone table starts with a page of buckets (written anyway).
 */
export const EMBEDDED_MIN_BUCKETS = 2;
/**
 * Dead bytes that let an embedded log compact (once they are also half of
 * it): 64, not COMPACT_MIN_BYTES, because an embedded log is a heap block
 * sized to its contents, not a region of whole pages; a small set that adds
 * and deletes would otherwise grow its block to 8 KiB of tombstones.
 */
export const EMBEDDED_COMPACT_MIN_BYTES = 64;
