/**
 * The paint store against a model: native Float64Arrays, one copied per
 * stroke, with the dab applied by a direct loop over the disc. Random strokes,
 * undos and redos; after each, every cell of the shown grid (read through the
 * store's page spans) equals the model's current version.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dabKernel } from "../src/paint/brush.js";
import { GRID_CELLS, GRID_SIDE, PaintStore } from "../src/paint/store.js";

/** The model's dab: heat * exp(-d² / (2 (r/2)²)) on the disc of radius r, clipped to the grid. */
function modelDab(grid: Float64Array, cx: number, cy: number, r: number, heat: number): void {
  for (let y = cy - r; y <= cy + r; y++)
    for (let x = cx - r; x <= cx + r; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (x < 0 || y < 0 || x >= GRID_SIDE || y >= GRID_SIDE || d2 > r * r) continue;
      grid[y * GRID_SIDE + x] += heat * Math.exp(-d2 / (2 * (r / 2) ** 2));
    }
}

function shown(store: PaintStore): Float64Array {
  const out = new Float64Array(GRID_CELLS);
  let k = 0;
  for (const c = store.spans(); c.next(); ) for (let i = c.start; i < c.end; i++) out[k++] = c.array[i] as number;
  expect(k).toBe(GRID_CELLS);
  return out;
}

/** Index of the first cell where `a` and `b` differ, or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
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

describe("PaintStore", () => {
  it("the dab kernel is 1 at the centre, symmetric, and 0 outside the disc", () => {
    const r = 5;
    const k = dabKernel(r);
    const side = 2 * r + 1;
    expect(k[r * side + r]).toBe(1);
    expect(k[0]).toBe(0); // corner: outside the disc
    for (let i = 0; i < k.length; i++) expect(k[i]).toBe(k[k.length - 1 - i]);
  });

  it("strokes, undo and redo show what a copied Float64Array per version shows", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), (commands) => {
        const store = new PaintStore();
        const versions = [new Float64Array(GRID_CELLS)];
        let at = 0;
        for (const c of commands) {
          if (c.kind === "stroke") {
            const next = (versions[at] as Float64Array).slice();
            store.beginStroke();
            for (const d of c.dabs) {
              store.dab(d.x, d.y, 6, 0.5);
              modelDab(next, d.x, d.y, 6, 0.5);
            }
            store.endStroke();
            versions.length = at + 1; // a stroke after an undo drops the redo branch
            versions.push(next);
            at++;
          } else if (c.kind === "undo") {
            expect(store.undo()).toBe(at > 0);
            if (at > 0) at--;
          } else {
            expect(store.redo()).toBe(at < versions.length - 1);
            if (at < versions.length - 1) at++;
          }
          const snap = store.getSnapshot();
          expect([snap.position, snap.versions, snap.canUndo, snap.canRedo]).toEqual([
            at,
            versions.length,
            at > 0,
            at < versions.length - 1,
          ]);
          expect(firstDifference(shown(store), versions[at] as Float64Array)).toBe(-1);
        }
        store.release();
      }),
      { numRuns: 25 },
    );
  });

  it("keeps the committed version untouched during a stroke, and refuses undo while stroking", () => {
    const store = new PaintStore();
    store.beginStroke();
    store.dab(100, 100, 4, 1);
    expect(store.getSnapshot().stroking).toBe(true);
    expect(store.undo()).toBe(false);
    expect(() => store.beginStroke()).toThrow(/already in progress/);
    store.endStroke();
    expect(store.checksum()).toBeGreaterThan(0);
    store.undo();
    expect(store.checksum()).toBe(0);
    expect(() => store.dab(1, 1, 4, 1)).toThrow(/outside a stroke/);
    store.release();
  });
});
