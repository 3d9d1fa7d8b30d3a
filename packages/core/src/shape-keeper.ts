/**
 * A tiny space (and its own pool) that lives as long as the module: it keeps
 * the hidden classes of the core's objects alive. V8 holds the maps an object
 * reaches through its constructor's field stores only while some object uses
 * them; when every space, pool and TLB of a program has been dropped (a
 * warm-up round, a closed document, a finished test), the next ones are built
 * on new maps and every optimized function that embedded the old ones is
 * deoptimized at the next GC ("weak objects" in --trace-deopt: allocFrame,
 * slabOf, frameByte, lookup, insert, loadWrite, privatize, writeFault, ...) and
 * compiled again while the new objects are being used. Measured on the
 * loaded 2-core VM: the first 1,000 versions (fork + one write, all kept) of
 * a 1M-element CowFloat64Array in a fresh pool, after a warm-up pool was
 * dropped and collected, took 47-80 ms (median ~60) without this space and
 * 17-61 ms (median ~28) with it, 6 alternating processes each. Cost: one pool
 * of 256-byte pages holding one frame, about 10 KB, made with the first space
 * (importing the module allocates nothing).
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { FramePool } from "./frame-pool.js";

/** The kept space and span cursor. */
const shapeKeeper: object[] = [];
/** True once {@link keepShapes} has started (it makes a space itself). */
let shapesKept = false;

/**
 * Makes the kept space, once: a space that has written a page and been
 * forked, so every map on the hot paths exists. The AddressSpace
 * constructor calls it for the first space it makes that is not a fork,
 * before anything else (so it cannot leave that space half made), passing
 * `makeSpace` because this module cannot import the class. Never throws:
 * without it only the optimization above is lost.
 * @internal
 */
export function keepShapes(makeSpace: (pool: FramePool, size: number) => AddressSpace): void {
  if (shapesKept) return;
  shapesKept = true;
  try {
    const pool = new FramePool({ pageSize: 256, slabBytes: 256 * 4, reclaimDropped: false });
    const s = makeSpace(pool, 256 * 4);
    s.setFloat64(0, 1);
    s.getFloat64(256);
    s.fork().release();
    s.setFloat64(0, 2); // a reuse fault: the fork flushed the write TLB
    // A span cursor too: text leaf edits and map page reads make one per call (PageSpanCursor,
    // spans, next and insertIntoLeaf were deoptimized without it).
    const c = s.spans(Uint8Array, 0, 16, "write");
    c.next();
    shapeKeeper.push(s, c);
  } catch {
    // An engine out of memory for 10 KB: the caller's own allocation will say so.
  }
}
