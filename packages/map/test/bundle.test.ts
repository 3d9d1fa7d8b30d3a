import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bundle } from "../../../test/support/bundle.js";

/**
 * What users of the published bundle see: the package bundled by tsup
 * (esbuild), as `pnpm build` does, with its dependencies inlined, then
 * imported. esbuild turns a class that refers to itself into
 * `var CowMap = class _CowMap`, whose `name` is "_CowMap".
 */
describe("the bundled package", () => {
  it("exports classes named CowMap and CowSet whose length is 0, as Map and Set", async () => {
    const out = mkdtempSync(join(tmpdir(), "pagefork-map-bundle-"));
    try {
      const file = await bundle(fileURLToPath(new URL("../src/index.ts", import.meta.url)), out, "index", {
        ext: ".js",
      });
      const m = (await import(pathToFileURL(file).href)) as Record<string, { name: string; length: number }>;
      const { CowMap, CowSet } = m as {
        CowMap: { name: string; length: number };
        CowSet: { name: string; length: number };
      };
      expect([CowMap.name, CowSet.name, CowMap.length, CowSet.length]).toEqual([
        "CowMap",
        "CowSet",
        Map.length,
        Set.length,
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
