/**
 * The versions a store handle saved last, kept to diff the next save against
 * (incremental saves): per name, an O(1) fork of the version saved (sharing
 * every frame) and the tree saved with it, and which name was saved last (a
 * first save under a new name is diffed against its version: saving a fork
 * under a new name costs its changes too).
 *
 * @module
 */
import type { Dbs } from "./db.js";
import { encodeKey } from "./keys.js";
import type { Saved } from "./save.js";

/** One store handle's kept versions. */
export class Baselines {
  readonly #saved = new Map<string, Saved>();
  /** The name saved last. */
  #lastName: string | null = null;

  /**
   * The version to diff a save of `name` against: the one this store saved
   * last under `name`, else under the name saved last; only while the store
   * still holds it under that name (its record has the tree's root). Another
   * handle on the same directory may have replaced or deleted it: the tree's
   * nodes may then be gone from the store, and a save that assumed them
   * failed with a CorruptionError ("a page the version shares is missing")
   * at every try, in a sound store. O(1): one record read and parsed.
   */
  get(dbs: Dbs, name: string): Saved | undefined {
    const own = this.#saved.get(name);
    if (own !== undefined) return holds(dbs, name, own) ? own : undefined;
    const last = this.#lastName;
    const s = last === null ? undefined : this.#saved.get(last);
    return s !== undefined && holds(dbs, last as string, s) ? s : undefined;
  }

  /** Keeps `saved` (owning its fork) as what `name` holds now; releases the one it replaces. */
  remember(name: string, saved: Saved): void {
    this.forget(name);
    this.#saved.set(name, saved);
    this.#lastName = name;
  }

  /** Releases the version kept for `name`, if any. */
  forget(name: string): void {
    const s = this.#saved.get(name);
    if (s === undefined) return;
    s.baseline.release();
    this.#saved.delete(name);
    if (this.#lastName === name) this.#lastName = null;
  }

  /** Releases every version kept. */
  clear(): void {
    for (const name of [...this.#saved.keys()]) this.forget(name);
  }
}

/** True when the record under `name` holds the version `s` (same tree root and levels). */
function holds(dbs: Dbs, name: string, s: Saved): boolean {
  const text = dbs.versions.get(encodeKey(name));
  if (text === undefined) return false;
  let r: { type?: unknown; root?: unknown; levels?: unknown };
  try {
    r = JSON.parse(text);
  } catch {
    return false; // not a record of this version (putRecord reports the damage)
  }
  const root = s.tree.root === null ? null : (s.tree.root.hash as Buffer).toString("hex");
  return r !== null && r.type === "version" && r.root === root && r.levels === s.tree.levels;
}
