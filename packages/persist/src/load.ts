/**
 * Rebuilding versions from their records: one from scratch, the next
 * version of a history as a fork of the one before it, a whole history.
 *
 * @module
 */
import { type FramePool, History } from "@pagefork/core";
import type { AnyType } from "@pagefork/state";
import type { Dbs } from "./db.js";
import { throwCorrupt } from "./errors.js";
import type { Persistable } from "./kinds.js";
import { rebuild } from "./rebuild.js";
import type { Entry, VersionRecord } from "./record.js";
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

/**
 * The history of record `rec` (of at least one entry, page sizes checked),
 * rebuilt in `pool`: each version after the first a fork of the one before it
 * with the differing pages written, at the saved position. A failure releases
 * every version built. O(first version's pages + changed pages).
 */
export function readHistory(
  dbs: Dbs,
  name: string,
  rec: Extract<VersionRecord, { type: "history" }>,
  pool: FramePool,
  schema: AnyType | undefined,
): History<Persistable> {
  const versions: Persistable[] = [];
  try {
    let prev: Entry | undefined;
    for (const e of rec.entries) {
      const last = versions[versions.length - 1];
      versions.push(
        prev !== undefined && last !== undefined
          ? nextEntry(dbs, name, prev, e, last, pool, schema)
          : readEntry(dbs, name, e, pool, schema),
      );
      prev = e;
    }
  } catch (err) {
    for (const v of versions) v.release();
    throw err;
  }
  const opts = rec.maxVersions === null ? { freeze: rec.freeze } : { freeze: rec.freeze, maxVersions: rec.maxVersions };
  const history = new History<Persistable>(versions[0] as Persistable, opts);
  for (let i = 1; i < versions.length; i++) history.commit(versions[i] as Persistable);
  for (let i = versions.length - 1; i > rec.position; i--) history.undo();
  return history;
}
