/**
 * The web example in a real browser: playwright-core driving Debian's
 * Chromium against the production build. Checks the replay against the
 * trace and a plain-string replay computed here in Node (never by the app),
 * the version slider, undo/redo, painting strokes into the paint store (one
 * version each) and undoing and redoing them, and that the page logs no
 * error. Prints (never asserts) the replay speed in Chromium, the p95 time of
 * a slider step and the paint timings.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlainReplay } from "../../undo-redo/src/plain-replay.js";
import { mulberry32, sampleSorted } from "../../undo-redo/src/sample.js";
import { type EditScript, validateTrace } from "../../undo-redo/src/trace.js";
import { DEFAULT_TRACE, findRepoRoot, readTraceFile } from "../../undo-redo/src/trace-file.js";
// The app's debug hook declares window.__pagefork (the tests call it inside the page).
import type {} from "../src/debug.js";
import { type Chromium, collectPageErrors, launchChromium } from "./chromium.js";
import { buildAndPreview, type Served, WEB_ROOT } from "./serve.js";

/** Screenshots go here (git-ignored). */
const SHOTS = join(WEB_ROOT, "screenshots");
/** How long the replay of the whole trace may take in the browser before the test gives up. */
const REPLAY_TIMEOUT_MS = 240_000;
/** Versions checked against the plain replay, chosen with a fixed seed. */
const SAMPLES = 5;
const SEED = 20_261_206;
/** Slider steps timed (each way). */
const TIMED_STEPS = 100;
/** Paint undo/redo round trips timed. */
const PAINT_ROUND_TRIPS = 10;

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** The text the text view shows: its window of the version, without the struck-through deleted run. */
async function shownWindow(page: Page): Promise<{ version: number; start: number; end: number; text: string }> {
  return page.locator(byTestId("text-view")).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const d of copy.querySelectorAll("del")) d.remove();
    return {
      version: Number(el.getAttribute("data-version")),
      start: Number(el.getAttribute("data-start")),
      end: Number(el.getAttribute("data-end")),
      text: copy.textContent ?? "",
    };
  });
}

/** Moves the slider to `v` as a user's drag would end: sets its value and fires `input`. */
async function moveSlider(page: Page, v: number): Promise<void> {
  await page.locator(byTestId("version-slider")).evaluate((el, value) => {
    const input = el as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
    setValue?.call(input, String(value));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, v);
  await page.waitForSelector(`${byTestId("text-view")}[data-version="${v}"]`);
}

/** A hash of every pixel of the paint canvas. */
async function canvasHash(page: Page): Promise<number> {
  return page.locator(byTestId("paint-canvas")).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
    return h >>> 0;
  });
}

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

