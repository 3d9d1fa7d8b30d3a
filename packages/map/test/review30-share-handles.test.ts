/**
 * `CowMap.attachShared` / `CowSet.attachShared` checked a handle's mask only
 * against the whole space (review25), not against the bucket region of its
 * layout, and took any `used` and a mask of -1 with entries: a forged handle
 * with a mask past the bucket region read the log's bytes as bucket links
 * (every `get` of a key it held answered undefined), a
 * `used` past the log's bound or not 8-aligned walked past the records. Now
 * such a handle is refused with InvalidHandleError ("forged") before the
 * space is attached, as `adoptCollection` refuses such a state, and the
 * genuine handle stays attachable.
 */
import { FramePool, InvalidHandleError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { CowMap, CowSet } from "../src/index.js";

describe("attachShared refuses counters that do not fit the handle's layout", () => {
  const cases: [string, (h: { mask: number; used: number; size: number }) => object][] = [
    ["a mask past the bucket region (2^25 buckets; layout 2 holds 2^24)", (h) => ({ ...h, mask: 2 ** 25 - 1 })],
    ["a mask past the bucket region of layout 1 (2^26 buckets)", (h) => ({ ...h, mask: 2 ** 26 - 1, layout: 1 })],
    ["used past the log's bound", (h) => ({ ...h, used: 2 ** 35 + 8 })],
    ["used not a multiple of 8", (h) => ({ ...h, used: h.used + 4 })],
    ["entries without a bucket array", (h) => ({ ...h, mask: -1, used: 0, size: 3 })],
    ["a log without a bucket array", (h) => ({ ...h, mask: -1, size: 0 })],
  ];
  for (const [name, forge] of cases)
    it(name, () => {
      const pool = new FramePool({ shared: true, pageSize: 256 });
      const m = new CowMap<string, number>(
        Array.from({ length: 40 }, (_, i) => [`k${i}`, i]),
        { pool },
      );
      const s = new CowSet<string>(["a", "b", "c"], { pool });
      const hm = m.share();
      const hs = s.share();
      expect(() => CowMap.attachShared(forge(hm) as typeof hm)).toThrow(InvalidHandleError);
      expect(() => CowSet.attachShared(forge(hs) as typeof hs)).toThrow(InvalidHandleError);
      expect(pool.stats().sharedHandles).toBe(2); // nothing attached
      const seen = CowMap.attachShared<string, number>(hm); // the genuine handles still attach
      const seenSet = CowSet.attachShared<string>(hs);
      expect([seen.get("k7"), seen.size, [...seenSet]]).toEqual([7, 40, ["a", "b", "c"]]);
      for (const x of [seen, seenSet, m, s]) x.release();
      expect(pool.framesInUse).toBe(0);
    });

  it("a bounded space's handle is checked against its own, smaller regions", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const m = new CowMap<string, number>([["a", 1]], { pool, maxBytes: 1 << 20 });
    const h = m.share();
    // 1 MiB: buckets [0, 128 KiB), 2^15 of them at most
    expect(() => CowMap.attachShared({ ...h, mask: 2 ** 16 - 1 })).toThrow(InvalidHandleError);
    expect(() => CowMap.attachShared({ ...h, used: 1 << 20 })).toThrow(InvalidHandleError);
    const seen = CowMap.attachShared<string, number>(h);
    expect(seen.get("a")).toBe(1);
    seen.release();
    m.release();
    expect(pool.framesInUse).toBe(0);
  });
});
