/**
 * Session 33: a heap handle makes its plans (plans.ts) at its first call that
 * plans, and `usableSize` locates into a block of its own, so a handle that
 * only attaches and checks block sizes (every kept version of a
 * @pagefork/state produce holds one) carries no plans, and a size check
 * inside an out-of-memory hook cannot overwrite the block a `free` of the
 * same handle planned.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap } from "../src/index.js";

const PS = 256;
const plansOf = (h: Heap): unknown => (h as unknown as { planSet: unknown }).planSet;

describe("heap plans are made on first use", () => {
  it("a handle that attaches and reads block sizes makes none; its first malloc does", () => {
    const s = new AddressSpace({ size: 256 * PS, pageSize: PS });
    const h = Heap.create(s);
    const p = h.malloc(40);
    const big = h.malloc(3 * PS);
    const child = s.fork();
    const h2 = Heap.attach(child);
    expect(h2.usableSize(p)).toBe(h.usableSize(p));
    expect(h2.usableSize(big)).toBeGreaterThanOrEqual(3 * PS);
    expect(() => h2.usableSize(p + 8)).toThrow();
    expect(plansOf(h2)).toBeNull();
    const q = h2.malloc(40);
    expect(plansOf(h2)).not.toBeNull();
    h2.free(q);
    h2.check();
    child.release();
    s.release();
  });

  it("a free whose reservation runs a hook that reads a block size of the same heap frees the planned block", () => {
    let spare: AddressSpace | null = null;
    let h: Heap | null = null;
    let keep = 0;
    let hookCalls = 0;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 48 * PS,
      onOutOfMemory: () => {
        hookCalls++;
        // a read of another block's size of the heap being freed from
        expect((h as Heap).usableSize(keep)).toBeGreaterThanOrEqual(2 * PS);
        spare?.release();
        spare = null;
      },
    });
    const s = new AddressSpace({ size: 256 * PS, pool });
    h = Heap.create(s);
    const small = h.malloc(24);
    keep = h.malloc(2 * PS); // a large block: another page, another kind of block info
    s.write(small, new Uint8Array(24).fill(7));
    const version = s.fork(); // shares every page: the free below copies what it writes
    spare = new AddressSpace({ size: 256 * PS, pool });
    for (let i = 0; pool.stats().framesInUse < 48 && i < 64; i++) spare.setUint8(i * PS, 1);
    h.free(small);
    expect(hookCalls).toBeGreaterThan(0);
    h.check();
    expect(() => h?.usableSize(small)).toThrow();
    expect(h.usableSize(keep)).toBeGreaterThanOrEqual(2 * PS);
    version.release();
    s.release();
  });
});
