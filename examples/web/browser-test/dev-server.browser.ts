/**
 * `pnpm web` in a real browser: the dev server serves the app from the
 * TypeScript sources of the workspace packages (the "source" export
 * condition), the trace through Vite's `?url` import from data/, and React in
 * development mode with StrictMode. The replay must finish on endContent, and
 * a stroke on the paint grid must make one version that undo and redo move
 * through, with no console error (React's development build warns, for
 * example, about a store snapshot that is not cached).
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

  it("paints a stroke as one version of the paint store, and undoes and redoes it, with no console error", async () => {
    const canvas = page.locator('[data-testid="paint-canvas"]');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (box === null) throw new Error("the paint canvas has no box");
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.55, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="paint-stats"][data-versions="2"]');
    const painted = await page.evaluate(() => window.__pagefork?.paintChecksum());
    expect(painted).toBeGreaterThan(0);
    await page.locator('[data-testid="paint-undo"]').click();
    await page.waitForSelector('[data-testid="paint-canvas"][data-position="0"]');
    expect(await page.evaluate(() => window.__pagefork?.paintChecksum())).toBe(0);
    await page.locator('[data-testid="paint-redo"]').click();
    await page.waitForSelector('[data-testid="paint-canvas"][data-position="1"]');
    expect(await page.evaluate(() => window.__pagefork?.paintChecksum())).toBe(painted);
    expect(errors).toEqual([]);
  });
});
