/**
 * Review 31: equal sets built the same way have equal bytes. A set's record
 * took the tag bits of whatever value the process's last CowMap write had
 * classified (module scratch shared by maps and sets), so the same adds gave
 * different pages after `m.set(k, "text")` than after `m.set(k, 1)`: reads
 * ignore those bits, but page dedup (persist's content hashes) and
 * `space.diff` saw a change where there was none.
 */
import { FramePool } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

describe("review 31: a set's bytes do not depend on the last map write", () => {
  it("the same adds after map writes of different value kinds give the same pages", () => {
    const pool = new FramePool(); // diff compares spaces of one pool
    const m = new CowMap<string, unknown>(null, { pool });
    const build = (value: unknown) => {
      m.set("k", value); // leaves its value's classification in the shared scratch
      const s = new CowSet<unknown>(null, { pool });
      for (const x of [1, "a", 2n, -0, "long string ".repeat(20)]) s.add(x);
      return s;
    };
    const a = build(1.5);
    const b = build("text");
    const c = build({ nested: [1, 2] });
    expect([...b]).toEqual([...a]);
    expect(a.space.diff(b.space)).toEqual([]); // byte addresses of the pages that differ
    expect(a.space.diff(c.space)).toEqual([]);
    for (const s of [a, b, c]) s.release();
    m.release();
    expect(pool.framesInUse).toBe(0);
  });
});
