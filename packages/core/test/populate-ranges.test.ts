/**
 * The ranges a populated pool hands to its thread (frame-pool.ts
 * `populateAhead`), captured by replacing the thread: every range lies inside
 * one slab and on frame boundaries, no frame is handed over twice, and at
 * every point the frames handed over cover the next 4 MiB of never-used
 * frames (or up to the end of the slabs allocated so far), whatever the page
 * size and the slab sizes. Expected values come from the pool's slab sizes,
 * not from the code under test.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";

const calls: [SharedArrayBuffer, number, number][] = [];
vi.mock("../src/populate.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/populate.js")>();
  return {
    ...real,
    ensurePopulator: () => {},
    populate: (buffer: SharedArrayBuffer, offset: number, length: number) => {
      calls.push([buffer, offset, length]);
    },
  };
});

const { AddressSpace, FramePool } = await import("../src/index.js");
const { POPULATE_LEAD_BYTES } = await import("../src/populate.js");

describe("populate ranges", () => {
  it("cover the next 4 MiB of fresh frames, inside slabs, each frame once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 16 }), // page shift: 256 B .. 64 KiB
        fc.integer({ min: 0, max: 6 }), // slab = page << (2 + this) ... capped below
        fc.integer({ min: 1, max: 3000 }), // frames to take
        (shift, slabExtra, frames) => {
          calls.length = 0;
          const pageSize = 1 << shift;
          const slabBytes = Math.min(1 << 30, pageSize << (2 + slabExtra));
          const pool = new FramePool({
            pageSize,
            slabBytes,
            firstSlabBytes: pageSize * 4 > slabBytes ? slabBytes : pageSize * 4,
            populate: true,
          });
          const space = new AddressSpace({ size: pageSize * frames, pool });
          const handed = new Map<SharedArrayBuffer, Uint8Array>();
          const check = (): void => {
            for (const [buffer, offset, length] of calls) {
              expect(offset % pageSize).toBe(0);
              expect(length % pageSize).toBe(0);
              expect(length).toBeGreaterThan(0);
              expect(offset + length).toBeLessThanOrEqual(buffer.byteLength);
              expect(pool.slabs.some((s) => s.buffer === buffer)).toBe(true);
              let seen = handed.get(buffer);
              if (seen === undefined) handed.set(buffer, (seen = new Uint8Array(buffer.byteLength / pageSize)));
              for (let f = offset / pageSize; f < (offset + length) / pageSize; f++) {
                expect(seen[f]).toBe(0); // never twice
                seen[f] = 1;
              }
            }
            calls.length = 0;
          };
          const step = Math.max(1, Math.floor(frames / 7));
          for (let p = 0; p < frames; p++) {
            space.setUint8(p * pageSize, 1); // one fresh frame per page
            if (p % step === 0 || p === frames - 1) {
              check();
              // Every slab frame from the frontier up to the lead (or the last slab's end) was handed over.
              const lead = POPULATE_LEAD_BYTES / pageSize;
              let pfnBase = 0;
              let want = 0;
              let covered = 0;
              for (const s of pool.slabs) {
                const n = s.buffer.byteLength / pageSize;
                const seen = handed.get(s.buffer as SharedArrayBuffer);
                for (let f = 0; f < n; f++) {
                  const pfn = pfnBase + f;
                  if (pfn > p + 1 && pfn <= p + 1 + lead - Math.max(1, (1 << 20) / pageSize)) {
                    want++;
                    if (seen !== undefined && seen[f] === 1) covered++;
                  }
                }
                pfnBase += n;
              }
              expect(covered).toBe(want);
            }
          }
          space.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
