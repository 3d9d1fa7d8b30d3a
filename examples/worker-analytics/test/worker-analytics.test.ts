/** The example end to end on a small state, with a real worker thread. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseArgs, run } from "../src/main.js";

// The worker resolves @pagefork/* to the sources through the root tsconfig, as the tests do.
const tsconfig = fileURLToPath(new URL("../../../tsconfig.json", import.meta.url));

describe("worker-analytics example", () => {
  it("the worker's statistics of every snapshot equal the main thread's, and nothing leaks", async () => {
    const r = await run({ readings: 1 << 16, sensors: 50, edits: 300, snapshots: 3, tsconfig });
    expect(r.snapshots).toBeGreaterThanOrEqual(3);
    expect(r.edits).toBeGreaterThanOrEqual(300);
    expect(r.allMatch).toBe(true);
    expect(r.last?.count).toBe(1 << 16);
    expect(r.framesLeft).toBe(0);
  });

  it("refuses bad options", () => {
    expect(() => parseArgs(["node", "main", "--edits", "-1"])).toThrow();
    expect(() => parseArgs(["node", "main", "--nope", "1"])).toThrow();
    expect(() => parseArgs(["node", "main", "--snapshots", "0"])).toThrow();
    expect(parseArgs(["node", "main", "--", "--snapshots", "2"]).snapshots).toBe(2);
  });
});
