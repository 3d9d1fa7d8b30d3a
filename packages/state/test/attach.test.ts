import { AddressSpace, FramePool, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import { attachState, createState, nextStampOf, produce, SchemaError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const Doc = t.struct({ title: t.string, items: t.list(t.f64) });

/** A copy of `space`'s pages (those not on the zero frame) in a new space of `pool`. */
function copyOf(space: AddressSpace, pool: FramePool): AddressSpace {
  const copy = new AddressSpace({ size: space.size, pool });
  const empty = new AddressSpace({ size: space.pageSize, pool: space.pool });
  const page = new Uint8Array(space.pageSize);
  for (const a of space.diff(empty, { compare: "frames" })) copy.write(a, space.read(a, page));
  empty.release();
  return copy;
}

describe("attachState", () => {
  it("gives back a state copied page for page; produce after it keeps stamps apart", () => {
    const s0 = createState(Doc, { title: "t", items: [1, 2] });
    const pool = new FramePool({ pageSize: s0.pageSize });
    const s1 = attachState(Doc, copyOf(s0.space, pool), { nextStamp: nextStampOf(s0) });
    expect(JSON.stringify(s1)).toBe(JSON.stringify(s0));
    expect(s1.space.frozen).toBe(true);
    const s2 = produce(s1, (d) => {
      d.items.push(3);
    });
    expect([...s2.root.items]).toEqual([1, 2, 3]);
    expect([...s1.root.items]).toEqual([1, 2]);
    s2.release();
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses a space without a state header, a bad schema or stamp, changing nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const blank = new AddressSpace({ size: 1 << 16, pool });
    expect(() => attachState(Doc, blank)).toThrow(InvalidArgumentError);
    expect(blank.frozen).toBe(false);
    expect(pool.framesInUse).toBe(0);
    const s0 = createState(Doc, { title: "t", items: [] });
    const copy = copyOf(s0.space, new FramePool({ pageSize: s0.pageSize }));
    expect(() => attachState(t.string as never, copy)).toThrow(SchemaError);
    expect(() => attachState(Doc, copy, { nextStamp: 0 })).toThrow(InvalidArgumentError);
    expect(() => attachState(Doc, {} as never)).toThrow(InvalidArgumentError);
    expect(copy.frozen).toBe(false);
    copy.release();
    expect(() => attachState(Doc, copy)).toThrow(ReleasedError);
    expect(() => nextStampOf({} as never)).toThrow(InvalidArgumentError);
    blank.release();
    s0.release();
  });
});
