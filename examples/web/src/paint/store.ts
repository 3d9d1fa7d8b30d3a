/**
 * The paint grid's application state: one `@pagefork/state` store whose
 * schema is a single 1024 x 1024 Float64 grid, with the store's own undo
 * history (one version per stroke, see `stroke.ts`). Components read it with
 * `useStore(store, selectGrid)` and `useHistory(store)` from `@pagefork/react`.
 *
 * @module
 */
import { createStore, type State, type Store, t } from "@pagefork/state";

/** Cells per side of the grid. */
export const GRID_SIDE = 1024;
/** Cells in the grid: 1,048,576 Float64 values, 8 MiB. */
export const GRID_CELLS = GRID_SIDE * GRID_SIDE;
/**
 * Page size of the store's pool: 1 KiB, 128 cells per page. The state's
 * default (256 B) suits records and texts; for an 8 MiB grid it makes 4x the
 * pages, and a full read (`slice()`, after every undo) walks one span per
 * page: 256 B pages took 8-15 ms per slice in Node against 3-10 ms at 1 KiB,
 * while a stroke copied about as many bytes (518 KiB against 600 KiB for the
 * same stroke).
 */
export const GRID_PAGE_SIZE = 1024;

/**
 * Versions the store keeps (the blank grid, then the oldest stroke, is
 * released first). Bounds the history's memory, which is mostly not pages:
 * the store keeps two patches for every cell a stroke changed
 * ({@link PATCH_BYTES_PER_CELL}), so a stroke of 30,000 cells holds ~0.6 MiB
 * of frames and ~8.6 MB of patches. 20 versions of strokes at the
 * per-version limit (60,000 cells, see `stroke.ts`) hold at most ~340 MB.
 */
export const MAX_VERSIONS = 20;

/**
 * JS heap that the store's patches take per cell a stroke changed: a
 * `{ op: "replace", path: ["grid", i], value }` patch and its inverse.
 * Measured in Chromium 156 (heap after two forced GCs, before and after a
 * stroke, ~30,000 cells a stroke, six strokes: 281-288 B). An estimate for
 * the stats panel; other engines differ.
 */
export const PATCH_BYTES_PER_CELL = 282;

/** The schema: the whole paint state is one Float64 grid, row after row. */
export const PaintState = t.struct({ grid: t.float64Array(GRID_CELLS) });
/** The schema's type. */
export type PaintSchema = typeof PaintState;
/** The paint grid's store. */
export type PaintStore = Store<PaintSchema>;
/** The grid as components read it: a read-only typed-array view of one version. */
export type GridView = t.Infer<PaintSchema>["grid"];

/** Patches the store recorded for each version it committed (read by the stats panel). */
const patchCounts = new WeakMap<State<PaintSchema>, number>();

/**
 * A store holding a blank grid (every cell 0). It records, for the stats
 * panel, how many patches each committed version carries ({@link patchesOf}).
 */
export function createPaintStore(): PaintStore {
  const store = createStore(
    PaintState,
    { grid: new Float64Array(GRID_CELLS) },
    { pageSize: GRID_PAGE_SIZE, maxVersions: MAX_VERSIONS },
  );
  patchCounts.set(store.getState(), 0);
  // A version the map does not know is a new commit: undo and redo move to versions it has seen.
  store.subscribe((next, _prev, patches) => {
    if (!patchCounts.has(next)) patchCounts.set(next, patches.length);
  });
  return store;
}

/**
 * Patches from the previous version to `state` that the store keeps for
 * undo and redo (as many again for the way back): one per cell its stroke
 * changed. 0 for a version the store did not commit (the blank grid).
 */
export function patchesOf(state: State<PaintSchema>): number {
  return patchCounts.get(state) ?? 0;
}

/**
 * The selector of `useStore(store, selectGrid)`; a module constant, so the
 * hook's subscription stays put. The view it returns is the same object for
 * as long as the grid does not change (and someone holds the view: the state
 * caches views weakly), so the canvas redraws only when the grid changed.
 */
export const selectGrid = (root: t.Infer<PaintSchema>): GridView => root.grid;

/** What the paint UI and the debug hook report about the store. */
export interface PaintSnapshot {
  /** Index of the current version among those kept: 0 is the oldest (the blank grid until {@link MAX_VERSIONS} is reached). */
  readonly position: number;
  /** Versions kept (`store.versions.length`). */
  readonly versions: number;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Cells the current version's stroke changed ({@link patchesOf}); 0 for the blank grid. */
  readonly cellsChanged: number;
  /** Frames in use in the store's pool: every version together. */
  readonly framesInUse: number;
  /** `framesInUse` x the page size, in bytes. */
  readonly bytesInUse: number;
}

/** The store's state as plain numbers. O(versions) for `versions.length`. */
export function paintSnapshot(store: PaintStore): PaintSnapshot {
  const state = store.getState();
  const pool = state.space.pool;
  return {
    position: store.position,
    versions: store.versions.length,
    canUndo: store.canUndo,
    canRedo: store.canRedo,
    cellsChanged: patchesOf(state),
    framesInUse: pool.framesInUse,
    bytesInUse: pool.bytesInUse,
  };
}

/** A position-weighted sum of every cell of `grid`: a check value for tests. O(cells). */
export function gridChecksum(grid: GridView): number {
  const cells = grid.slice();
  let sum = 0;
  for (let i = 0; i < cells.length; i++) sum += (cells[i] as number) * ((i % 7919) + 1);
  return sum;
}
