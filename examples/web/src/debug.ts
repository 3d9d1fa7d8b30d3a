/**
 * A read-only hook on `window.__pagefork` for the browser tests (and the
 * curious, from the devtools console). It hands out copies and numbers, never
 * the versions themselves, so nothing can change the app's state through it.
 *
 * @module
 */
import type { PaintSnapshot, PaintStore } from "./paint/store.js";
import type { ReplayState, TraceSession } from "./trace/trace-session.js";
import type { StepMetrics, StepTimes } from "./ui/step-metrics.js";

/** What `window.__pagefork` offers. */
export interface PageforkDebugHook {
  /** The replay's state (phase, edits, timing). */
  replayState(): ReplayState;
  /** The whole text of version `v` (a string copy). @throws {RangeError} before the replay is done or for a bad `v`. */
  versionText(v: number): string;
  /** Slider-step timings so far (copies). */
  stepTimes(): StepTimes;
  /** Forgets the slider-step timings. */
  resetStepTimes(): void;
  /** The paint grid's snapshot. */
  paintSnapshot(): PaintSnapshot;
  /** A position-weighted sum of every cell of the shown paint grid. */
  paintChecksum(): number;
}

declare global {
  interface Window {
    /** Set by the app at start-up: see {@link PageforkDebugHook}. */
    __pagefork?: PageforkDebugHook;
  }
}

/** Installs the frozen hook on `window.__pagefork`. */
export function installDebugHook(session: TraceSession, paint: PaintStore, metrics: StepMetrics): void {
  const hook: PageforkDebugHook = {
    replayState: () => session.getState(),
    versionText: (v) => session.version(v).toString(),
    stepTimes: () => metrics.times(),
    resetStepTimes: () => metrics.reset(),
    paintSnapshot: () => paint.getSnapshot(),
    paintChecksum: () => paint.checksum(),
  };
  window.__pagefork = Object.freeze(hook);
}
