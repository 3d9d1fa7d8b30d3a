/**
 * The patches of the value codec (codec.ts): what msgpackr would alter in a
 * value, recorded by the walk (codec-walk.ts) next to the snapshot, and
 * restored after decoding: -0 (written as the integer 0), strings with lone
 * surrogates (UTF-8 cannot carry them), array holes (one patch per array
 * listing their runs), boxed primitives (written as empty objects) and an
 * Error's missing cause (written as undefined). A patch is `[container,
 * where, key, fix]`: where in its container it applies (AT_*) and what it
 * restores (FIX_*).
 *
 * @module
 */

// Where a patch applies inside its container.
export const AT_PROPERTY = 0;
export const AT_MAP_KEY = 1;
export const AT_MAP_VALUE = 2;
export const AT_SET_ELEMENT = 3;
// What a patch restores.
export const FIX_NEG_ZERO = 0;
export const FIX_STRING = 1;
export const FIX_HOLE = 2;
/**
 * An array with holes: the snapshot holds its elements only, in order, and
 * the patch `[FIX_SPARSE, length, runs]` (runs: `[start, end)` pairs of
 * holes, in order) spreads them back to their indices on decode, in place.
 * One patch per array, bytes per element and per run, not per hole: a
 * length-200,000 array with three elements took 3.4 MB and seconds with a
 * patch per hole. Values stored before it used FIX_HOLE per hole and still decode.
 */
export const FIX_SPARSE = 4;
export const FIX_BOXED = 3;
/** Kinds of boxed primitive inside a FIX_BOXED payload. */
const BOX_NUMBER = 0;
const BOX_STRING = 1;
const BOX_BOOLEAN = 2;
const BOX_BIGINT = 3;

/** A lone surrogate: with the `u` flag, paired surrogates form one code point and do not match. */
export const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * The patch restoring a boxed primitive of another realm (which the
 * `instanceof` tests of {@link boxedFixOf} miss: it was stored as `{}`), or
 * null: by tag, confirmed by the `valueOf` that checks the slot.
 */
export function foreignBoxedFix(o: object, tag: string): unknown[] | null {
  try {
    switch (tag) {
      case "[object Number]":
        return [FIX_BOXED, BOX_NUMBER, new Float64Array([Number.prototype.valueOf.call(o)])];
      case "[object String]":
        return [FIX_BOXED, BOX_STRING, units(String.prototype.valueOf.call(o))];
      case "[object Boolean]":
        return [FIX_BOXED, BOX_BOOLEAN, Boolean.prototype.valueOf.call(o)];
      case "[object BigInt]":
        return [FIX_BOXED, BOX_BIGINT, BigInt.prototype.valueOf.call(o)];
      default:
        return null;
    }
  } catch {
    return null; // the tag without the slot: a plain object
  }
}

/** The code units of `s`, for a string msgpackr's UTF-8 would alter. */
export function units(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** The patch restoring a boxed primitive, or null when `o` is not one. Brand-checked with valueOf. */
export function boxedFix(o: object): unknown[] | null {
  try {
    return boxedFixOf(o);
  } catch {
    return null; // Object.create(Number.prototype) and the like: no primitive inside, a plain object
  }
}

function boxedFixOf(o: object): unknown[] | null {
  if (o instanceof Number) return [FIX_BOXED, BOX_NUMBER, new Float64Array([Number.prototype.valueOf.call(o)])];
  if (o instanceof String) return [FIX_BOXED, BOX_STRING, units(String.prototype.valueOf.call(o))];
  if (o instanceof Boolean) return [FIX_BOXED, BOX_BOOLEAN, Boolean.prototype.valueOf.call(o)];
  if (o instanceof BigInt) return [FIX_BOXED, BOX_BIGINT, BigInt.prototype.valueOf.call(o)];
  return null;
}

/** The value a decoded fix stands for; FIX_HOLE is handled by the caller. */
function fixValue(fix: unknown[]): unknown {
  switch (fix[0]) {
    case FIX_NEG_ZERO:
      return -0;
    case FIX_STRING:
      return String.fromCharCode.apply(null, fix[1] as unknown as number[]);
    default: {
      const payload = fix[2];
      switch (fix[1]) {
        case BOX_NUMBER:
          return Object((payload as Float64Array)[0]);
        case BOX_STRING:
          return Object(String.fromCharCode.apply(null, payload as unknown as number[]));
        default:
          return Object(payload);
      }
    }
  }
}

/**
 * Applies decoded patches. A boxed primitive decoded once keeps its identity
 * for every reference to it: fixes are decoded objects shared like any other
 * (structured-clone mode preserves identity), so one box is built per fix.
 */
export function applyPatches(root: unknown, patches: unknown[][]): unknown {
  const boxes = new Map<unknown[], unknown>();
  const restore = (fix: unknown[]): unknown => {
    if (fix[0] !== FIX_BOXED) return fixValue(fix);
    let b = boxes.get(fix);
    if (b === undefined) {
      b = fixValue(fix);
      boxes.set(fix, b);
    }
    return b;
  };
  // Map and Set patches are applied by rebuilding the collection in order.
  const rebuild = new Map<Map<unknown, unknown> | Set<unknown>, unknown[][]>();
  // Arrays with holes, spread out once every element is patched (at its index among the elements).
  const sparse: [unknown[], unknown[]][] = [];
  for (const p of patches) {
    const [container, where, key, fix] = p as [object | null, number, string | number, unknown[]];
    if (container === null) {
      root = restore(fix);
    } else if (where === AT_PROPERTY) {
      if (fix[0] === FIX_SPARSE) sparse.push([container as unknown[], fix]);
      else if (fix[0] === FIX_HOLE) delete (container as Record<string | number, unknown>)[key];
      else (container as Record<string | number, unknown>)[key] = restore(fix);
    } else {
      const c = container as Map<unknown, unknown> | Set<unknown>;
      const list = rebuild.get(c);
      if (list === undefined) rebuild.set(c, [p]);
      else list.push(p);
    }
  }
  for (const [a, fix] of sparse) spread(a, fix[1] as number, fix[2] as number[]);
  for (const [c, list] of rebuild) {
    if (c instanceof Map) {
      const entries = [...c];
      for (const [, where, i, fix] of list as [object, number, number, unknown[]][]) {
        const e = entries[i] as [unknown, unknown];
        if (where === AT_MAP_KEY) e[0] = restore(fix);
        else e[1] = restore(fix);
      }
      c.clear();
      for (const [k, v] of entries) c.set(k, v);
    } else {
      const elements = [...c];
      for (const [, , i, fix] of list as [object, number, number, unknown[]][]) elements[i] = restore(fix);
      c.clear();
      for (const e of elements) c.add(e);
    }
  }
  return root;
}

/**
 * Moves the elements of `a` (in order, holes left out) to their indices in
 * an array of `length` whose holes are the runs `[runs[2r], runs[2r+1])`:
 * in place, as the decoded array may be referenced from elsewhere in the
 * value (itself included). O(elements + runs).
 */
function spread(a: unknown[], length: number, runs: number[]): void {
  const values = a.slice();
  a.length = 0;
  a.length = length;
  let k = 0;
  let i = 0;
  for (let r = 0; r <= runs.length; r += 2) {
    const end = r < runs.length ? (runs[r] as number) : length;
    for (; i < end; i++) a[i] = values[k++];
    if (r < runs.length) i = runs[r + 1] as number;
  }
}
