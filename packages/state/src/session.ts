/**
 * One `produce` call: a writable fork of the base version's space, the
 * drafts handed out so far, and what the call has changed.
 *
 * How a recipe's writes become a new version:
 * - the base's space is forked (O(1)); every draft reads and writes the
 *   fork, so a write copies only the pages it touches (a COW fault);
 * - a write marks its node and every ancestor up to the root *dirty* (as
 *   Immer's `markChanged`); at the end each dirty node gets a new stamp, so
 *   views of unchanged subtrees keep their identity (lineage.ts);
 * - a node removed from the tree (a list element spliced out, a replaced
 *   field, a deleted map entry) is freed only at the end, so its draft stays
 *   readable and can be put back (a move, as `list.splice(j, 0,
 *   ...list.splice(i, 1))` moves an element without copying it);
 * - patches, when asked for, are recorded as the writes happen, with the
 *   path each draft has *now* (list drafts renumber their children on
 *   splice), so they cost O(what changed), never a comparison of states.
 *
 * Atomicity: a value that fails validation is refused before anything is
 * written, so a recipe may catch the `SchemaError` and go on. Any other
 * failure inside a write (an `OutOfMemoryError` from the heap or the pool)
 * poisons the session: the recipe's later draft calls rethrow it and
 * `produce` throws it, after releasing the fork. Nothing of a failed produce
 * survives: the base and every frame are as before.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { type NodeRecord, nodeOf } from "./brand.js";
import { build, underKey } from "./build.js";
import type { Ctx, Handle } from "./containers.js";
import { DraftError, type Path, throwRevoked } from "./errors.js";
import type { Lineage } from "./lineage.js";
import type { Patch, PathKey } from "./patch-types.js";
import type { AnyType } from "./schema.js";
import { jsonOf } from "./values.js";
import type { VersionCtx, ViewFields } from "./version-ctx.js";

/** What every draft record (the target behind a draft) has. */
export interface DraftNode extends NodeRecord {
  readonly session: Session;
  /** The draft that holds this one, null for the root and for removed (detached) drafts. */
  parent: DraftNode | null;
  /** Where in `parent`: a field name, a list index (kept current by splices) or a map key. */
  key: unknown;
  /** True once removed from the tree in this session (until put back). */
  detached: boolean;
  /** True once a write under it was made in this session. */
  dirty: boolean;
  /** The node's stamp in the base version, -1 for a node made in this session. */
  readonly origStamp: number;
  /** What users hold: the Proxy, or the record itself for Map/Set/text drafts. */
  readonly proxy: object;
}

/** Options of a produce call (see produce.ts). */
export interface SessionOptions {
  /** Record patches and inverse patches. */
  readonly patches: boolean;
  /** How text edits are reported: one "splice" patch per edit, or Immer's plain "replace" of the whole text. */
  readonly textPatches: "splice" | "replace";
}

/** Makes the draft of a node (set by draft-struct.ts etc. to avoid an import cycle). */
export type DraftFactory = (session: Session, type: AnyType, addr: number, origStamp: number) => DraftNode;

