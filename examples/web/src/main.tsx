import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import traceUrl from "../../../data/editing-traces/automerge-paper.json.gz?url";
import { App } from "./App.js";
import { installDebugHook } from "./debug.js";
import { createPaintStore } from "./paint/store.js";
import "./styles.css";
import { TraceSession } from "./trace/trace-session.js";
import { PaintMetrics } from "./ui/paint-metrics.js";
import { StepMetrics } from "./ui/step-metrics.js";
import { WorkerStats } from "./worker/stats-client.js";

// The app's state lives outside React (external stores), made once per page load.
const session = new TraceSession();
const metrics = new StepMetrics();
const paint = createPaintStore();
const paintMetrics = new PaintMetrics();
const workerStats = new WorkerStats();
installDebugHook(session, metrics, paint, paintMetrics);

const root = document.getElementById("root");
if (root === null) throw new Error('index.html has no element with id "root"');
createRoot(root).render(
  <StrictMode>
    <App session={session} metrics={metrics} paint={paint} paintMetrics={paintMetrics} workerStats={workerStats} />
  </StrictMode>,
);
void session.run(traceUrl);
