import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { runChild } from "./support/run-child.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".iterator-shapes-test");

let child = "";

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/iterator-shapes-child.ts"), out, "child");
}, 120_000);

describe("iterator hidden classes kept alive (array and map shape-keeper.ts)", () => {
  // Session 33: with no iterator alive, a full GC took the iterators' hidden classes (their field
  // stores' maps) with it, deoptimizing `next`, `refill`, `step`, ... and the caller's loop ("weak
  // objects"); the next iterator rebuilt them with every field constant, and its end generalized
  // them and deoptimized the new code again ("code dependencies"). W2's and W5's `for..of`.
  it("no for..of code over arrays, vectors, maps and sets is thrown away after a full GC", async () => {
    const r = await runChild(["--expose-gc", "--trace-deopt"], child);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("done");
    const after = r.stdout.slice(r.stdout.indexOf("@@after-warm-up"));
    const thrown = after
      .split("\n")
      .filter((l) => l.includes("reason: weak objects") || l.includes("reason: code dependencies"))
      .map((l) => /SharedFunctionInfo ([^>]+)>/.exec(l)?.[1] ?? l);
    expect(thrown).toEqual([]);
  });
});
