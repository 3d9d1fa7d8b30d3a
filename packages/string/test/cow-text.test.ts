import { FramePool, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { CowText, TEXT_MAX_PAGES } from "@pagefork/string";
import { describe, expect, it } from "vitest";

function snapshot(t: CowText) {
  const { framesInUse, pageTableNodes } = t.space.pool.stats();
  return { text: t.toString(), length: t.length, framesInUse, pageTableNodes };
}

describe("CowText", () => {
  it("round-trips astral characters and lone surrogates", () => {
    const s = "a😀b\ud800c\udfffd𝄞";
    const t = CowText.from(s);
    expect(t.toString()).toBe(s);
    expect(t.length).toBe(s.length);
    expect([...t]).toEqual([...s]);
    t.insert(2, "\udc00"); // splits the pair's position between units
    expect(t.toString()).toBe(`${s.slice(0, 2)}\udc00${s.slice(2)}`);
    t.release();
  });

  it("keeps forks independent and forks in O(1) frames", () => {
    const base = "x".repeat(50_000);
    const pool = new FramePool({ pageSize: 256 });
    const a = CowText.from(base, { pool });
    const before = pool.stats();
    const b = a.fork();
    expect(pool.stats().framesInUse).toBe(before.framesInUse);
    expect(pool.stats().pageTableNodes).toBe(before.pageTableNodes);
    b.insert(25_000, "Y");
    a.delete(0, 10);
    expect(a.toString()).toBe(base.slice(10));
    expect(b.toString()).toBe(`${base.slice(0, 25_000)}Y${base.slice(25_000)}`);
    a.release();
    b.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("copies only the path to the edited leaf: an edit touches O(log n) pages", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = CowText.from("lorem ipsum ".repeat(10_000), { pool }); // 120,000 units in ~950 full leaves
    const b = a.fork();
    b.insert(60_000, "!"); // splits a full leaf: new leaf page plus heap metadata
    const split = b.stats();
    expect(split.copyFaults + split.zeroFillFaults).toBeLessThanOrEqual(12);
    const c = b.fork();
    c.insert(60_001, "?"); // room in the leaf now: copies the leaf (the inner nodes above it may lag)
    const s = c.stats();
    // ~950 leaves under inner nodes of fanout 31 make a tree of height <= 3:
    // at most 4 pages copied, none taken fresh, never the other leaves.
    expect(s.zeroFillFaults).toBe(0);
    expect(s.copyFaults).toBeGreaterThanOrEqual(1);
    expect(s.copyFaults).toBeLessThanOrEqual(4);
    const base = "lorem ipsum ".repeat(10_000);
    const s1 = `${base.slice(0, 60_000)}!${base.slice(60_000)}`;
    expect(c.toString()).toBe(`${s1.slice(0, 60_001)}?${s1.slice(60_001)}`);
    for (const t of [a, b, c]) t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("handles deletes across many leaves and down to empty", () => {
    const s = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(33 + (i % 90))).join("");
    const t = CowText.from(s, { pageSize: 256 });
    t.delete(100, 4000);
    expect(t.toString()).toBe(s.slice(0, 100) + s.slice(4100));
    t.delete(0, t.length);
    expect(t.toString()).toBe("");
    expect(t.length).toBe(0);
    t.insert(0, "again");
    expect(t.toString()).toBe("again");
    t.release();
    expect(t.space.pool.stats().framesInUse).toBe(0);
  });

  it("refuses bad positions with a typed error and changes nothing", () => {
    const t = CowText.from("hello");
    const before = snapshot(t);
    for (const pos of [-1, 6, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => t.insert(pos, "x")).toThrow(InvalidArgumentError);
      expect(() => t.delete(pos, 1)).toThrow(InvalidArgumentError);
    }
    expect(() => t.delete(3, 3)).toThrow(InvalidArgumentError);
    expect(() => t.delete(0, -1)).toThrow(InvalidArgumentError);
    expect(() => t.delete(0, 0.5)).toThrow(InvalidArgumentError);
    expect(() => t.insert(0, 5 as unknown as string)).toThrow(TypeError);
    expect(snapshot(t)).toEqual(before);
    t.release();
  });

  it("throws ReleasedError after release, and release is idempotent", () => {
    const t = CowText.from("abc");
    t.release();
    t.release();
    expect(t.released).toBe(true);
    expect(() => t.length).toThrow(ReleasedError);
    expect(() => t.toString()).toThrow(ReleasedError);
    expect(() => t.insert(0, "x")).toThrow(ReleasedError);
    expect(() => t.delete(0, 1)).toThrow(ReleasedError);
    expect(() => t.fork()).toThrow(ReleasedError);
    expect(() => t.charAt(0)).toThrow(ReleasedError);
  });

  it("refuses an edit the pool limit cannot cover and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 64 * 256 });
    const t = CowText.from("small", { pool });
    const before = snapshot(t);
    expect(() => t.insert(2, "z".repeat(20_000))).toThrow(OutOfMemoryError);
    expect(snapshot(t)).toEqual(before);
    t.insert(2, "ok"); // a small edit still fits
    expect(t.toString()).toBe("smokall");
    t.release();
  });

  it("follows String.prototype.slice / charAt index conversion", () => {
    const s = "0123456789";
    const t = CowText.from(s);
    for (const [a, b] of [
      [undefined, undefined],
      [-3, undefined],
      [2, -2],
      [8, 2],
      [-100, 100],
      [Number.NaN, 4],
    ] as const) {
      expect(t.slice(a, b)).toBe(s.slice(a, b));
    }
    expect(t.charAt(-1)).toBe("");
    expect(t.charAt(10)).toBe("");
    expect(t.charAt(3.7)).toBe("3");
    t.release();
  });

  it("has a read-only length: assigning it throws and changes nothing", () => {
    const t = CowText.from("hello");
    expect(() => {
      (t as { length: number }).length = 10;
    }).toThrow(TypeError);
    expect(t.length).toBe(5);
    expect(t.toString()).toBe("hello");
    t.release();
  });

  it("is sized by maxPages: the space's virtual size and, under overcommit never, its charge", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = new CowText({ pool });
    expect(a.space.size).toBe(TEXT_MAX_PAGES * 256);
    const b = new CowText({ pool, maxPages: 64 });
    expect(b.space.size).toBe(64 * 256);
    expect(pool.stats().committedBytes).toBe((TEXT_MAX_PAGES + 64) * 256);
    a.release();
    b.release();
    for (const bad of [0, 3, 4.5, Number.NaN, -1, 2 ** 32 + 1, "64" as unknown as number]) {
      expect(() => new CowText({ pool, maxPages: bad })).toThrow(InvalidArgumentError);
    }
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().committedBytes).toBe(0);
  });

  it("can be created and forked in a pool with overcommit never (1 MiB per version by default)", () => {
    // Regression: every text's space was 2^40 bytes, so "never" refused even the first one.
    const pool = new FramePool({ maxBytes: 64 << 20, overcommit: "never" });
    const t = CowText.from("hello", { pool });
    expect(pool.stats().committedBytes).toBe(1 << 20);
    const versions = [t];
    for (let i = 1; i < 64; i++) versions.push((versions[i - 1] as CowText).fork());
    expect(pool.stats().committedBytes).toBe(64 << 20);
    // the 65th version would pass the commit limit: refused, nothing changes
    const frames = pool.framesInUse;
    expect(() => (versions[63] as CowText).fork()).toThrow(OutOfMemoryError);
    expect(pool.framesInUse).toBe(frames);
    expect(pool.stats().committedBytes).toBe(64 << 20);
    (versions[63] as CowText).insert(5, ", world");
    expect((versions[63] as CowText).toString()).toBe("hello, world");
    expect(t.toString()).toBe("hello");
    for (const v of versions) v.release();
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().committedBytes).toBe(0);
    // a larger text asks for a larger maxPages, and is charged for it
    const big = new CowText({ pool, maxPages: 16 * 1024 }); // 64 MiB of 4 KiB pages
    expect(pool.stats().committedBytes).toBe(64 << 20);
    expect(() => new CowText({ pool })).toThrow(OutOfMemoryError);
    big.release();
  });
});
