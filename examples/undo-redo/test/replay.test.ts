import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { editsCounted, sumFaultCounters } from "../src/accounting.js";
import { replayWithHistory } from "../src/replay.js";
import { mulberry32, sampleSorted } from "../src/sample.js";
import { type EditScript, validateTrace } from "../src/trace.js";
import { checkFinalText, checkReleaseAll, checkSampledVersions, checkUndoRedo } from "../src/verify.js";

/** A random trace of `edits` single-patch transactions (seeded), with its true endContent. */
function randomScript(edits: number, seed: number): EditScript {
  const random = mulberry32(seed);
  let doc = "";
  const txns = [];
  for (let i = 0; i < edits; i++) {
    const pos = Math.floor(random() * (doc.length + 1));
    const del = random() < 0.3 ? Math.min(doc.length - pos, Math.floor(random() * 5)) : 0;
    const ins = del === 0 || random() < 0.5 ? "abc xyz\n".slice(0, 1 + Math.floor(random() * 8)) : "";
    doc = doc.slice(0, pos) + ins + doc.slice(pos + del);
    txns.push({ patches: [[pos, del, ins]] });
  }
  return validateTrace({ startContent: "", endContent: doc, txns });
}

/** Runs the demo's four checks the way main.ts does. */
function runChecks(script: EditScript, maxVersions: number | undefined, tamper = false) {
  const n = script.edits;
  const pool = new FramePool({ pageSize: 256 });
  const { history, firstVersion } = replayWithHistory(script, n, pool, undefined, maxVersions);
  const kept = history.size;
  expect(kept).toBe(Math.min(n + 1, maxVersions ?? n + 1));
  expect(firstVersion).toBe(n + 1 - kept);
  if (tamper) history.current.insert(0, "!"); // a bug: editing a version in place
  const samples = sampleSorted(200, n - firstVersion, mulberry32(3)).map((v) => v + firstVersion);
  const sampled = checkSampledVersions(history, firstVersion, script, samples);
  const final = checkFinalText(history, n, script.endContent, "endContent");
  const undo = checkUndoRedo(history, firstVersion, script, sampled.digests, kept - 1);
  const release = checkReleaseAll(history, pool);
  return [final, sampled.result, undo, release];
}

describe("replay with a History and the demo's checks", () => {
  const script = randomScript(3000, 11);

  it("keeps every version by default, and all four checks pass", () => {
    const checks = runChecks(script, undefined);
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ["final-text", true],
      ["sampled-versions", true],
      ["undo-redo", true],
      ["release", true],
    ]);
    expect(checks[2]?.checked).toBe(2 * 3000);
  });

  it("with maxVersions keeps the newest versions only, releases the others as it goes, and still passes", () => {
    const checks = runChecks(script, 100);
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(checks[1]?.checked).toBe(100); // every kept version was sampled
    expect(checks[2]?.detail).toMatch(/version 3000 → 2901/);
  });

  it("per-edit fault figures divide by the kept versions' edits, with and without maxVersions", () => {
    for (const maxVersions of [undefined, 100]) {
      const pool = new FramePool({ pageSize: 256 });
      const { history, firstVersion } = replayWithHistory(script, script.edits, pool, undefined, maxVersions);
      const counted = editsCounted(script.edits, firstVersion);
      expect(counted).toBe(maxVersions ?? script.edits); // every kept version but version 0 is one edit
      // Each edit copies at least the leaf it edits (the new fork shares every page), so about one
      // fault per edit or more; dividing by the edits replayed would give 100/3000 with maxVersions.
      const perEdit = sumFaultCounters(history).faults / counted;
      expect(perEdit, `maxVersions ${maxVersions}`).toBeGreaterThanOrEqual(1);
      expect(perEdit).toBeLessThan(10);
      history.release();
      expect(pool.framesInUse).toBe(0);
    }
  });

  it("the checks can fail: a version edited in place is caught", () => {
    const checks = runChecks(script, undefined, true);
    expect(checks[0]?.passed).toBe(false);
    expect(checks[0]?.detail).toMatch(/differs from endContent/);
    expect(checks[3]?.passed).toBe(true); // and nothing leaks
  });
});
