import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

/** Where `pnpm web` serves the app (the README and the browser tests name it). */
export const DEV_HOST = "127.0.0.1";
export const DEV_PORT = 5173;

/**
 * Cross-origin isolation, which SharedArrayBuffer needs: the trace player's
 * pool keeps its slabs in SharedArrayBuffers so a worker reads versions in
 * place (the app loads nothing cross-origin).
 */
const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  resolve: {
    // The workspace packages export their TypeScript sources under the "source"
    // condition (as the root vitest.config.ts uses them), so the app needs no
    // build of the packages. Vite's own client conditions follow, for React.
    conditions: ["source", ...defaultClientConditions],
  },
  server: { host: DEV_HOST, port: DEV_PORT, strictPort: true, headers: ISOLATION_HEADERS },
  preview: { host: DEV_HOST, port: 4173, headers: ISOLATION_HEADERS },
  // The worker is an ES module, bundled with the same "source" condition.
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The app needs what the library needs: ES2022 classes, resizable
    // arrays, FinalizationRegistry; every current browser has them.
    target: "es2022",
    // The trace (~0.9 MB gzipped) is an asset, never inlined.
    assetsInlineLimit: 4096,
  },
});
