/**
 * `produce`, `produceWithPatches`, `original`, `current` and `isDraft`, with
 * Immer's signatures and semantics (https://immerjs.github.io/immer/), over
 * copy-on-write pages instead of copied objects. One run of a recipe, from
 * the fork to the next version, is in produce-run.ts.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { nodeOf } from "./brand.js";
import { DraftError } from "./errors.js";
import type { Patch } from "./patch-types.js";
import { NO_PATCHES, type Produced, run } from "./produce-run.js";
import type { AnyType } from "./schema.js";
import type { DraftNode } from "./session.js";
import type { State } from "./state.js";
import { plainOf } from "./values.js";
import { viewOf } from "./view.js";

/** Options of {@link produceWithPatches} (and the patch-recording forms). */
export interface PatchOptions {
  /**
   * How text edits are reported: `"splice"` (default) gives one
   * `{ op: "splice", path, index, deleteCount, insert }` per edit, O(edit);
   * `"replace"` gives Immer's plain `{ op: "replace", path, value }` with the
   * whole new text, O(text length) per edit, which Immer's `applyPatches`
   * understands.
   */
  textPatches?: "splice" | "replace";
}

/**
 * What a recipe may return, as Immer's `ValidRecipeReturnType`: nothing
 * (the draft's changes make the next version), the draft itself (the same),
 * or a replacement: plain data of the schema, or a view (the base's root
 * gives the base back; any other view or draft is copied).
 */
export type RecipeReturn<S extends AnyType> = S["__input"] | S["__draft"] | S["__view"] | void | undefined;

/**
 * A recipe: changes the draft (`t.Draft<S>`, as Immer's `Draft<T>`) in place,
 * or returns a replacement (see {@link RecipeReturn}).
 * @example
 * ```ts
 * const S = t.struct({ n: t.u8, doc: t.text() });
 * const bump: Recipe<typeof S> = (d) => { d.n++; return d; };
 * const s0 = createState(S, { n: 1, doc: "" });
 * produce(s0, bump).root.n; // 2
 * ```
 */
export type Recipe<S extends AnyType> = (draft: S["__draft"]) => RecipeReturn<S>;

/**
 * Immer's `produce` over a state version: runs `recipe` on a draft of
 * `base` and returns the next version, or `base` itself when the recipe
 * changed nothing (or returned `base.root`, as Immer gives the base back). The draft reads through to `base`'s pages; a write copies
 * only the pages it touches (plus the page-table path to them) into the new
 * version, and marks its record and their ancestors changed so that every
 * untouched subtree keeps its view identity. O(1) to start, then O(what the
 * recipe touches). The first call in a process also runs a small pilot
 * produce on a private state (its own pool: a 64 KiB slab) and keeps it, so
 * that the produce path stays optimised across garbage collections (see
 * shapes.ts).
 *
 * Forms, as Immer's:
 * - `produce(base, recipe)`; the recipe may modify the draft, or return a
 *   replacement value (plain data, views or drafts, copied), not both;
 * - `produce(recipe)` (curried): a function `(base, ...args) => next` that
 *   calls `recipe(draft, ...args)`;
 * - an async recipe (returning a Promise) makes `produce` return a Promise.
 *
 * Drafts support: field assignment and `delete` of optional fields in
 * structs; index assignment, `length` truncation, `push`, `pop`, `shift`,
 * `unshift`, `splice`, `sort`, `reverse` and every non-mutating Array method
 * on lists; `set`, `delete`, `clear` on maps; `add`, `delete`, `clear` on
 * sets; `insert`, `delete`, `splice`, `replace` on texts; index assignment,
 * `set`, `fill`, `copyWithin`, `sort`, `reverse` on typed arrays. A value
 * assigned, pushed or set is plain data of the schema (see `t.Input`); a
 * draft removed in the same recipe (e.g. by `splice`) is moved back without
 * a copy. Plain data assigned over a list is spliced into it, and a plain
 * object returned for a record root is written into the root, so what they
 * carry over (drafts, or views of the base, of the list's elements and the
 * root's fields) keeps its identity and is not copied, as Immer's
 * `d.todos = d.todos.filter(f)` and `return { ...d, n: 1 }` keep theirs;
 * a plain object assigned over a record elsewhere (`d.todos[i] = {
 * ...d.todos[i], done: true }`) is a new record that takes over the old
 * one's children, so what it carries over is not copied either; so is a
 * spread of a list's record among the items of an array assigned over that
 * list (`d.todos = d.todos.map((x) => (x.id === id ? { ...x, done: true } : x))`);
 * a `Map` or `Set` assigned over a map or set keeps the values it carries over.
 *
 * Errors (nothing changes: `base` is untouched and the draft's pages are released):
 * - SchemaError from a write whose value does not fit the schema (thrown by
 *   the write itself, before it changes the draft; a recipe may catch it);
 * - whatever the recipe throws, rethrown;
 * - OutOfMemoryError when the pool or the heap runs out (it also fails every
 *   later draft call of the recipe);
 * - DraftError for a draft used after its recipe returned, or a recipe that
 *   both modified its draft and returned a value;
 * - InvalidArgumentError for a released or foreign `base`.
 *
 * @example
 * ```ts
 * const Todo = t.struct({ id: t.string, title: t.string, done: t.bool, tags: t.set(t.string) });
 * const App = t.struct({ todos: t.list(Todo) });
 * const s0 = createState(App, { todos: [{ id: "a", title: "write", done: false, tags: new Set<string>() }] });
 * const s1 = produce(s0, (d) => {
 *   d.todos[0]!.done = true;
 *   d.todos.push({ id: "b", title: "ship", done: false, tags: new Set(["urgent"]) });
 * });
 * [s0.root.todos.length, s1.root.todos.length]; // [1, 2]
 * s1.root.todos[1]!.tags.has("urgent"); // true
 * const toggle = produce((d: t.Draft<typeof App>, i: number) => { d.todos[i]!.done = !d.todos[i]!.done; });
 * const s2 = toggle(s1, 0);
 * s2.root.todos[0]!.done; // false
 * s2.root.todos[1] === s1.root.todos[1]; // true (unchanged: the same view)
 * for (const s of [s2, s1, s0]) s.release();
 * ```
 */
