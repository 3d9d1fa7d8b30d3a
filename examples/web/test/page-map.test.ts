/**
 * The page map against a model: a linear history of address spaces, each
 * forked from the one before and written at a random set of pages. A page's
 * frame differs from the previous version exactly when this version wrote
 * it, and from the next exactly when the next wrote it, so the expected class
 * of every page follows from the sets written, never from `diff`. The private
 * pages must also add up to the version's USS from `stats()`.
 */
import { AddressSpace, FramePool } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyPages,
  PAGE_COPIED_SHARED_NEXT,
  PAGE_PRIVATE,
  PAGE_SHARED_BOTH,
  PAGE_SHARED_PREVIOUS,
  pageMap,
} from "../src/trace/page-map.js";

const PAGE = 256;
const PAGES = 48;

describe("classifyPages", () => {
  it("classifies by membership in the two change lists, null meaning no neighbour", () => {
    const m = classifyPages([0, 256, 512, 768], [256, 768, 1024], [512, 768]);
    expect([...m.classes]).toEqual([PAGE_SHARED_BOTH, PAGE_COPIED_SHARED_NEXT, PAGE_SHARED_PREVIOUS, PAGE_PRIVATE]);
    expect(m.counts).toEqual([1, 1, 1, 1]);
    expect([...classifyPages([0, 256], null, [256]).classes]).toEqual([PAGE_COPIED_SHARED_NEXT, PAGE_PRIVATE]);
    expect([...classifyPages([0, 256], [0], null).classes]).toEqual([PAGE_PRIVATE, PAGE_SHARED_PREVIOUS]);
    expect(classifyPages([], null, null).counts).toEqual([0, 0, 0, 0]);
  });
});

describe("pageMap over a linear history", () => {
  it("matches the pages each version and the next one wrote, and private pages x page size = USS", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: PAGES - 1 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 12,
        }),
        (writes) => {
          const pool = new FramePool({ pageSize: PAGE, reclaimDropped: false });
          const empty = new AddressSpace({ size: PAGES * PAGE, pool });
          const versions = [new AddressSpace({ size: PAGES * PAGE, pool })];
          for (const pages of writes) {
            const next = (versions[versions.length - 1] as AddressSpace).fork();
            for (const p of pages) next.setUint32(p * PAGE, versions.length); // non-zero: the page gets a frame
            versions.push(next);
          }
          // writtenBy[v]: pages edit v wrote (version 0 wrote none).
          const writtenBy = [new Set<number>(), ...writes.map((w) => new Set(w))];
          const mapped = new Set<number>();
          for (let v = 0; v < versions.length; v++) {
            for (const p of writtenBy[v] as Set<number>) mapped.add(p);
            const previous = v > 0 ? (versions[v - 1] as AddressSpace) : null;
            const next = v + 1 < versions.length ? (versions[v + 1] as AddressSpace) : null;
            const space = versions[v] as AddressSpace;
            const map = pageMap(space, previous, next, empty);
            const pages = [...mapped].sort((a, b) => a - b);
            expect(map.addresses).toEqual(pages.map((p) => p * PAGE));
            const expected = pages.map((p) => {
              const copied = previous === null || (writtenBy[v] as Set<number>).has(p);
              const replaced = next === null || (writtenBy[v + 1] as Set<number>).has(p);
              return copied
                ? replaced
                  ? PAGE_PRIVATE
                  : PAGE_COPIED_SHARED_NEXT
                : replaced
                  ? PAGE_SHARED_PREVIOUS
                  : PAGE_SHARED_BOTH;
            });
            expect([...map.classes], `version ${v}`).toEqual(expected);
            expect(map.counts[PAGE_PRIVATE] * PAGE, `version ${v}`).toBe(space.stats().uss);
          }
          for (const s of versions) s.release();
          empty.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
