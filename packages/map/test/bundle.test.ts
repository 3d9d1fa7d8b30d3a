import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";
import { describe, expect, it } from "vitest";

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
      await build({
        entry: { index: fileURLToPath(new URL("../src/index.ts", import.meta.url)) },
        format: ["esm"],
        outDir: out,
        target: "es2022",
        dts: false,
        silent: true,
        config: false,
        noExternal: [/.*/],
        esbuildOptions(o) {
          o.conditions = ["source"];
        },
      });
      const m = (await import(pathToFileURL(join(out, "index.js")).href)) as Record<
        string,
        { name: string; length: number }
      >;
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