describe("examples/web in Chromium", () => {
  let script: EditScript;
  let served: Served;
  let browser: Chromium;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    script = validateTrace(readTraceFile(join(findRepoRoot(), DEFAULT_TRACE)));
    browser = await launchChromium();
    served = await buildAndPreview();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("replays the whole trace with a moving progress bar, and ends on endContent", async () => {
    await page.goto(served.url);
    // The replay yields to the page between chunks: the bar is seen part-way.
    await page.waitForFunction(
      () => {
        const bar = document.querySelector("progress");
        return bar !== null && bar.value > 0 && bar.value < bar.max;
      },
      undefined,
      { polling: 10, timeout: REPLAY_TIMEOUT_MS },
    );
    await expect
      .poll(() => page.locator(byTestId("replay-status")).textContent(), { timeout: REPLAY_TIMEOUT_MS, interval: 250 })
      .toBe("done");
    const state = await page.evaluate(() => window.__pagefork?.replayState());
    expect(state?.edits).toBe(script.edits);
    const last = script.edits;
    const full = await page.evaluate((v) => window.__pagefork?.versionText(v), last);
    expect(full).toBe(script.endContent);
    const shown = await shownWindow(page);
    expect(shown.version).toBe(last);
    expect(shown.text).toBe(script.endContent.slice(shown.start, shown.end));
    console.log(
      `[web] replay in Chromium: ${Math.round(state?.timing?.editsPerSecond ?? 0).toLocaleString("en-US")} edits/s ` +
        `(${state?.timing?.workSeconds.toFixed(2)} s of replay, ${state?.timing?.wallSeconds.toFixed(2)} s wall ` +
        `with ${state?.timing?.chunks} yields; trace loaded in ${state?.loadSeconds.toFixed(2)} s)`,
    );
    await page.screenshot({ path: join(SHOTS, "replayed.png"), fullPage: true });
  });

  it("shows the plain-string replay's text at sampled versions, and undo/redo step by one version", async () => {
    const samples = [...sampleSorted(SAMPLES, script.edits, mulberry32(SEED))].map((v) => Math.max(1, v));
    const plain = new PlainReplay(script);
    for (const v of samples) {
      const before = plain.advanceTo(v - 1);
      const at = plain.advanceTo(v);
      await moveSlider(page, v);
      const shown = await shownWindow(page);
      expect(shown.text, `window of version ${v}`).toBe(at.slice(shown.start, shown.end));
      expect(await page.evaluate((x) => window.__pagefork?.versionText(x), v)).toBe(at);
      expect(await page.locator(byTestId("stats")).getAttribute("data-version")).toBe(String(v));

      await page.locator(byTestId("undo")).click();
      await page.waitForSelector(`${byTestId("text-view")}[data-version="${v - 1}"]`);
      const undone = await shownWindow(page);
      expect(undone.text, `window after undo from ${v}`).toBe(before.slice(undone.start, undone.end));

      await page.locator(byTestId("redo")).click();
      await page.waitForSelector(`${byTestId("text-view")}[data-version="${v}"]`);
      const redone = await shownWindow(page);
      expect(redone.text, `window after redo to ${v}`).toBe(at.slice(redone.start, redone.end));
    }
    await moveSlider(page, 0);
    expect(await page.locator(byTestId("undo")).isDisabled()).toBe(true);
    expect((await shownWindow(page)).text).toBe(script.startContent.slice(0, 2400));
    await moveSlider(page, script.edits);
    expect(await page.locator(byTestId("redo")).isDisabled()).toBe(true);
  });

  it("a worker counts the selected version from its shared pages, and agrees with the plain replay", async () => {
    // The page is cross-origin isolated (vite.config.ts sends COOP/COEP), so versions can be shared.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const plain = new PlainReplay(script);
    const picks = [...sampleSorted(3, script.edits, mulberry32(SEED + 1))];
    for (const v of picks) {
      const text = plain.advanceTo(v);
      await moveSlider(page, v);
      await page.locator(byTestId("worker-count")).click();
      const panel = page.locator(`${byTestId("worker-stats")}[data-version="${v}"]`);
      await panel.waitFor();
      const shown = await panel.evaluate((el) =>
        ["status", "length", "lines", "words", "non-ascii"].map((k) => el.getAttribute(`data-${k}`)),
      );
      // Counted here, by the test's own rules: lines = line feeds + 1; words = runs of non-blank characters.
      const words = text.split(/[ \t\r\n]+/).filter((w) => w.length > 0).length;
      let nonAscii = 0;
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++;
      expect(shown, `worker's figures for version ${v}`).toEqual([
        "ready",
        String(text.length),
        String(text.split("\n").length),
        String(words),
        String(nonAscii),
      ]);
    }
  });

  it("times slider steps (printed, not asserted)", async () => {
    const mid = Math.floor(script.edits * 0.8);
    await moveSlider(page, mid);
    await page.evaluate(() => window.__pagefork?.resetStepTimes());
    const slider = page.locator(byTestId("version-slider"));
    await slider.focus();
    for (let k = 0; k < TIMED_STEPS; k++) await slider.press("ArrowLeft");
    for (let k = 0; k < TIMED_STEPS; k++) await slider.press("ArrowRight");
    await page.waitForSelector(`${byTestId("text-view")}[data-version="${mid}"]`);
    await page.waitForTimeout(100); // the last step's after-paint timing
    const times = await page.evaluate(() => window.__pagefork?.stepTimes());
    expect(times?.work.length).toBe(2 * TIMED_STEPS);
    console.log(
      `[web] slider step (${times?.work.length} steps around version ${mid}): p95 ${percentile(times?.work ?? [], 95).toFixed(2)} ms ` +
        `to the end of the commit (median ${percentile(times?.work ?? [], 50).toFixed(2)}), ` +
        `p95 ${percentile(times?.paint ?? [], 95).toFixed(2)} ms to after the next painted frame ` +
        `(median ${percentile(times?.paint ?? [], 50).toFixed(2)})`,
    );
    await page.locator(byTestId("page-map")).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "player.png") });
  });

  it("paints strokes as one store version each, and undo/redo restore them exactly", async () => {
    const canvas = page.locator(byTestId("paint-canvas"));
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (box === null) throw new Error("the paint canvas has no box");
    const snapshot = () => page.evaluate(() => window.__pagefork?.paintSnapshot());
    const checksum = () => page.evaluate(() => window.__pagefork?.paintChecksum());
    /** One stroke through `points` (fractions of the canvas), `steps` mouse moves per segment. */
    const stroke = async (points: readonly [number, number][]) => {
      const [first, ...rest] = points as [[number, number], ...[number, number][]];
      await page.mouse.move(box.x + box.width * first[0], box.y + box.height * first[1]);
      await page.mouse.down();
      for (const [fx, fy] of rest) await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 4 });
      await page.mouse.up();
    };
    const grown = async (versions: number) => {
      await page.waitForSelector(`${byTestId("paint-stats")}[data-versions="${versions}"]`);
      const snap = await snapshot();
      // The memory panel shows the store's pool as it is.
      expect(Number(await page.locator(byTestId("paint-stats")).getAttribute("data-frames"))).toBe(snap?.framesInUse);
      return { snap, sum: await checksum(), pixels: await canvasHash(page) };
    };

    const blank = { snap: await snapshot(), sum: await checksum(), pixels: await canvasHash(page) };
    expect(blank.sum).toBe(0);
    expect(blank.snap?.versions).toBe(1);
    expect(blank.snap?.position).toBe(0);
    expect(await page.locator(byTestId("paint-undo")).isDisabled()).toBe(true);
    await page.evaluate(() => window.__pagefork?.resetPaintTimes());

    // Two strokes (each under the store's per-version cell limit): a zig-zag, then a line.
    const zigzag: [number, number][] = [0, 1, 2, 3, 4, 5, 6].map((k) => [0.15 + 0.1 * k, k % 2 === 0 ? 0.2 : 0.35]);
    await stroke(zigzag);
    const a = await grown(2);
    expect(a.snap?.versions, "one version per stroke").toBe((blank.snap?.versions ?? 0) + 1);
    expect(a.sum).toBeGreaterThan(0);
    expect(a.pixels).not.toBe(blank.pixels);
    // The stroke cost the pages it touched, not a copy of the grid (8,192 pages of 1 KiB).
    const strokeFrames = (a.snap?.framesInUse ?? 0) - (blank.snap?.framesInUse ?? 0);
    expect(strokeFrames).toBeGreaterThan(0);
    expect(strokeFrames).toBeLessThan(2048);

    await stroke([
      [0.1, 0.75],
      [0.5, 0.78],
      [0.9, 0.75],
    ]);
    const b = await grown(3);
    expect(b.snap?.versions, "one version per stroke").toBe((a.snap?.versions ?? 0) + 1);
    expect(b.sum).not.toBe(a.sum);
    expect(b.pixels).not.toBe(a.pixels);
    await page.screenshot({ path: join(SHOTS, "painted.png"), fullPage: true });

    /** Clicks undo or redo and waits until the canvas shows the version `to` (drawn in the same commit). */
    const move = async (button: "paint-undo" | "paint-redo", to: typeof blank) => {
      await page.locator(byTestId(button)).click();
      await page.waitForSelector(`${byTestId("paint-canvas")}[data-position="${to.snap?.position}"]`);
      expect(await checksum()).toBe(to.sum);
      expect(await canvasHash(page)).toBe(to.pixels);
    };
    await move("paint-undo", a);
    await move("paint-undo", blank);
    expect(await page.locator(byTestId("paint-undo")).isDisabled()).toBe(true);
    await move("paint-redo", a);
    await move("paint-redo", b);
    expect(await page.locator(byTestId("paint-redo")).isDisabled()).toBe(true);
    expect((await snapshot())?.versions).toBe(3); // undo and redo keep every version

    // Timed: more undo/redo round trips (printed, not asserted).
    for (let k = 0; k < PAINT_ROUND_TRIPS; k++) {
      await move("paint-undo", a);
      await move("paint-redo", b);
    }
    const times = await page.evaluate(() => window.__pagefork?.paintTimes());
    expect(times?.commit.length).toBe(2);
    const ms = (xs: readonly number[] | undefined) =>
      `median ${percentile(xs ?? [], 50).toFixed(2)}, p95 ${percentile(xs ?? [], 95).toFixed(2)} ms (${xs?.length})`;
    console.log(
      `[web] paint: pointer move (dabs + rows redrawn) ${ms(times?.move)}; stroke commit (setState) ` +
        `${times?.commit.map((x) => x.toFixed(2)).join(" / ")} ms ` +
        `for ${a.snap?.cellsChanged} / ${b.snap?.cellsChanged} cells; redraw after undo/redo (slice + colours + ` +
        `putImageData) ${ms(times?.redraw)}; undo/redo click to redrawn ${ms(times?.undo)}; frames in use ` +
        `${blank.snap?.framesInUse} blank, +${strokeFrames} for the first stroke, ${b.snap?.framesInUse} after two`,
    );
  });

  it("logged no console error and threw no uncaught exception", () => {
    expect(errors).toEqual([]);
  });
});