export function produce<S extends AnyType>(base: State<S>, recipe: Recipe<S>): State<S>;
export function produce<S extends AnyType>(
  base: State<S>,
  recipe: (draft: S["__draft"]) => Promise<RecipeReturn<S>>,
): Promise<State<S>>;
export function produce<S extends AnyType, A extends unknown[]>(
  recipe: (draft: S["__draft"], ...args: A) => RecipeReturn<S>,
): (base: State<S>, ...args: A) => State<S>;
export function produce(a: unknown, b?: unknown): unknown {
  if (typeof a === "function") {
    const recipe = a as (draft: unknown, ...args: unknown[]) => unknown;
    return (base: State, ...args: unknown[]) => produce(base, (d: unknown) => recipe(d, ...args) as never);
  }
  const r = run(a as State, b as (d: unknown) => unknown, NO_PATCHES);
  return r instanceof Promise ? r.then((x) => x.next) : r.next;
}

/**
 * `produce` that also returns the patches of the change and their inverse,
 * in Immer's format: `[next, patches, inversePatches]`. Applying `patches`
 * to `base` gives `next`; applying `inversePatches` to `next` gives `base`
 * back (sets aside: an element re-added goes to the end of the insertion
 * order, as in Immer). Patches are recorded as the recipe writes, in
 * O(what changed); values in them are JSON-compatible (see {@link Patch}).
 *
 * @throws as {@link produce}; TypeError for a recipe that returns a Promise
 *   (its draft is revoked at once: its later writes throw DraftError).
 * @example
 * ```ts
 * const S = t.struct({ count: t.u32, doc: t.text() });
 * const s0 = createState(S, { count: 1, doc: "helo" });
 * const [s1, patches, inverse] = produceWithPatches(s0, (d) => { d.count++; d.doc.insert(3, "l"); });
 * patches; // [{ op: "replace", path: ["count"], value: 2 }, { op: "splice", path: ["doc"], index: 3, deleteCount: 0, insert: "l" }]
 * applyPatches(s1, inverse).toJSON(); // { count: 1, doc: "helo" }
 * ```
 */
export function produceWithPatches<S extends AnyType>(
  base: State<S>,
  recipe: Recipe<S>,
  options: PatchOptions = {},
): [next: State<S>, patches: Patch[], inversePatches: Patch[]] {
  const textPatches = options.textPatches ?? "splice";
  if (textPatches !== "splice" && textPatches !== "replace")
    throw new InvalidArgumentError("textPatches", textPatches, '"splice" or "replace"');
  const r = run(
    base,
    recipe as (d: unknown) => unknown,
    { patches: true, textPatches },
    undefined,
    "produceWithPatches",
  );
  return [(r as Produced<S>).next, (r as Produced<S>).patches, (r as Produced<S>).inverse];
}

/**
 * @internal `produce` for a caller that needs the next version now (a
 * store): a recipe that returns a Promise is refused with a TypeError, its
 * draft revoked and its fork released, instead of `produce`'s Promise.
 */
export function produceNow<S extends AnyType>(base: State<S>, recipe: Recipe<S>, what: string): State<S> {
  return (run(base, recipe as (d: unknown) => unknown, NO_PATCHES, undefined, what) as Produced<S>).next;
}

/** True for a draft (the argument of a recipe, and every value read from it). O(1). */
export function isDraft(value: unknown): boolean {
  return nodeOf(value)?.isDraft === true;
}

/**
 * The base version's view of what `draft` was when the recipe started, as
 * Immer's `original`; undefined for a value created in this recipe.
 * @throws {DraftError} for something that is not a live draft.
 */
export function original<T>(draft: T): unknown {
  const rec = nodeOf(draft) as DraftNode | undefined;
  if (rec === undefined || !rec.isDraft) throw new DraftError("original() expects a draft");
  const s = rec.session;
  s.usable();
  const base = s.base;
  if (base.released || base.space.getFloat64(rec.addr) !== rec.origStamp) return undefined;
  return viewOf(base, rec.type, rec.addr);
}

/**
 * A plain copy of a draft's current contents (or of a view's), as Immer's
 * `current`: objects, arrays, `Map`s, `Set`s, strings for texts and native
 * typed arrays. O(size).
 * @throws {DraftError} for something that is neither a draft nor a view.
 */
export function current<T>(value: T): unknown {
  const rec = nodeOf(value);
  if (rec === undefined) throw new DraftError("current() expects a draft (or a view)");
  if (rec.isDraft) (rec as DraftNode).session.usable();
  return plainOf(rec.ctx(), rec.type, rec.addr);
}