/** One produce call. */
export class Session implements Ctx {
  /** The version the recipe started from. */
  readonly base: VersionCtx;
  readonly space: AddressSpace;
  readonly heap: Heap;
  readonly lineage: Lineage;
  readonly handles: Map<number, Handle>;
  /** Node address -> its draft record. */
  readonly drafts: Map<number, DraftNode>;
  /** Records written under, in order; each gets a new stamp at the end. */
  readonly dirtyList: DraftNode[];
  /** Composite nodes taken out of the tree: `[type, address]`, freed at the end unless put back. */
  readonly removed: [AnyType, number][];
  readonly patches: Patch[] | null;
  readonly inverse: Patch[] | null;
  readonly textPatches: "splice" | "replace";
  /** Root node address (changes when the recipe returns a replacement). */
  rootAddr: number;
  /** The root's draft record, once made. */
  root: DraftNode | null;
  /** True once anything changed. */
  changed: boolean;
  /**
   * How many times {@link touch} ran: any write of the session bumps it. A
   * caller that runs user code (a sort's comparator) compares it before and
   * after to know whether that code wrote; comparing slot words instead is
   * fooled when a freed block is reallocated at the same address.
   */
  touches: number;
  /** True once the recipe returned or threw: every draft is revoked. */
  done: boolean;
  /** The failure that poisoned the session, if any. */
  error: unknown;
  /**
   * Above 0 while a write reconciles plain data into a node in place (see
   * {@link reconcile}): the inner writes record no patch, the assignment
   * records its own.
   */
  mute: number;
  /** Addresses of the composite nodes in {@link removed}: a view of one of them may move it back. */
  readonly removedAddrs: Set<number>;
  /**
   * Records replaced by a new record that took over their children (see
   * {@link placeComposite}): address -> names of the fields whose nodes the
   * new record holds now. Freeing such a record leaves those nodes alone, and
   * it is copied, never moved, if put back. Null until one is replaced.
   */
  lent: Map<number, Set<string>> | null;

  constructor(base: VersionCtx, space: AddressSpace, heap: Heap, rootAddr: number, options: SessionOptions) {
    this.base = base;
    this.space = space;
    this.heap = heap;
    this.lineage = base.lineage;
    this.handles = new Map();
    this.drafts = new Map();
    this.dirtyList = [];
    this.removed = [];
    this.patches = options.patches ? [] : null;
    this.inverse = options.patches ? [] : null;
    this.textPatches = options.textPatches;
    this.rootAddr = rootAddr;
    this.root = null;
    this.changed = false;
    this.touches = 0;
    this.done = false;
    this.error = undefined;
    this.mute = 0;
    this.removedAddrs = new Set();
    this.lent = null;
  }

  /** Throws when drafts may not be used: after the recipe, or after a failed write. */
  usable(): void {
    if (this.done) throwRevoked();
    if (this.error !== undefined) throw this.error;
  }

  /**
   * Runs a write that validated its input already; a throw from it poisons
   * the session (the draft may be half-written) and is rethrown.
   */
  write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      poison(this, e);
    }
  }
}

/**
 * Records `e`, thrown by a write that validated its input already, as the
 * failure that poisons `s` (see {@link Session.write}), and rethrows it. The
 * hot writes (a field, a typed-array element, a text splice) catch inline
 * and call this instead of passing a closure to `write`: no closure per write.
 */
export function poison(s: Session, e: unknown): never {
  s.error = e;
  throw e;
}

let factory: DraftFactory | null = null;

/** Installs the draft factory (drafts.ts does, at load). */
export function setDraftFactory(f: DraftFactory): void {
  factory = f;
}

/**
 * The draft of the node at `addr` (a composite of `type`), held by `parent`
 * under `key`. One draft per node per session. O(1).
 */
export function draftOf(
  session: Session,
  type: AnyType,
  addr: number,
  parent: DraftNode | null,
  key: unknown,
): DraftNode {
  let d = session.drafts.get(addr);
  if (d === undefined) {
    d = (factory as DraftFactory)(session, type, addr, session.space.getFloat64(addr));
    d.parent = parent;
    d.key = key;
    session.drafts.set(addr, d);
  }
  return d;
}

/** Marks `d` and its ancestors dirty (each once). O(depth) the first time, O(1) after. */
export function touch(d: DraftNode): void {
  const s = d.session;
  s.changed = true;
  s.touches++;
  let x: DraftNode | null = d;
  while (x !== null && !x.dirty) {
    x.dirty = true;
    s.dirtyList.push(x);
    x = x.parent;
  }
}

/** The path of `d` from the root now, or null when it is not in the tree (removed). O(depth). */
export function pathOf(d: DraftNode): unknown[] | null {
  const out: unknown[] = [];
  let x: DraftNode = d;
  while (x.parent !== null) {
    out.push(x.key);
    x = x.parent;
  }
  if (x !== d.session.root || x.detached) return null;
  return out.reverse();
}

