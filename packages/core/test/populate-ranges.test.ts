/**
 * The ranges a populated pool hands to its populating thread, at every page
 * size (256 B to 64 KiB), slab size and first-slab size, across slab
 * boundaries (the geometric slabs below the first full-size one, then
 * full-size slabs). `populate` is wrapped (vi.mock) to record each job before
 * it goes to the real thread. Checked against the pool's own slabs, never
 * against populate-ahead arithmetic:
 *
 * - every job lies inside one slab of the pool, starts and ends on a frame
 *   boundary, and is not empty (a job out of range would kill the thread
 *   silently: its `new Int32Array` throws there);
 * - no frame is handed to the thread twice;
 * - every fresh frame the pool hands out was handed to the thread before
 *   (the pool asks ahead, never behind), and frames recycled from the free
 *   list ask for nothing;
 * - the pool runs at most lead + chunk bytes ahead of its fresh frames;
 * - an unpopulated pool hands nothing to the thread;
 * - spaces of such pools, forked and written while the thread runs, read
 *   back as a plain Uint8Array model copied on fork, and every frame and
 *   page-table node comes back on release.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";

const jobs = vi.hoisted(() => [] as [buffer: SharedArrayBuffer, byteOffset: number, byteLength: number][]);

vi.mock("../src/populate.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/populate.js")>();
  return {
    ...actual,
    populate(buffer: SharedArrayBuffer, byteOffset: number, byteLength: number): void {
      jobs.push([buffer, byteOffset, byteLength]);
      actual.populate(buffer, byteOffset, byteLength);
    },
  };
});

import { AddressSpace, FramePool } from "../src/index.js";
import { POPULATE_CHUNK_BYTES, POPULATE_LEAD_BYTES } from "../src/populate.js";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * Pool geometry: page size, slab size, first slab size (powers of two, page
 * <= first <= slab <= 16 MiB). Slabs larger than the lead (4 MiB) make the
 * pool ask again inside one slab; small ones, at each new slab.
 */
