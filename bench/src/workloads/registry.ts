/**
 * Every workload's spec, in report order, for the orchestrator and the
 * report. (The worker imports only the one module it needs; see worker.ts.)
 *
 * @module
 */
import type { WorkloadId, WorkloadSpec } from "../model.js";
import { spec as w1 } from "./w1-fork-numeric.js";
import { spec as w1b } from "./w1b-bounded-numeric.js";
import { spec as w2 } from "./w2-read.js";
import { spec as w3 } from "./w3-fork-latency.js";
import { spec as w4 } from "./w4-editing-trace.js";
import { spec as w5 } from "./w5-map-history.js";
import { spec as w5b } from "./w5b-bounded-map.js";
import { spec as w6 } from "./w6-test-isolation.js";
import { spec as w7 } from "./w7-page-size.js";
import { spec as w8 } from "./w8-core-mechanisms.js";
import { spec as w9 } from "./w9-app-state.js";
import { spec as w10 } from "./w10-workers.js";
import { spec as w11 } from "./w11-persist.js";

export const WORKLOADS: Record<WorkloadId, WorkloadSpec> = {
  W1: w1,
  W1b: w1b,
  W2: w2,
  W3: w3,
  W4: w4,
  W5: w5,
  W5b: w5b,
  W6: w6,
  W7: w7,
  W8: w8,
  W9: w9,
  W10: w10,
  W11: w11,
};
