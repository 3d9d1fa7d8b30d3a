/**
 * Plain data, drafts and views put over the tree's nodes without copying
 * what they carry over: {@link placeComposite} (the node to store for a
 * composite value: a removed draft moved back, plain data over a record
 * taking over its children, else a copy) and {@link reconcile} (plain data
 * written into a node in place), with the installers of the kind-specific
 * parts (the record replacer of draft-struct.ts, the reconcilers of the
 * draft modules). Split from session.ts, whose session state they use.
 *
 * @module
 */
import { nodeOf } from "./brand.js";
import { build, underKey } from "./build.js";
import type { AnyType } from "./schema.js";
import { type DraftNode, draftOf, errorPath, isViewAt, type Session } from "./session.js";

/**
 * Makes the new record for plain data `value` assigned over the record at
 * `old` (held by `parent` under `key`), taking over `old`'s children
 * (installed by draft-struct.ts, see {@link placeComposite}); returns its address.
 */
type Replacer = (s: Session, type: AnyType, old: number, value: object, parent: DraftNode, key: unknown) => number;
let replacer: Replacer | null = null;

/** Installs the record replacer of {@link placeComposite}. */
export function setReplacer(f: Replacer): void {
  replacer = f;
}

/**
 * The node address to store for a validated composite `value` placed under
 * `parent` at `key`: a removed draft of this session is moved back (no
 * copy, identity kept), anything else is copied as new nodes. Plain data
 * over a record `old` held by `parent` (`d.todos[i] = { ...d.todos[i],
 * done: true }`, `d.project = { ...d.project, name }`) becomes a new record
 * that takes over `old`'s children: what the data carries over (their
 * drafts, or views showing them as they are) keeps its node and identity,
 * as Immer's new object keeps the drafts spread into it; the rest is written
 * over them as a recipe would. The caller removes `old` afterwards (a
 * splice may have taken it out already: a spread of it among the items); its
 * draft keeps reading its own fields (as Immer's draft of the old object
 * does) and shares those children with the new record.
 */
export function placeComposite(
  s: Session,
  type: AnyType,
  value: unknown,
  parent: DraftNode,
  key: unknown,
  old = 0,
): number {
  if (old > 0 && type.kind === "struct" && replacer !== null && typeof value === "object" && value !== null) {
    const d = s.drafts.get(old);
    // `old` is held by `parent`, or a splice of `parent` took it out just now (a spread of it among the items)
    const held = d === undefined || (d.parent === parent && !d.detached);
    const taken = d?.detached === true && s.removedAddrs.has(old) && s.lent?.has(old) !== true;
    if (nodeOf(value) === undefined && (held || taken)) return replacer(s, type, old, value, parent, key);
  }
  const rec = removedDraftOf(s, type, value);
  if (rec !== undefined && !isAncestor(rec, parent)) {
    rec.detached = false;
    rec.parent = parent;
    rec.key = key;
    return rec.addr;
  }
  try {
    return build(s, type, value);
  } catch (e) {
    throw underKey(e, errorPath(parent, key)); // a value whose reads changed: name its path from the root
  }
}

/**
 * The removed (detached) draft of this session that `value` names, if any:
 * the draft itself, or a view (of this lineage) of a removed node whose
 * content it still shows (nothing under the node written in this session),
 * e.g. the base's view of a list element that a splice or a reconciled
 * assignment took out: `d.todos = base.root.todos.filter(f)` moves the kept
 * records back, as their drafts would. O(1).
 */
function removedDraftOf(s: Session, type: AnyType, value: unknown): DraftNode | undefined {
  const rec = nodeOf(value) as DraftNode | undefined;
  if (rec === undefined || rec.type !== type) return undefined;
  if (s.lent?.has(rec.addr)) return undefined; // its children are another record's now: copied
  if (rec.isDraft) return rec.session === s && rec.detached ? rec : undefined;
  const addr = rec.addr;
  if (!s.removedAddrs.has(addr) || !isViewAt(s.lineage, s.space, addr, value)) return undefined;
  const d = s.drafts.get(addr);
  if (d !== undefined) return d.detached && !d.dirty ? d : undefined;
  // removed with no draft made (a map entry deleted, a field replaced): still out of the tree,
  // since putting a node back makes its draft
  const made = draftOf(s, type, addr, null, undefined);
  made.detached = true;
  return made;
}

