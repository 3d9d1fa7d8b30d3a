import type { ReplayState } from "../trace/trace-session.js";
import { formatCount } from "./format.js";

/** Status line and progress bar of the replay. `data-testid="replay-status"` reads `done` when it has finished. */
export function ReplayProgress({ state }: { state: ReplayState }) {
  const { phase, edits, replayed, timing, error, loadSeconds } = state;
  return (
    <div className="replay">
      <progress max={Math.max(edits, 1)} value={phase === "done" ? edits : replayed} aria-label="replay progress" />
      <span data-testid="replay-status" className={`status status-${phase}`}>
        {phase}
      </span>
      <span className="muted">
        {phase === "loading" && "fetching and validating the trace…"}
        {phase === "replaying" && `${formatCount(replayed)} of ${formatCount(edits)} edits, one fork per edit`}
        {phase === "done" &&
          timing !== null &&
          `${formatCount(edits)} edits in ${timing.workSeconds.toFixed(2)} s of replay ` +
            `(${formatCount(timing.editsPerSecond)} edits/s, fork included; ${timing.wallSeconds.toFixed(2)} s with ` +
            `${formatCount(timing.chunks)} yields to the page). Trace loaded in ${loadSeconds.toFixed(2)} s.`}
        {phase === "failed" && <span className="error">{error}</span>}
      </span>
    </div>
  );
}
