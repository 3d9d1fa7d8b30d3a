/**
 * One produce run, from the fork of the base to the next version: the
 * recipe called on the root draft (sync, or through its Promise), a
 * returned replacement put in place, new stamps for the changed nodes, the
 * removed nodes freed, the fork frozen; or on any failure the fork released
 * and the base untouched. Also installs the draft factory (the draft record
 * of each kind) and runs the pilot produce (see shapes.ts). The public
 * forms (`produce`, `produceWithPatches`, ...) are in produce.ts.
 *
 * @module
 */
import { Heap, InvalidArgumentError } from "@pagefork/core";
import { build } from "./build.js";
import { check } from "./check.js";
import { isViewAt } from "./draft-common.js";
import { newListDraftRecord } from "./draft-list.js";
import { newMapDraft } from "./draft-map.js";
import { newSetDraft } from "./draft-set.js";
import { newStructDraft } from "./draft-struct.js";
import { newTextDraft } from "./draft-text.js";
import { newTypedDraft } from "./draft-typed.js";
import { DraftError } from "./errors.js";
import { freeNode } from "./free-node.js";
import { SH_ROOT } from "./layout.js";
import type { Patch } from "./patch-types.js";
import { valuePatches } from "./patch-values.js";
import { reconcile } from "./reconcile.js";
import type { AnyType, ListType, MapType, SetType, StructType, TypedArrayType } from "./schema.js";
import { type DraftNode, draftOf, removeNode, Session, setDraftFactory } from "./session.js";
import { keepPilot, pilotPending, pilotState } from "./shapes.js";
import { State } from "./state.js";

setDraftFactory((s, type, addr, origStamp): DraftNode => {
  switch (type.kind) {
    case "struct":
      return newStructDraft(s, type as StructType, addr, origStamp);
    case "list":
      return newListDraftRecord(s, type as ListType, addr, origStamp);
    case "map":
      return newMapDraft(s, type as MapType, addr, origStamp);
    case "set":
      return newSetDraft(s, type as SetType, addr, origStamp);
    case "text":
      return newTextDraft(s, type, addr, origStamp);
    default:
      return newTypedDraft(s, type as TypedArrayType, addr, origStamp);
  }
});

/** What one produce run gives back. */
export interface Produced<S extends AnyType> {
  next: State<S>;
  patches: Patch[];
  inverse: Patch[];
}

export const NO_PATCHES = { patches: false, textPatches: "splice" } as const;

function checkBase(base: unknown): asserts base is State {
  if (!(base instanceof State)) throw new InvalidArgumentError("base", base, "a State (from createState or produce)");
  if (base.released) throw new InvalidArgumentError("base", base, "a State that was not released");
}

/** Runs `recipe` on a draft of `base`; the new version (or `base`), its patches and inverse patches. */
export function run<S extends AnyType>(
  base: State<S>,
  recipe: (draft: unknown) => unknown,
  options: { patches: boolean; textPatches: "splice" | "replace" },
  keep?: (s: Session) => void,
  sync?: string,
): Produced<S> | Promise<Produced<S>> {
  checkBase(base);
  if (typeof recipe !== "function") throw new TypeError("produce: the recipe must be a function");
  if (pilotPending()) runPilot();
  const space = base.space.fork(); // O(1); may refuse under overcommit "never" (nothing to undo)
  let s: Session;
  try {
    s = new Session(base, space, Heap.attach(space, space.pageSize), base.rootAddr, options);
    s.root = draftOf(s, base.schema, base.rootAddr, null, undefined);
  } catch (e) {
    space.release();
    throw e;
  }
  let result: unknown;
  try {
    result = recipe(s.root.proxy);
  } catch (e) {
    abort(s);
    throw e;
  }
  keep?.(s);
  if (result !== null && typeof result === "object" && typeof (result as Promise<unknown>).then === "function") {
    if (sync !== undefined) {
      // A caller that needs the version now (produceWithPatches, a store): drop the session
      // at once, so its fork keeps no frame while the recipe's promise is pending, and
      // revoke the drafts, so the recipe's writes after an await throw DraftError instead
      // of landing in a version nobody holds. That rejection is the recipe's own: handled
      // here, since the TypeError below is what the caller sees.
      abort(s);
      try {
        (result as Promise<unknown>).then(undefined, () => {});
      } catch {
        // a thenable whose then throws: nothing to handle
      }
      throw new TypeError(`${sync}: the recipe returned a Promise (use an async wrapper)`);
    }
    return (result as Promise<unknown>).then(
      (r) => finish(base, s, r),
      (e) => {
        abort(s);
        throw e;
      },
    );
  }
  return finish(base, s, result);
}

