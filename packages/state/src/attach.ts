/**
 * A State over an address space that already holds one: what a store that
 * saved a version's pages (`@pagefork/persist`) needs to give it back.
 *
 * @module
 */
import { type AddressSpace, Heap, InvalidArgumentError, isAddressSpace, ReleasedError } from "@pagefork/core";
import { SchemaError } from "./errors.js";
import { SH_MAGIC, SH_PAGE_SIZE, SH_ROOT, SH_VERSION, STATE_LAYOUT_VERSION, STATE_MAGIC } from "./layout.js";
import { Lineage } from "./lineage.js";
import { type AnyType, isComposite, Type } from "./schema.js";
import { State } from "./state.js";

/** Options of {@link attachState}. */
export interface AttachStateOptions {
  /**
   * The value {@link nextStampOf} gave for the saved version (or for the
   * newest version of its lineage), so that records made by later `produce`
   * calls never reuse a stamp of the loaded data (stamps name record contents
   * for view identity). Default 1: right only for a state whose lineage
   * made no record, so pass it. A positive safe integer.
   */
  nextStamp?: number;
  /**
   * A version whose lineage the attached one joins, instead of starting a
   * new one: a version attached before from a save of the same lineage
   * (e.g. the version before it in a saved History). Versions of one
   * lineage can be diffed (`diffPatches`) and share views of equal
   * records. Only for versions whose pages came from one lineage: stamps
   * name record contents within a lineage, so joining versions of two would
   * make `diffPatches` miss changes.
   */
  lineageOf?: State;
}

/**
 * The next stamp of `state`'s lineage (versions from one `createState`):
 * every record of every version of the lineage has a smaller one. Persist it
 * with the state's pages and give it to {@link attachState}. O(1).
 * @example
 * ```ts
 * const s = createState(t.struct({ n: t.f64 }), { n: 1 });
 * nextStampOf(s) > 1; // true
 * s.release();
 * ```
 */
export function nextStampOf(state: State): number {
  if (!(state instanceof State)) throw new InvalidArgumentError("state", state, "a State");
  return state.lineage.nextStamp;
}

/**
 * A version of a state of `schema` over `space`, an address space whose
 * pages hold such a state (written by `createState`/`produce` in this
 * process or another, and copied back page for page, as `@pagefork/persist`
 * does). The state takes `space` over: it freezes it, and `release()` of the
 * state releases it. It and the versions produced from it form a new
 * lineage, or join `options.lineageOf`'s. O(1):
 * only the state header (page 0) is read.
 * @throws {SchemaError} when `schema` is not a composite schema type.
 * @throws {InvalidArgumentError} when `space` is not an AddressSpace, its page
 *   0 is not a state header of this layout version and page size, or
 *   `nextStamp` is not a positive safe integer, or `lineageOf` is not a State
 *   of `schema`; nothing changed then.
 * @throws {ReleasedError} when `space` was released.
 * @example
 * ```ts
 * const Doc = t.struct({ title: t.string });
 * const s0 = createState(Doc, { title: "saved" });
 * // Copy the pages that hold data (a diff against an empty space lists them).
 * const copy = new AddressSpace({ size: s0.space.size, pageSize: s0.pageSize });
 * const empty = new AddressSpace({ size: s0.pageSize, pool: s0.space.pool });
 * for (const a of s0.space.diff(empty, { compare: "frames" })) copy.write(a, s0.space.read(a, new Uint8Array(s0.pageSize)));
 * empty.release();
 * const s1 = attachState(Doc, copy, { nextStamp: nextStampOf(s0) });
 * s1.root.title; // "saved"
 * const s2 = produce(s1, (d) => { d.title = "edited"; });
 * [s1.root.title, s2.root.title]; // ["saved", "edited"]
 * s2.release(); s1.release(); s0.release();
 * ```
 */
export function attachState<S extends AnyType>(
  schema: S,
  space: AddressSpace,
  options: AttachStateOptions = {},
): State<S> {
  if (!(schema instanceof Type) || !isComposite(schema))
    throw new SchemaError([], "a composite root type (t.struct, t.list, t.map, ...)", String(schema));
  if (!isAddressSpace(space)) throw new InvalidArgumentError("space", space, "an AddressSpace");
  if (space.released) throw new ReleasedError("address space");
  const next = options.nextStamp ?? 1;
  if (!Number.isSafeInteger(next) || next < 1)
    throw new InvalidArgumentError("nextStamp", next, "a positive safe integer (from nextStampOf)");
  const ps = space.pageSize;
  const header = `a state header (layout ${STATE_LAYOUT_VERSION}, page size ${ps}) in page 0`;
  if (
    space.size < 2 * ps ||
    space.getUint32(SH_MAGIC) !== STATE_MAGIC ||
    space.getUint32(SH_VERSION) !== STATE_LAYOUT_VERSION ||
    space.getUint32(SH_PAGE_SIZE) !== ps
  )
    throw new InvalidArgumentError("space", space, header);
  const root = space.getFloat64(SH_ROOT);
  if (!Number.isSafeInteger(root) || root < ps || root >= space.size)
    throw new InvalidArgumentError("space", space, `${header} with a root address inside the heap`);
  const join = options.lineageOf;
  if (join !== undefined) {
    if (!(join instanceof State)) throw new InvalidArgumentError("lineageOf", join, "a State");
    if (join.schema !== schema) throw new InvalidArgumentError("lineageOf", join, "a State of the same schema");
  }
  const heap = Heap.attach(space, ps);
  if (!space.frozen) space.freeze();
  let lineage: Lineage;
  if (join === undefined) lineage = new Lineage(next);
  else {
    lineage = join.lineage;
    lineage.observe(next - 1); // later stamps above this version's too
  }
  return new State(schema, space, heap, lineage, new Map(), root);
}
