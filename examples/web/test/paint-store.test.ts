/**
 * The paint store (a `@pagefork/state` store of one Float64 grid) and its
 * strokes, against a model: native Float64Arrays, one copied per stroke, with
 * the dab applied by a direct loop over the disc. Random strokes, undos and
 * redos; after each, every cell of the store's current grid equals the
 * model's current version, and the history has one version per stroke.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dabKernel } from "../src/paint/brush.js";
import {
  createPaintStore,
  GRID_CELLS,
  GRID_PAGE_SIZE,
  GRID_SIDE,
  gridChecksum,
  MAX_VERSIONS,
  type PaintStore,
  paintSnapshot,
  patchesOf,
  selectGrid,
} from "../src/paint/store.js";
import { MAX_CELLS_PER_VERSION, Stroke } from "../src/paint/stroke.js";

/** The model's dab: heat * exp(-d² / (2 (r/2)²)) on the disc of radius r, clipped to the grid. */
function modelDab(grid: Float64Array, cx: number, cy: number, r: number, heat: number): void {
  for (let y = cy - r; y <= cy + r; y++)
    for (let x = cx - r; x <= cx + r; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (x < 0 || y < 0 || x >= GRID_SIDE || y >= GRID_SIDE || d2 > r * r) continue;
      grid[y * GRID_SIDE + x] += heat * Math.exp(-d2 / (2 * (r / 2) ** 2));
    }
}

/** Index of the first cell where `a` and `b` differ, or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Cells that differ between `a` and `b`. */
function changedCells(a: Float64Array, b: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Pages of GRID_PAGE_SIZE holding a cell that differs, assuming page-aligned data: a lower bound of pages copied. */
function changedBlocks(a: Float64Array, b: Float64Array): number {
  const perPage = GRID_PAGE_SIZE / 8;
  let n = 0;
  for (let p = 0; p < a.length; p += perPage)
    for (let i = p; i < p + perPage; i++)
      if (a[i] !== b[i]) {
        n++;
        break;
      }
  return n;
}

/** Paints one stroke as the canvas does: a copy of the current grid, the dabs, one commit. */
function paint(store: PaintStore, dabs: readonly { x: number; y: number }[], radius: number, heat: number): number {
  const stroke = new Stroke(store, store.getState().root.grid.slice());
  for (const d of dabs) stroke.dab(d.x, d.y, radius, heat);
  return stroke.commit();
}

type Command = { kind: "stroke"; dabs: { x: number; y: number }[] } | { kind: "undo" } | { kind: "redo" };

const coordinate = fc.integer({ min: -20, max: GRID_SIDE + 20 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("stroke" as const),
    dabs: fc.array(fc.record({ x: coordinate, y: coordinate }), { minLength: 1, maxLength: 4 }),
  }),
  fc.constant({ kind: "undo" as const }),
  fc.constant({ kind: "redo" as const }),
);

