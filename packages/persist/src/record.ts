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
  for (const e of entries)
    if (
      typeof e.kind !== "string" ||
      !Number.isSafeInteger(e.size) ||
      !Number.isSafeInteger(e.pageSize) ||
      !Number.isSafeInteger(e.levels) ||
      (e.root !== null && !/^[0-9a-f]{64}$/.test(e.root))
    )
      throwCorrupt(name, null, "the version record is malformed");
  return r;
}

/** The entries (page-table roots) a record holds. */
export function entriesOf(r: VersionRecord): readonly Entry[] {
  return r.type === "history" ? r.entries : [r];
}
