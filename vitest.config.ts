import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The workspace packages: each is a vitest project and an alias to its sources. */
const packages = ["core", "string", "array", "map", "state", "react", "persist"];
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Exact-match aliases: `@pagefork/state` must not also catch `@pagefork/state/zustand`. */
const aliases = [
  { find: /^@pagefork\/state\/zustand$/, replacement: here("./packages/state/src/zustand.ts") },
  ...packages.map((p) => ({ find: new RegExp(`^@pagefork/${p}$`), replacement: here(`./packages/${p}/src/index.ts`) })),
];

const react18 = createRequire(here("./test/react18/package.json"));
const REACT18 = [
  "react",
  "react/jsx-runtime",
  "react/jsx-dev-runtime",
  "react-dom",
  "react-dom/client",
  "use-sync-external-store/with-selector",
  "@testing-library/react",
  "zustand",
  "zustand/vanilla",
].map((id) => ({ find: new RegExp(`^${id.replace("/", "\\/")}$`), replacement: react18.resolve(id) }));

// One root config; each package is a project. The "source" export condition makes
// workspace imports resolve to TypeScript sources, so tests need no build step;
// the aliases also let a package's tests import the package by its own name.
export default defineConfig({
  resolve: {
    conditions: ["source"],
    alias: aliases,
  },
  test: {
    // Model-based properties run hundreds of command sequences; on a loaded
    // 2-core CI machine one took 8.4 s against vitest's 5 s default. Tests
    // check behaviour, never speed, so the limit is only a hang guard.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The event loop turns before each test, so that synchronous tests of one
    // file do not add up past the 60 s in which vitest's worker must read the
    // reply to its "onTaskUpdate" RPC (see the file).
    setupFiles: [here("./test/support/yield-between-tests.ts")],
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.{ts,tsx}`] },
      })),
      {
        // The React bindings again, against React 18: test/react18 installs React 18 and the
        // libraries that import it, apart, so that they resolve React 18 among themselves;
        // these aliases make the bindings' sources and the tests import those copies.
        extends: true,
        resolve: { alias: REACT18 },
        test: { name: "react18", include: ["packages/react/test/**/*.test.{ts,tsx}"] },
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
