/**
 * Chart specs: Vega-Lite specs built from summarised cases (rendered to SVG by
 * charts.ts). Kept apart from the renderer so a child process that loads a
 * workload module does not load Vega.
 *
 * Every series keeps one colour across all charts (pagefork first), so a
 * library looks the same wherever it appears.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { CaseSummary } from "./model.js";

/** One plotted value. */
export interface Point {
  series: string;
  x: number | string;
  y: number;
}

/** Tableau 10, with pagefork's series always the first colour. */
const PALETTE = [
  "#e15759",
  "#4e79a7",
  "#f28e2b",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
const WIDTH = 520;
/** Axis labels: SI prefixes from 1,000 up ("20k", "2M"), plain numbers below ("0.5", not "500m"). */
const LABELS = "datum.value >= 1000 ? format(datum.value, '~s') : format(datum.value, '~g')";
const HEIGHT = 300;

function colour(points: readonly Point[]) {
  const domain = [...new Set(points.map((p) => p.series))];
  return {
    field: "series",
    type: "nominal" as const,
    sort: domain,
    scale: { domain, range: PALETTE.slice(0, Math.max(1, domain.length)) },
    legend: { title: null, orient: "right" as const, labelLimit: 260 },
  };
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly Point[];
  logX?: boolean;
  logY?: boolean;
}

/** Lines with points, one per series (log axes by default: sizes and times span decades). */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: o.points.map((p) => ({ ...p })) },
    mark: { type: "line", point: { filled: true, size: 50 }, strokeWidth: 2 },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: o.xTitle,
        scale: o.logX === false ? { zero: false } : { type: "log" },
        axis: { labelExpr: LABELS },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: o.yTitle,
        scale: o.logY === false ? { zero: true } : { type: "log" },
        axis: { labelExpr: LABELS },
      },
      color: colour(o.points),
    },
  };
}

/** Options of {@link groupedBarChart}. */
export interface BarChartOptions {
  title: string;
  /** Title of the category axis (e.g. "trace"). */
  xTitle: string;
  yTitle: string;
  points: readonly Point[];
  logY?: boolean;
}

/** Bars grouped by category (`x`), one bar per series in each group. */
export function groupedBarChart(o: BarChartOptions): TopLevelSpec {
  const categories = [...new Set(o.points.map((p) => String(p.x)))];
  const series = [...new Set(o.points.map((p) => p.series))];
  const log = o.logY !== false;
  // A log axis has no zero for bars to grow from: they grow from the power of ten below the smallest value.
  const floor = 10 ** Math.floor(Math.log10(Math.min(...o.points.map((p) => p.y))));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: o.points.map((p) => ({ ...p, x: String(p.x) })) },
    mark: { type: "bar" },
    encoding: {
      x: { field: "x", type: "nominal", title: o.xTitle, sort: categories, axis: { labelAngle: 0 } },
      xOffset: { field: "series", sort: series },
      y: {
        field: "y",
        type: "quantitative",
        title: o.yTitle,
        scale: log ? { type: "log", domainMin: floor } : { zero: true },
        axis: { labelExpr: LABELS },
      },
      ...(log ? { y2: { datum: floor } } : {}),
      color: colour(o.points),
    },
  };
}

/**
 * Points of `metric` for every ok case, x from `xOf` (a parameter, or the
 * group), y the median scaled by `scale` (e.g. 1e-3 for ns → µs).
 */
export function pointsOf(
  cases: readonly CaseSummary[],
  metric: string,
  xOf: (c: CaseSummary) => number | string,
  scale = 1,
): Point[] {
  const out: Point[] = [];
  for (const c of cases) {
    const m = c.metrics[metric];
    if (m === undefined || !(m.median > 0)) continue;
    out.push({ series: c.spec.short, x: xOf(c), y: m.median * scale });
  }
  return out;
}
