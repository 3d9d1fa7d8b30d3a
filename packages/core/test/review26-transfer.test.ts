/**
 * `transferCopy()` found the pages to copy by diffing the space against a new
 * empty space of its size and pool. That space was charged its whole size:
 * under overcommit "never" the copy of any space larger than the commit room
 * left threw OutOfMemoryError (a read refused for a write's budget), after
 * running the out-of-memory hook, which could release the very space being
 * copied. It also took a registry slot and moved the pool's commit peak.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const PS = 256;

describe("transferCopy() takes no commit charge", () => {
  it('copies a space under overcommit "never" with no room left, without running the hook, changing nothing', () => {
    let hooks = 0;
    const pool = new FramePool({
      pageSize: PS,
      overcommit: "never",
      maxBytes: 4 * PS,
      onOutOfMemory: () => {
        hooks++;
      },
    });
    const s = new AddressSpace({ size: 4 * PS, pool });
    s.setUint8(PS + 3, 7);
    s.setUint8(3 * PS, 9);
    const before = pool.stats();
    const copy = s.transferCopy();
    expect(hooks).toBe(0);
    expect(pool.stats()).toEqual(before);
    expect(copy.pages).toEqual([PS, 3 * PS]);
    const there = AddressSpace.attach(copy);
    for (let i = 0; i < 4 * PS; i++) expect(there.getUint8(i)).toBe(s.getUint8(i));
    there.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0, pageTableNodes: 0 });
  });

  it("a copy of a space whose tree has several levels lists every written page", () => {
    const pool = new FramePool({ pageSize: PS });
    const s = new AddressSpace({ size: 4096 * PS, pool });
    const written = [0, 7, 8, 63, 64, 511, 512, 4095];
    for (const p of written) s.setUint8(p * PS, p % 251 || 1);
    const f = s.fork();
    f.setUint8(100 * PS, 1);
    expect(s.transferCopy().pages).toEqual(written.map((p) => p * PS));
    expect(f.transferCopy().pages).toEqual([...written.slice(0, 5), 100, ...written.slice(5)].map((p) => p * PS));
    f.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });
});
