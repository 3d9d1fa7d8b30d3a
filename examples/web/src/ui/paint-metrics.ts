/**
 * Timing of the paint grid: the work of each pointer move of a stroke, the
 * commit of each stroke to the store, and the redraw after undo or redo. The
 * browser tests read them through the debug hook and print medians and
 * p95; the page never asserts on them.
 *
 * @module
 */

/** Paint timings in milliseconds, oldest first. */
export interface PaintTimes {
  /** One pointer move during a stroke: its dabs into the canvas's copy and the redraw of the rows they touched. */
  readonly move: readonly number[];
  /** One stroke's commit at pointer-up: `Stroke.commit`, the store's `setState` (usually one). */
  readonly commit: readonly number[];
  /** The redraw of a whole version after undo or redo: `grid.slice()`, the colour lookup and `putImageData`. */
  readonly redraw: readonly number[];
  /** Undo or redo: from the click's `timeStamp` to the end of that redraw (React's render and commit included). */
  readonly undo: readonly number[];
}

/** Records the paint grid's timings. */
export class PaintMetrics {
  private readonly move: number[] = [];
  private readonly commit: number[] = [];
  private readonly redraw: number[] = [];
  private readonly undo: number[] = [];
  private undoSince = -1;

  /** A pointer move took `ms`. */
  moved(ms: number): void {
    this.move.push(ms);
  }

  /** A stroke's commit took `ms`. */
  committed(ms: number): void {
    this.commit.push(ms);
  }

  /** Undo or redo was clicked at `timeStamp` (the event's, on the `performance.now()` clock). */
  beginUndo(timeStamp: number): void {
    this.undoSince = timeStamp;
  }

  /** A whole version was redrawn in `ms`; closes a pending undo or redo. */
  redrawn(ms: number): void {
    this.redraw.push(ms);
    if (this.undoSince >= 0) {
      this.undo.push(performance.now() - this.undoSince);
      this.undoSince = -1;
    }
  }

  /** Copies of the timings so far. */
  times(): PaintTimes {
    return { move: [...this.move], commit: [...this.commit], redraw: [...this.redraw], undo: [...this.undo] };
  }

  /** Forgets every timing. */
  reset(): void {
    this.move.length = 0;
    this.commit.length = 0;
    this.redraw.length = 0;
    this.undo.length = 0;
    this.undoSince = -1;
  }
}
