/**
 * State share() / attachShared() / transferCopy(); the handle crosses a
 * structured clone (what postMessage does); packages/core/test/share.test.ts
 * runs the mechanism across real worker threads.
 */
import { AddressSpace, FramePool, InvalidHandleError, SharingUnavailableError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { createState, produce, State, t } from "../src/index.js";

const Doc = t.struct({ title: t.string, values: t.list(t.f64), tags: t.set(t.string), body: t.text() });

describe("State share", () => {
  it("a worker reads the version as shared while the owner produces new ones; produce there is private", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const s0 = createState(Doc, { title: "a", values: [1, 2, 3], tags: new Set(["x"]), body: "hello" }, { pool });
    const frames = pool.framesInUse;
    const handle = structuredClone(s0.share());
    const s1 = produce(s0, (d) => {
      d.title = "b";
      d.values.push(4);
      d.tags.add("y");
    });
    s0.release();
    const seen = State.attachShared(handle, Doc);
    expect(seen.toJSON()).toEqual({ title: "a", values: [1, 2, 3], tags: ["x"], body: "hello" });
    const mine = produce(seen, (d) => {
      d.values.push(9);
    });
    expect(mine.root.values.length).toBe(4);
    expect(seen.root.values.length).toBe(3);
    expect(s1.root.title).toBe("b");
    mine.release();
    seen.release();
    s1.release();
    expect(pool.framesInUse).toBe(0);
    expect(frames).toBeGreaterThan(0);
  });

  it("typed errors: plain pool, another schema, forgeries; transferCopy works anywhere", () => {
    const s0 = createState(Doc, { title: "a", values: [], tags: new Set<string>(), body: "" });
    expect(() => s0.share()).toThrow(SharingUnavailableError);
    const copy = s0.transferCopy();
    let caught: unknown;
    try {
      State.attachShared(copy, t.struct({ title: t.string }));
    } catch (e) {
      caught = e;
    }
    expect((caught as InvalidHandleError).reason).toBe("type");
    expect(() => State.attachShared({ ...copy, nextStamp: -1 }, Doc)).toThrow(InvalidHandleError);
    expect(State.attachShared(copy, Doc).root.title).toBe("a");
    s0.release();
  });

  it("a handle whose space holds no state (or another layout) is refused as forged, and nothing is kept", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const s0 = createState(Doc, { title: "a", values: [1], tags: new Set<string>(), body: "x" }, { pool });
    const good = s0.share();
    const plain = new AddressSpace({ size: 1 << 16, pool });
    plain.setUint32(0, 0x12345678);
    const before = pool.framesInUse;
    const reasonOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof InvalidHandleError ? e.reason : String(e);
      }
      return "accepted";
    };
    // A state handle around a space that is no state.
    expect(reasonOf(() => State.attachShared({ ...good, space: plain.share() }, Doc))).toBe("forged");
    // A state's space whose header names another layout version (word 1 of page 0).
    const other = produce(s0, (d) => {
      d.title = "b";
    });
    const copy = other.space.fork();
    copy.setUint32(4, 999);
    const h = { ...good, space: copy.share() };
    expect(reasonOf(() => State.attachShared(h, Doc))).toBe("forged");
    const seen = State.attachShared(good, Doc);
    expect(seen.root.title).toBe("a");
    seen.release();
    copy.release();
    other.release();
    plain.release();
    s0.release();
    expect(before).toBeGreaterThan(0);
    expect(pool.framesInUse).toBe(0);
  });
});
