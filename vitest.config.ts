import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// One root config; each package is a project. The "source" export condition makes
// workspace imports resolve to TypeScript sources, so tests need no build step;
// the aliases also let a package's tests import the package by its own name.
export default defineConfig({
  resolve: {
    conditions: ["source"],
    alias: { "@pagefork/core": src("core"), "@pagefork/string": src("string") },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "core", include: ["packages/core/test/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "string", include: ["packages/string/test/**/*.test.ts"] },
      },
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
