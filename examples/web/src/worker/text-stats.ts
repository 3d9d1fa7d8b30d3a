/**
 * The statistics the worker computes of a version's text. Pure: the same
 * function runs in the worker over the attached snapshot.
 *
 * @module
 */

/** What the worker reports of one version. Counts are of UTF-16 code units, lines and words. */
export interface TextStats {
  /** Length in UTF-16 code units. */
  readonly length: number;
  /** Lines: line feeds + 1. */
  readonly lines: number;
  /** Words: maximal runs of characters other than space, tab, CR and LF. */
  readonly words: number;
  /** Code units above 0x7F. */
  readonly nonAscii: number;
}

/** Counts {@link TextStats} of `s` in one pass. O(s.length). */
export function textStats(s: string): TextStats {
  let lines = 1;
  let words = 0;
  let nonAscii = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const blank = c === 32 || c === 9 || c === 10 || c === 13;
    if (c === 10) lines++;
    if (c > 0x7f) nonAscii++;
    if (!blank && !inWord) words++;
    inWord = !blank;
  }
  return { length: s.length, lines, words, nonAscii };
}
