/**
 * Review 33: two ways an edit that throws still changed something.
 *
 * 1. A handle whose header is of an older layout version (attached or
 *    adopted where it could not be raised: header.ts `markStale`) wrote the
 *    new version into its header first, then planned the edit. An edit then
 *    refused (a read-only node page, the pool or the heap short) threw with
 *    the header raised and a frame taken for its page (a copy, in a fork).
 *    The header is now checked and its frame reserved with the edit's, and
 *    written only once nothing can refuse the edit.
 * 2. A keystroke done in one descent (btree.ts insertInLeaf, deleteInLeaf)
 *    that writes its leaf and the inner nodes above it (an embedded text in
 *    a fork: two pages or more) did not reserve with `space.reserveFrames`,
 *    so the engine could refuse a slab at the parent's copy after the leaf
 *    was written: the text then read its new unit and lost its last one, and
 *    the leaf's frame stayed taken.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault } from "@pagefork/core";
import { adoptText, CowText, textStateOf } from "@pagefork/string";
import { afterEach, describe, expect, it, vi } from "vitest";
import { thrownWhileRefused } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256;
/** Byte offset of the layout version in a text header (layout.ts). */
const H_VERSION = 4;

/** A writable standalone text that must raise its header (version 4) at its first edit, and its model. */
function staleStandalone(pool: FramePool, model: string): { text: CowText; release: () => void } {
  const t = CowText.from(model, { pool });
  const f = t.space.fork();
  f.setUint32(H_VERSION, 4); // as a layout-4 writer left it
  f.freeze();
  const adopted = adoptText(f, textStateOf(t)); // cannot raise it: stale
  const text = adopted.fork(); // writable, inherits the mark
  return {
    text,
    release: () => {
      text.release();
      adopted.release();
      t.release();
    },
  };
}

/** `call` must throw `cls` having changed neither the text, nor its header's version, nor the frames in use. */
function refusedWhole(t: CowText, header: number, model: string, cls: new (...a: never[]) => Error, call: () => void) {
  const frames = t.space.pool.framesInUse;
  const version = t.space.getUint32(header + H_VERSION);
  expect(call).toThrow(cls);
  expect({
    text: t.toString(),
    version: t.space.getUint32(header + H_VERSION),
    frames: t.space.pool.framesInUse,
  }).toEqual({
    text: model,
    version,
    frames,
  });
}

