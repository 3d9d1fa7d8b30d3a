/**
 * The example end to end on a small grid: every check passes, the figures
 * have the shape the README describes, and bad options are refused.
 */
import { describe, expect, it } from "vitest";
import { checkVersions, forkVersions } from "../src/experiment.js";
import { buildGrid, gridWidth, initialValue } from "../src/grid.js";
import { run } from "../src/main.js";
import { parseBytes } from "../src/options.js";
import { formatReport, passed } from "../src/report.js";

describe("fork-large-state", () => {
  it("forks a small grid, keeps every version, and passes its checks", () => {
    const r = run([
      "node",
      "main",
      "--size",
      "2MiB",
      "--versions",
      "50",
      "--writes",
      "4",
      "--baseline-size",
      "256KiB",
      "--baseline-copies",
      "2",
      "--page-size",
      "1024",
    ]);
    expect(passed(r)).toBe(true);
    expect(r.grid.cells).toBe(2 ** 18);
    expect(r.grid.width * r.grid.height).toBe(2 ** 18);
    expect(r.forks.versions).toBe(50);
    // Every version copied at most one page per write: 4 KiB of frames at 1 KiB pages.
    expect(r.forks.memoryPerVersion.frames).toBeLessThanOrEqual(4 * 1024);
    expect(r.forks.copyFaults).toBeGreaterThan(0);
    expect(r.baselines.map((b) => b.name)).toEqual(["structuredClone", "Float64Array.prototype.slice"]);
    for (const b of r.baselines) {
      expect(b.bytesPerCopy).toBe(256 * 1024);
      expect(b.extrapolated.bytesPerVersion).toBe(2 * 2 ** 20);
    }
    expect(formatReport(r)).toContain("checks: own writes ok, parents unchanged ok, grid unchanged ok");
  });

  it("the checks can fail: a write that leaks into a parent, the grid or a version is caught", () => {
    type Tamper = (grid: ReturnType<typeof buildGrid>, r: ReturnType<typeof forkVersions>) => void;
    const tampers: Tamper[] = [
      (_grid, r) => r.kept[0]?.set(r.index[4] as number, 7), // version 1's first cell, written into its parent
      (grid, r) => grid.state.set(r.index[9] as number, 7), // version 2's second cell, written into the grid
      (_grid, r) => r.kept[3]?.set(r.index[13] as number, 7), // over version 3's own second write
    ];
    const seen: string[] = [];
    for (const tamper of [undefined, ...tampers]) {
      const grid = buildGrid(2 ** 16, 1024);
      const r = forkVersions(grid, 5, 4, 1);
      tamper?.(grid, r);
      const c = checkVersions(grid, r);
      seen.push([c.ownWrites, c.parentUnchanged, c.baseUnchanged].map((ok) => (ok ? "ok" : "FAIL")).join(" "));
      for (const v of r.kept) v.release();
      grid.state.release();
      expect(grid.pool.framesInUse).toBe(0);
    }
    expect(seen).toEqual(["ok ok ok", "ok FAIL ok", "ok ok FAIL", "FAIL ok ok"]);
  });

  it("parses sizes and refuses bad ones", () => {
    expect(parseBytes("1GiB")).toBe(2 ** 30);
    expect(parseBytes("64 MiB")).toBe(2 ** 26);
    expect(parseBytes("65536")).toBe(65536);
    for (const bad of ["", "1.5", "7", "-8", "1TB", "x"]) expect(() => parseBytes(bad)).toThrow(/multiple of 8/);
  });

  it("lays the grid out in rows of a power of two", () => {
    expect(gridWidth(2 ** 27)).toBe(2 ** 13);
    expect(gridWidth(2 ** 28)).toBe(2 ** 14);
    expect(gridWidth(1000)).toBe(16);
    expect(initialValue(0, 0, 8, 8)).toBe(20);
  });
});
