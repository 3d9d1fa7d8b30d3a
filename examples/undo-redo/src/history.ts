/**
 * Undo and redo over a list of kept versions. Because every version is a
 * persistent snapshot, undo and redo are only a cursor moving along the list:
 * O(1) each, no inverse edits, no copying.
 *
 * @module
 */

/** An undo/redo cursor over versions `0..versions.length - 1`. */
export class UndoRedoCursor<T> {
  private readonly versions: readonly T[];
  private index: number;

  /**
   * @param versions - the history, oldest first; not copied.
   * @param position - the current version; defaults to the newest.
   * @throws {RangeError} when the history is empty or `position` is outside it.
   */
  constructor(versions: readonly T[], position = versions.length - 1) {
    if (versions.length === 0) throw new RangeError("an undo history needs at least one version");
    if (!Number.isInteger(position) || position < 0 || position >= versions.length)
      throw new RangeError(`position ${position} is outside the history 0..${versions.length - 1}`);
    this.versions = versions;
    this.index = position;
  }

  /** Index of the current version. */
  get position(): number {
    return this.index;
  }

  /** The current version. */
  get current(): T {
    return this.versions[this.index] as T;
  }

  /** True when there is an older version. */
  get canUndo(): boolean {
    return this.index > 0;
  }

  /** True when there is a newer version. */
  get canRedo(): boolean {
    return this.index < this.versions.length - 1;
  }

  /**
   * Moves one version back and returns it. O(1).
   * @throws {RangeError} at the oldest version.
   */
  undo(): T {
    if (this.index === 0) throw new RangeError("nothing to undo");
    return this.versions[--this.index] as T;
  }

  /**
   * Moves one version forward and returns it. O(1).
   * @throws {RangeError} at the newest version.
   */
  redo(): T {
    if (this.index === this.versions.length - 1) throw new RangeError("nothing to redo");
    return this.versions[++this.index] as T;
  }
}
