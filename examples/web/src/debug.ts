/**
 * A read-only hook on `window.__pagefork` for the browser tests (and the
 * curious, from the devtools console). It hands out copies and numbers, never
 * the versions themselves, so nothing can change the app's state through it.
 *
 * @module
 */
import { gridChecksum, type PaintSnapshot, type PaintStore, paintSnapshot } from "./paint/store.js";
import type { ReplayState, TraceSession } from "./trace/trace-session.js";
import type { PaintMetrics, PaintTimes } from "./ui/paint-metrics.js";
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
  /** The paint store's position, versions and frames in use (numbers, read now). */
  paintSnapshot(): PaintSnapshot;
  /** A position-weighted sum of every cell of the paint store's current grid. */
  paintChecksum(): number;
  /** Paint timings so far (copies). */
  paintTimes(): PaintTimes;
  /** Forgets the paint timings. */
  resetPaintTimes(): void;
}

declare global {
  interface Window {
    /** Set by the app at start-up: see {@link PageforkDebugHook}. */
    __pagefork?: PageforkDebugHook;
  }
}

/** Installs the frozen hook on `window.__pagefork`. */
export function installDebugHook(
  session: TraceSession,
  metrics: StepMetrics,
  paint: PaintStore,
  paintMetrics: PaintMetrics,
): void {
  const hook: PageforkDebugHook = {
    replayState: () => session.getState(),
    versionText: (v) => session.version(v).toString(),
    stepTimes: () => metrics.times(),
    resetStepTimes: () => metrics.reset(),
    paintSnapshot: () => paintSnapshot(paint),
    paintChecksum: () => gridChecksum(paint.getState().root.grid),
    paintTimes: () => paintMetrics.times(),
    resetPaintTimes: () => paintMetrics.reset(),
  };
  window.__pagefork = Object.freeze(hook);
}
