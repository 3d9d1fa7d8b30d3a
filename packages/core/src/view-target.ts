/**
 * The state record behind a proxy view (the Proxy's target) and element
 * access through the address space: the element kinds, canonical numeric
 * keys, value conversion and per-element loads and stores. See
 * `proxy-view.ts` for the public side.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import {
  type ElementKind,
  KIND_FLOAT32 as F32,
  KIND_FLOAT64 as F64,
  KIND_INT8 as I8,
  KIND_INT16 as I16,
  KIND_INT32 as I32,
  KIND_BIGINT64 as I64,
  type NativeTypedArray,
  KIND_UINT8 as U8,
  KIND_UINT8_CLAMPED as U8C,
  KIND_UINT16 as U16,
  KIND_UINT32 as U32,
} from "./element-kind.js";
import { throwReleased } from "./errors.js";
import { INSPECT_CUSTOM, type InspectFunction, type InspectOptions, inspectElements } from "./inspect.js";

/** The key under which the handler's `get` trap hands out a view's target (immer's DRAFT_STATE). */
export const STATE: unique symbol = Symbol("pagefork.view");

/**
 * The Proxy target of a view: a plain record, every field set in the one
 * constructor so all views share one hidden class. Nothing per view but this
 * record and the Proxy itself: the handler and the prototype are module-level.
 */
export class ViewTarget {
  readonly space: AddressSpace;
  readonly kind: ElementKind;
  /** `kind.code`, copied so `load`/`store` switch on a field of the target. */
  readonly code: number;
  /** Bytes per element. */
  readonly width: number;
  /** Byte address of element 0 in `space`. */
  readonly byteOffset: number;
  /** Number of elements. */
  readonly length: number;
  constructor(space: AddressSpace, kind: ElementKind, byteOffset: number, length: number) {
    this.space = space;
    this.kind = kind;
    this.code = kind.code;
    this.width = kind.bytes;
    this.byteOffset = byteOffset;
    this.length = length;
  }

  /**
   * How `console.log` / `util.inspect` show a view. Node looks this method up
   * on a Proxy's target (it never calls the traps) and calls it on the proxy.
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    const t = targetOf(this) ?? this; // Node calls it with `this` = the proxy
    const head = `${t.kind.Native.name} view(${t.length}) @ ${t.byteOffset}`;
    if (t.space.released) return `${head} <released>`;
    return inspectElements(head, t.length, (n) => copyOut(t, 0, n), depth, options, inspect);
  }
}

/**
 * Not a canonical numeric string: an ordinary property key. See
 * {@link numericKey}.
 */
export const NOT_NUMERIC = -2;
/** A canonical numeric string that is not an integer index ("-0", "1.5", "-1", "NaN", "Infinity"). */
export const NOT_INDEX = -1;

/**
 * Classifies a property key as ECMAScript's CanonicalNumericIndexString does
 * for typed arrays: an integer index >= 0 (possibly past the end), NOT_INDEX
 * for any other numeric string (reads give undefined, writes are ignored) or
 * NOT_NUMERIC (an ordinary property name).
 */
export function numericKey(key: string | symbol): number {
  if (typeof key !== "string") return NOT_NUMERIC;
  const n = key.length;
  // Fast path: decimal digits, no leading zero; 15 digits stay below 2^53.
  if (n > 0 && n <= 15) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const d = key.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n && (n === 1 || key.charCodeAt(0) !== 48)) return v;
  }
  if (key === "-0") return NOT_INDEX;
  const num = Number(key);
  if (String(num) !== key) return NOT_NUMERIC;
  return Number.isInteger(num) && num >= 0 ? num : NOT_INDEX;
}

/** `target` when its space is alive; ReleasedError otherwise. */
export function live(target: ViewTarget): ViewTarget {
  if (target.space.released) throwReleased("address space");
  return target;
}

/** The target of a view, or undefined for any other value. */
export function targetOf(value: unknown): ViewTarget | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const t = (value as { [STATE]?: unknown })[STATE];
  return t instanceof ViewTarget ? t : undefined;
}

/** `value` converted as a store into a native array of `target`'s kind converts it. */
export function convert(target: ViewTarget, value: unknown): number | bigint {
  const s = target.kind.scratch;
  s[0] = value as never;
  return s[0] as number | bigint;
}

/** Element `i` (in range) read through the space: TLB hit or page-table walk. */
export function load(t: ViewTarget, i: number): number | bigint {
  const s = t.space;
  const a = t.byteOffset + i * t.width;
  switch (t.code) {
    case I8:
      return s.getInt8(a);
    case U8:
    case U8C:
      return s.getUint8(a);
    case I16:
      return s.getInt16(a);
    case U16:
      return s.getUint16(a);
    case I32:
      return s.getInt32(a);
    case U32:
      return s.getUint32(a);
    case F32:
      return s.getFloat32(a);
    case F64:
      return s.getFloat64(a);
    case I64:
      return s.getBigInt64(a);
    default:
      return s.getBigUint64(a);
  }
}

/** Stores an already converted value at element `i` (in range) through the fault path. */
export function store(t: ViewTarget, i: number, v: number | bigint): void {
  const s = t.space;
  const a = t.byteOffset + i * t.width;
  switch (t.code) {
    case I8:
      s.setInt8(a, v as number);
      break;
    case U8:
    case U8C:
      s.setUint8(a, v as number);
      break;
    case I16:
      s.setInt16(a, v as number);
      break;
    case U16:
      s.setUint16(a, v as number);
      break;
    case I32:
      s.setInt32(a, v as number);
      break;
    case U32:
      s.setUint32(a, v as number);
      break;
    case F32:
      s.setFloat32(a, v as number);
      break;
    case F64:
      s.setFloat64(a, v as number);
      break;
    case I64:
      s.setBigInt64(a, v as bigint);
      break;
    default:
      s.setBigUint64(a, v as bigint);
      break;
  }
}

/** Elements `[from, to)` copied into a new native array of the view's kind (one bulk read). */
export function copyOut(t: ViewTarget, from: number, to: number): NativeTypedArray {
  const out = new t.kind.Native(to - from);
  if (to > from) t.space.read(t.byteOffset + from * t.width, out);
  return out;
}

/** Writes a native array of the view's kind at element `at` (bulk: checked and reserved first). */
export function copyIn(t: ViewTarget, at: number, src: NativeTypedArray): void {
  if (src.length > 0) t.space.write(t.byteOffset + at * t.width, src);
}

/** First index >= from of `value` (NaN matches NaN when `nan`), read page by page at native speed. */
export function scan(t: ViewTarget, from: number, value: unknown, nan: boolean): number {
  if (from >= t.length) return -1;
  let base = from;
  for (const c = t.space.spans(t.kind.Native, t.byteOffset + from * t.width, t.length - from); c.next(); ) {
    const a = c.array as ArrayLike<unknown>;
    for (let i = c.start; i < c.end; i++) {
      const x = a[i];
      if (x === value || (nan && Number.isNaN(x))) return base + i - c.start;
    }
    base += c.end - c.start;
  }
  return -1;
}

/** The values of the view's kind a search can match at all (strict equality never crosses number / bigint). */
export function searchable(t: ViewTarget, value: unknown): boolean {
  return typeof value === (t.kind.bigint ? "bigint" : "number");
}