const anyGeometry = fc
  .tuple(
    fc.integer({ min: 8, max: 16 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([pageLog, a, b]) => {
    const slabLog = pageLog + Math.round(a * (24 - pageLog));
    const firstLog = pageLog + Math.round(b * (slabLog - pageLog));
    return { pageSize: 2 ** pageLog, slabBytes: 2 ** slabLog, firstSlabBytes: 2 ** firstLog };
  });
/** One first slab of 8 or 16 MiB: past 4 MiB of frames the pool asks again inside it (populateMark), not at a new slab. */
const bigFirstSlab = fc
  .tuple(fc.integer({ min: 8, max: 16 }), fc.constantFrom(8 * 1024 * 1024, 16 * 1024 * 1024))
  .map(([pageLog, first]) => ({ pageSize: 2 ** pageLog, slabBytes: 16 * 1024 * 1024, firstSlabBytes: first }));
const geometry = fc.oneof(anyGeometry, bigFirstSlab);

/** First pfn of each slab of a pool, from the slabs' byte lengths (slab k starts where slab k - 1 ends). */
class SlabStarts {
  readonly starts = new Map<ArrayBufferLike, number>();
  private seen = 0;
  private next = 0;
  constructor(readonly pool: FramePool) {}
  /** The map, extended by the slabs added since the last call (O(new slabs): a pool may have ~25,000). */
  get(): Map<ArrayBufferLike, number> {
    const slabs = this.pool.slabs;
    for (; this.seen < slabs.length; this.seen++) {
      const buffer = (slabs[this.seen] as { buffer: ArrayBufferLike }).buffer;
      this.starts.set(buffer, this.next);
      this.next += buffer.byteLength / this.pool.pageSize;
    }
    return this.starts;
  }
}

/**
 * Checks the jobs recorded since index `from` against the pool's slabs and
 * marks their frames in `covered` (a frame handed over twice fails). Returns
 * the highest frame number handed over + 1.
 */
function checkJobs(slabs: SlabStarts, from: number, covered: Uint8Array, high: number): number {
  if (from === jobs.length) return high;
  const starts = slabs.get();
  const ps = slabs.pool.pageSize;
  for (let j = from; j < jobs.length; j++) {
    const [buffer, offset, length] = jobs[j] as [SharedArrayBuffer, number, number];
    const start = starts.get(buffer);
    const where = `job [${offset}, +${length}) of a slab of ${buffer.byteLength} bytes`;
    if (start === undefined || !(buffer instanceof SharedArrayBuffer))
      throw new Error(`${where}: not a slab of the pool`);
    if (offset % ps !== 0 || length % ps !== 0 || length <= 0 || offset + length > buffer.byteLength)
      throw new Error(`${where}: not whole frames inside the slab`);
    const first = start + offset / ps;
    for (let p = first; p < first + length / ps; p++) {
      if (covered[p] !== 0) throw new Error(`${where}: frame ${p} handed to the thread twice`);
      covered[p] = 1;
    }
    high = Math.max(high, first + length / ps);
  }
  return high;
}

describe("populate: the ranges handed to the thread", () => {
  it("cover every fresh frame before it is handed out, once, inside its slab, at most lead + chunk ahead", () => {
    fc.assert(
      fc.property(
        geometry,
        fc.oneof(fc.integer({ min: 1, max: 6 * MIB }), fc.integer({ min: 4 * MIB, max: 6 * MIB })),
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 8 }),
        ({ pageSize, slabBytes, firstSlabBytes }, bytes, recycle) => {
          jobs.length = 0;
          const pool = new FramePool({ pageSize, slabBytes, firstSlabBytes, populate: true });
          const frames = Math.max(1, Math.floor(bytes / pageSize));
          // Frame numbers stay below the bytes allocated plus a lead and a slab: the map of handed-over frames.
          const covered = new Uint8Array(frames + (POPULATE_LEAD_BYTES + slabBytes) / pageSize + 2);
          const slabs = new SlabStarts(pool);
          let high = checkJobs(slabs, 0, covered, 0);
          let seen = jobs.length;
          let nextFresh = 1; // pfn 0 is the zero frame
          const held: number[] = [];
          for (let i = 0; i < frames; i++) {
            const pfn = pool.allocFrame();
            held.push(pfn);
            if (pfn >= nextFresh) {
              // Plain checks, thrown on failure: expect() per frame is too slow for ~25,000 frames.
              if (pfn !== nextFresh) throw new Error(`fresh frame ${pfn}, expected ${nextFresh}`);
              nextFresh++;
              high = checkJobs(slabs, seen, covered, high);
              seen = jobs.length;
              if (covered[pfn] !== 1)
                throw new Error(`fresh frame ${pfn} handed out before it was handed to the thread`);
              if ((high - nextFresh) * pageSize > POPULATE_LEAD_BYTES + POPULATE_CHUNK_BYTES)
                throw new Error(`handed over up to frame ${high}, ${nextFresh} handed out: too far ahead`);
            } else if (jobs.length !== seen) throw new Error(`recycled frame ${pfn} asked the thread for frames`);
            // Now and then give a few frames back: the next allocations recycle them.
            const r = recycle[i % recycle.length] as number;
            if (i % 97 === 0 && r > 0)
              for (let k = 0; k < r && held.length > 0; k++) pool.releaseFrame(held.pop() as number);
          }
          for (const pfn of held) pool.releaseFrame(pfn);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: Math.ceil(40 * RUNS_SCALE) },
    );
    expect(jobs.length).toBeGreaterThan(0);
  }, 120_000);

  it("an unpopulated pool hands nothing to the thread", () => {
    jobs.length = 0;
    const pool = new FramePool({ pageSize: 256, slabBytes: 4 * KIB, firstSlabBytes: 1 * KIB });
    const held: number[] = [];
    for (let i = 0; i < 300; i++) held.push(pool.allocFrame());
    expect(pool.slabs.length).toBeGreaterThan(5);
    for (const pfn of held) pool.releaseFrame(pfn);
    expect(jobs.length).toBe(0);
  });
});

/** Seeded bytes (xorshift32). */
function pattern(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("populate: data under the thread's writes", () => {
  it("forks and writes across many small slabs read back as a model copied on fork, and free every frame", async () => {
    await fc.assert(
      fc.asyncProperty(
        geometry,
        fc.array(
          fc.record({
            from: fc.nat(),
            at: fc.nat(),
            len: fc.integer({ min: 1, max: 256 * KIB }),
            seed: fc.integer(),
            fork: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async ({ pageSize, slabBytes, firstSlabBytes }, steps) => {
          const pool = new FramePool({ pageSize, slabBytes, firstSlabBytes, populate: true });
          const size = 1 * MIB;
          const spaces = [new AddressSpace({ size, pool })];
          const models = [new Uint8Array(size)];
          for (const { from, at, len, seed, fork } of steps) {
            let k = from % spaces.length;
            if (fork) {
              spaces.push((spaces[k] as AddressSpace).fork());
              models.push((models[k] as Uint8Array).slice());
              k = spaces.length - 1;
            }
            const a = at % size;
            const bytes = pattern(seed, Math.min(len, size - a));
            (spaces[k] as AddressSpace).write(a, bytes);
            (models[k] as Uint8Array).set(bytes, a);
          }
          await sleep(5); // the thread's jobs race the writes above and the reads below
          for (let k = 0; k < spaces.length; k++) {
            const got = (spaces[k] as AddressSpace).read(0, new Uint8Array(size));
            const model = models[k] as Uint8Array;
            let diff = -1;
            for (let i = 0; i < size && diff < 0; i++) if (got[i] !== model[i]) diff = i;
            expect(diff, `space ${k} differs from its model`).toBe(-1);
          }
          for (const s of spaces) s.release();
          expect(pool.framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: Math.ceil(25 * RUNS_SCALE) },
    );
  }, 120_000);
});
