import { useStore } from "@pagefork/react";
import type { State } from "@pagefork/state";
import { useMemo } from "react";
import {
  GRID_CELLS,
  GRID_PAGE_SIZE,
  MAX_VERSIONS,
  PATCH_BYTES_PER_CELL,
  type PaintSchema,
  type PaintStore,
  patchesOf,
} from "../paint/store.js";
import { formatBytes, formatCount } from "./format.js";

/** The selector of the current version itself (a module constant: the subscription stays put). */
const selectState = (_root: unknown, state: State<PaintSchema>): State<PaintSchema> => state;

/**
 * The memory of the paint history: the frames every version holds together
 * in the store's pool, against full copies, and what the shown version's
 * stroke cost: the pages it copied, and the patches the store keeps to undo
 * and redo it. Re-renders on every commit, undo and redo.
 */
export function PaintStats({ store }: { store: PaintStore }) {
  const state = useStore(store, selectState);
  // Everything below is read from the store when the version changes (O(the version's page table)).
  const figures = useMemo(() => {
    const pool = state.space.pool;
    const s = state.stats();
    return {
      position: store.position,
      versions: store.versions.length,
      framesInUse: pool.framesInUse,
      bytesInUse: pool.bytesInUse,
      rss: s.rss,
      uss: s.uss,
      pagesWritten: s.copyFaults + s.zeroFillFaults,
      patches: patchesOf(state),
    };
  }, [store, state]);
  const fullCopies = figures.versions * GRID_CELLS * 8;
  const committed = figures.patches > 0;

  return (
    <table
      className="stats"
      data-testid="paint-stats"
      data-position={figures.position}
      data-versions={figures.versions}
      data-frames={figures.framesInUse}
    >
      <tbody>
        <tr>
          <th scope="row">version</th>
          <td className="num">
            {formatCount(figures.position)} of {formatCount(figures.versions - 1)}
          </td>
          <td className="muted">
            {formatCount(figures.versions)} versions kept (at most {MAX_VERSIONS}); one per stroke
          </td>
        </tr>
        <tr>
          <th scope="row">frames in use</th>
          <td className="num">
            {formatCount(figures.framesInUse)} × {GRID_PAGE_SIZE / 1024} KiB
          </td>
          <td className="muted">
            {formatBytes(figures.bytesInUse)} in the store's pool for all versions; as full copies:{" "}
            {formatBytes(fullCopies)}
          </td>
        </tr>
        <tr>
          <th scope="row">RSS / USS</th>
          <td className="num">
            {formatBytes(figures.rss)} / {formatBytes(figures.uss)}
          </td>
          <td className="muted">pages this version maps / that it alone maps</td>
        </tr>
        <tr>
          <th scope="row">{committed ? "its stroke" : "its commit"}</th>
          <td className="num">{formatCount(figures.pagesWritten)} pages</td>
          <td className="muted">
            {committed
              ? `copied by its setState (${formatBytes(figures.pagesWritten * GRID_PAGE_SIZE)}); the rest are shared with the version before`
              : "written when the store was made (the state's own records: the grid's zeros map the zero frame)"}
          </td>
        </tr>
        {committed && (
          <tr>
            <th scope="row">its patches</th>
            <td className="num">{formatCount(2 * figures.patches)}</td>
            <td className="muted">
              kept by the store to undo and redo it, one each way per cell changed ({formatCount(figures.patches)}{" "}
              cells): ≈ {formatBytes(figures.patches * PATCH_BYTES_PER_CELL)} of JS heap
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
