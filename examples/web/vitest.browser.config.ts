import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The browser tests (`pnpm test:web` at the root): playwright-core driving
 * Debian's Chromium against the built app. Kept apart from the root
 * vitest.config.ts, so `pnpm test` needs no browser.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["browser-test/**/*.browser.ts"],
    // One browser and one server for the whole file; the replay of 259,778
    // edits and the Node-side plain replay take tens of seconds on a loaded
    // 2-core machine. The limits only guard against hangs.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
