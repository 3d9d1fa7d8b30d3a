/**
 * A heap call near the pool's limit runs the out-of-memory hook from its
 * reservation (heap/reserve.ts), after it planned its writes and counted the
 * frames they take. A hook that forked the heap's space there shared the
 * pages the call had to itself: the call then ran out of frames halfway
 * through its metadata writes and threw OutOfMemoryError with the heap half
 * changed (`heap.check()`: "page 6 has state 0"). Likewise a hook that froze
 * the space, or unmapped or write-protected the heap's pages. Each must now
 * either complete or throw having changed nothing, in the space and in the
 * fork the hook made. And a hook that allocated from the same heap took the
 * block the waiting call had planned: both got the same address (the heap's
 * check then failed: "blocks 4 != counter 5"); the waiting call is refused.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;

type Act = "fork" | "freeze" | "unmap" | "protect" | "malloc";

function setup(act: Act) {
  let armed = false;
  const made: AddressSpace[] = [];
  const inner: number[] = [];
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
      else if (act === "malloc") inner.push(Heap.attach(s).malloc(40), Heap.attach(s).malloc(300));
      else s.protect(0, 64 * PS, "read-only");
    },
  });
  const space = new AddressSpace({ size: 64 * PS, pool });
  box.space = space;
  const heap = Heap.create(space);
  const blocks = [heap.malloc(20), heap.malloc(20), heap.malloc(300)];
  const victim = new AddressSpace({ size: 4 * PS, pool });
  // One frame the hook gives back; four when it allocates in the hook too.
  for (let p = 0; p < (act === "malloc" ? 4 : 1); p++) victim.setUint8(p * PS, 1);
  box.victim = victim;
  const filler = new AddressSpace({ size: 64 * PS, pool });
  for (let k = 0; pool.framesAvailable() > 0; k++) filler.setUint8(k * PS, 1);
  return { pool, space, heap, blocks, filler, victim, made, inner, arm: () => (armed = true) };
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

describe("a heap call whose out-of-memory hook forks, freezes, unmaps, write-protects or allocates in the heap's space", () => {
  for (const act of ["fork", "freeze", "unmap", "protect", "malloc"] as const)
    for (const [name, call] of calls)
      it(`${act}: ${name} completes, or throws having changed nothing`, () => {
        const { pool, space, heap, blocks, filler, victim, made, inner, arm } = setup(act);
        const before = space.read(0, new Uint8Array(space.size));
        arm();
        let caught: unknown = null;
        let got: unknown = null;
        try {
          got = call(heap, blocks);
        } catch (e) {
          caught = e;
        }
        if (caught !== null) {
          expect([OutOfMemoryError, ProtectionFault, SegmentationFault].some((c) => caught instanceof c)).toBe(true);
          if (act === "unmap") space.map(0, 64 * PS);
          if (act === "protect") space.protect(0, 64 * PS, "read-write");
          if (act !== "unmap" && act !== "malloc") expect(space.read(0, new Uint8Array(space.size))).toEqual(before);
        }
        // A block the hook allocated is never handed out again by the call that waited.
        if (typeof got === "number" && got !== 0) expect(inner).not.toContain(got);
        if (act !== "unmap") heap.check();
        for (const m of made) Heap.attach(m).check();
        for (const m of made) m.release();
        filler.release();
        victim.release(); // when the hook did not run
        space.release();
        expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0, spaces: 0 });
      });
});
