/**
 * Error classes of the store. Each has a stable `code` (and `instanceof`
 * recognises one thrown by the package's other build); they are thrown from
 * the small `throwX(): never` helpers at the bottom.
 *
 * @module
 */
import { brandErrorClass } from "@pagefork/core";

/**
 * The store holds bytes that are not what was saved: a page or page-table
 * node whose checksum (its SHA-256 content address) does not match, one that
 * is missing, one of the wrong length, a version record that does not parse,
 * or a database file that is truncated or damaged. Never a wrong value: a
 * load that meets one throws this instead of returning anything.
 *
 * @example
 * ```ts
 * const e = new CorruptionError("doc", 3, "checksum mismatch");
 * [e.code, e.version, e.page]; // ["ERR_STORE_CORRUPT", "doc", 3]
 * e.message; // "store corrupt: version \"doc\", page 3: checksum mismatch"
 * ```
 */
export class CorruptionError extends Error {
  /** Stable error code. */
  readonly code = "ERR_STORE_CORRUPT";
  /** Name of the version being read, or null when the damage is in the store itself (its file or format record). */
  readonly version: string | null;
  /**
   * Page index (vpn: byte address / page size) whose page or page-table path
   * is damaged, or null when the damage is not in one page (a version record, the file).
   */
  readonly page: number | null;
  /**
   * @param version - the version's name, or null.
   * @param page - the page index, or null.
   * @param detail - what is wrong.
   * @param cause - the underlying error, if any (an LMDB error, say).
   */
  constructor(version: string | null, page: number | null, detail: string, cause?: unknown) {
    const where = [version === null ? "" : `version ${JSON.stringify(version)}`, page === null ? "" : `page ${page}`]
      .filter((s) => s !== "")
      .join(", ");
    super(`store corrupt: ${where === "" ? "" : `${where}: `}${detail}`, cause === undefined ? undefined : { cause });
    this.name = "CorruptionError";
    this.version = version;
    this.page = page;
  }
}
brandErrorClass(CorruptionError, "ERR_STORE_CORRUPT");

/**
 * The store (or one version record in it) was written by a newer format
 * version of `@pagefork/persist` than this one reads, or is not a pagefork
 * store at all. Nothing was read or changed.
 *
 * @example
 * ```ts
 * const e = new FormatVersionError(2, 1);
 * [e.code, e.found, e.supported]; // ["ERR_STORE_FORMAT", 2, 1]
 * ```
 */
export class FormatVersionError extends Error {
  /** Stable error code. */
  readonly code = "ERR_STORE_FORMAT";
  /** Format version found in the store (NaN when the magic itself is wrong). */
  readonly found: number;
  /** Newest format version this build reads. */
  readonly supported: number;
  /**
   * @param found - the format version in the store.
   * @param supported - the newest one this build reads.
   * @param detail - optional explanation (what was found instead of the magic).
   */
  constructor(found: number, supported: number, detail?: string) {
    super(
      detail ??
        `store format version ${found} is newer than this @pagefork/persist reads (up to ${supported}): upgrade @pagefork/persist`,
    );
    this.name = "FormatVersionError";
    this.found = found;
    this.supported = supported;
  }
}
brandErrorClass(FormatVersionError, "ERR_STORE_FORMAT");

/**
 * `load`, `loadHistory` or `delete` of a name the store does not hold, or
 * `load` of a history record (use `loadHistory`) and the reverse.
 *
 * @example
 * ```ts
 * const e = new VersionNotFoundError("draft");
 * [e.code, e.version]; // ["ERR_VERSION_NOT_FOUND", "draft"]
 * ```
 */
export class VersionNotFoundError extends Error {
  /** Stable error code. */
  readonly code = "ERR_VERSION_NOT_FOUND";
  /** The name asked for. */
  readonly version: string;
  /**
   * @param version - the name asked for.
   * @param detail - optional explanation.
   */
  constructor(version: string, detail?: string) {
    super(detail ?? `no version named ${JSON.stringify(version)} in the store`);
    this.name = "VersionNotFoundError";
    this.version = version;
  }
}
brandErrorClass(VersionNotFoundError, "ERR_VERSION_NOT_FOUND");

/** Throws {@link CorruptionError}. */
export function throwCorrupt(version: string | null, page: number | null, detail: string, cause?: unknown): never {
  throw new CorruptionError(version, page, detail, cause);
}

/** Throws {@link FormatVersionError}. */
export function throwFormat(found: number, supported: number, detail?: string): never {
  throw new FormatVersionError(found, supported, detail);
}

/** Throws {@link VersionNotFoundError}. */
export function throwNotFound(version: string, detail?: string): never {
  throw new VersionNotFoundError(version, detail);
}