describe("review 33: a stale handle's edit that is refused leaves its header as it was", () => {
  it("standalone: a node page read-only (header page writable)", () => {
    const pool = new FramePool({ pageSize: PS });
    const model = "abc".repeat(400);
    const { text, release } = staleStandalone(pool, model);
    text.space.protect(PS, text.space.size - PS, "read-only");
    refusedWhole(text, 0, model, ProtectionFault, () => text.insert(5, "x"));
    refusedWhole(text, 0, model, ProtectionFault, () => text.delete(5, 1));
    refusedWhole(text, 0, model, ProtectionFault, () => text.insert(5, "y".repeat(600)));
    text.space.protect(PS, text.space.size - PS, "read-write");
    text.insert(5, "x");
    expect(text.space.getUint32(H_VERSION)).toBe(5);
    expect(text.toString()).toBe(`${model.slice(0, 5)}x${model.slice(5)}`);
    release();
    expect(pool.framesInUse).toBe(0);
  });

  it("standalone: the pool short for a long insert", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 400 * PS });
    const model = "abc".repeat(400);
    const { text, release } = staleStandalone(pool, model);
    const pad = new AddressSpace({ size: 1024 * PS, pool });
    pad.fill(1, 0, pool.framesAvailable() * PS - 2 * PS); // two frames left
    refusedWhole(text, 0, model, OutOfMemoryError, () => text.insert(5, "y".repeat(3000)));
    refusedWhole(text, 0, model, OutOfMemoryError, () => text.delete(5, 1000));
    pad.release();
    text.insert(5, "y".repeat(3000));
    expect(text.space.getUint32(H_VERSION)).toBe(5);
    release();
    expect(pool.framesInUse).toBe(0);
  });

  it("standalone: the text's space full", () => {
    const pool = new FramePool({ pageSize: PS });
    const model = "abc";
    const t = CowText.from(model, { pool, maxPages: 8 });
    const f = t.space.fork();
    f.setUint32(H_VERSION, 4);
    f.freeze();
    const adopted = adoptText(f, textStateOf(t));
    const text = adopted.fork();
    refusedWhole(text, 0, model, OutOfMemoryError, () => text.insert(1, "z".repeat(5000)));
    text.insert(1, "z");
    expect(text.space.getUint32(H_VERSION)).toBe(5);
    text.release();
    adopted.release();
    t.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("embedded: attached under a read-only header page, then the header writable and the nodes read-only", () => {
    const pool = new FramePool({ pageSize: PS });
    const space = new AddressSpace({ size: 2 ** 20, pool });
    const heap = Heap.create(space, { base: PS });
    const model = "hello world ".repeat(100);
    const t = CowText.create(heap, model);
    const at = t.address;
    const headerPage = Math.floor(at / PS) * PS;
    space.setUint32(at + H_VERSION, 3); // as a layout-3 writer left it
    const child = space.fork();
    child.protect(headerPage, PS, "read-only");
    const a = CowText.attach(Heap.attach(child, PS), at); // cannot raise it: stale
    child.protect(PS, child.size - PS, "read-only");
    child.protect(headerPage, PS, "read-write");
    refusedWhole(a, at, model, ProtectionFault, () => a.insert(3, "x"));
    refusedWhole(a, at, model, ProtectionFault, () => a.delete(3, 1));
    child.protect(PS, child.size - PS, "read-write");
    a.delete(3, 1);
    expect(child.getUint32(at + H_VERSION)).toBe(4);
    expect(a.toString()).toBe(model.slice(0, 3) + model.slice(4));
    child.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("review 33: a keystroke over several pages refused by the engine changes nothing", () => {
  const TEXT = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
  const OPS: [string, (t: CowText) => void][] = [
    ["insert", (t) => t.insert(1900, "Q")],
    ["delete", (t) => t.delete(1900, 1)],
  ];
  for (const [name, op] of OPS) {
    it(`${name} in an embedded text of a fork`, () => {
      const bad: string[] = [];
      let refused = 0;
      for (const slab of [1, 2, 4])
        for (let pre = 0; pre < 8; pre++) {
          const pool = new FramePool({ pageSize: PS, firstSlabBytes: slab * PS, slabBytes: slab * PS });
          const space = new AddressSpace({ size: 1024 * PS, pool });
          const t = CowText.create(Heap.create(space, {}), TEXT);
          const f = space.fork();
          const w = CowText.attach(Heap.attach(f, 0), t.address);
          const pad = new AddressSpace({ size: 64 * PS, pool });
          pad.fill(1, 0, pre * PS);
          const before = { text: w.toString(), frames: pool.framesInUse };
          const thrown = thrownWhileRefused(() => op(w));
          if (thrown !== null) {
            refused++;
            expect(thrown).toBeInstanceOf(OutOfMemoryError);
            let text: string;
            try {
              text = w.toString();
            } catch (e) {
              text = String(e);
            }
            const after = { text, frames: pool.framesInUse };
            if (JSON.stringify(after) !== JSON.stringify(before))
              bad.push(
                `slab ${slab} pre ${pre}: ${after.frames - before.frames} frames, text ${after.text === before.text ? "same" : "changed"}`,
              );
          }
          f.release();
          space.release();
          pad.release();
          if (pool.framesInUse !== 0) bad.push(`slab ${slab} pre ${pre}: ${pool.framesInUse} frames leaked`);
        }
      expect(bad).toEqual([]);
      expect(refused).toBeGreaterThan(0);
    });
  }
});
