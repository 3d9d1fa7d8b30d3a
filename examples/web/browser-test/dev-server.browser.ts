/**
 * `pnpm web` in a real browser: the dev server serves the app from the
 * TypeScript sources of the workspace packages (the "source" export
 * condition), the trace through Vite's `?url` import from data/, and React in
 * development mode with StrictMode. The replay must finish on endContent with
 * no console error.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateTrace } from "../../undo-redo/src/trace.js";
import { DEFAULT_TRACE, findRepoRoot, readTraceFile } from "../../undo-redo/src/trace-file.js";
// The app's debug hook declares window.__pagefork (the test calls it inside the page).
import type {} from "../src/debug.js";
import { type Chromium, collectPageErrors, launchChromium } from "./chromium.js";
import { devServer, type Served } from "./serve.js";

describe("examples/web on the dev server (pnpm web)", () => {
  let served: Served;
  let browser: Chromium;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    served = await devServer();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("replays the trace from the package sources and ends on endContent, with no console error", async () => {
    const { endContent, edits } = validateTrace(readTraceFile(join(findRepoRoot(), DEFAULT_TRACE)));
    await page.goto(served.url);
    await expect
      .poll(() => page.locator('[data-testid="replay-status"]').textContent(), { timeout: 240_000, interval: 250 })
      .toBe("done");
    expect(await page.evaluate((v) => window.__pagefork?.versionText(v), edits)).toBe(endContent);
    expect(await page.locator('[data-testid="text-view"]').getAttribute("data-version")).toBe(String(edits));
    expect(errors).toEqual([]);
  });
});
