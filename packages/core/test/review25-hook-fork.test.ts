/**
 * An out-of-memory hook that forks the space being written, in the middle of
 * its write fault. `fork()` hands the space's TLBs to the child (moveTlbs);
 * the fault then went on to cache the space's new private frame in the TLB
 * it had read before the hook ran, which by then was the child's write TLB:
 * the child's next write to that page hit it and wrote into the parent's
 * frame (the parent read the child's byte, the child kept reading zero).
 * And a write over several pages counted the frames it needs before the
 * hook ran; a fork there shares pages the space had to itself, so the write
 * ran out of frames at a later page, the earlier ones written.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, OutOfMemoryError, U8Span, writeU8Span } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;

/** A pool of three frames whose hook releases `victim` and forks `target` once; both set by the caller. */
function setup() {
  const box: { target: AddressSpace | null; victim: AddressSpace | null; child: AddressSpace | null } = {
    target: null,
    victim: null,
    child: null,
  };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: PS * 3,
    onOutOfMemory: () => {
      box.victim?.release();
      if (box.child === null && box.target !== null) box.child = box.target.fork();
    },
  });
  const s = new AddressSpace({ size: PS * 4, pool });
  const x = new AddressSpace({ size: PS * 4, pool });
  x.setUint8(0, 9);
  x.setUint8(PS, 9); // with s's page 0, every frame: the next fault of s runs the hook
  s.setUint8(0, 1);
  box.target = s;
  box.victim = x;
  return { pool, s, box };
}

describe("a write fault whose out-of-memory hook forks the space written", () => {
  it("caches the new frame in the space's own write TLB, never in the child's (setUint8)", () => {
    const { pool, s, box } = setup();
    s.setUint8(2 * PS, 3); // the hook releases x and forks s (child: page 2 unwritten)
    const child = box.child as AddressSpace | null;
    expect(child).not.toBeNull();
    if (child === null) return;
    expect([s.getUint8(2 * PS), child.getUint8(2 * PS)]).toEqual([3, 0]);
    child.setUint8(2 * PS, 77);
    expect([s.getUint8(2 * PS), child.getUint8(2 * PS)]).toEqual([3, 77]);
    s.setUint8(2 * PS + 1, 5); // the parent's own write TLB still serves it
    expect([s.getUint8(2 * PS + 1), child.getUint8(2 * PS + 1)]).toEqual([5, 0]);
    child.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("likewise through a write span", () => {
    const { pool, s, box } = setup();
    const span = new U8Span();
    writeU8Span(s, 2 * PS + 4, 2, span);
    span.array[span.start] = 3;
    const child = box.child as AddressSpace | null;
    expect(child).not.toBeNull();
    if (child === null) return;
    writeU8Span(child, 2 * PS + 4, 2, span);
    span.array[span.start] = 77;
    expect([s.getUint8(2 * PS + 4), child.getUint8(2 * PS + 4)]).toEqual([3, 77]);
    child.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("a write over several pages counts its frames again after the hook: a fork there shared the pages it had to itself", () => {
    // v0 holds pages 0 and 4 (5 frames of room, 3 in use); a write over pages 0-3 needs 3 frames,
    // the hook releases v2 (one frame back) and forks v0: page 0 is shared now, the write needs 4.
    const spaces: (AddressSpace | null)[] = [];
    let armed = false;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 5 * PS,
      overcommit: "always",
      onOutOfMemory: () => {
        if (!armed) return;
        armed = false;
        spaces.push((spaces[0] as AddressSpace).fork());
        (spaces[2] as AddressSpace).release();
        spaces[2] = null;
      },
    });
    const v0 = new AddressSpace({ size: 8 * PS, pool });
    spaces.push(v0, v0.fork(), v0.fork());
    (spaces[2] as AddressSpace).setUint8(0, 1);
    v0.setUint8(0, 2);
    v0.setUint8(4 * PS, 3);
    expect(pool.framesInUse).toBe(3);
    armed = true;
    expect(() => v0.write(214, bytes(1, 555))).toThrow(OutOfMemoryError);
    // Nothing of the write happened (before: pages 0-2 written, then OutOfMemoryError at page 3).
    expect(Array.from(v0.read(0, new Uint8Array(5 * PS)))).toEqual(
      Array.from(spaces[3]?.read(0, new Uint8Array(5 * PS)) ?? []),
    );
    expect([v0.getUint8(0), v0.getUint8(214), v0.getUint8(4 * PS)]).toEqual([2, 0, 3]);
    expect(pool.framesInUse).toBe(2);
    for (const s of spaces) s?.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });
});
