import { describe, expect, it } from "vitest";
import { mulberry32, sampleSorted } from "../src/sample.js";

describe("sampleSorted", () => {
  it("gives distinct sorted indices in range, the same for the same seed", () => {
    const a = sampleSorted(1000, 259_778, mulberry32(7));
    expect(a.length).toBe(1000);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1] as number);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[a.length - 1]).toBeLessThanOrEqual(259_778);
    expect(sampleSorted(1000, 259_778, mulberry32(7))).toEqual(a);
    expect(sampleSorted(1000, 259_778, mulberry32(8))).not.toEqual(a);
  });

  it("gives every index when asked for more than there are", () => {
    expect(Array.from(sampleSorted(10, 3, mulberry32(1)))).toEqual([0, 1, 2, 3]);
    expect(sampleSorted(0, 3, mulberry32(1)).length).toBe(0);
  });
});
