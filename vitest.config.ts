import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The workspace packages: each is a vitest project and an alias to its sources. */
const packages = ["core", "string", "array", "map"];
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// One root config; each package is a project. The "source" export condition makes
// workspace imports resolve to TypeScript sources, so tests need no build step;
// the aliases also let a package's tests import the package by its own name.
export default defineConfig({
  resolve: {
    conditions: ["source"],
    alias: Object.fromEntries(packages.map((p) => [`@pagefork/${p}`, src(p)])),
  },
  test: {
    // Model-based properties run hundreds of command sequences; on a loaded
    // 2-core CI machine one took 8.4 s against vitest's 5 s default. Tests
    // check behaviour, never speed, so the limit is only a hang guard.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`] },
      })),
      {
        extends: true,
        test: { name: "examples", include: ["examples/*/test/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "docs", include: ["test/**/*.test.ts"] },
      },
    ],
  },
});
