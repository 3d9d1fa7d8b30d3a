/**
 * Property keys as list indices.
 *
 * @module
 */

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
