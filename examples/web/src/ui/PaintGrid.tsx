import { type PointerEvent, useEffect, useMemo, useRef } from "react";
import { BRUSH_HEAT, BRUSH_RADIUS, dabsAlong, type Point } from "../paint/brush.js";
import { renderRows } from "../paint/render.js";
import { type DirtyRows, GRID_CELLS, GRID_SIDE, type PaintStore, usePaintSnapshot } from "../paint/store.js";
import { formatBytes, formatCount } from "./format.js";

/** The canvas's pixels and the grid version they show. */
interface Surface {
  readonly ctx: CanvasRenderingContext2D;
  readonly image: ImageData;
  readonly pixels: Uint32Array;
  /** `gridId` of the grid the pixels show, -1 before the first draw. */
  drawn: number;
}

/**
 * A 1024 x 1024 Float64 heat map painted with the mouse. Each stroke is one
 * version (a fork at pointer-down, a commit at pointer-up); undo and redo move
 * by strokes. The canvas is drawn from page spans: the rows a dab touched
 * while painting, the whole grid when the version changes.
 */
export function PaintGrid({ store }: { store: PaintStore }) {
  const snapshot = usePaintSnapshot(store);
  const canvas = useRef<HTMLCanvasElement>(null);
  const surface = useRef<Surface | null>(null);
  const lastPoint = useRef<Point | null>(null);

  const getSurface = (): Surface | null => {
    if (surface.current === null) {
      const ctx = canvas.current?.getContext("2d");
      if (!ctx) return null;
      const image = ctx.createImageData(GRID_SIDE, GRID_SIDE);
      surface.current = { ctx, image, pixels: new Uint32Array(image.data.buffer), drawn: -1 };
    }
    return surface.current;
  };

  const draw = (rows: DirtyRows) => {
    const s = getSurface();
    if (s === null || rows.y0 >= rows.y1) return;
    renderRows(store, s.pixels, rows.y0, rows.y1);
    s.ctx.putImageData(s.image, 0, 0, 0, rows.y0, GRID_SIDE, rows.y1 - rows.y0);
  };

  // A new version to show (undo, redo, first render): redraw it all, unless
  // the pixels already show it (the stroke just committed was drawn as it went).
  useEffect(() => {
    const s = getSurface();
    if (s === null || s.drawn === snapshot.gridId) return;
    renderRows(store, s.pixels, 0, GRID_SIDE);
    s.ctx.putImageData(s.image, 0, 0);
    s.drawn = snapshot.gridId;
  });

  const toCell = (e: PointerEvent<HTMLCanvasElement>): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    return {
      x: Math.floor(((e.clientX - r.left) / r.width) * GRID_SIDE),
      y: Math.floor(((e.clientY - r.top) / r.height) * GRID_SIDE),
    };
  };

  const paintAt = (points: readonly Point[]) => {
    let y0 = GRID_SIDE;
    let y1 = 0;
    for (const p of points) {
      const d = store.dab(p.x, p.y, BRUSH_RADIUS, BRUSH_HEAT);
      if (d.y0 < d.y1) {
        y0 = Math.min(y0, d.y0);
        y1 = Math.max(y1, d.y1);
      }
    }
    draw({ y0, y1 });
  };

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || snapshot.stroking) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    store.beginStroke();
    const s = getSurface();
    if (s !== null) s.drawn = store.getSnapshot().gridId; // the draft is drawn incrementally from here on
    const p = toCell(e);
    lastPoint.current = p;
    paintAt([p]);
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const from = lastPoint.current;
    if (from === null) return;
    const to = toCell(e);
    if (to.x === from.x && to.y === from.y) return;
    lastPoint.current = to;
    paintAt(dabsAlong(from, to));
  };

  const onPointerEnd = () => {
    if (lastPoint.current === null) return;
    lastPoint.current = null;
    store.endStroke();
  };

  const stats = useMemo(() => (snapshot.stroking ? null : store.versionStats()), [store, snapshot]);
  const fullCopies = snapshot.versions * GRID_CELLS * 8;

  return (
    <div className="paint">
      <canvas
        ref={canvas}
        width={GRID_SIDE}
        height={GRID_SIDE}
        className="paint-canvas"
        data-testid="paint-canvas"
        data-grid-id={snapshot.gridId}
        aria-label="paint grid: drag to paint heat"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
        onLostPointerCapture={onPointerEnd}
      />
      <div className="paint-side">
        <div className="controls">
          <button type="button" data-testid="paint-undo" disabled={!snapshot.canUndo} onClick={() => store.undo()}>
            ↶ undo stroke
          </button>
          <button type="button" data-testid="paint-redo" disabled={!snapshot.canRedo} onClick={() => store.redo()}>
            redo stroke ↷
          </button>
        </div>
        <table className="stats" data-testid="paint-stats">
          <tbody>
            <tr>
              <th scope="row">version</th>
              <td className="num">
                {formatCount(snapshot.position)} of {formatCount(snapshot.versions - 1)}
              </td>
              <td className="muted">strokes; version 0 is the blank grid</td>
            </tr>
            <tr>
              <th scope="row">all versions</th>
              <td className="num">{formatBytes(snapshot.bytesInUse)}</td>
              <td className="muted">frames in the pool; as full copies: {formatBytes(fullCopies)}</td>
            </tr>
            {stats !== null && (
              <>
                <tr>
                  <th scope="row">RSS / USS</th>
                  <td className="num">
                    {formatBytes(stats.rss)} / {formatBytes(stats.uss)}
                  </td>
                  <td className="muted">pages of this version that are not the zero frame / that it alone maps</td>
                </tr>
                <tr>
                  <th scope="row">its stroke</th>
                  <td className="num">{formatCount(stats.copyFaults + stats.zeroFillFaults)} pages</td>
                  <td className="muted">
                    {formatCount(stats.copyFaults)} copied, {formatCount(stats.zeroFillFaults)} zero-filled (1 KiB each)
                  </td>
                </tr>
              </>
            )}
          </tbody>
        </table>
        <p className="muted">
          Drag on the grid to paint heat. Every stroke forks the grid once (O(1)) and copies only the 1 KiB pages it
          touches.
        </p>
      </div>
    </div>
  );
}
