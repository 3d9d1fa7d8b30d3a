import { useHistory, useStore } from "@pagefork/react";
import { type PointerEvent, useLayoutEffect, useRef, useState } from "react";
import { BRUSH_HEAT, BRUSH_RADIUS, dabsAlong, type Point } from "../paint/brush.js";
import { renderRows } from "../paint/render.js";
import { GRID_SIDE, type GridView, type PaintStore, selectGrid } from "../paint/store.js";
import { Stroke } from "../paint/stroke.js";
import { PaintStats } from "./PaintStats.js";
import type { PaintMetrics } from "./paint-metrics.js";

/** The canvas's pixels, and the native copy of the grid they show. */
interface Surface {
  readonly ctx: CanvasRenderingContext2D;
  readonly image: ImageData;
  readonly pixels: Uint32Array;
  /** The grid the pixels show, copied out with `slice()`; a stroke paints into it. */
  cells: Float64Array | null;
  /** The grid view `cells` copies; null before the first draw and after a failed commit. */
  shown: GridView | null;
}

/**
 * A 1024 x 1024 Float64 heat map painted with the mouse, kept in a
 * `@pagefork/state` store. The canvas subscribes to the grid with
 * `useStore(store, selectGrid)`: the view keeps its identity until a stroke,
 * an undo or a redo changes the grid, and only then is the whole grid copied
 * out (`slice()`) and redrawn. A stroke paints into that copy and redraws the
 * rows it touched; at pointer-up it is committed to the store as one version
 * (see `Stroke`). Undo and redo are the store's, with `useHistory`.
 */
export function PaintGrid({ store, metrics }: { store: PaintStore; metrics: PaintMetrics }) {
  const grid = useStore(store, selectGrid);
  const history = useHistory(store);
  const [stroking, setStroking] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const surface = useRef<Surface | null>(null);
  const stroke = useRef<Stroke | null>(null);
  const lastPoint = useRef<Point | null>(null);

  const getSurface = (): Surface | null => {
    if (surface.current === null) {
      const ctx = canvas.current?.getContext("2d");
      if (!ctx) return null;
      const image = ctx.createImageData(GRID_SIDE, GRID_SIDE);
      surface.current = { ctx, image, pixels: new Uint32Array(image.data.buffer), cells: null, shown: null };
    }
    return surface.current;
  };

  // A grid the canvas does not show yet (first render, undo, redo): copy it
  // out and redraw it all, in the same frame as the buttons and the stats.
  // After a stroke's commit the copy already holds the new grid (see onPointerEnd).
  useLayoutEffect(() => {
    const s = getSurface();
    if (s === null || s.shown === grid) return;
    const t0 = performance.now();
    const cells = grid.slice();
    renderRows(cells, s.pixels, 0, GRID_SIDE);
    s.ctx.putImageData(s.image, 0, 0);
    s.cells = cells;
    s.shown = grid;
    metrics.redrawn(performance.now() - t0);
  });

  const toCell = (e: PointerEvent<HTMLCanvasElement>): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    return {
      x: Math.floor(((e.clientX - r.left) / r.width) * GRID_SIDE),
      y: Math.floor(((e.clientY - r.top) / r.height) * GRID_SIDE),
    };
  };

  const paintAt = (st: Stroke, points: readonly Point[]) => {
    const t0 = performance.now();
    let y0 = GRID_SIDE;
    let y1 = 0;
    for (const p of points) {
      const d = st.dab(p.x, p.y, BRUSH_RADIUS, BRUSH_HEAT);
      if (d.y0 < d.y1) {
        y0 = Math.min(y0, d.y0);
        y1 = Math.max(y1, d.y1);
      }
    }
    const s = surface.current;
    if (s !== null && y0 < y1) {
      renderRows(st.cells, s.pixels, y0, y1);
      s.ctx.putImageData(s.image, 0, 0, 0, y0, GRID_SIDE, y1 - y0);
    }
    metrics.moved(performance.now() - t0);
  };

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    const s = surface.current;
    // The copy must show the current grid: it is the stroke's starting point.
    if (e.button !== 0 || stroke.current !== null || s === null || s.cells === null || s.shown !== grid) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const st = new Stroke(store, s.cells);
    stroke.current = st;
    setStroking(true);
    const p = toCell(e);
    lastPoint.current = p;
    paintAt(st, [p]);
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const st = stroke.current;
    const from = lastPoint.current;
    if (st === null || from === null) return;
    const to = toCell(e);
    if (to.x === from.x && to.y === from.y) return;
    lastPoint.current = to;
    paintAt(st, dabsAlong(from, to));
  };

  const onPointerEnd = () => {
    const st = stroke.current;
    if (st === null) return;
    stroke.current = null;
    lastPoint.current = null;
    setStroking(false);
    const s = surface.current as Surface;
    const onBase = store.getState() === st.base;
    const t0 = performance.now();
    try {
      st.commit();
    } catch (e) {
      s.shown = null; // the copy holds cells the store may not have: copy the grid out again
      throw e;
    }
    metrics.committed(performance.now() - t0);
    // The copy is the base plus the stroke: exactly the new grid, unless the
    // store moved during the stroke (then the layout effect copies it out).
    s.shown = onBase ? store.getState().root.grid : null;
  };

  return (
    <div className="paint">
      <canvas
        ref={canvas}
        width={GRID_SIDE}
        height={GRID_SIDE}
        className="paint-canvas"
        data-testid="paint-canvas"
        data-position={history.position}
        aria-label="paint grid: drag to paint heat"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
        onLostPointerCapture={onPointerEnd}
      />
      <div className="paint-side">
        <div className="controls">
          <button
            type="button"
            data-testid="paint-undo"
            disabled={!history.canUndo || stroking}
            onClick={(e) => {
              metrics.beginUndo(e.timeStamp);
              history.undo();
            }}
          >
            ↶ undo stroke
          </button>
          <button
            type="button"
            data-testid="paint-redo"
            disabled={!history.canRedo || stroking}
            onClick={(e) => {
              metrics.beginUndo(e.timeStamp);
              history.redo();
            }}
          >
            redo stroke ↷
          </button>
        </div>
        <PaintStats store={store} />
        <p className="muted">
          Drag on the grid to paint heat. The grid is one <code>t.float64Array(1024 * 1024)</code> in a{" "}
          <code>@pagefork/state</code> store: each stroke is one <code>setState</code>, a version that shares every page
          with the one before except the 1 KiB pages the stroke touched.
        </p>
      </div>
    </div>
  );
}
