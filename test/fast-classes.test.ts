import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { runChild } from "./support/run-child.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".fast-classes-test");

let child = "";

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/fast-classes-child.ts"), out, "child");
}, 120_000);

describe("array classes keep fast properties (array fast-class.ts)", () => {
  // keepNames' `__name` put every Cow*Array class and CowVector in dictionary mode; a `new` of
  // such a class (subarray, slice, map, a fork through the constructor) made TurboFan's
  // compiles of the caller abort with "dependency change" again and again (session 32).
  it("no exported Cow*Array class or CowVector is in dictionary mode in a keepNames build", async () => {
    const r = await runChild(["--allow-natives-syntax"], child, 16 * 1024 * 1024);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("done");
    const report = JSON.parse(r.stdout.split("\n")[0] as string) as {
      count: number;
      slow: string[];
      subclass: { before: boolean; after: boolean };
    };
    expect(report.count).toBe(13); // the eleven kinds, CowTypedArray and CowVector
    expect(report.slow).toEqual([]);
    // a program's subclass with keepNames: dictionary mode until its first array, then fast
    expect(report.subclass).toEqual({ before: false, after: true });
  });
});