/**
 * The reconcilers of {@link reconcile}, by kind (installed by draft-struct.ts
 * and draft-list.ts, as the draft factory, to avoid an import cycle): they
 * write plain data `value` into the node at `addr` through its draft.
 */
type Reconciler = (
  s: Session,
  type: AnyType,
  addr: number,
  value: unknown,
  parent: DraftNode | null,
  key: unknown,
) => boolean;
type ReconciledKind = "struct" | "list" | "map" | "set" | "text" | "typedArray";
const reconcilers: { [K in ReconciledKind]?: Reconciler } = {};

/** Installs the reconciler of a kind (see {@link reconcile}). */
export function setReconciler(kind: ReconciledKind, f: Reconciler): void {
  reconcilers[kind] = f;
}

/**
 * Assigns plain data `value` (validated against `type`) over the node at
 * `addr` held by `parent` under `key` *in place*, so that what Immer's idioms
 * carry over keeps its identity: a list given an array is spliced (the same
 * elements at both ends stay; records carried over, as drafts or as views of
 * this lineage showing the node as it is, move back instead of being copied:
 * `d.todos = d.todos.filter(f)`, `base.root.todos.filter(f)`, `[...d.todos,
 * x]`); a map given a `Map` or a set given a `Set` or array keeps the entries
 * it holds in the same order, deletes those it lacks and sets the rest
 * (`d.byId = new Map(d.byId).set(k, v)`: every other value keeps its node;
 * a map given a plain object, its JSON form, the same by its keys read as
 * the map's keys, in the object's key order); a text given a string is
 * spliced where it differs (its common prefix and suffix kept: `d.doc =
 * value` of a controlled `<textarea>` copies the leaves of the edit, not
 * the text), and a typed array given an array or typed array is written
 * where its elements differ (Immer's `d.grid = next` copies the pages of
 * the cells that changed);
 * a root record given an object takes it field by field (`return {
 * ...d, n: 1 }` writes `n`). Every node carried over keeps its address and
 * stamp, hence its view, and nothing is copied; a value equal to the node's
 * content changes nothing at all. A record elsewhere than the root is not
 * written in place (false): {@link placeComposite} makes a new record
 * taking over the old one's children (even for equal content, as Immer's
 * assignment of a new object replaces the draft), so that a draft of the old one
 * that the recipe holds keeps reading what it held, as Immer's does (a
 * list's draft, by contrast, reads the new elements). The caller records the
 * assignment's patches (the inner writes record none). True if it did; false
 * for a view or a draft (copied or moved as before) or another kind: build
 * it. A failure inside is the caller's to poison the session with (the node
 * may be half written). O(what differs) writes, O(size of `value`) reads.
 * A text or list draft the recipe holds reads the new content afterwards
 * (Immer's old string or array would not change).
 */
export function reconcile(
  s: Session,
  type: AnyType,
  addr: number,
  value: unknown,
  parent: DraftNode | null,
  key: unknown,
): boolean {
  const kind = type.kind;
  if (kind === "text") {
    if (typeof value !== "string") return false;
  } else if (value === null || typeof value !== "object" || nodeOf(value) !== undefined) return false;
  // A record is written in place only at the root (`return { ...draft, n: 1 }`, whose draft
  // the recipe is done with): elsewhere the struct reconciler declines, and the record becomes
  // a new record (placeComposite), so that a draft of the old one held by the recipe keeps
  // reading what it held and is out of the tree (as Immer's).
  const f = reconcilers[kind as ReconciledKind];
  if (f === undefined) return false;
  if (kind === "list" || kind === "struct" ? Array.isArray(value) !== (kind === "list") : false) return false;
  if (kind === "set" && !(value instanceof Set) && !Array.isArray(value)) return false;
  const d = s.drafts.get(addr);
  if (d !== undefined && (d.detached || d.parent !== parent)) return false;
  s.mute++;
  try {
    return f(s, type, addr, value, parent, key);
  } finally {
    s.mute--;
  }
}

/** True if `a` is `b` or one of `b`'s ancestors. */
function isAncestor(a: DraftNode, b: DraftNode): boolean {
  for (let x: DraftNode | null = b; x !== null; x = x.parent) if (x === a) return true;
  return false;
}
