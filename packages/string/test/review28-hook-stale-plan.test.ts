/**
 * Review 28: the pool's out-of-memory hook is user code that runs in the
 * middle of an edit (plan.ts reserveEdit, after the plan, before any write).
 * It should only release spaces, but what it does besides must not make the
 * edit fail halfway ("a call that throws changes nothing"), as array's
 * reserve.ts guarantees for arrays: after the hook the edit is planned and
 * measured again and refused (OutOfMemoryError, nothing changed) when it no
 * longer fits or no longer applies.
 *
 * Found: a hook that took the heap's last pages for another text in the same
 * heap (after releasing old versions) let the edit go on with the room it had
 * measured before the hook; the heap refused a page halfway, and the text was
 * left with its new length over its old pages (`length` disagreed with
 * `toString()`). A hook that edited the text itself left the edit to
 * replan a position past its new end.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError, OutOfMemoryError, ProtectionFault } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;

/**
 * A pool of `frames` frames whose hook releases a ballast space (so that frames are
 * free again) and then runs `act` once.
 */
function world(frames: number) {
  const w = { act: null as null | (() => void), ran: false, ballast: null as AddressSpace | null };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: frames * PS,
    onOutOfMemory: () => {
      w.ran = true;
      w.ballast?.release();
      w.ballast = null;
      const f = w.act;
      w.act = null;
      f?.();
    },
  });
  /** Fills every free frame of the pool with a ballast space, so the next edit that needs a frame runs the hook. */
  const fill = () => {
    const b = new AddressSpace({ size: 2 ** 24, pool });
    for (let p = 0; pool.framesAvailable() > 0; p++) b.setUint8(p * PS, 1);
    w.ballast = b;
  };
  return { pool, w, fill };
}

function inserted(s: string, pos: number, text: string) {
  const r = s.slice(0, pos) + text + s.slice(pos);
  return { text: r, length: r.length };
}

/** An embedded text's full state, as a refused call must leave it. */
function state(t: CowText) {
  return { text: t.toString(), length: t.length };
}

describe("an edit whose plan the out-of-memory hook made stale", () => {
  it("an embedded text: the hook fills the shared heap with another text; the edit is refused whole", () => {
    let refused = 0;
    for (const size of [300, 600, 900, 1500, 3000]) {
      const { pool, w, fill } = world(4000);
      const space = new AddressSpace({ size: 2 ** 24, pool });
      const heap = Heap.create(space, { base: PS, limit: PS * 64 });
      const a = CowText.create(heap, "a".repeat(100));
      const b = CowText.create(heap, "b");
      let bModel = "b";
      // b takes the heap's pages but a few.
      try {
        for (;;) {
          b.insert(0, "b".repeat(250));
          bModel += "b".repeat(250);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
      }
      b.delete(0, 250 * 8);
      bModel = bModel.slice(250 * 8);
      const snap = space.fork(); // every page shared: a's edit needs frames
      fill();
      w.act = () => {
        try {
          for (;;) {
            b.insert(0, "c".repeat(250));
            bModel = "c".repeat(250) + bModel;
          }
        } catch (e) {
          expect(e).toBeInstanceOf(OutOfMemoryError);
        }
      };
      const before = state(a);
      let caught: unknown = null;
      try {
        a.insert(50, "x".repeat(size));
      } catch (e) {
        caught = e;
      }
      // Done whole, or refused having changed nothing (before the hook, when the heap is short already).
      if (caught === null) expect(state(a)).toEqual(inserted(before.text, 50, "x".repeat(size)));
      else {
        expect(caught).toBeInstanceOf(OutOfMemoryError);
        expect(state(a)).toEqual(before);
        if (w.ran) refused++;
      }
      expect(b.toString()).toBe(bModel);
      // Both still edit.
      const aText = a.toString();
      a.delete(0, 10);
      b.delete(0, 10);
      expect(a.toString()).toBe(aText.slice(10));
      expect(b.toString()).toBe(bModel.slice(10));
      snap.release();
      space.release();
      expect(pool.stats().framesInUse).toBe(0);
    }
    expect(refused).toBeGreaterThan(0); // the case found: the heap had no room for the edit after the hook
  });

  for (const [name, edit, hook, expected] of [
    [
      "insert at the end; the hook deletes everything",
      (t: CowText) => t.insert(3000, "x".repeat(400)),
      (t: CowText) => t.delete(0, t.length),
      "",
    ],
    [
      "delete near the end; the hook deletes half",
      (t: CowText) => t.delete(2500, 400),
      (t: CowText) => t.delete(0, 1500),
      "y".repeat(1500),
    ],
  ] as const) {
    it(`a standalone text: ${name}; the edit is refused, the hook's edit stays`, () => {
      const { pool, w, fill } = world(4000);
      const t = CowText.from("y".repeat(3000), { pool });
      const f = t.fork(); // every page shared
      fill();
      w.act = () => hook(t);
      let caught: unknown = null;
      try {
        edit(t);
      } catch (e) {
        caught = e;
      }
      expect(w.ran).toBe(true);
      expect(caught).toBeInstanceOf(OutOfMemoryError);
      expect(t.toString()).toBe(expected);
      expect(t.length).toBe(expected.length);
      expect(f.toString()).toBe("y".repeat(3000));
      t.insert(t.length, "z");
      expect(t.toString()).toBe(`${expected}z`);
      t.release();
      f.release();
      expect(pool.stats().framesInUse).toBe(0);
    });
  }

  it("a hook that edits the text within range: the edit is refused too, the hook's edit stays", () => {
    const { pool, w, fill } = world(4000);
    const t = CowText.from("y".repeat(3000), { pool });
    const f = t.fork();
    fill();
    w.act = () => t.delete(0, 1000);
    expect(() => t.insert(1500, "x".repeat(400))).toThrow(OutOfMemoryError);
    expect(w.ran).toBe(true);
    expect(t.toString()).toBe("y".repeat(2000));
    t.insert(1500, "x".repeat(400));
    expect(t.toString()).toBe(`${"y".repeat(1500)}${"x".repeat(400)}${"y".repeat(500)}`);
    t.release();
    f.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a frozen embedded text's free() or edit throws ProtectionFault before the hook runs", () => {
    for (const call of [(t: CowText) => t.free(), (t: CowText) => t.insert(0, "x".repeat(600))]) {
      const { pool, w, fill } = world(4000);
      const space = new AddressSpace({ size: 2 ** 24, pool });
      const t = CowText.create(Heap.create(space, { base: PS }), "t".repeat(3000));
      const snap = space.fork();
      space.freeze();
      fill();
      w.act = () => snap.release(); // what an app's hook does: release old versions
      expect(() => call(t)).toThrow(ProtectionFault);
      expect(w.ran).toBe(false);
      expect(t.toString()).toBe("t".repeat(3000));
      w.ballast?.release();
      snap.release();
      space.release();
      expect(pool.stats().framesInUse).toBe(0);
    }
  });

  it("bad input is still refused before the hook can run", () => {
    const { pool, w, fill } = world(4000);
    const t = CowText.from("y".repeat(3000), { pool });
    const f = t.fork();
    fill();
    w.act = () => t.delete(0, 1000);
    expect(() => t.insert(3001, "x")).toThrow(InvalidArgumentError);
    expect(w.ran).toBe(false);
    t.release();
    f.release();
    w.ballast?.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
