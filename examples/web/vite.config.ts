import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

/** Where `pnpm web` serves the app (the README and the browser tests name it). */
export const DEV_HOST = "127.0.0.1";
export const DEV_PORT = 5173;

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  resolve: {
    // The workspace packages export their TypeScript sources under the "source"
    // condition (as the root vitest.config.ts uses them), so the app needs no
    // build of the packages. Vite's own client conditions follow, for React.
    conditions: ["source", ...defaultClientConditions],
  },
  server: { host: DEV_HOST, port: DEV_PORT, strictPort: true },
  preview: { host: DEV_HOST, port: 4173 },
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
