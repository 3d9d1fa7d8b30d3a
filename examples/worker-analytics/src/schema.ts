/**
 * The state the main thread edits and the worker analyses: a large array of
 * sensor readings and a list of sensors. Both threads import this module:
 * `State.attachShared` checks that the worker reads with the same schema.
 */
import { type State, t } from "@pagefork/state";

/** One sensor: its name and how many alarms it raised. */
export const Sensor = t.struct({ name: t.string, alarms: t.u32 });

/** The app's state, for `readings` float64 readings. */
export function appSchema(readings: number) {
  return t.struct({ readings: t.float64Array(readings), sensors: t.list(Sensor), edits: t.u32 });
}

/** The schema type. */
export type AppSchema = ReturnType<typeof appSchema>;

/** What the worker computes from one version. */
export interface Stats {
  /** The version's edit counter (which snapshot was analysed). */
  edits: number;
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
  /** Population standard deviation of the readings. */
  stddev: number;
  /** Alarms of every sensor together. */
  alarms: number;
}

/**
 * Statistics of a version, read in place: the readings through the typed
 * array view's `forEach` (page spans; no copy), the sensors record by record.
 * O(readings + sensors).
 */
export function statsOf(state: State<AppSchema>): Stats {
  const root = state.root;
  let sum = 0;
  let sq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  root.readings.forEach((x) => {
    sum += x;
    sq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  });
  const count = root.readings.length;
  const mean = sum / count;
  let alarms = 0;
  for (const s of root.sensors) alarms += s.alarms;
  return {
    edits: root.edits,
    count,
    sum,
    mean,
    min,
    max,
    stddev: Math.sqrt(Math.max(sq / count - mean * mean, 0)),
    alarms,
  };
}