/**
 * Records patches and their inverses for a change under `d`, when the
 * session records patches and `d` is in the tree. `make` gets `d`'s path and
 * returns the forward patches and, in the same order, the inverse of each
 * (the inverse list is reversed once, at the end of the produce).
 */
export function emit(d: DraftNode, make: (path: PathKey[]) => [Patch[], Patch[]]): void {
  const s = d.session;
  if (s.patches === null || s.mute > 0) return;
  const p = pathOf(d);
  if (p === null) return;
  const [forward, backward] = make(p as PathKey[]);
  for (const x of forward) s.patches.push(x);
  for (const x of backward) (s.inverse as Patch[]).push(x);
}

/** JSON form of the raw slot value `raw` of `type`, for a patch. */
export function patchValue(s: Session, type: AnyType, raw: unknown): unknown {
  return jsonOf(s, type, raw);
}

/**
 * Takes the composite node at `addr` out of the tree: its draft (if any) is
 * detached, and the node is freed at the end unless put back.
 */
export function removeNode(s: Session, type: AnyType, addr: number): void {
  const d = s.drafts.get(addr);
  if (d !== undefined) {
    d.parent = null;
    d.detached = true;
  }
  s.removed.push([type, addr]);
  s.removedAddrs.add(addr);
}

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
const reconcilers: { struct?: Reconciler; list?: Reconciler; map?: Reconciler; set?: Reconciler } = {};

/** Installs the reconciler of a kind (see {@link reconcile}). */
export function setReconciler(kind: "struct" | "list" | "map" | "set", f: Reconciler): void {
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
 * (`d.byId = new Map(d.byId).set(k, v)`: every other value keeps its node);
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
 */
export function reconcile(
  s: Session,
  type: AnyType,
  addr: number,
  value: unknown,
  parent: DraftNode | null,
  key: unknown,
): boolean {
  if (value === null || typeof value !== "object" || nodeOf(value) !== undefined) return false;
  // A record is written in place only at the root (`return { ...draft, n: 1 }`, whose draft
  // the recipe is done with): elsewhere the struct reconciler declines, and the record becomes
  // a new record (placeComposite), so that a draft of the old one held by the recipe keeps
  // reading what it held and is out of the tree (as Immer's).
  const kind = type.kind;
  const f = reconcilers[kind as "struct" | "list" | "map" | "set"];
  if (f === undefined) return false;
  if (kind === "list" || kind === "struct" ? Array.isArray(value) !== (kind === "list") : false) return false;
  if (kind === "map" && !(value instanceof Map)) return false; // a plain object (JSON form) is built
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

/** The session of a draft, checked usable; throws DraftError for anything else. */
export function sessionOfDraft(value: unknown, what: string): Session {
  const rec = nodeOf(value) as DraftNode | undefined;
  if (rec === undefined || !rec.isDraft)
    throw new DraftError(`${what} expects a draft (the argument of a produce recipe)`);
  return rec.session;
}

/** Path rendering helper for error messages in drafts. */
export function errorPath(d: DraftNode, sub?: unknown): Path {
  const p = pathOf(d) ?? ["(removed)"];
  return (sub === undefined ? p : [...p, sub]) as Path;
}

/**
 * True if `value` is a view of the node at `addr` as `space` (of `lineage`)
 * holds it: a view (not a draft) of the same lineage, address and stamp (a
 * stamp names one content of a node: a node changed or made later has
 * another). The caller checks that no write of the session went under it.
 * Also produce's check of a recipe returning the base's root.
 */
export function isViewAt(lineage: Lineage, space: AddressSpace, addr: number, value: unknown): boolean {
  const rec = nodeOf(value);
  if (rec === undefined || rec.isDraft || rec.addr !== addr) return false;
  const v = rec as unknown as ViewFields;
  return v.ver?.lineage === lineage && v.stamp === space.getFloat64(addr);
}
