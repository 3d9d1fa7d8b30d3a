import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CowFloat64Array, CowInt32Array, CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { runChild } from "./support/run-child.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "..", "node_modules", ".shape-test");

/**
 * Functions still deoptimized this way, by name (none: the span cursor's
 * functions and insertIntoLeaf were, until string's shape keeper kept a cursor
 * over a text's own space; text leaves now use core's one-page spans and
 * make no cursor at all).
 */
const KNOWN = new Set<string>([]);

let child = "";

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  child = await bundle(join(here, "fixtures/shape-child.ts"), out, "child");
}, 120_000);

describe("hidden classes kept alive (shape-keeper.ts)", () => {
  it("no optimized code of arrays, vectors, maps, sets and texts is thrown away when every structure of a warm-up round is collected", async () => {
    const r = await runChild(["--expose-gc", "--trace-deopt"], child);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("done");
    // V8 marks code that embedded a collected map "for deoptimization, reason: weak objects".
    const weak = r.stdout
      .split("\n")
      .filter((l) => l.includes("reason: weak objects"))
      .map((l) => /SharedFunctionInfo ([^>]+)>/.exec(l)?.[1] ?? l)
      .filter((name) => !KNOWN.has(name));
    expect(weak).toEqual([]);
  });

  it("never constructs a user's subclass, and keeps nothing in the user's pool", () => {
    let made = 0;
    class Counted extends CowInt32Array {
      constructor(n: number, options: { pool: FramePool }) {
        super(n, options);
        made++;
      }
    }
    const pool = new FramePool({ pageSize: 1024 });
    const a = new Counted(8, { pool });
    a.set(0, 5);
    expect(made).toBe(1);
    const f = new CowFloat64Array(8, { pool });
    const v = new CowVector(Float64Array, { pool });
    v.push(1);
    f.set(1, 2);
    for (const x of [a, f, v]) x.release();
    expect(pool.framesInUse).toBe(0);
  });
});
