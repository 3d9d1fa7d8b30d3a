import { useSyncExternalStore } from "react";
import type { TraceSession } from "../trace/trace-session.js";
import type { WorkerStats } from "../worker/stats-client.js";
import { formatCount } from "./format.js";

/**
 * Statistics of the selected version, computed by a worker that reads the
 * version's pages in place: the page shares it (`text.share()`, O(1), no
 * page copied) and the worker attaches it (`CowText.attachShared`). The
 * `data-*` attributes carry the figures for the browser tests.
 *
 * On demand (a button), not on every slider step: while the worker holds the
 * version, its pin is one more space sharing those pages, so the pool's PSS
 * census (cached until the page tables change) must run again at the next
 * step: ~0.1-0.5 s for the 259,779 versions of the trace, where a step costs
 * a few milliseconds otherwise.
 */
export function WorkerStatsPanel({
  session,
  stats,
  version,
}: {
  session: TraceSession;
  stats: WorkerStats;
  version: number;
}) {
  const state = useSyncExternalStore(stats.subscribe, stats.getState);
  const button = (
    <button
      type="button"
      data-testid="worker-count"
      disabled={state.status === "unavailable"}
      onClick={() => stats.request(version, session.version(version))}
    >
      count version {formatCount(version)} in a worker
    </button>
  );
  if (state.status === "unavailable")
    return (
      <p className="muted" data-testid="worker-stats" data-status="unavailable">
        {state.reason}.
      </p>
    );
  if (state.status === "idle")
    return (
      <p className="muted" data-testid="worker-stats" data-status="idle">
        {button} (the worker reads the version's pages in place: no copy)
      </p>
    );
  const r = state.reply;
  if ("error" in r)
    return (
      <p data-testid="worker-stats" data-status="error" data-version={r.version}>
        {button} the worker failed: {r.error}
      </p>
    );
  return (
    <p
      data-testid="worker-stats"
      data-status="ready"
      data-version={r.version}
      data-length={r.length}
      data-lines={r.lines}
      data-words={r.words}
      data-non-ascii={r.nonAscii}
    >
      {button} version {formatCount(r.version)}: {formatCount(r.length)} characters, {formatCount(r.lines)} lines,{" "}
      {formatCount(r.words)} words, {formatCount(r.nonAscii)} non-ASCII{" "}
      <span className="muted">
        (attached in {r.attachMs.toFixed(2)} ms without copying a page, counted in {r.computeMs.toFixed(1)} ms)
      </span>
    </p>
  );
}
