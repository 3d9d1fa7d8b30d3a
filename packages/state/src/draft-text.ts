/**
 * Drafts of texts: the read API of a text view plus `insert`, `delete`,
 * `splice` and `replace`, on the embedded CowText of the session's fork.
 *
 * @module
 */

import { InvalidArgumentError } from "@pagefork/core";
import type { CowText } from "@pagefork/string";
import { NODE } from "./brand.js";
import { handleOf } from "./containers.js";
import { emptyCharAt, emptyCharCodeAt, emptySlice, readsOf } from "./indices.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import { setReconciler } from "./reconcile.js";
import type { AnyType } from "./schema.js";
import { type DraftNode, draftOf, emit, poison, type Session, touch } from "./session.js";

/** A draft of a `t.text` value: the read API of a text view plus edits (UTF-16 code units). */
export class TextDraftImpl implements DraftNode, Iterable<string> {
  readonly session: Session;
  readonly type: AnyType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  constructor(session: Session, type: AnyType, addr: number, origStamp: number) {
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    this.proxy = this;
  }
  get [NODE](): this {
    return this;
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
  private text(create: boolean): CowText | null {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, create) as CowText | null;
  }
  /** Length in UTF-16 code units. O(1). */
  get length(): number {
    return this.text(false)?.length ?? 0;
  }
  slice(start?: number, end?: number): string {
    return this.text(false)?.slice(start, end) ?? emptySlice(start, end);
  }
  charAt(index: number): string {
    return this.text(false)?.charAt(index) ?? emptyCharAt(index);
  }
  charCodeAt(index: number): number {
    return this.text(false)?.charCodeAt(index) ?? emptyCharCodeAt(index);
  }
  at(index: number): string | undefined {
    return readsOf(this.text(false)).at(index);
  }
  codePointAt(pos: number): number | undefined {
    return readsOf(this.text(false)).codePointAt(pos);
  }
  // `= undefined` keeps the position out of each search method's `length` (1, as String.prototype's).
  indexOf(searchString: string, position: number | undefined = undefined): number {
    return readsOf(this.text(false)).indexOf(searchString, position);
  }
  lastIndexOf(searchString: string, position: number | undefined = undefined): number {
    return readsOf(this.text(false)).lastIndexOf(searchString, position);
  }
  includes(searchString: string, position: number | undefined = undefined): boolean {
    return readsOf(this.text(false)).includes(searchString, position);
  }
  startsWith(searchString: string, position: number | undefined = undefined): boolean {
    return readsOf(this.text(false)).startsWith(searchString, position);
  }
  endsWith(searchString: string, endPosition: number | undefined = undefined): boolean {
    return readsOf(this.text(false)).endsWith(searchString, endPosition);
  }
  substring(start: number, end?: number): string {
    return readsOf(this.text(false)).substring(start, end);
  }
  toString(): string {
    return this.text(false)?.toString() ?? "";
  }
  valueOf(): string {
    return this.toString();
  }
  toJSON(): string {
    return this.toString();
  }
  *[Symbol.iterator](): IterableIterator<string> {
    const t = this.text(false);
    if (t !== null) yield* t;
  }
  /**
   * Inserts `text` before code unit `pos`. O(height + text.length / leaf) pages written.
   * @throws {InvalidArgumentError} unless `pos` is an integer in [0, length]; TypeError for a non-string.
   */
  insert(pos: number, text: string): void {
    this.splice(pos, 0, text);
  }
  /**
   * Deletes `count` code units from `pos`.
   * @throws {InvalidArgumentError} unless `[pos, pos + count)` is inside the text.
   */
  delete(pos: number, count: number): void {
    this.splice(pos, count, "");
  }
  /**
   * Deletes `deleteCount` code units at `pos`, then inserts `text` there: one edit, one patch
   * (none, and no change, when `text` is the units it deletes).
   * @throws {InvalidArgumentError} for a position or count outside the text; TypeError for a non-string.
   */
  splice(pos: number, deleteCount: number, text = ""): void {
    const s = this.session;
    const len = this.length;
    if (!Number.isInteger(pos) || pos < 0 || pos > len)
      throw new InvalidArgumentError("pos", pos, `an integer in [0, ${len}]`);
    if (!Number.isInteger(deleteCount) || deleteCount < 0 || pos + deleteCount > len)
      throw new InvalidArgumentError("deleteCount", deleteCount, `an integer in [0, ${len - pos}]`);
    if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
    if (deleteCount === 0 && text.length === 0) return;
    // Units put back over themselves (`replace` with the text it holds, as a
    // bound input's value is written back): a no-op, as Immer's same-value
    // assignment; O(deleteCount) read, no write, no new version.
    const same = deleteCount === text.length ? this.slice(pos, pos + deleteCount) : null;
    if (same === text) return;
    const replace = s.patches !== null && s.textPatches === "replace";
    const before = replace ? this.toString() : "";
    const deleted =
      s.patches !== null && !replace && deleteCount > 0 ? (same ?? this.slice(pos, pos + deleteCount)) : "";
    try {
      const t = this.text(true) as CowText;
      if (deleteCount > 0) t.delete(pos, deleteCount);
      if (text.length > 0) t.insert(pos, text);
      touch(this);
    } catch (e) {
      poison(s, e);
    }
    if (s.patches === null) return; // no closure for emit() when no patches are recorded
    emit(this, (p) =>
      replace
        ? [[{ op: "replace", path: p, value: this.toString() }], [{ op: "replace", path: p, value: before }]]
        : [
            [{ op: "splice", path: p, index: pos, deleteCount, insert: text }],
            [{ op: "splice", path: p, index: pos, deleteCount: text.length, insert: deleted }],
          ],
    );
  }
  /** Replaces the whole text (one splice). */
  replace(text: string): void {
    this.splice(0, this.length, text);
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    return `[TextDraft: ${inspect(this.toString(), options)}]`;
  }
}

/** A new text draft record. */
export function newTextDraft(s: Session, type: AnyType, addr: number, origStamp: number): DraftNode {
  return new TextDraftImpl(s, type, addr, origStamp);
}

// A string assigned over a text (see reconcile in reconcile.ts): one splice of
// what lies between the common prefix and the common suffix, so the text keeps
// its rope and only the leaves the edit touches are copied: `d.doc = value` of
// a controlled <textarea> copied the whole text on every keystroke. O(length)
// reads (the caller compared the two already), O(edit) writes.
setReconciler("text", (s, type, addr, value, parent, key) => {
  const rec = draftOf(s, type, addr, parent, key) as TextDraftImpl;
  const old = rec.toString();
  const next = value as string;
  const max = Math.min(old.length, next.length);
  let a = 0;
  while (a < max && old.charCodeAt(a) === next.charCodeAt(a)) a++;
  let b = 0;
  while (b < max - a && old.charCodeAt(old.length - 1 - b) === next.charCodeAt(next.length - 1 - b)) b++;
  rec.splice(a, old.length - a - b, next.slice(a, next.length - b));
  return true;
});
