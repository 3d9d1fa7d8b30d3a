/**
 * A heap call whose reservation runs the pool's out-of-memory hook, while the
 * hook itself uses another heap (of another pool): the first call must still
 * do what it planned, in its own heap.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap } from "../src/index.js";

const PS = 256;

describe("Heap calls stay correct when the out-of-memory hook uses another heap", () => {
  it("malloc, free and realloc", () => {
    const other = Heap.create(new AddressSpace({ size: 256 * PS, pageSize: PS }));
    const held: number[] = [];
    let spare: AddressSpace | null = null;
    let hookCalls = 0;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 64 * PS,
      onOutOfMemory: () => {
        // User code: works on another heap, then frees memory of this pool.
        hookCalls++;
        for (let i = 0; i < 4; i++) held.push(other.malloc(24 + 100 * i));
        other.free(held.pop() as number);
        spare?.release();
        spare = null;
      },
    });
    const s = new AddressSpace({ size: 256 * PS, pool });
    const h = Heap.create(s);
    const blocks: { addr: number; size: number; fill: number }[] = [];
    let fill = 1;
    const check = () => {
      h.check();
      other.check();
      for (const b of blocks) {
        expect(h.usableSize(b.addr)).toBeGreaterThanOrEqual(b.size);
        const got = s.read(b.addr, new Uint8Array(b.size));
        expect(
          got.every((x) => x === b.fill),
          `block at ${b.addr}`,
        ).toBe(true);
      }
    };
    for (let round = 0; round < 6; round++) {
      // Fill the pool with a space the hook will release.
      spare = new AddressSpace({ size: 64 * PS, pool });
      spare.fill(1, 0, pool.framesAvailable() * PS);
      const size = [24, 200, 3 * PS, 40, 2 * PS, 100][round] as number;
      const addr = h.malloc(size);
      s.fill(fill, addr, addr + size);
      blocks.push({ addr, size, fill: fill++ });
      check();
      spare?.release();
      spare = new AddressSpace({ size: 64 * PS, pool });
      spare.fill(1, 0, pool.framesAvailable() * PS);
      const b = blocks[0] as { addr: number; size: number; fill: number };
      const grown = b.size * 2 + 5; // up to ~2 KiB: moves between size classes and pages
      b.addr = h.realloc(b.addr, grown);
      s.fill(b.fill, b.addr + b.size, b.addr + grown);
      b.size = grown;
      check();
      spare?.release();
      spare = null;
    }
    expect(hookCalls).toBeGreaterThanOrEqual(6); // every malloc above ran it (a realloc in place may not)
    for (const b of blocks) h.free(b.addr);
    h.check();
  });
});
