/**
 * The reference the library is checked against: the same edits applied to a
 * plain JavaScript string, once, forward only. Only the current string is kept
 * (keeping every version as a string would need about 17 GB for
 * automerge-paper).
 *
 * @module
 */
import type { EditScript } from "./trace.js";

/** A forward-only plain-string replay of an {@link EditScript}. */
export class PlainReplay {
  /** The version `text` holds: the number of edits applied so far. */
  version = 0;
  /** The document text of {@link version}. */
  text: string;
  private readonly script: EditScript;

  constructor(script: EditScript) {
    this.script = script;
    this.text = script.startContent;
  }

  /**
   * Applies edits until the text is version `v` and returns it. O(edits
   * applied × document length), since every edit rebuilds the string.
   *
   * @throws {RangeError} when `v` is behind the current version or beyond the last.
   */
  advanceTo(v: number): string {
    const { pos, del, ins, edits } = this.script;
    if (v < this.version || v > edits)
      throw new RangeError(`cannot advance the plain replay from version ${this.version} to ${v}`);
    let s = this.text;
    for (let i = this.version; i < v; i++) {
      const p = pos[i] as number;
      s = s.slice(0, p) + (ins[i] as string) + s.slice(p + (del[i] as number));
    }
    this.text = s;
    this.version = v;
    return s;
  }
}
