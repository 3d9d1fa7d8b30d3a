/**
 * Progress bars on stderr (cli-progress), or nothing when stderr is not a
 * terminal or `--json` is given, so stdout stays clean.
 *
 * @module
 */
import { Presets, SingleBar } from "cli-progress";

/** A progress display for one phase at a time. */
export interface Progress {
  /** Starts a phase of `total` steps. */
  start(label: string, total: number): void;
  /** Reports `done` of the phase's steps done. */
  update(done: number): void;
  /** Ends the phase. */
  stop(): void;
}

/** A {@link Progress} that shows nothing. */
export const silentProgress: Progress = {
  start() {},
  update() {},
  stop() {},
};

/**
 * A progress bar on stderr when `enabled`, else {@link silentProgress}.
 * Callers update it about every 1% of a phase, outside the timed work.
 */
export function createProgress(enabled: boolean): Progress {
  if (!enabled) return silentProgress;
  let bar: SingleBar | null = null;
  return {
    start(label, total) {
      bar?.stop();
      bar = new SingleBar(
        {
          stream: process.stderr,
          format: `${label.padEnd(22)} {bar} {percentage}% | {value}/{total} | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Steps between two progress updates: about 1% of `total`, at least 1. */
export function progressStep(total: number): number {
  return Math.max(1, Math.ceil(total / 100));
}
