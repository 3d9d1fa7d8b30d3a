/**
 * Review 31: an edit of a read-only text is refused with ProtectionFault
 * whether or not it would fit. Found by review28-text.model in CI (seed
 * 1419242800): a frozen embedded text whose heap had no room left for the
 * insert's leaf pages threw OutOfMemoryError ("heap [..) has no room left"),
 * since the reservation measured the heap before it looked at the space's
 * protection. Both errors change nothing, but the wrong one tells the caller
 * to free memory and try again, which can never work.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;

/** A text "abc" embedded in a heap of `pages` pages in a fresh space. */
function world(pages: number) {
  const pool = new FramePool({ pageSize: PS });
  const space = new AddressSpace({ size: 2 ** 32, pool });
  const heap = Heap.create(space, { base: PS, limit: PS * (1 + pages) });
  const text = CowText.create(heap, "abc");
  return { pool, space, heap, text, state: () => ({ pool: pool.stats(), heap: heap.stats(), s: text.toString() }) };
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe("review 31: a frozen text whose heap is full", () => {
  const big = "\u{1F600}".repeat(2000); // far more leaf pages than the heap has left

  it("insert and create throw ProtectionFault, not OutOfMemoryError, and change nothing", () => {
    const w = world(8);
    // Unfrozen, the insert does not fit (and changes nothing):
    let before = w.state();
    expect(thrown(() => w.text.insert(1, big))).toBeInstanceOf(OutOfMemoryError);
    expect(w.state()).toEqual(before);
    w.space.freeze();
    before = w.state();
    expect(thrown(() => w.text.insert(1, big))).toBeInstanceOf(ProtectionFault);
    expect(thrown(() => CowText.create(w.heap, big))).toBeInstanceOf(ProtectionFault);
    expect(w.state()).toEqual(before);
    w.space.release();
    expect(w.pool.stats().framesInUse).toBe(0);
  });
});
