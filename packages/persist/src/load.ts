/**
 * Rebuilding versions from their records: one from scratch, or the next
 * version of a history as a fork of the one before it.
 *
 * @module
 */
import type { FramePool } from "@pagefork/core";
import type { AnyType } from "@pagefork/state";
import type { Dbs } from "./db.js";
import { throwCorrupt } from "./errors.js";
import { type Persistable, rebuild } from "./kinds.js";
import type { Entry } from "./record.js";
import { readPages } from "./snapshot.js";
import { applyTreeDiff } from "./tree-diff.js";

/** One entry rebuilt from scratch. */
export function readEntry(dbs: Dbs, name: string, e: Entry, pool: FramePool, schema: AnyType | undefined): Persistable {
  const r = rebuild(name, e.kind, e.size, e.meta, pool, schema);
  try {
    const pages = e.root === null ? 0 : readPages(dbs, name, Buffer.from(e.root, "hex"), e.levels, r.space);
    // The record's page count is not covered by a checksum: a tree that holds other pages
    // than the record says is a record of another version, or a damaged one.
    if (pages !== e.pages)
      throwCorrupt(name, null, `the version record counts ${e.pages} pages, its page-table tree holds ${pages}`);
    return r.finish();
  } catch (err) {
    r.abort();
    throw err;
  }
}

/** Entry `e` rebuilt as a fork of `prevVersion` (entry `prev`) with the differing pages written. */
export function nextEntry(
  dbs: Dbs,
  name: string,
  prev: Entry,
  e: Entry,
  prevVersion: Persistable,
  pool: FramePool,
  schema: AnyType | undefined,
): Persistable {
  const r = rebuild(
    name,
    e.kind,
    e.size,
    e.meta,
    pool,
    schema,
    prev.kind === e.kind && prev.size === e.size ? prevVersion : null,
  );
  try {
    const a =
      prev.root === null || !r.forked
        ? { root: null, levels: 1 }
        : { root: Buffer.from(prev.root, "hex"), levels: prev.levels };
    applyTreeDiff(
      dbs,
      name,
      a,
      { root: e.root === null ? null : Buffer.from(e.root, "hex"), levels: e.levels },
      r.space,
    );
    return r.finish();
  } catch (err) {
    r.abort();
    throw err;
  }
}
