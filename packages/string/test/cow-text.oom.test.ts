import { FramePool, Heap, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

/** Everything a refused call must leave as it was: text, frames, page-table nodes, the heap's counters. */
function snapshot(t: CowText) {
  const { framesInUse, pageTableNodes } = t.space.pool.stats();
  const heap = Heap.attach(t.space, t.pageSize).stats();
  return { text: t.toString(), length: t.length, framesInUse, pageTableNodes, heap };
}

describe("CowText out of memory", () => {
  it("refuses an insert its heap cannot hold and changes nothing (the text stays whole, delete works)", () => {
    // Regression: the insert that met the heap's end had already written its
    // first leaf and counted its length, so the text read garbage past its
    // real end and a later delete looped forever. 1024 pages of 256 bytes:
    // ~960 node pages, room for ~120,000 units in freshly split leaves.
    const pool = new FramePool({ pageSize: 256 });
    const t = new CowText({ pool, maxPages: 1024 });
    const chunk = "abcdefghij".repeat(1000);
    let model = "";
    let refused: unknown = null;
    for (let i = 0; i < 40 && refused === null; i++) {
      const pos = Math.floor(t.length / 2);
      const before = snapshot(t);
      try {
        t.insert(pos, chunk);
        model = model.slice(0, pos) + chunk + model.slice(pos);
      } catch (e) {
        refused = e;
        expect(snapshot(t)).toEqual(before);
      }
    }
    expect(refused).toBeInstanceOf(OutOfMemoryError);
    expect(String(refused)).toMatch(/maxPages/);
    expect(t.length).toBe(model.length);
    expect(t.toString()).toBe(model);
    expect(t.slice(-5)).toBe(model.slice(-5));
    expect(t.charCodeAt(model.length - 1)).toBe(model.charCodeAt(model.length - 1));
    t.delete(model.length - 3000, 2000);
    model = model.slice(0, model.length - 3000) + model.slice(model.length - 1000);
    expect(t.toString()).toBe(model);
    t.insert(7, "fits"); // there is room again
    model = `${model.slice(0, 7)}fits${model.slice(7)}`;
    expect(t.toString()).toBe(model);
    t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("refuses a split that would cascade past the heap's end, whatever the path", () => {
    // Fill the heap with single-unit inserts at random places (many splits,
    // new inner nodes), then keep going until refused; every refusal changes nothing.
    const pool = new FramePool({ pageSize: 256 });
    const t = new CowText({ pool, maxPages: 96 });
    let model = "";
    let seed = 7;
    let refusals = 0;
    for (let i = 0; i < 20_000 && refusals < 50; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const pos = seed % (model.length + 1);
      const s = String.fromCharCode(97 + (seed % 26)).repeat(1 + (seed % 200));
      const before = snapshot(t);
      try {
        t.insert(pos, s);
        model = model.slice(0, pos) + s + model.slice(pos);
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect(snapshot(t)).toEqual(before);
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThan(0);
    expect(t.toString()).toBe(model);
    t.delete(0, t.length);
    expect(t.length).toBe(0);
    t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("refuses an edit that must first bring a lagging path up to date when the pool lacks its frames, and changes nothing", () => {
    // Layout version 5: typing into one leaf leaves the inner nodes above it
    // behind; an edit in another leaf first writes them. With 1, 2, ... free
    // frames, that edit of a fresh fork either succeeds or throws
    // OutOfMemoryError having changed nothing (text, frames, page-table
    // nodes, heap), and the text reads right either way.
    const init = Array.from({ length: 400 }, (_, i) => `row ${i} ÿ€😀 text\n`).join(""); // height 2
    for (let free = 1; free <= 6; free++) {
      const probe = new FramePool({ pageSize: 256 });
      const base = CowText.from(init, { pool: probe });
      const needed = probe.stats().framesInUse;
      base.release();
      const pool = new FramePool({ pageSize: 256, maxBytes: (needed + 40) * 256 }); // forks below use up the rest
      const a = CowText.from(init, { pool });
      a.delete(5000, 10); // room in the leaf at 5000 (full since `from`)
      a.insert(10, "abc"); // the path to the first leaf now lags
      a.insert(13, "d");
      const forks: CowText[] = [];
      while (pool.framesAvailable() > free) {
        const f = a.fork();
        f.insert(0, "x"); // the first leaf: its own copy
        forks.push(f);
      }
      const t = a.fork();
      const before = snapshot(t);
      const want = `${before.text.slice(0, 5000)}far${before.text.slice(5000)}`;
      try {
        t.insert(5000, "far");
        expect(t.toString()).toBe(want);
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect(snapshot(t)).toEqual(before);
        for (const f of forks) f.release();
        t.insert(5000, "far"); // room again
        forks.length = 0;
        expect(t.toString()).toBe(want);
      }
      expect(a.slice(0, 20)).toBe(`${init.slice(0, 10)}abcd${init.slice(10, 16)}`);
      for (const f of [...forks, t, a]) f.release();
      expect(pool.stats().framesInUse).toBe(0);
    }
  });

  it("calls the pool's onOutOfMemory hook, which may release old versions, so a history of edits goes on", () => {
    // Regression: CowText refused an edit by itself, never asking the hook:
    // this loop ended with OutOfMemoryError, 76 versions kept and 0 hook calls.
    const versions: CowText[] = [];
    let calls = 0;
    const pool = new FramePool({
      pageSize: 256,
      maxBytes: 256 * 256,
      onOutOfMemory: ({ pool, requestedBytes }) => {
        calls++;
        while (pool.framesAvailable() * 256 < requestedBytes && versions.length > 1) versions.shift()?.release();
      },
    });
    let model = "a".repeat(2000);
    let t = CowText.from(model, { pool });
    for (let i = 0; i < 2000; i++) {
      versions.push(t);
      t = t.fork();
      const p = (i * 37) % t.length;
      t.insert(p, "b");
      model = `${model.slice(0, p)}b${model.slice(p)}`;
      const d = (i * 53) % (t.length - 1);
      t.delete(d, 1);
      model = model.slice(0, d) + model.slice(d + 1);
    }
    expect(calls).toBeGreaterThan(100);
    expect(t.toString()).toBe(model);
    expect(pool.framesInUse).toBeLessThanOrEqual(256);
    for (const v of versions) v.release();
    t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("throws ReleasedError, and writes nothing, when the hook releases the text being edited", () => {
    const texts: CowText[] = [];
    const pool = new FramePool({
      pageSize: 256,
      maxBytes: 40 * 256,
      onOutOfMemory: () => {
        for (const t of texts) t.release();
      },
    });
    const a = CowText.from("x".repeat(2000), { pool });
    const b = a.fork();
    texts.push(a, b);
    expect(() => b.insert(1000, "y".repeat(6000))).toThrow(ReleasedError); // 24+ narrow leaves: more than the 40 frames hold with a
    expect(pool.stats().framesInUse).toBe(0);
  });
});
