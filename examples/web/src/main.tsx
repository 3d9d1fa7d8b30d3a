import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import traceUrl from "../../../data/editing-traces/automerge-paper.json.gz?url";
import { App } from "./App.js";
import { installDebugHook } from "./debug.js";
import { PaintStore } from "./paint/store.js";
import "./styles.css";
import { TraceSession } from "./trace/trace-session.js";
import { StepMetrics } from "./ui/step-metrics.js";

// The app's state lives outside React (external stores), made once per page load.
const session = new TraceSession();
const paint = new PaintStore();
const metrics = new StepMetrics();
installDebugHook(session, paint, metrics);

const root = document.getElementById("root");
if (root === null) throw new Error('index.html has no element with id "root"');
createRoot(root).render(
  <StrictMode>
    <App session={session} paint={paint} metrics={metrics} />
  </StrictMode>,
);
void session.run(traceUrl);
