/**
 * What the model tests cannot see: the copy-on-write costs (which pages a
 * call copies or frees), views and forks of views, reads during writes,
 * construction forms and the large-index path.
 */
import {
  CowBigInt64Array,
  CowElements,
  CowFloat32Array,
  CowFloat64Array,
  CowInt8Array,
  CowInt32Array,
  CowTypedArray,
  CowUint8Array,
  CowVector,
} from "@pagefork/array";
import { FramePool, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { expectSameElements } from "./support.js";

const PS = 1024;
const PER_PAGE = PS / 8; // Float64 elements per page

function pool() {
  return new FramePool({ pageSize: PS });
}

describe("copy-on-write costs", () => {
  it("fork takes no frame and no page-table node; a write to a fork copies one page", () => {
    const p = pool();
    const a = CowFloat64Array.from({ length: 100 * PER_PAGE }, (_, i) => i, undefined, { pool: p });
    const before = p.stats();
    const b = a.fork();
    expect(p.stats().framesInUse).toBe(before.framesInUse);
    expect(p.stats().pageTableNodes).toBe(before.pageTableNodes);
    b.set(50 * PER_PAGE + 3, -1);
    expect(b.stats().copyFaults).toBe(1);
    expect(b.stats().bytesCopied).toBe(PS);
    expect(p.stats().framesInUse).toBe(before.framesInUse + 1);
    expect(a.get(50 * PER_PAGE + 3)).toBe(50 * PER_PAGE + 3);
    expect(b.get(50 * PER_PAGE + 3)).toBe(-1);
    a.release();
    b.release();
    expect(p.stats().framesInUse).toBe(0);
  });

  it("with() of a whole array is a fork plus one page; toSorted of sorted data copies nothing", () => {
    const p = pool();
    const a = CowInt32Array.from({ length: 64 * 256 }, (_, i) => i, undefined, { pool: p }); // 64 pages
    const used = p.framesInUse;
    const b = a.with(-1, -5);
    expect(p.framesInUse).toBe(used + 1);
    expect(b.at(-1)).toBe(-5);
    expect(a.at(-1)).toBe(64 * 256 - 1);
    const c = a.toSorted();
    expect(p.framesInUse).toBe(used + 1); // sorted already: every page still shared
    expect(c.stats().copyFaults).toBe(0);
    const d = b.toSorted(); // -5 moves to the front and every other element shifts by one: every page changes
    expect(d.get(0)).toBe(-5);
    expect(d.stats().copyFaults).toBe(64);
    for (const x of [a, b, c, d]) x.release();
    expect(p.framesInUse).toBe(0);
  });

  it("fill(0) over whole pages returns their frames; other values write every page", () => {
    const p = pool();
    const a = new CowFloat64Array(10 * PER_PAGE + 5, { pool: p });
    a.fill(1.5);
    expect(a.stats().rss).toBe(11 * PS);
    a.fill(0, 3); // page 0 is cleared in place past element 2, pages 1-9 are discarded, page 10 is cleared in place
    expect(a.stats().rss).toBe(2 * PS);
    expect(a.reduce((s, x) => s + x, 0)).toBe(4.5);
    a.fill(0);
    expect(a.stats().rss).toBe(PS); // the partial last page is cleared in place
    a.fill(-0); // -0 is not all-zero bytes: written
    expect(Object.is(a.get(7), -0)).toBe(true);
    a.release();
  });

  it("slice of a part copies only that part; slice of the whole is a fork", () => {
    const p = pool();
    const a = CowFloat64Array.from({ length: 8 * PER_PAGE }, (_, i) => i, undefined, { pool: p });
    const used = p.framesInUse;
    const all = a.slice();
    expect(p.framesInUse).toBe(used);
    const part = a.slice(PER_PAGE, 3 * PER_PAGE);
    expect(p.framesInUse).toBe(used + 2);
    expect(part.get(0)).toBe(PER_PAGE);
    for (const x of [a, all, part]) x.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("subarray views and their forks", () => {
  it("a view shares its parent's pages both ways, and keeps the space alive", () => {
    const p = pool();
    const a = CowUint8Array.from([1, 2, 3, 4, 5, 6], { pool: p });
    const v = a.subarray(2, -1);
    expect(v.byteOffset).toBe(2);
    expect(v.join()).toBe("3,4,5");
    v.set(0, 30);
    a.set(4, 50);
    expect(a.join()).toBe("1,2,30,4,50,6");
    expect(v.join()).toBe("30,4,50");
    const vv = v.subarray(1);
    expect(vv.byteOffset).toBe(3);
    a.release();
    expect(v.join()).toBe("30,4,50");
    v.release();
    expect(vv.join()).toBe("4,50");
    vv.release();
    expect(p.framesInUse).toBe(0);
  });

  it("a fork of a view is the same window on a fork of the whole space", () => {
    const p = pool();
    const a = CowFloat64Array.from({ length: 4 * PER_PAGE }, (_, i) => i, undefined, { pool: p });
    const v = a.subarray(PER_PAGE, 2 * PER_PAGE);
    const f = v.fork();
    expect(f.byteOffset).toBe(v.byteOffset);
    expect(f.length).toBe(PER_PAGE);
    expect(f.space).not.toBe(a.space);
    f.set(0, -1);
    expect(v.get(0)).toBe(PER_PAGE);
    expect(a.get(PER_PAGE)).toBe(PER_PAGE);
    v.set(1, -2);
    expect(f.get(1)).toBe(PER_PAGE + 1);
    expect(f.stats().sharedBytes).toBe(3 * PS); // the other pages stay shared, unreachable through f
    // A copy of the window alone:
    const own = v.slice();
    expect(own.byteOffset).toBe(0);
    expect(own.space.size).toBe(PS);
    for (const x of [a, v, f, own]) x.release();
    expect(p.framesInUse).toBe(0);
  });
  it("every fork owns its own space: a fork, its views and its parent release independently", () => {
    const p = pool();
    const a = CowFloat64Array.from({ length: 4 * PER_PAGE }, (_, i) => i, undefined, { pool: p });
    const v = a.subarray(PER_PAGE);
    const base = p.framesInUse;
    const f = v.fork(); // owns a new space; v keeps a's
    const g = f.subarray(PER_PAGE); // a view of f's space
    f.release(); // g keeps f's space alive
    expect(f.released).toBe(true);
    g.set(0, -1); // copies one page into f's space, not a's
    expect(p.framesInUse).toBe(base + 1);
    expect([g.get(0), v.get(PER_PAGE), a.get(2 * PER_PAGE)]).toEqual([-1, 2 * PER_PAGE, 2 * PER_PAGE]);
    const it = g.values();
    expect(it.next().value).toBe(-1);
    g.set(1, -2); // a write through g between two reads of its iterator is seen
    expect(it.next().value).toBe(-2);
    g.release(); // the last view of f's space: its copied page returns
    expect(p.framesInUse).toBe(base);
    a.release(); // v keeps a's space
    expect(v.get(0)).toBe(PER_PAGE);
    v.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("proxy views", () => {
  it("index like the native kind, write through the fault handler and cover only their window", () => {
    const p = pool();
    const a = CowInt8Array.from([1, 2, 3, 4], { pool: p });
    const b = a.fork();
    const sub = b.subarray(1, 3);
    const v = sub.proxy();
    const native = Int8Array.from([1, 2, 3, 4]).subarray(1, 3);
    v[0] = 200; // wraps as Int8Array does
    native[0] = 200;
    v[2] = 9; // past the window: ignored, as natively
    native[2] = 9;
    expect([...v]).toEqual([...native]);
    expect(v.length).toBe(2);
    expect(b.join()).toBe("1,-56,3,4");
    expect(a.join()).toBe("1,2,3,4"); // the fork copied the page; the parent is untouched
    expect(b.stats().copyFaults).toBe(1);
    b.release();
    expect(v[0]).toBe(-56); // the subarray keeps the space alive
    expect(() => b.proxy()).toThrow(ReleasedError);
    sub.release();
    expect(() => v[0]).toThrow(ReleasedError);
    a.release();
    expect(p.framesInUse).toBe(0);
  });

  it("a vector's view is typed as its kind and sees the length it had when made", () => {
    const p = pool();
    const v = new CowVector(Float32Array, { pool: p });
    v.push(0.1, 2);
    const view = v.proxy();
    v.push(3);
    expect(view.length).toBe(2);
    expect(view[0]).toBe(Math.fround(0.1));
    expect(Object.prototype.toString.call(view)).toBe("[object Float32Array]");
    expect(v.proxy().length).toBe(3);
    v.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("reads see writes made during iteration, as natively", () => {
  it("for..of over a fork that writes ahead of itself (each write a copy-on-write fault)", () => {
    const n = 3 * PER_PAGE;
    const a = CowFloat64Array.from({ length: n }, (_, i) => i);
    const b = a.fork();
    const model = Float64Array.from({ length: n }, (_, i) => i);
    const seen: number[] = [];
    const expected: number[] = [];
    let i = 0;
    for (const x of b) {
      seen.push(x);
      if (i + 1 < n) b.set(i + 1, x * 2); // the page of i + 1 is shared with a until this write
      i++;
    }
    i = 0;
    for (const x of model) {
      expected.push(x);
      if (i + 1 < n) model[i + 1] = x * 2;
      i++;
    }
    expectSameElements(seen, expected);
    expect(a.get(1)).toBe(1);
    a.release();
    b.release();
  });

  it("callbacks that write are seen by the loop (forEach, reduce, every, map)", () => {
    const n = 2 * PER_PAGE + 7;
    const a = CowFloat64Array.from({ length: n }, (_, i) => i);
    const b = a.fork();
    const m = Float64Array.from({ length: n }, (_, i) => i);
    const seenCow: number[] = [];
    b.forEach((x, i) => {
      seenCow.push(x);
      if (i + 1 < n) b.set(i + 1, x + 0.5);
    });
    const seenNative: number[] = [];
    m.forEach((x, i) => {
      seenNative.push(x);
      if (i + 1 < n) m[i + 1] = x + 0.5;
    });
    expectSameElements(seenCow, seenNative);
    const r1 = b.reduce((s, x, i) => {
      if (i + 2 < n) b.set(i + 2, -x);
      return s + x;
    }, 0);
    const r2 = m.reduce((s, x, i) => {
      if (i + 2 < n) m[i + 2] = -x;
      return s + x;
    }, 0);
    expect(r1).toBe(r2);
    a.release();
    b.release();
  });
});

describe("construction, kinds and conveniences", () => {
  it("constructs from lengths, iterables, array-likes, native and COW arrays, as natively", () => {
    const src = [1.5, -2, 300];
    const forms: [CowInt8Array, Int8Array][] = [
      [new CowInt8Array(3), new Int8Array(3)],
      [new CowInt8Array(src), new Int8Array(src)],
      [new CowInt8Array(new Set(src)), new Int8Array(new Set(src))],
      [new CowInt8Array({ length: 2, 0: 7 } as never), new Int8Array({ length: 2, 0: 7 } as never)],
      [new CowInt8Array(new Float64Array(src)), new Int8Array(new Float64Array(src))],
      [CowInt8Array.from(src, (x: number) => x * 2), Int8Array.from(src, (x) => x * 2)],
      [CowInt8Array.of(1, 2), Int8Array.of(1, 2)],
    ];
    const cow = CowFloat32Array.of(0.1, 2);
    forms.push([new CowInt8Array(cow as never), new Int8Array([Math.fround(0.1), 2])]);
    for (const [c, n] of forms) {
      expectSameElements(Array.from(c.toTypedArray()), Array.from(n));
      expect(c.toTypedArray()).toBeInstanceOf(Int8Array);
      c.release();
    }
    const self = { k: 3 };
    const t = CowInt8Array.from(
      [1, 2],
      function (this: typeof self, x: number) {
        return x * this.k;
      } as never,
      self,
    );
    expect(t.join()).toBe("3,6");
    cow.release();
    t.release();
  });

  it("is a CowTypedArray and a CowElements, with the native kind's constants and tags", () => {
    const a = new CowFloat64Array(2);
    expect(a).toBeInstanceOf(CowTypedArray);
    expect(a).toBeInstanceOf(CowElements);
    expect(CowFloat64Array.BYTES_PER_ELEMENT).toBe(8);
    expect(a.BYTES_PER_ELEMENT).toBe(8);
    expect(a.byteLength).toBe(16);
    expect(Object.prototype.toString.call(a)).toBe("[object CowFloat64Array]");
    expect(String(a)).toBe("0,0");
    expect(a.pageSize).toBe(512); // 16 bytes: the small default (default-page-size.test.ts)
    expect(Object.prototype.toString.call(a.values())).toBe("[object Array Iterator]");
    {
      using b = a.fork();
      expect(b.released).toBe(false);
    }
    a.release();
  });

  it("reads and writes indices past 2^32 - 1 (the slow path of get and set)", () => {
    const a = new CowInt8Array(2 ** 32 + 10, { pageSize: 4096 });
    a.set(2 ** 32 + 5, 300);
    expect(a.get(2 ** 32 + 5)).toBe(44);
    expect(a.at(-5)).toBe(44);
    expect(a.get(2 ** 32 + 10)).toBeUndefined();
    expect(a.stats().rss).toBe(4096);
    a.release();
  });
});

describe("forks of each class", () => {
  it("a fork of a built-in class is of that class with its own state; a program's subclass runs its constructor", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new CowFloat64Array(100, { pool });
    a.set(3, 1.5);
    const f = a.fork();
    expect(Object.getPrototypeOf(f) === CowFloat64Array.prototype).toBe(true);
    expect([f.constructor, f.length, f.byteOffset, f.released]).toEqual([CowFloat64Array, 100, 0, false]);
    expect(Object.keys(f)).toEqual(Object.keys(a)); // the same fields, in the same order
    f.set(3, 2.5);
    expect([a.get(3), f.get(3)]).toEqual([1.5, 2.5]);
    const b = CowBigInt64Array.of(1n, 2n).fork();
    expect([b.constructor, b.get(1)]).toEqual([CowBigInt64Array, 2n]);
    class Tagged extends CowFloat64Array {
      readonly tag = "tagged";
    }
    const t = new Tagged(10, { pool });
    t.set(0, 7);
    const tf = t.fork();
    expect([tf instanceof Tagged, tf.tag, tf.get(0), tf.length]).toEqual([true, "tagged", 7, 10]);
    // A fork of a subarray of the subclass too.
    const sub = t.subarray(2, 5);
    const sf = sub.fork();
    expect([sf instanceof Tagged, sf.tag, sf.length, sf.byteOffset]).toEqual([true, "tagged", 3, 16]);
    for (const x of [a, f, b, t, sub, tf, sf]) x.release();
    expect(pool.framesInUse).toBe(0);
  });
});
