/**
 * Test isolation with copy-on-write forks: one 256 MiB fixture is built once
 * (beforeAll) and frozen; every test gets `fixture.fork()` in beforeEach and
 * releases it in afterEach. Tests write freely and never see each other's
 * writes: the first three write the same cells in different ways and each
 * sees only the fixture's values plus its own writes, checked cell by cell
 * and, over all 256 MiB at once, with `space.diff(fixture)` (which pages
 * differ from the fixture: exactly the pages the test wrote).
 */
import { type AddressSpace, type FramePool, ProtectionFault } from "@pagefork/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildFixture, FIXTURE_BYTES, FIXTURE_PAGE_SIZE, flags, ids, prices } from "../src/fixture.js";

let fixture: AddressSpace;
let pool: FramePool;
let fixtureFrames: number;
/** This test's private copy. */
let space: AddressSpace;

beforeAll(() => {
  ({ fixture, pool } = buildFixture());
  fixtureFrames = pool.framesInUse;
}, 60_000);

afterAll(() => {
  fixture.release();
  expect(pool.framesInUse).toBe(0);
});

beforeEach(() => {
  space = fixture.fork(); // O(1): shares all 65,536 pages
});

afterEach(() => {
  space.release();
  // The test's private pages went back to the pool; the fixture's are untouched.
  expect(pool.framesInUse).toBe(fixtureFrames);
});

/** Cells several tests write: first, last and page-straddling elements of each region. */
const PRICE_CELLS = [0, 1, 511, 512, 1_000_000, prices.length - 1];
const ID_CELLS = [0, 1023, 1024, 7_777_777, ids.length - 1];
const FLAG_CELLS = [0, 4095, 4096, 40_000_000, flags.length - 1];

const priceAt = (s: AddressSpace, i: number) => s.getFloat64(prices.byteOffset + i * 8);
const idAt = (s: AddressSpace, i: number) => s.getInt32(ids.byteOffset + i * 4);
const flagAt = (s: AddressSpace, i: number) => s.getUint8(flags.byteOffset + i);

/** Byte address of the page holding byte `addr`. */
const pageOf = (addr: number) => addr - (addr % FIXTURE_PAGE_SIZE);

/**
 * Every shared cell and its neighbours hold the fixture's value, except the
 * cells in `own`, which hold the test's value; and the pages that differ from
 * the fixture anywhere in the 256 MiB are exactly the pages of `own`.
 */
function expectFixturePlus(own: Map<number, number>): void {
  const cells: [number, () => number, number][] = [];
  for (const i of PRICE_CELLS)
    for (const j of [i - 1, i, i + 1])
      if (j >= 0 && j < prices.length)
        cells.push([prices.byteOffset + j * 8, () => priceAt(space, j), prices.value(j)]);
  for (const i of ID_CELLS)
    for (const j of [i - 1, i, i + 1])
      if (j >= 0 && j < ids.length) cells.push([ids.byteOffset + j * 4, () => idAt(space, j), ids.value(j)]);
  for (const i of FLAG_CELLS)
    for (const j of [i - 1, i, i + 1])
      if (j >= 0 && j < flags.length) cells.push([flags.byteOffset + j, () => flagAt(space, j), flags.value(j)]);
  for (const [addr, read, original] of cells) expect(read(), `cell at byte ${addr}`).toBe(own.get(addr) ?? original);
  const written = [...new Set([...own.keys()].map(pageOf))].sort((a, b) => a - b);
  expect(space.diff(fixture)).toEqual(written);
}

describe("tests that write the same cells never see each other's writes", () => {
  it("test A: negates the prices, zeroes the ids, sets the flags", () => {
    const own = new Map<number, number>();
    for (const i of PRICE_CELLS) {
      space.setFloat64(prices.byteOffset + i * 8, -prices.value(i));
      own.set(prices.byteOffset + i * 8, -prices.value(i));
    }
    for (const i of ID_CELLS) {
      space.setInt32(ids.byteOffset + i * 4, 0);
      own.set(ids.byteOffset + i * 4, 0);
    }
    for (const i of FLAG_CELLS) {
      space.setUint8(flags.byteOffset + i, 0xff);
      own.set(flags.byteOffset + i, 0xff);
    }
    expectFixturePlus(own);
  });

  it("test B: writes other values into the same cells (and sees none of test A's)", () => {
    const own = new Map<number, number>();
    // First check: nothing of test A is visible.
    expectFixturePlus(own);
    for (const i of PRICE_CELLS) {
      space.setFloat64(prices.byteOffset + i * 8, 1e9 + i);
      own.set(prices.byteOffset + i * 8, 1e9 + i);
    }
    for (const i of ID_CELLS) {
      space.setInt32(ids.byteOffset + i * 4, -1 - i);
      own.set(ids.byteOffset + i * 4, -1 - i);
    }
    expectFixturePlus(own);
  });

  it("test C: bulk-writes whole pages over the same cells with fill and write", () => {
    const own = new Map<number, number>();
    const first = prices.byteOffset;
    space.fill(0, first, first + 2 * FIXTURE_PAGE_SIZE); // elements 0..1023 become 0
    for (let j = 0; j < 1024; j++) own.set(first + j * 8, 0);
    const tail = new Uint8Array(FIXTURE_PAGE_SIZE).fill(42);
    const at = flags.byteOffset + flags.length - FIXTURE_PAGE_SIZE;
    space.write(at, tail); // the last page of flags
    for (let j = 0; j < FIXTURE_PAGE_SIZE; j++) own.set(at + j, 42);
    expectFixturePlus(own);
  });

  it("test D: only reads, and sees the fixture as built", () => {
    expectFixturePlus(new Map());
  });
});

describe("a fork's cost", () => {
  it("is only the pages the test wrote (USS), while it maps the whole fixture (RSS)", () => {
    const before = space.stats();
    expect(before.rss).toBe(FIXTURE_BYTES);
    expect(before.uss).toBe(0);
    // Three writes on three pages, two writes on one more page.
    space.setFloat64(prices.byteOffset, 1);
    space.setInt32(ids.byteOffset + 4 * 5_000_000, 1);
    space.setUint8(flags.byteOffset + 123, 1);
    space.setUint8(flags.byteOffset + 9 * FIXTURE_PAGE_SIZE, 1);
    space.setUint8(flags.byteOffset + 9 * FIXTURE_PAGE_SIZE + 1, 1);
    const after = space.stats();
    expect(after.uss).toBe(4 * FIXTURE_PAGE_SIZE);
    expect(after.copyFaults).toBe(4);
    expect(after.rss).toBe(FIXTURE_BYTES);
    expect(pool.framesInUse).toBe(fixtureFrames + 4);
    // The fixture lost nothing: it still holds all its pages and now owns the 4 it no longer shares.
    expect(fixture.stats().rss).toBe(FIXTURE_BYTES);
    expect(fixture.stats().uss).toBe(4 * FIXTURE_PAGE_SIZE);
  });
});

describe("the fixture itself", () => {
  it("is frozen: a test that writes to it by mistake gets ProtectionFault", () => {
    expect(fixture.frozen).toBe(true);
    expect(() => fixture.setFloat64(0, 1)).toThrow(ProtectionFault);
    expect(() => fixture.fill(0, 0, 8)).toThrow(ProtectionFault);
    expect(space.frozen).toBe(false);
    expect(priceAt(fixture, 0)).toBe(0);
  });
});
