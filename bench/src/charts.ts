/**
 * Rendering charts: a Vega-Lite spec (see chart-specs.ts) is compiled to a
 * Vega spec, and a headless `vega.View` with `renderer: "none"` renders it to
 * SVG with `toSVG()`, in Node, without a browser.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ChartDef } from "./model.js";

/** Renders one spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders every chart with at least one point into `dir` (created if needed).
 * @returns the charts written (a chart without data is left out of the report).
 */
export async function writeCharts(charts: readonly ChartDef[], dir: string): Promise<ChartDef[]> {
  mkdirSync(dir, { recursive: true });
  const written: ChartDef[] = [];
  for (const c of charts) {
    const data = (c.spec as { data?: { values?: unknown[] } }).data?.values;
    if (data !== undefined && data.length === 0) continue;
    writeFileSync(join(dir, c.file), await renderSvg(c.spec));
    written.push(c);
  }
  return written;
}
