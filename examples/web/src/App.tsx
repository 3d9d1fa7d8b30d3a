import { useSyncExternalStore } from "react";
import type { PaintStore } from "./paint/store.js";
import type { TraceSession } from "./trace/trace-session.js";
import { PaintGrid } from "./ui/PaintGrid.js";
import type { PaintMetrics } from "./ui/paint-metrics.js";
import { ReplayProgress } from "./ui/ReplayProgress.js";
import type { StepMetrics } from "./ui/step-metrics.js";
import { TracePlayer } from "./ui/TracePlayer.js";
import type { WorkerStats } from "./worker/stats-client.js";

/** The page: the editing-trace player (with its page map) and the paint grid. */
export function App({
  session,
  metrics,
  paint,
  paintMetrics,
  workerStats,
}: {
  session: TraceSession;
  metrics: StepMetrics;
  paint: PaintStore;
  paintMetrics: PaintMetrics;
  workerStats: WorkerStats;
}) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  return (
    <main>
      <header>
        <h1>pagefork in the browser</h1>
        <p>
          Copy-on-write pages in <code>ArrayBuffer</code> slabs: every version below is a fork that shares all its pages
          with the one before, except the pages its edit copied.
        </p>
      </header>
      <section className="card">
        <h2>Editing-trace player: automerge-paper, every keystroke a version</h2>
        <ReplayProgress state={state} />
        {state.phase === "done" && <TracePlayer session={session} metrics={metrics} workerStats={workerStats} />}
      </section>
      <section className="card">
        <h2>Paint grid: 1024 × 1024 Float64 cells, one version per stroke</h2>
        <PaintGrid store={paint} metrics={paintMetrics} />
      </section>
      <footer className="muted">
        Trace: automerge-paper, 259,778 edits of a paper as it was written, prepared by Martin Kleppmann
        (automerge/automerge-perf), from josephg/editing-traces; CC BY 4.0.
      </footer>
    </main>
  );
}
