/**
 * Versions dropped without `release()` (reclaimed by the collector through
 * the pool's FinalizationRegistry) mixed with released and kept ones, in a
 * deep sparse space of a small growing pool: after collection the kept
 * versions read exactly as their models (a plain Uint8Array per version,
 * copied on fork), the pool holds exactly the frames they need (their PSS
 * add up to its bytes in use), and new spaces taking the freed registry
 * slots start empty and leave the kept versions alone. At the end every
 * space is released and the pool holds nothing (the leak check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { AddressSpace, FramePool, U16Span, writeU16Span } from "../src/index.js";

const PS = 256;
const SIZE = PS * 2 ** 16;
/** The pages the versions write: near 0, across the middle, near the top. */
const PAGES = [0, 1, 9, 2 ** 15 - 1, 2 ** 15, 2 ** 16 - 1];

type Fate = "keep" | "release" | "drop";

interface Step {
  /** Index (mod the versions so far) of the version forked. */
  from: number;
  page: number;
  value: number;
  fate: Fate;
}

/** The model index of page `p`'s first byte: PAGES[k] is model page k. */
function at(k: number, off: number): number {
  return k * PS + off;
}

function readModel(s: AddressSpace): Uint8Array {
  const out = new Uint8Array(PAGES.length * PS);
  PAGES.forEach((p, k) => {
    s.read(p * PS, out.subarray(k * PS, (k + 1) * PS));
  });
  return out;
}

/**
 * Builds the versions in a function of its own, so that the dropped ones
 * are unreachable once it returns; returns the kept ones with their models.
 */
function build(pool: FramePool, steps: Step[]): { kept: AddressSpace[]; models: Uint8Array[] } {
  const root = new AddressSpace({ size: SIZE, pool });
  const all: (AddressSpace | null)[] = [root];
  const models: Uint8Array[] = [new Uint8Array(PAGES.length * PS)];
  const span = new U16Span();
  for (const step of steps) {
    let from = step.from % all.length;
    while (all[from] === null) from = (from + 1) % all.length;
    const parent = all[from] as AddressSpace;
    const child = parent.fork();
    const m = (models[from] as Uint8Array).slice();
    const k = step.page % PAGES.length;
    const off = (step.value % (PS / 2)) * 2;
    writeU16Span(child, (PAGES[k] as number) * PS + off, 1, span);
    span.array[span.start] = step.value;
    m[at(k, off)] = step.value & 0xff;
    m[at(k, off) + 1] = step.value >> 8;
    all.push(child);
    models.push(m);
    const i = all.length - 1;
    if (step.fate === "release") {
      child.release();
      all[i] = null;
    } else if (step.fate === "drop") all[i] = null; // unreachable after build returns
  }
  const kept: AddressSpace[] = [];
  const keptModels: Uint8Array[] = [];
  all.forEach((s, i) => {
    if (s !== null) {
      kept.push(s);
      keptModels.push(models[i] as Uint8Array);
    }
  });
  return { kept, models: keptModels };
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  from: fc.nat({ max: 1000 }),
  page: fc.nat({ max: PAGES.length - 1 }),
  value: fc.nat({ max: 0xffff }),
  fate: fc.constantFrom<Fate>("keep", "release", "drop", "drop"),
});

describe("dropped versions reclaimed by the collector, among released and kept ones", () => {
  it("keeps every kept version intact, frees exactly the rest, and hands the slots out again cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 80 }), async (steps) => {
        const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 16 * PS });
        const { kept, models } = build(pool, steps);
        const ok = await collectUntil(() => pool.stats().spaces === kept.length, 50);
        expect(ok, `spaces ${pool.stats().spaces}, kept ${kept.length}`).toBe(true);
        const check = () => {
          let pss = 0;
          kept.forEach((s, i) => {
            expect(Array.from(readModel(s))).toEqual(Array.from(models[i] as Uint8Array));
            pss += s.stats().pss;
          });
          return pss;
        };
        const pssKept = check();
        expect(Math.round(pssKept)).toBe(pool.bytesInUse);
        // New spaces in the freed slots: empty, and writing them leaves the kept versions alone.
        const fresh: AddressSpace[] = [];
        for (let i = 0; i < 5; i++) {
          const s = new AddressSpace({ size: SIZE, pool });
          expect(Array.from(readModel(s)).every((b) => b === 0)).toBe(true);
          expect(s.stats().zeroFillFaults).toBe(0);
          s.setUint32((PAGES[i % PAGES.length] as number) * PS, 0xdeadbeef);
          fresh.push(s);
        }
        const f = kept[0]?.fork();
        f?.setUint8(0, 7);
        check();
        f?.release();
        for (const s of fresh) s.release();
        for (const s of kept) s.release();
        expect(pool.stats()).toMatchObject({
          framesInUse: 0,
          pageTableNodes: 0,
          committedBytes: 0,
          spaces: 0,
        });
      }),
      { numRuns: 8 },
    );
  });
});
