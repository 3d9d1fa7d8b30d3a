import { defineConfig } from "vitest/config";

// One root config; each package is a project. The "source" export condition makes
// workspace imports resolve to TypeScript sources, so tests need no build step.
export default defineConfig({
  resolve: { conditions: ["source"] },
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
    ],
  },
});
