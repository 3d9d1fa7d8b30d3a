/** The example end to end on a small state: both libraries agree, every check passes. */
import { describe, expect, it } from "vitest";
import { formatReport, passed, run } from "../src/main.js";

describe("app-state example", () => {
  it("runs the same recipe with Immer and pagefork and gets the same data", () => {
    const r = run(["node", "main", "--todos", "500", "--versions", "40", "--doc-chars", "2000"]);
    expect(r.samePlainData).toBe(true);
    expect(r.undoRestores).toBe(true);
    expect(r.framesReturned).toBe(true);
    expect(passed(r)).toBe(true);
    expect(r.patchesOfOneEdit.map((p) => (p as { op: string }).op)).toEqual(["replace", "splice", "replace"]);
    expect(formatReport(r)).toContain("Immer ÷ pagefork");
    // The memory figures mean what they say. Each version keeps its own copy of the 8 MiB grid
    // with Immer; with pagefork it copies the pages of its three writes (a todo, a leaf of the
    // text, a grid cell: at least 3 pages of 256 B) and their page-table paths, a few KiB. (The
    // JS heap share is not checked: vitest runs without --expose-gc, so it includes garbage.)
    expect(r.immer.bytesPerVersion).toBeGreaterThan(4 * 2 ** 20); // 8 MiB, less garbage from before the run that a GC frees
    expect(r.pagefork.framesBytesPerVersion).toBeGreaterThanOrEqual(3 * 256);
    expect(r.pagefork.libraryBytesPerVersion).toBeGreaterThan(r.pagefork.framesBytesPerVersion);
    expect(r.pagefork.libraryBytesPerVersion).toBeLessThan(16 * 1024);
  });

  it("refuses a bad option", () => {
    expect(() => run(["node", "main", "--todos", "-3"])).toThrow();
  });
});
