/**
 * Review 32: a text whose header is of an older layout version, attached
 * (`CowText.attach`, `adoptText`, `attachShared`) where the header could not
 * be raised (the space frozen, or the header's page mapped read-only), never
 * writes the newer layout (narrow leaves, inner totals, a lagging path)
 * under the old header: its first edit, or the first edit of a fork of it,
 * writes the version first, or throws ProtectionFault and changes nothing.
 * Before, attach skipped the raise and the edits went on: an in-leaf delete
 * of an embedded text left header version 3 over inner nodes with totals,
 * and a fork of a text adopted from a frozen space typed a lagging path
 * under header version 4, which an older reader takes as its own layout.
 */
import { AddressSpace, FramePool, Heap, ProtectionFault } from "@pagefork/core";
import { adoptText, CowText, textStateOf } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;
/** Byte offset of the layout version in a text header (layout.ts). */
const H_VERSION = 4;

/** Runs `edit` on `t`: either it throws ProtectionFault and changes nothing, or the header is at least `min` after it. */
function editOrRefuse(t: CowText, header: number, min: number, edit: () => void, model: string): string {
  const frames = t.space.pool.framesInUse;
  const before = t.space.getUint32(header + H_VERSION);
  try {
    edit();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtectionFault);
    expect(t.toString()).toBe(model);
    expect(t.space.getUint32(header + H_VERSION)).toBe(before);
    expect(t.space.pool.framesInUse).toBe(frames);
    return "refused";
  }
  expect(t.space.getUint32(header + H_VERSION)).toBeGreaterThanOrEqual(min);
  return "done";
}

describe("review 32: an old header that attach could not raise is raised by the first edit", () => {
  it("embedded text, header page read-only: an in-leaf edit is refused until the page is writable, then raises it", () => {
    const pool = new FramePool({ pageSize: PS });
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: PS });
    let model = "hello world ".repeat(100);
    const t = CowText.create(heap, model);
    const at = t.address;
    space.setUint32(at + H_VERSION, 3); // as a layout-3 writer left it
    const page = Math.floor(at / PS) * PS;
    space.protect(page, PS, "read-only");
    const a = CowText.attach(heap, at);
    expect(space.getUint32(at + H_VERSION)).toBe(3); // could not be raised
    expect(editOrRefuse(a, at, 4, () => a.delete(600, 1), model)).toBe("refused");
    expect(editOrRefuse(a, at, 4, () => a.insert(0, "x"), model)).toBe("refused");
    space.protect(page, PS, "read-write");
    expect(editOrRefuse(a, at, 4, () => a.delete(600, 1), model)).toBe("done");
    model = model.slice(0, 600) + model.slice(601);
    expect(a.toString()).toBe(model);
    expect(CowText.attach(heap, at).toString()).toBe(model);
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("adoptText over a frozen space: a fork's first edit raises the header to 5", () => {
    const pool = new FramePool({ pageSize: PS });
    const model = "abcdefghij€".repeat(1500); // height 2
    const t = CowText.from(model, { pool });
    t.space.setUint32(H_VERSION, 4);
    const frozen = t.space.fork();
    frozen.freeze();
    const a = adoptText(frozen, textStateOf(t));
    expect(a.space.getUint32(H_VERSION)).toBe(4);
    expect(editOrRefuse(a, 0, 5, () => a.insert(6000, "x"), model)).toBe("refused");
    const f = a.fork();
    let m = model;
    for (let i = 0; i < 10; i++) {
      expect(editOrRefuse(f, 0, 5, () => f.insert(6000, "x"), m)).toBe("done");
      m = `${m.slice(0, 6000)}x${m.slice(6000)}`;
    }
    expect(f.toString()).toBe(m);
    expect(a.toString()).toBe(model);
    const again = adoptText(f.space.fork(), textStateOf(f));
    expect(again.toString()).toBe(m);
    for (const x of [t, a, f, again]) x.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("adoptText with page 0 read-only: a keystroke is refused until the page is writable", () => {
    const pool = new FramePool({ pageSize: PS });
    const model = "hello world ".repeat(100);
    const t = CowText.from(model, { pool });
    t.space.setUint32(H_VERSION, 3);
    const s = t.space.fork();
    s.protect(0, PS, "read-only");
    const a = adoptText(s, textStateOf(t));
    expect(s.getUint32(H_VERSION)).toBe(3);
    expect(editOrRefuse(a, 0, 5, () => a.insert(5, "!"), model)).toBe("refused");
    expect(editOrRefuse(a, 0, 5, () => a.delete(5, 1), model)).toBe("refused");
    const f = a.fork(); // the fork inherits the mapping and the pending raise
    expect(editOrRefuse(f, 0, 5, () => f.insert(5, "!"), model)).toBe("refused");
    s.protect(0, PS, "read-write");
    expect(editOrRefuse(a, 0, 5, () => a.insert(5, "!"), model)).toBe("done");
    expect(a.toString()).toBe(`hello!${model.slice(5)}`);
    for (const x of [t, a, f]) x.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("attachShared of a text under an old header: its fork's first edit raises it", () => {
    const pool = new FramePool({ pageSize: PS, shared: true });
    const model = "abcdefghij€".repeat(1500);
    const t = CowText.from(model, { pool });
    t.space.setUint32(H_VERSION, 4);
    const seen = CowText.attachShared(t.share());
    const f = seen.fork();
    expect(editOrRefuse(f, 0, 5, () => f.insert(6000, "x"), model)).toBe("done");
    expect(f.toString()).toBe(`${model.slice(0, 6000)}x${model.slice(6000)}`);
    expect(t.space.getUint32(H_VERSION)).toBe(4); // the owner's version is its own
    for (const x of [f, seen, t]) x.release();
    expect(pool.framesInUse).toBe(0);
  });
});
