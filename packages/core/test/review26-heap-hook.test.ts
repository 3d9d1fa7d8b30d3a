/**
 * A heap call near the pool's limit runs the out-of-memory hook from its
 * reservation (heap/reserve.ts), after it planned its writes and counted the
 * frames they take. A hook that forked the heap's space there shared the
 * pages the call had to itself: the call then ran out of frames halfway
 * through its metadata writes and threw OutOfMemoryError with the heap half
 * changed (`heap.check()`: "page 6 has state 0"). Likewise a hook that froze
 * the space, or unmapped or write-protected the heap's pages. Each must now
 * either complete or throw having changed nothing, in the space and in the
 * fork the hook made.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;

type Act = "fork" | "freeze" | "unmap" | "protect";

function setup(act: Act) {
  let armed = false;
  const made: AddressSpace[] = [];
  const box: { space: AddressSpace | null; victim: AddressSpace | null } = { space: null, victim: null };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 20 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      box.victim?.release();
      const s = box.space as AddressSpace;
      if (act === "fork") made.push(s.fork());
      else if (act === "freeze") s.freeze();
      else if (act === "unmap") s.unmap(0, 64 * PS);
      else s.protect(0, 64 * PS, "read-only");
    },
  });
  const space = new AddressSpace({ size: 64 * PS, pool });
  box.space = space;
  const heap = Heap.create(space);
  const blocks = [heap.malloc(20), heap.malloc(20), heap.malloc(300)];
  const victim = new AddressSpace({ size: 4 * PS, pool });
  victim.setUint8(0, 1); // one frame the hook gives back
  box.victim = victim;
  const filler = new AddressSpace({ size: 64 * PS, pool });
  for (let k = 0; pool.framesAvailable() > 0; k++) filler.setUint8(k * PS, 1);
  return { pool, space, heap, blocks, filler, victim, made, arm: () => (armed = true) };
}

const calls: [string, (h: Heap, blocks: number[]) => unknown][] = [
  ["malloc(40)", (h) => h.malloc(40)],
  ["calloc(100)", (h) => h.calloc(100)],
  ["malloc(20)", (h) => h.malloc(20)],
  ["free(small)", (h, b) => h.free(b[0] as number)],
  ["realloc(small, 60)", (h, b) => h.realloc(b[1] as number, 60)],
  ["realloc(large, 900)", (h, b) => h.realloc(b[2] as number, 900)],
  ["allocPage()", (h) => h.allocPage()],
];

describe("a heap call whose out-of-memory hook forks, freezes, unmaps or write-protects the heap's space", () => {
  for (const act of ["fork", "freeze", "unmap", "protect"] as const)
    for (const [name, call] of calls)
      it(`${act}: ${name} completes, or throws having changed nothing`, () => {
        const { pool, space, heap, blocks, filler, victim, made, arm } = setup(act);
        const before = space.read(0, new Uint8Array(space.size));
        arm();
        let caught: unknown = null;
        try {
          call(heap, blocks);
        } catch (e) {
          caught = e;
        }
        if (caught !== null) {
          expect([OutOfMemoryError, ProtectionFault, SegmentationFault].some((c) => caught instanceof c)).toBe(true);
          if (act === "unmap") space.map(0, 64 * PS);
          if (act === "protect") space.protect(0, 64 * PS, "read-write");
          if (act !== "unmap") expect(space.read(0, new Uint8Array(space.size))).toEqual(before);
        }
        if (act !== "unmap") heap.check();
        for (const m of made) Heap.attach(m).check();
        for (const m of made) m.release();
        filler.release();
        victim.release(); // when the hook did not run
        space.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0, spaces: 0 });
      });
});
