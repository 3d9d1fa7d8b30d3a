/**
 * Property keys as list indices, and the key traps that list views and
 * list drafts (both Proxies that look like arrays) answer alike.
 *
 * @module
 */
import { relativeIndex, toIntegerOrInfinity } from "@pagefork/core";

/**
 * The array index a property key names, or -1: canonical indices only
 * ("0", "17"; not "01", "-1", "1.5", "1e3"), below 2^32 - 1 as for arrays.
 */
export function indexOf(prop: string): number {
  const n = prop.length;
  if (n === 0 || n > 10) return -1;
  const c0 = prop.charCodeAt(0);
  if (c0 < 48 || c0 > 57 || (c0 === 48 && n > 1)) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = prop.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= 4294967294 ? v : -1;
}

/** The `has` trap of an array-like Proxy of `length` elements: its indices, `length`, and what arrays inherit. */
export function arrayLikeHas(length: number, prop: string | symbol): boolean {
  if (typeof prop === "string") {
    const i = indexOf(prop);
    if (i >= 0) return i < length;
    if (prop === "length") return true;
  }
  return prop in Array.prototype;
}

/** The `ownKeys` trap of an array-like Proxy of `length` elements: `"0"` … `String(length - 1)`, then `"length"`. */
export function arrayLikeOwnKeys(length: number): string[] {
  const keys: string[] = new Array(length + 1);
  for (let i = 0; i < length; i++) keys[i] = String(i);
  keys[length] = "length";
  return keys;
}

/**
 * `"".slice(start, end)` for a text value not created yet: "", after the
 * same argument conversions a text's `slice` does (a bigint or symbol throws
 * TypeError), so an empty text answers as a native empty string does.
 */
export function emptySlice(start: unknown, end: unknown): string {
  relativeIndex(start, 0, 0);
  relativeIndex(end, 0, 0);
  return "";
}

/** The `String.prototype` reads a text view or draft passes to its CowText (see {@link readsOf}). */
export type TextReads = Pick<
  string,
  "at" | "codePointAt" | "indexOf" | "lastIndexOf" | "includes" | "startsWith" | "endsWith" | "substring"
>;

/**
 * What answers a text view's or draft's `String.prototype` reads: its
 * CowText, or "" for a text value not created yet (so an empty text converts
 * its arguments and answers exactly as a native empty string does).
 */
export function readsOf(text: TextReads | null): TextReads {
  return text ?? "";
}

/** `"".charAt(index)` for a text value not created yet: "", after ToIntegerOrInfinity (a bigint or symbol throws TypeError). */
export function emptyCharAt(index: unknown): string {
  toIntegerOrInfinity(index);
  return "";
}

/** `"".charCodeAt(index)` for a text value not created yet: NaN, after ToIntegerOrInfinity (a bigint or symbol throws TypeError). */
export function emptyCharCodeAt(index: unknown): number {
  toIntegerOrInfinity(index);
  return Number.NaN;
}
