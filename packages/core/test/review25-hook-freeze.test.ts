/**
 * An out-of-memory hook that freezes the space being written, or unmaps or
 * write-protects the pages written, in the middle of the write. The write
 * had passed its checks before the hook ran and went on: a frozen version
 * changed, or bytes landed in a hole (and reappeared when the range was
 * mapped again, where a new mapping must read zero). Now the write checks
 * again after the hook and throws what its checks would have, writing
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, ProtectionFault, SegmentationFault } from "../src/index.js";

const PS = 256;

type Act = "freeze" | "unmap" | "protect";

function run(act: Act, multi: boolean) {
  const box: { s: AddressSpace | null; x: AddressSpace | null; armed: boolean } = { s: null, x: null, armed: false };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 3 * PS,
    onOutOfMemory: () => {
      if (!box.armed) return;
      box.armed = false;
      box.x?.release(); // room for the write: it would fit now
      const s = box.s as AddressSpace;
      if (act === "freeze") s.freeze();
      else if (act === "unmap") s.unmap(0, 4 * PS);
      else s.protect(0, 4 * PS, "read-only");
    },
  });
  const s = new AddressSpace({ size: 8 * PS, pool });
  const x = new AddressSpace({ size: 8 * PS, pool });
  for (let p = 0; p < 3; p++) x.setUint8(p * PS, 1); // every frame: the write runs the hook
  Object.assign(box, { s, x, armed: true });
  const write = () => (multi ? s.write(10, new Uint8Array(PS).fill(7)) : s.setUint8(10, 7));
  expect(write).toThrow(act === "unmap" ? SegmentationFault : ProtectionFault);
  expect(pool.stats().framesInUse).toBe(0);
  expect(s.stats().rss).toBe(0);
  if (act === "unmap") s.map(0, 4 * PS);
  expect([s.getUint8(10), s.getUint8(PS + 10)]).toEqual([0, 0]);
  s.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
}

describe("a write whose out-of-memory hook freezes the space or unmaps the pages written", () => {
  for (const act of ["freeze", "unmap", "protect"] as const)
    for (const multi of [false, true])
      it(`${act}, ${multi ? "write() over two pages" : "setUint8"}: the write throws and writes nothing`, () =>
        run(act, multi));
});
