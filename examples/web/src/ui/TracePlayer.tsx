import { type ChangeEvent, useCallback, useEffect, useMemo, useState } from "react";
import { pageMap } from "../trace/page-map.js";
import { textWindow } from "../trace/text-window.js";
import type { Edit, TraceSession } from "../trace/trace-session.js";
import type { WorkerStats } from "../worker/stats-client.js";
import { formatCount } from "./format.js";
import { PageMapView } from "./PageMapView.js";
import { StatsPanel } from "./StatsPanel.js";
import type { StepMetrics } from "./step-metrics.js";
import { TextView } from "./TextView.js";
import { WorkerStatsPanel } from "./WorkerStatsPanel.js";

/** Shortens an inserted or deleted run for the caption. */
function showRun(s: string): string {
  const t = JSON.stringify(s.length > 24 ? `${s.slice(0, 23)}…` : s);
  return t;
}

function describe(edit: Edit): string {
  const parts: string[] = [];
  if (edit.del > 0) parts.push(`deletes ${edit.del}`);
  if (edit.ins.length > 0) parts.push(`inserts ${showRun(edit.ins)}`);
  return `${parts.join(" and ")} at ${formatCount(edit.pos)}`;
}

/**
 * The scrubber over every version of the replayed trace: a slider, undo and
 * redo buttons (one version back or forward), the text around the edit, the
 * version's memory and its page map. Every figure comes from the selected
 * version and its two neighbours only, so a step costs the same at any version.
 */
export function TracePlayer({
  session,
  metrics,
  workerStats,
}: {
  session: TraceSession;
  metrics: StepMetrics;
  workerStats: WorkerStats;
}) {
  const last = session.versions - 1;
  const [version, setVersion] = useState(last);

  const select = useCallback(
    (v: number, timeStamp: number) => {
      const next = Math.min(last, Math.max(0, v));
      metrics.begin(next, timeStamp);
      setVersion(next);
    },
    [last, metrics],
  );

  // Everything shown is derived from the selected version and its two neighbours.
  const { view, stats, map, edit } = useMemo(() => {
    const text = session.version(version);
    const previous = version > 0 ? session.version(version - 1) : null;
    const next = version < last ? session.version(version + 1) : null;
    const edit = version > 0 ? session.edit(version - 1) : null;
    return {
      edit,
      view: textWindow(version, text, edit, previous),
      stats: text.stats(),
      map: pageMap(text.space, previous?.space ?? null, next?.space ?? null, session.emptySpace),
    };
  }, [session, version, last]);
  const poolStats = session.pool.stats();

  // Runs after the children's effects (the page map is drawn in one): the step is complete.
  useEffect(() => metrics.committed(version), [metrics, version]);

  return (
    <div className="player">
      <div className="controls">
        <button
          type="button"
          data-testid="undo"
          disabled={version === 0}
          onClick={(e) => select(version - 1, e.timeStamp)}
          title="one version back"
        >
          ↶ undo
        </button>
        <button
          type="button"
          data-testid="redo"
          disabled={version === last}
          onClick={(e) => select(version + 1, e.timeStamp)}
          title="one version forward"
        >
          redo ↷
        </button>
        <input
          type="range"
          min={0}
          max={last}
          step={1}
          value={version}
          data-testid="version-slider"
          aria-label="version"
          onChange={(e: ChangeEvent<HTMLInputElement>) => select(Number(e.target.value), e.timeStamp)}
        />
      </div>
      <p className="version-line">
        <strong>version {formatCount(version)}</strong> of {formatCount(last)}
        {edit !== null ? ` — edit ${formatCount(version - 1)} ${describe(edit)}` : " — the document before any edit"}
      </p>
      <TextView view={view} />
      <div className="columns">
        <section>
          <h3>Memory of this version</h3>
          <StatsPanel version={version} space={stats} pool={poolStats} />
        </section>
        <section>
          <h3>Page-sharing map</h3>
          <PageMapView map={map} pageSize={stats.pageSize} uss={stats.uss} />
        </section>
      </div>
      <section>
        <h3>Counted in a worker, from the shared version</h3>
        <WorkerStatsPanel session={session} stats={workerStats} version={version} />
      </section>
    </div>
  );
}
