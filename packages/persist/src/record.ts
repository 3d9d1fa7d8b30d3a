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
 * @module
 */

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

/**
 * Parses a record.
 * @throws {FormatVersionError} for a newer format.
 * @throws {CorruptionError} when it is not a record.
 */
export function parseRecord(name: string, text: string): VersionRecord {
  let r: VersionRecord;
  try {
    r = JSON.parse(text) as VersionRecord;
  } catch (e) {
    return throwCorrupt(name, null, "the version record is not valid JSON", e);
  }
  if (typeof r !== "object" || r === null || typeof r.format !== "number")
    throwCorrupt(name, null, "the version record has no format number");
  if (r.format > FORMAT_VERSION)
    throwFormat(r.format, FORMAT_VERSION, `version ${JSON.stringify(name)} was saved by a newer format (${r.format})`);
  const entries = r.type === "history" ? r.entries : r.type === "version" ? [r] : null;
  if (entries === null || !Array.isArray(entries)) return throwCorrupt(name, null, "the version record has no entries");
  for (const e of entries) if (!isEntry(e)) throwCorrupt(name, null, "the version record is malformed");
  return r;
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
