/**
 * Copies across slabs (frame-views.ts): a COW copy whose source and
 * destination frames sit in different slabs copies through a view of the
 * source frame that the pool may keep and reuse. Every copy must still copy
 * the source frame's current bytes: when its view is reused, after the frame
 * was rewritten in place, and when another frame's pfn takes the view's
 * cache slot (pfns 1,024 apart). Pages are 512 B (above the
 * 256 B frames that copy by an int32 loop) and slabs hold 4 frames, so
 * nearly every copy crosses slabs. The model is a plain Uint8Array per space,
 * copied on fork.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const PS = 512;
const SLAB = 4 * PS;

/** Every byte of `s` equals `model`'s. */
function expectBytes(s: AddressSpace, model: Uint8Array): void {
  const got = new Uint8Array(model.length);
  s.read(0, got);
  let diff = -1;
  for (let i = 0; i < model.length && diff < 0; i++) if (got[i] !== model[i]) diff = i;
  expect(diff).toBe(-1);
}

describe("copies across slabs", () => {
  it("copy the source's current bytes: kept views reused, rewritten sources, pfns sharing a cache slot", () => {
    const pages = 1000; // under the cache's 1,024 entries: each parent's frames get views from their second copy on
    const pool = new FramePool({ pageSize: PS, slabBytes: SLAB, firstSlabBytes: SLAB });
    // Two parents whose frames are pfns ~1..1000 and ~1001..2000: pfn & 1023 puts them in each other's slots.
    const parents: [AddressSpace, Uint8Array][] = [];
    for (let k = 0; k < 2; k++) {
      const s = new AddressSpace({ size: pages * PS, pool });
      const m = new Uint8Array(pages * PS);
      for (let i = 0; i < m.length; i++) m[i] = (i * 7 + (i >>> 9) + k * 101) & 0xff;
      s.write(0, m);
      parents.push([s, m]);
    }
    for (const k of [0, 0, 0, 1, 1, 0, 1, 0]) {
      const [parent, model] = parents[k] as [AddressSpace, Uint8Array];
      const child = parent.fork();
      const childModel = model.slice();
      // First write to every page: one COW copy each, from the parent's frames (the same pfns every round).
      for (let p = 0; p < pages; p++) {
        child.setUint8(p * PS + (p % PS), 1 + k);
        childModel[p * PS + (p % PS)] = 1 + k;
      }
      expectBytes(child, childModel);
      child.release(); // its frames return to the free list: next round's destinations
      // The parent rewrites some of its (private again) frames in place: later copies must see the new bytes.
      for (let p = k; p < pages; p += 7) {
        parent.setUint8(p * PS + 3, 200 + p);
        model[p * PS + 3] = (200 + p) & 0xff;
      }
      for (const [s, m] of parents) expectBytes(s, m);
    }
    for (const [s] of parents) s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
  });

  it("model test: forks, writes and releases over many small slabs give every space its own bytes, no leak", () => {
    const PAGES = 24;
    type Op = { kind: "fork" | "write" | "release"; space: number; page: number; value: number };
    const op = fc.record({
      kind: fc.constantFrom<Op["kind"]>("fork", "write", "write", "release"),
      space: fc.nat(),
      page: fc.nat({ max: PAGES - 1 }),
      value: fc.integer({ min: 1, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const pool = new FramePool({ pageSize: PS, slabBytes: SLAB, firstSlabBytes: SLAB });
        const first = new AddressSpace({ size: PAGES * PS, pool });
        const m0 = new Uint8Array(PAGES * PS);
        for (let p = 0; p < PAGES; p++) m0[p * PS] = p + 1;
        first.write(0, m0);
        const live: [AddressSpace, Uint8Array][] = [[first, m0]];
        for (const o of ops) {
          if (live.length === 0) break;
          const i = o.space % live.length;
          const [s, m] = live[i] as [AddressSpace, Uint8Array];
          if (o.kind === "fork") live.push([s.fork(), m.slice()]);
          else if (o.kind === "write") {
            const at = o.page * PS + (o.value % PS);
            s.setUint8(at, o.value);
            m[at] = o.value;
          } else {
            s.release();
            live.splice(i, 1);
          }
          for (const [ls, lm] of live) expectBytes(ls, lm);
        }
        for (const [s] of live) s.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
      }),
      { numRuns: 150 },
    );
  });
});
