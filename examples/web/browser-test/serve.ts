/**
 * Building the app and serving it for the browser tests: `vite build` into
 * dist/, then `vite preview` on 127.0.0.1, on a free port.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { build, createServer, type PreviewServer, preview, type ViteDevServer } from "vite";

/** examples/web, where vite.config.ts lives. */
export const WEB_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIG = fileURLToPath(new URL("../vite.config.ts", import.meta.url));

/** A running server and the URL of the app. */
export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

function urlOf(server: PreviewServer | ViteDevServer): string {
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error("vite did not report the server's URL");
  return url;
}

/** Builds the app (production mode) and serves dist/ with `vite preview` on a free port. */
export async function buildAndPreview(): Promise<Served> {
  // vitest sets NODE_ENV=test, and Vite then bundles React's development
  // build; the app must be measured as `pnpm web:build` builds it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: CONFIG, logLevel: "warn", mode: "production" });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await preview({ configFile: CONFIG, logLevel: "warn", preview: { port: 0, strictPort: false } });
  return { url: urlOf(server), close: () => server.close() };
}

/** Serves the sources with the dev server, as `pnpm web` does, on a free port. */
export async function devServer(): Promise<Served> {
  const server = await createServer({ configFile: CONFIG, logLevel: "warn", server: { port: 0, strictPort: false } });
  await server.listen();
  return { url: urlOf(server), close: () => server.close() };
}