/** Runs the pilot produce once per process and keeps its session (see shapes.ts). */
function runPilot(): void {
  try {
    const [s0, recipe] = pilotState();
    const r = run(s0, recipe as (d: unknown) => unknown, NO_PATCHES, keepPilot) as Produced<AnyType>;
    run(r.next, recipe as (d: unknown) => unknown, { patches: true, textPatches: "splice" }, keepPilot);
  } catch {
    // only speed is lost: the next produces run as before
  }
}

/** Drops a session: revokes its drafts and releases its fork. */
function abort(s: Session): void {
  s.done = true;
  s.space.release();
}

function finish<S extends AnyType>(base: State<S>, s: Session, result: unknown): Produced<S> {
  try {
    if (s.error !== undefined) throw s.error;
    const root = s.root as DraftNode;
    if (result !== undefined && result !== root.proxy) {
      if (s.changed)
        throw new DraftError(
          "the recipe returned a new value *and* modified its draft: either return a value or modify the draft",
        );
      // As Immer, a recipe returning its base (base.root, original(draft)) gives the base back,
      // not a copy with new stamps (frames for every node, every view's identity changed).
      if (!isViewAt(base.lineage, base.space, base.rootAddr, result)) replaceRoot(base.schema, s, result);
    }
    if (!s.changed) {
      abort(s);
      return { next: base, patches: [], inverse: [] };
    }
    commit(s);
  } catch (e) {
    abort(s);
    throw e;
  }
  s.done = true;
  // No handle map: the draft's handles would stay alive with every kept version (~1 KB of
  // JS objects each); views attach what they read, lazily, into a map made on first use.
  const next = new State(base.schema, s.space, s.heap, s.lineage, null, s.rootAddr);
  return { next, patches: s.patches ?? [], inverse: s.inverse === null ? [] : s.inverse.reverse() };
}

/** The recipe returned a replacement: it becomes the new root (validated, copied), the old one is freed. */
function replaceRoot(schema: AnyType, s: Session, value: unknown): void {
  check(schema, value, []);
  const old = s.rootAddr;
  // the old root's patches (valuePatches: maps inside keep their order), read before the write
  const undo = s.patches === null ? null : valuePatches(s, "replace", [], schema, old);
  // plain data of a record or list root: written into it in place, as Immer keeps what
  // `return { ...draft, n: 1 }` carries over (see reconcile); equal content changes nothing
  const touches = s.touches;
  const done = s.write(() => reconcile(s, schema, old, value, null, undefined));
  if (done && s.touches === touches) return;
  if (!done)
    s.write(() => {
      const addr = build(s, schema, value);
      removeNode(s, schema, old);
      s.rootAddr = addr;
      s.space.setFloat64(SH_ROOT, addr);
      s.changed = true;
    });
  if (s.patches !== null) {
    valuePatches(s, "replace", [], schema, s.rootAddr, s.patches);
    // last to first: the inverse list is reversed as a whole at the end (see backward() in patches.ts)
    const inverse = s.inverse as Patch[];
    for (let i = (undo as Patch[]).length - 1; i >= 0; i--) inverse.push((undo as Patch[])[i] as Patch);
  }
}

/** New stamps for every dirty node (the root last: the largest), then the frees, then freeze. */
function commit(s: Session): void {
  const space = s.space;
  const root = s.root as DraftNode;
  const dirty = s.dirtyList;
  for (let i = 0; i < dirty.length; i++) {
    const d = dirty[i] as DraftNode;
    if (d !== root) space.setFloat64(d.addr, s.lineage.stamp());
  }
  if (root.dirty && !root.detached) space.setFloat64(root.addr, s.lineage.stamp());
  if (s.removed.length > 0) freeRemoved(s);
  space.freeze();
}

/** Frees the nodes taken out of the tree and not put back. */
function freeRemoved(s: Session): void {
  const freed = new Set<number>();
  for (const [type, addr] of s.removed) {
    if (freed.has(addr)) continue;
    const d = s.drafts.get(addr);
    if (d !== undefined && !d.detached) continue; // put back in the tree: a move
    freed.add(addr);
    freeNode(s, type, addr);
  }
}