describe("the paint store", () => {
  it("the dab kernel is 1 at the centre, symmetric, and 0 outside the disc", () => {
    const r = 5;
    const k = dabKernel(r);
    const side = 2 * r + 1;
    expect(k[r * side + r]).toBe(1);
    expect(k[0]).toBe(0); // corner: outside the disc
    for (let i = 0; i < k.length; i++) expect(k[i]).toBe(k[k.length - 1 - i]);
  });

  it("strokes, undo and redo show what a Float64Array copied per stroke shows, one version per stroke", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), (commands) => {
        const store = createPaintStore();
        const pool = store.getState().space.pool;
        const versions = [new Float64Array(GRID_CELLS)];
        let at = 0;
        for (const c of commands) {
          if (c.kind === "stroke") {
            const before = versions[at] as Float64Array;
            const next = before.slice();
            for (const d of c.dabs) modelDab(next, d.x, d.y, 6, 0.5);
            const framesBefore = pool.framesInUse;
            const made = paint(store, c.dabs, 6, 0.5);
            const changed = changedCells(before, next);
            if (changed === 0) {
              // every dab fell outside the grid: no version
              expect(made).toBe(0);
            } else {
              expect(made).toBe(1);
              versions.length = at + 1; // a stroke after an undo drops the redo branch
              versions.push(next);
              at++;
              // One patch per cell changed; the new version's frames are those of the pages it touched.
              expect(patchesOf(store.getState())).toBe(changed);
              // A page still on the zero frame (the blank grid) is zero-filled, a shared one copied.
              const st = store.getState().stats();
              const copied = st.copyFaults + st.zeroFillFaults;
              expect(copied).toBeGreaterThanOrEqual(changedBlocks(before, next) / 2);
              expect(copied).toBeLessThanOrEqual(2 * changedBlocks(before, next) + 2);
              expect(pool.framesInUse - framesBefore).toBeLessThanOrEqual(copied);
            }
          } else if (c.kind === "undo") {
            expect(store.undo() !== undefined).toBe(at > 0);
            if (at > 0) at--;
          } else {
            expect(store.redo() !== undefined).toBe(at < versions.length - 1);
            if (at < versions.length - 1) at++;
          }
          const snap = paintSnapshot(store);
          expect([snap.position, snap.versions, snap.canUndo, snap.canRedo]).toEqual([
            at,
            versions.length,
            at > 0,
            at < versions.length - 1,
          ]);
          expect(firstDifference(store.getState().root.grid.slice(), versions[at] as Float64Array)).toBe(-1);
        }
        store.release();
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: 20 },
    );
  });

  it("keeps the base version untouched during a stroke, and writes nothing for a stroke off the grid", () => {
    const store = createPaintStore();
    const base = store.getState();
    const stroke = new Stroke(store, base.root.grid.slice());
    stroke.dab(100, 100, 4, 1);
    expect(stroke.cellsTouched).toBe(49); // the disc of radius 4 without its corners: kernel cells > 0
    expect(gridChecksum(base.root.grid)).toBe(0);
    expect(store.getState()).toBe(base);
    expect(stroke.commit()).toBe(1);
    expect(() => stroke.commit()).toThrow(/already committed/);
    expect(() => stroke.dab(1, 1, 4, 1)).toThrow(/after the stroke/);
    expect(gridChecksum(store.getState().root.grid)).toBeGreaterThan(0);
    expect(store.versions.length).toBe(2);

    expect(paint(store, [{ x: -100, y: 5 }], 4, 1)).toBe(0);
    expect(store.versions.length).toBe(2);
    expect(() => new Stroke(store, new Float64Array(10))).toThrow(RangeError);
    store.undo();
    expect(gridChecksum(store.getState().root.grid)).toBe(0);
    store.release();
  });

  it("a blank grid maps the zero frame: the store holds a few of its own pages, not the grid's 8 MiB (as the README says)", () => {
    const store = createPaintStore();
    const space = store.getState().space;
    expect(space.pool.framesInUse).toBeLessThan(256); // the grid alone would be 8,192 pages of 1 KiB
    expect(space.stats().rss).toBeLessThan(256 * GRID_PAGE_SIZE);
    store.release();
    expect(space.pool.framesInUse).toBe(0);
  });

  it("a version that changed more cells than V8's ~120,000 spread arguments undoes and redoes (as the README says)", () => {
    const store = createPaintStore();
    const cells = new Float64Array(200_000).fill(2);
    store.setState((d) => void d.grid.set(cells, 0), "big");
    expect(patchesOf(store.getState())).toBe(200_000);
    store.undo();
    expect(gridChecksum(store.getState().root.grid)).toBe(0);
    store.redo();
    expect(store.getState().root.grid[199_999]).toBe(2);
    store.release();
  });

  it("commits a stroke that touched more than MAX_CELLS_PER_VERSION cells as several versions, each undoable", () => {
    const store = createPaintStore();
    // Rows 0..199, radius-14 dabs 10 cells apart: ~200 x 1,024 cells touched.
    const dabs: { x: number; y: number }[] = [];
    for (let y = 14; y < 200; y += 20) for (let x = 0; x < GRID_SIDE; x += 10) dabs.push({ x, y });
    const model = new Float64Array(GRID_CELLS);
    for (const d of dabs) modelDab(model, d.x, d.y, 14, 0.2);
    const touched = changedCells(new Float64Array(GRID_CELLS), model);
    expect(touched).toBeGreaterThan(2 * MAX_CELLS_PER_VERSION);
    const made = paint(store, dabs, 14, 0.2);
    expect(made).toBe(Math.ceil(touched / MAX_CELLS_PER_VERSION)); // runs of <= 1,024 cells fill each version
    expect(store.versions.map((v) => v.label)).toEqual([
      undefined,
      ...Array.from({ length: made }, (_, i) => `stroke ${i + 1}/${made}`),
    ]);
    expect(firstDifference(store.getState().root.grid.slice(), model)).toBe(-1);
    for (let i = 0; i < made; i++) {
      expect(patchesOf(store.getState())).toBeLessThanOrEqual(MAX_CELLS_PER_VERSION);
      store.undo(); // each version undoes on its own
    }
    expect(gridChecksum(store.getState().root.grid)).toBe(0);
    store.release();
  });

  it("keeps at most MAX_VERSIONS versions, releasing the oldest", () => {
    const store = createPaintStore();
    const pool = store.getState().space.pool;
    for (let k = 0; k < MAX_VERSIONS + 3; k++) paint(store, [{ x: 30 * k, y: 30 * k }], 3, 1);
    expect(store.versions.length).toBe(MAX_VERSIONS);
    expect(store.position).toBe(MAX_VERSIONS - 1);
    for (let k = 0; k < MAX_VERSIONS - 1; k++) store.undo();
    expect(store.canUndo).toBe(false);
    // The oldest kept version is the grid after stroke 4 (strokes 1..3 and the blank grid were released).
    const expected = new Float64Array(GRID_CELLS);
    for (let k = 0; k < 4; k++) modelDab(expected, 30 * k, 30 * k, 3, 1);
    expect(firstDifference(store.getState().root.grid.slice(), expected)).toBe(-1);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("the grid view is the same object while its version is current, and again after undo and redo", () => {
    const store = createPaintStore();
    const blank = selectGrid(store.getState().root);
    expect(selectGrid(store.getState().root)).toBe(blank);
    paint(store, [{ x: 500, y: 500 }], 4, 1);
    const painted = selectGrid(store.getState().root);
    expect(painted).not.toBe(blank);
    expect(selectGrid(store.getState().root)).toBe(painted);
    store.undo();
    expect(selectGrid(store.getState().root)).toBe(blank); // held here, so the state's weak cache still has it
    store.redo();
    expect(selectGrid(store.getState().root)).toBe(painted);
    store.release();
  });
});
