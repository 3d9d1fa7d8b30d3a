/**
 * The README's "The pattern" block, verbatim below the marker line, run as a test: the
 * pattern the README shows must work as copied. The last test checks that the block in the
 * README still equals this file's copy (so the two cannot drift apart).
 */
// ---- README block ----
import { AddressSpace, FramePool } from "@pagefork/core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";

let fixture: AddressSpace;
let space: AddressSpace; // this test's private copy

beforeAll(() => {
  fixture = new AddressSpace({ size: 256 * 2 ** 20, pool: new FramePool({ pageSize: 4096 }) });
  // Fill it once: write-mode page spans run native-speed loops, one fault per page.
  let k = 0;
  for (const c = fixture.spans(Float64Array, 0, 32 * 2 ** 20, "write"); c.next(); )
    for (let i = c.start; i < c.end; i++) c.array[i] = k++ / 4;
  fixture.freeze(); // a write to the fixture itself now throws ProtectionFault
});
afterAll(() => fixture.release());

beforeEach(() => {
  space = fixture.fork(); // O(1): shares all 65,536 pages
});
afterEach(() => {
  space.release(); // returns the pages this test wrote
});

it("mutates freely", () => {
  space.setFloat64(0, -1); // copies one 4 KiB page
  expect(space.getFloat64(0)).toBe(-1);
  expect(fixture.getFloat64(0)).toBe(0); // the fixture, and every other test, still see 0
  expect(space.stats().uss).toBe(4096); // this test's memory: the one page it wrote
});
// ---- end of README block ----

it("the README's block is this file's copy", async () => {
  const { readFileSync } = await import("node:fs"); // not a top import: the block above must stay verbatim
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = /## The pattern\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const self = readFileSync(new URL(import.meta.url), "utf8");
  const copy = /\/\/ ---- README block ----\n([\s\S]*?)\/\/ ---- end of README block ----/.exec(self)?.[1];
  expect(block).toBeDefined();
  expect(copy).toBe(block);
});
