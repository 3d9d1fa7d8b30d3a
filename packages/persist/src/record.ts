/**
 * Version records: what the `versions` database holds per name, as JSON.
 *
 * ```
 * { "format": 1, "type": "version", "kind": "text", "pageSize": 256, "size": 268435456,
 *   "shift": 3, "root": "<64 hex digits>" | null, "levels": 4, "pages": 812, "meta": {...} }
 * { "format": 1, "type": "history", "position": 9, "maxVersions": null, "freeze": false,
 *   "entries": [ <version records without "format" and "type"> ] }
 * ```
 *
 * Each record written since review 27 ends with `"sum": "<64 hex digits>"`,
 * the SHA-256 of its text without that member ({@link recordText}). Pages and
 * nodes are checked by their content address, but a record's own numbers (a
 * vector's length, a text's root, a history's position) are not covered by
 * anything else: a changed digit still parses, fits every shape check, and
 * loaded a wrong value. A record without `sum` (written before) is read
 * unchecked, as it was; builds that predate it ignore the member. (A flip
 * that turns the key `"sum"` itself into another valid key makes the record
 * read as one without a checksum: the one damage this cannot see.)
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MAX_PAGE_SHIFT, MAX_PAGES, MIN_PAGE_SHIFT, PT_SHIFT } from "@pagefork/core";
import { FORMAT_VERSION } from "./db.js";
import { throwCorrupt, throwFormat } from "./errors.js";
import type { KindMeta } from "./kinds.js";

/** One saved version: its structure kind, space shape and page-table root. */
export interface Entry {
  readonly kind: string;
  /** Page size in bytes. */
  readonly pageSize: number;
  /** Size of the space in bytes. */
  readonly size: number;
  /** log2 of the page-table fanout. */
  readonly shift: number;
  /** Root node address (hex), null when every page is zero. */
  readonly root: string | null;
  /** Levels of the page-table tree. */
  readonly levels: number;
  /** Non-zero pages. */
  readonly pages: number;
  readonly meta: KindMeta;
}

/** A record of the `versions` database. */
export type VersionRecord =
  | ({ readonly format: number; readonly type: "version" } & Entry)
  | {
      readonly format: number;
      readonly type: "history";
      readonly position: number;
      readonly maxVersions: number | null;
      readonly freeze: boolean;
      readonly entries: readonly Entry[];
    };

/** The tail {@link recordText} appends: the checksum member, last. */
const SUM_TAIL = /,"sum":"([0-9a-f]{64})"\}$/;

/** SHA-256 (hex) of a record's text. O(text). */
function sumOf(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

/**
 * The text stored for `record`: its JSON with a last member `"sum"`, the
 * SHA-256 (hex) of that JSON (see the module comment). O(record).
 * @example
 * ```ts
 * // recordText({ format: 3, type: "version", ... }) === '{"format":3,"type":"version",...,"sum":"5f1c..."}'
 * ```
 */
export function recordText(record: VersionRecord): string {
  const body = JSON.stringify(record);
  return `${body.slice(0, -1)},"sum":"${sumOf(body)}"}`;
}

/**
 * Parses a record and checks its checksum when it has one.
 * @throws {FormatVersionError} for a newer format.
 * @throws {CorruptionError} when it is not a record or fails its checksum.
 */
export function parseRecord(name: string, text: string): VersionRecord {
  let r: VersionRecord & { sum?: unknown };
  try {
    r = JSON.parse(text) as VersionRecord;
  } catch (e) {
    return throwCorrupt(name, null, "the version record is not valid JSON", e);
  }
  if (typeof r !== "object" || r === null || typeof r.format !== "number")
    throwCorrupt(name, null, "the version record has no format number");
  if (r.format > FORMAT_VERSION)
    throwFormat(r.format, FORMAT_VERSION, `version ${JSON.stringify(name)} was saved by a newer format (${r.format})`);
  // after the format: a newer format may check its records otherwise
  if (Object.hasOwn(r, "sum")) {
    const tail = SUM_TAIL.exec(text);
    if (tail === null) throwCorrupt(name, null, "the version record's checksum is not where a save puts it");
    if (sumOf(`${text.slice(0, text.length - tail[0].length)}}`) !== tail[1])
      throwCorrupt(name, null, "the version record fails its checksum");
    delete r.sum;
  }
  const entries = r.type === "history" ? r.entries : r.type === "version" ? [r] : null;
  if (entries === null || !Array.isArray(entries)) return throwCorrupt(name, null, "the version record has no entries");
  for (const e of entries) if (!isEntry(e)) throwCorrupt(name, null, "the version record is malformed");
  if (r.type === "history" && !historyFits(r))
    throwCorrupt(name, null, "the history record's position, maxVersions or freeze do not fit its versions");
  return r;
}

/**
 * True when a history record's own fields fit its versions, as a save writes
 * them: a position among them, a `maxVersions` of null or at least their
 * count, a boolean `freeze`. A record without a checksum (written before
 * review 27) is checked by this alone: a bad `freeze` or `maxVersions` made
 * the History constructor throw after every version was built (their frames
 * never released), and a position outside the versions or a `maxVersions`
 * below their count loaded another history than the one saved.
 */
function historyFits(r: Extract<VersionRecord, { type: "history" }>): boolean {
  const n = r.entries.length;
  return (
    Number.isSafeInteger(r.position) &&
    r.position >= 0 &&
    r.position < n &&
    (r.maxVersions === null || (Number.isSafeInteger(r.maxVersions) && r.maxVersions >= Math.max(1, n))) &&
    typeof r.freeze === "boolean"
  );
}

/** Most levels a stored tree may have: those that cover MAX_PAGES vpns, PT_SHIFT bits a level (11). */
const MAX_LEVELS = Math.ceil(Math.log2(MAX_PAGES) / PT_SHIFT);

/**
 * True when `e` has the shape of an entry a save writes: a kind, a page size
 * the core allows, a size of whole pages (at most 2^32), a level count a
 * tree of that size can have, a non-negative page count that is 0 exactly
 * when the root is null (an all-zero version), and a metadata object. A
 * misshapen record is damage, refused here before anything is built (a
 * size of -256 reached `new AddressSpace` and a missing `meta` a TypeError).
 */
function isEntry(e: Entry): boolean {
  const ps = e.pageSize;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.kind === "string" &&
    Number.isSafeInteger(ps) &&
    ps >= 1 << MIN_PAGE_SHIFT &&
    ps <= 1 << MAX_PAGE_SHIFT &&
    (ps & (ps - 1)) === 0 &&
    Number.isSafeInteger(e.size) &&
    e.size > 0 &&
    e.size % ps === 0 &&
    e.size / ps <= MAX_PAGES &&
    Number.isSafeInteger(e.levels) &&
    e.levels >= 1 &&
    e.levels <= MAX_LEVELS &&
    Number.isSafeInteger(e.pages) &&
    e.pages >= 0 &&
    e.pages <= e.size / ps &&
    (e.root === null ? e.pages === 0 : typeof e.root === "string" && e.pages > 0 && /^[0-9a-f]{64}$/.test(e.root)) &&
    typeof e.meta === "object" &&
    e.meta !== null &&
    !Array.isArray(e.meta)
  );
}

/** The entries (page-table roots) a record holds. */
export function entriesOf(r: VersionRecord): readonly Entry[] {
  return r.type === "history" ? r.entries : [r];
}
