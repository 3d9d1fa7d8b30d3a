/**
 * Drafts of structs: trap-on-write Proxies over records in a session's fork
 * (one module-level handler; the draft record is the Proxy target, as in
 * Immer's proxy.ts). Reads read through to the pages; a write validates,
 * writes the fork (copying only the pages it touches), marks the path to the
 * root dirty and records its patch.
 *
 * @module
 */

import { NODE, viaProxy } from "./brand.js";
import { check, scalarFits } from "./check.js";
import { unchanged, wrapDraft } from "./draft-common.js";
import { throwSchema } from "./errors.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import type { Patch } from "./patch-types.js";
import { backward, mayHoldMap, valuePatches } from "./patch-values.js";
import { placeComposite, reconcile, setReconciler, setReplacer } from "./reconcile.js";
import { type AnyType, type Field, isComposite, type StructType } from "./schema.js";
import {
  type DraftNode,
  draftOf,
  emit,
  errorPath,
  patchValue,
  poison,
  removeNode,
  type Session,
  touch,
} from "./session.js";
import { fieldPointer, readField, writeField } from "./slots.js";
import { freeString, readString, writeString } from "./strings.js";
import { jsonOf } from "./values.js";
import { shallowStruct } from "./view.js";

class StructDraft implements DraftNode {
  readonly session: Session;
  readonly type: StructType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  constructor(session: Session, type: StructType, addr: number, origStamp: number) {
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    this.proxy = new Proxy(this, STRUCT_DRAFT);
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
  [INSPECT](depth: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const rec = viaProxy(this); // Node calls it on the Proxy
    return inspect(shallowStruct(rec.proxy, rec.type), { ...options, depth });
  }
}

/** Assigns a value to field `f` of a struct draft (`undefined` removes an optional field). */
export function assignField(rec: StructDraft, f: Field, value: unknown): void {
  const s = rec.session;
  s.usable();
  if (value === undefined) {
    if (!f.optional) throwSchema(errorPath(rec, f.name), f.declared.describe(), value, "a required field");
  } else if (value === null) {
    if (!f.nullable) throwSchema(errorPath(rec, f.name), f.declared.describe(), value);
  } else if (!scalarFits(f.type, value)) check(f.type, value, errorPath(rec, f.name));
  const space = s.space;
  const old = readField(space, rec.addr, f);
  if (unchanged(s, f.type, old, value)) return;
  // A value that may hold a map goes in a patch as valuePatches' group (an
  // object would reorder integer-like keys); any other as its JSON form, one
  // patch, no group made (the hot path: W9's writes are scalar fields).
  const ordered = s.patches !== null && mayHoldMap(f.type);
  const oldJson = s.patches === null || old === undefined || ordered ? undefined : patchValue(s, f.type, old);
  // the old value's patches, read before the write (its nodes go), relative to this record
  const undo =
    ordered && old !== undefined
      ? valuePatches(s, value === undefined ? "add" : "replace", [f.name], f.type, old)
      : null;
  const kind = f.type.kind;
  const comp = isComposite(f.type);
  const touches = s.touches;
  try {
    const oldPtr = kind === "string" || comp ? fieldPointer(space, rec.addr, f) : -1;
    // plain data over a record or list: written into it in place (see reconcile)
    if (comp && oldPtr > 0 && reconcile(s, f.type, oldPtr, value, rec, f.name)) {
      if (s.touches === touches) return; // equal content: nothing changed
      touch(rec);
      emitAssign(rec, f, old, oldJson, undo, ordered);
      return;
    }
    let enc = 0;
    if (value !== undefined && value !== null) {
      if (kind === "string") enc = writeString(s.heap, value as string);
      else if (comp) enc = placeComposite(s, f.type, value, rec, f.name, oldPtr);
    }
    writeField(space, rec.addr, f, value, enc);
    if (oldPtr > 0) {
      if (kind === "string") freeString(s.heap, oldPtr);
      else if (!unlend(s, rec.addr, f.name)) removeNode(s, f.type, oldPtr);
    }
    touch(rec);
  } catch (e) {
    poison(s, e);
  }
  emitAssign(rec, f, old, oldJson, undo, ordered);
}

/** Records the patches of an assignment to field `f` of `rec` (`old`: the raw value before, with its JSON or valuePatches). */
function emitAssign(
  rec: StructDraft,
  f: Field,
  old: unknown,
  oldJson: unknown,
  undo: Patch[] | null,
  ordered: boolean,
): void {
  const s = rec.session;
  const space = s.space;
  if (s.patches === null) return; // no closure for emit() when no patches are recorded
  emit(rec, (p) => {
    const path = [...p, f.name];
    const now = readField(space, rec.addr, f);
    if (ordered)
      return [
        now === undefined
          ? [{ op: "remove", path }]
          : valuePatches(s, old === undefined ? "add" : "replace", path, f.type, now),
        undo === null ? [{ op: "remove", path }] : backward(p, undo),
      ];
    const nowJson = now === undefined ? undefined : patchValue(s, f.type, now);
    if (old === undefined) return [[{ op: "add", path, value: nowJson }], [{ op: "remove", path }]];
    if (now === undefined) return [[{ op: "remove", path }], [{ op: "add", path, value: oldJson }]];
    return [[{ op: "replace", path, value: nowJson }], [{ op: "replace", path, value: oldJson }]];
  });
}

function structDraftToJSON(this: { [NODE]: StructDraft }): unknown {
  const rec = this[NODE];
  rec.session.usable();
  return jsonOf(rec.session, rec.type, rec.addr);
}

function readDraftField(rec: StructDraft, f: Field): unknown {
  const s = rec.session;
  s.usable();
  return wrapDraft(s, f.type, readField(s.space, rec.addr, f), rec, f.name);
}

const STRUCT_DRAFT: ProxyHandler<StructDraft> = {
  get(rec, prop) {
    if (typeof prop === "string") {
      const f = rec.type.byName.get(prop);
      if (f !== undefined) return readDraftField(rec, f);
      if (prop === "toJSON") return structDraftToJSON;
    } else if (prop === NODE) return rec;
    return Reflect.get(Object.prototype, prop);
  },
  set(rec, prop, value) {
    const f = typeof prop === "string" ? rec.type.byName.get(prop) : undefined;
    if (f === undefined)
      throwSchema(errorPath(rec, String(prop)), "no such field", value, `fields: ${rec.type.names.join(", ")}`);
    assignField(rec, f, value);
    return true;
  },
  deleteProperty(rec, prop) {
    const f = typeof prop === "string" ? rec.type.byName.get(prop) : undefined;
    if (f === undefined) return true;
    assignField(rec, f, undefined);
    return true;
  },
  has(rec, prop) {
    if (typeof prop === "string") {
      const f = rec.type.byName.get(prop);
      if (f !== undefined) return !f.optional || readDraftField(rec, f) !== undefined;
    }
    return prop in Object.prototype;
  },
  ownKeys(rec) {
    rec.session.usable();
    const space = rec.session.space;
    const keys: string[] = [];
    for (const f of rec.type.fields) if (!f.optional || readField(space, rec.addr, f) !== undefined) keys.push(f.name);
    return keys;
  },
  getOwnPropertyDescriptor(rec, prop) {
    const f = typeof prop === "string" ? rec.type.byName.get(prop) : undefined;
    if (f === undefined) return undefined;
    const value = readDraftField(rec, f);
    if (value === undefined && f.optional) return undefined;
    return { value, writable: true, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Object.prototype;
  },
  defineProperty(_rec, prop) {
    throw new TypeError(`cannot define property ${String(prop)} on a draft: assign it`);
  },
  setPrototypeOf() {
    throw new TypeError("cannot set the prototype of a draft");
  },
  preventExtensions() {
    throw new TypeError("cannot prevent extensions of a draft");
  },
};

/** A new struct draft record. */
export function newStructDraft(session: Session, type: StructType, addr: number, origStamp: number): DraftNode {
  return new StructDraft(session, type, addr, origStamp);
}

/**
 * True if field `name` of the replaced record at `addr` was lent to its
 * replacement (see {@link replaceRecord}), which holds that node now: the
 * field no longer lends it (it is about to hold another value), and the
 * caller must not remove the node. O(1).
 */
function unlend(s: Session, addr: number, name: string): boolean {
  return s.lent?.get(addr)?.delete(name) === true;
}

// Plain data assigned over a record (see reconcile in session.ts): each field
// read once, then assigned as the recipe would (a field given its own draft
// or an equal value changes nothing; a nested record or list is reconciled too).
// Only at the root: elsewhere, as in Immer, a record assigned an object is
// replaced by a new one, even with equal content (a draft of the old record the
// recipe holds is out of the tree from then on): see replaceRecord.
setReconciler("struct", (s, type, addr, value, parent, key) => {
  if (parent !== null) return false;
  const fields = (type as StructType).fields;
  const xs: unknown[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) xs[i] = (value as Record<string, unknown>)[(fields[i] as Field).name];
  const rec = draftOf(s, type, addr, parent, key) as StructDraft;
  for (let i = 0; i < fields.length; i++) assignField(rec, fields[i] as Field, xs[i]);
  return true;
});

/**
 * Plain data `value` assigned over the record at `old`, away from the root
 * (see placeComposite in session.ts): a new record that takes over `old`'s
 * children. It starts as a copy of `old`'s block (its strings copied, its
 * child nodes lent: `old` and it point at the same nodes, whose drafts it
 * holds now), then each field is assigned as a recipe would, muted: a child
 * given its own draft or a view of it as it is stays (no copy, its identity
 * kept), a list given an array is spliced, a record given plain data is
 * replaced the same way, anything else replaces the child (which `old` keeps
 * reading). `old`'s draft keeps its own fields, as Immer's draft of the old
 * object does; freeing `old` leaves what it lent alone. O(fields) plus what
 * the assignments cost. Returns the new record's address.
 */
function replaceRecord(s: Session, type: AnyType, old: number, value: object, parent: DraftNode, key: unknown): number {
  const st = type as StructType;
  const fields = st.fields;
  const xs: unknown[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) xs[i] = (value as Record<string, unknown>)[(fields[i] as Field).name];
  const space = s.space;
  const addr = s.heap.calloc(st.bytes);
  space.copyWithin(addr, old, old + st.bytes);
  space.setFloat64(addr, s.lineage.stamp());
  const rec = draftOf(s, type, addr, parent, key) as StructDraft;
  const lent = new Set<string>();
  for (const f of fields) {
    if (f.type.kind !== "string" && !isComposite(f.type)) continue;
    const p = fieldPointer(space, old, f);
    if (p <= 0) continue;
    if (f.type.kind === "string") {
      writeField(space, addr, f, "", writeString(s.heap, readString(space, p)));
      continue;
    }
    const child = s.drafts.get(p);
    if (child !== undefined) {
      child.parent = rec;
      child.key = f.name;
    } else draftOf(s, f.type, p, rec, f.name); // a later read through the old record's draft gets this one
    lent.add(f.name);
  }
  if (lent.size > 0) {
    if (s.lent === null) s.lent = new Map();
    s.lent.set(old, lent);
  }
  s.mute++;
  try {
    for (let i = 0; i < fields.length; i++) assignField(rec, fields[i] as Field, xs[i]);
  } finally {
    s.mute--;
  }
  return addr;
}
setReplacer(replaceRecord);
