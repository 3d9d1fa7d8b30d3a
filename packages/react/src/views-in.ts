/**
 * The views a selected value holds (for its pin, see pins.ts): a view found
 * by its node record, plain data, Maps, Sets and class instances walked.
 *
 * @module
 */
import { NODE, type State } from "@pagefork/state";

/** The node record of a view (`addr`, `stamp`), or undefined for any other value. */
export function viewRecord(value: object): { addr: number; stamp: number } | undefined {
  const r = (value as { [NODE]?: { isDraft?: boolean; addr?: number; stamp?: number } })[NODE];
  return r !== undefined && r.isDraft === false && typeof r.addr === "number" && typeof r.stamp === "number"
    ? (r as { addr: number; stamp: number })
    : undefined;
}

/** Most views {@link viewsIn} looks for in one selection, and most objects it walks. */
const WALK_LIMIT = 10_000;

/** What {@link viewsIn} found in a selected value. */
export interface Found {
  /** The views met (the value itself if it is one). */
  readonly views: object[];
  /**
   * True if the walk saw all the value holds: nothing but views, plain
   * objects, arrays, Maps and Sets, at most {@link WALK_LIMIT} objects. False
   * when something may hold a view the walk cannot see (a class instance's
   * private fields, a function's closure, objects past the limit).
   */
  readonly whole: boolean;
}

/**
 * The views a selected value holds, for its pin: the value itself if it is a
 * view; else the views among the values of plain data (an array, or an
 * object whose prototype is `Object.prototype` or null: its own enumerable
 * values), `Map`s (keys and values) and `Set`s (values), at any depth. A
 * class instance is walked through its own enumerable properties, but the
 * walk is then not whole (it may hold views where the walk cannot look:
 * `#private` fields, getters), nor is it for a function (its closure) or past
 * {@link WALK_LIMIT} objects: such a value's pin keeps its version and never
 * moves, and the views found still hold it. An empty, whole result: plain
 * data holding no view (nothing to read from a version later).
 * O(objects walked).
 */
export function viewsIn(value: object): Found {
  if (viewRecord(value) !== undefined) return { views: [value], whole: true };
  const views: object[] = [];
  let whole = true;
  const seen = new Set<object>();
  const stack: object[] = [value];
  const visit = (v: unknown) => {
    if (typeof v === "function") whole = false;
    else if (v !== null && typeof v === "object") stack.push(v);
  };
  while (stack.length > 0) {
    const x = stack.pop() as object;
    if (seen.has(x)) continue;
    if (seen.size >= WALK_LIMIT) return { views, whole: false };
    seen.add(x);
    if (viewRecord(x) !== undefined) {
      views.push(x);
      continue;
    }
    if (x instanceof Map) {
      for (const [k, v] of x) {
        visit(k);
        visit(v);
      }
      continue;
    }
    if (x instanceof Set) {
      for (const v of x) visit(v);
      continue;
    }
    if (!Array.isArray(x)) {
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) whole = false;
    }
    for (const k of Object.keys(x)) visit((x as Record<string, unknown>)[k]);
  }
  return { views, whole };
}

/**
 * True if version `state` holds the node content of view record `rec` (its
 * stamp at its address). False for a view of another store's state, whose
 * address may lie outside `state`'s space.
 */
export function holds(state: State, rec: { addr: number; stamp: number }): boolean {
  try {
    return state.space.getFloat64(rec.addr) === rec.stamp;
  } catch {
    return false;
  }
}
