/**
 * Starting Debian's Chromium under playwright-core for the browser tests.
 * No browser is downloaded: the tests use the system's `/usr/bin/chromium`
 * (or `CHROMIUM_PATH`), and fail with the command that installs it.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Flags for a closed network: without the background-networking ones,
 * Chromium's own connections (updates, sync, field trials) are refused, many
 * at a time, and it keeps looking up hosts it cannot reach. `--headless` is
 * added by playwright (`headless: true`).
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Playwright's limit for every navigation, wait and action of the tests'
 * pages (its default is 30 s). Only a hang guard, as the 300 s test limits of
 * vitest.browser.config.ts: the tests assert what the page shows, never how
 * fast. On a loaded 2-core machine (load ~24) `page.goto` of the dev server
 * took 18-28 s before its load event (Vite transforms every source module on
 * first request, and pre-bundles React when its cache is empty, as on a clean
 * clone): within 10% of the default.
 */
export const PAGE_TIMEOUT_MS = 240_000;

/** Thrown when the Chromium binary is missing. */
export class ChromiumMissingError extends Error {
  override readonly name = "ChromiumMissingError";
}

/** A running browser with a fresh profile; `close()` stops it and deletes the profile. */
export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a new, empty `--user-data-dir`.
 * @throws {ChromiumMissingError} naming `apt-get install -y chromium` when the binary is missing.
 */
export async function launchChromium(viewport = { width: 1280, height: 1000 }): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH))
    throw new ChromiumMissingError(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests drive Debian's Chromium: ` +
        "install it with `apt-get install -y chromium` (as root; run `apt-get update` first on a new machine), " +
        "or set CHROMIUM_PATH to another Chromium binary.",
    );
  const profile = await mkdtemp(join(tmpdir(), "pagefork-web-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
  });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS); // navigations too (setDefaultNavigationTimeout falls back to it)
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Collects what the page reports as errors: `console.error` messages (with
 * the URL that logged them) and uncaught exceptions. The array fills as the
 * page runs; a test asserts it is empty.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}
