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
 * Putting plain data or a removed draft over a node without copying what it
 * carries over (placeComposite, reconcile) is in reconcile.ts.
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
   * reconcile in reconcile.ts): the inner writes record no patch, the assignment
   * records its own.
   */
  mute: number;
  /** Addresses of the composite nodes in {@link removed}: a view of one of them may move it back. */
  readonly removedAddrs: Set<number>;
  /**
   * Records replaced by a new record that took over their children (see
   * placeComposite in reconcile.ts): address -> names of the fields whose nodes the
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
