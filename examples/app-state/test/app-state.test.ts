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
  });

  it("refuses a bad option", () => {
    expect(() => run(["node", "main", "--todos", "-3"])).toThrow();
  });
});
