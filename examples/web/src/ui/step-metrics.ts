/**
 * Timing of slider steps: from the input event that moved the selected
 * version to (a) the end of React's commit, effects included (the page map
 * is drawn in an effect), and (b) the first task after the next frame was
 * painted. The browser tests read them through the debug hook and print the
 * p95; the page never asserts on them.
 *
 * @module
 */

/** Step timings in milliseconds, oldest first. */
export interface StepTimes {
  /** Input event to the end of the commit and its effects: the JS work of one step. */
  readonly work: readonly number[];
  /** Input event to the first task after the next painted frame. */
  readonly paint: readonly number[];
}

/** Records the cost of each step the user makes with the slider, the keys or the undo/redo buttons. */
export class StepMetrics {
  private readonly work: number[] = [];
  private readonly paint: number[] = [];
  private pendingSince = -1;
  private pendingVersion = -1;

  /** A step to `version` started at `timeStamp` (the input event's `timeStamp`, on the `performance.now()` clock). */
  begin(version: number, timeStamp: number): void {
    this.pendingSince = timeStamp;
    this.pendingVersion = version;
  }

  /** The UI has committed `version` (called from an effect): closes the pending step if it is this one. */
  committed(version: number): void {
    if (this.pendingSince < 0 || version !== this.pendingVersion) return;
    const since = this.pendingSince;
    this.pendingSince = -1;
    this.work.push(performance.now() - since);
    requestAnimationFrame(() => {
      // rAF runs before the frame is painted; the next task runs after it.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        this.paint.push(performance.now() - since);
      };
      channel.port2.postMessage(null);
    });
  }

  /** Copies of the timings so far. */
  times(): StepTimes {
    return { work: [...this.work], paint: [...this.paint] };
  }

  /** Forgets every timing (the tests measure a fresh series). */
  reset(): void {
    this.work.length = 0;
    this.paint.length = 0;
    this.pendingSince = -1;
  }
}
