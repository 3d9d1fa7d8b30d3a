/**
 * `@pagefork/state` re-exports the frame pool and the core errors its calls
 * throw, so an app that depends on the state package alone can pass a pool
 * and tell the errors apart; they are `@pagefork/core`'s own classes.
 */
import * as core from "@pagefork/core";
import {
  createState,
  createStore,
  FramePool,
  type FramePoolOptions,
  InvalidArgumentError,
  OutOfMemoryError,
  ReleasedError,
  t,
} from "@pagefork/state";
import { describe, expect, it } from "vitest";

describe("review 30: core re-exports", () => {
  it("FramePool and the errors are the core's classes, usable with createState and createStore", () => {
    expect(FramePool).toBe(core.FramePool);
    expect(OutOfMemoryError).toBe(core.OutOfMemoryError);
    expect(ReleasedError).toBe(core.ReleasedError);
    expect(InvalidArgumentError).toBe(core.InvalidArgumentError);
    const options: FramePoolOptions = { pageSize: 256 };
    const pool = new FramePool(options);
    const S = t.struct({ xs: t.list(t.string) });
    const s0 = createState(S, { xs: ["a"] }, { pool });
    expect(pool.framesInUse).toBeGreaterThan(0);
    s0.release();
    expect(() => s0.root).toThrow(ReleasedError);
    const store = createStore(S, { xs: [] }, { pool });
    expect(() => store.goTo(5)).toThrow(InvalidArgumentError);
    store.release();
    expect(() => store.getState()).toThrow(ReleasedError);
    expect(pool.framesInUse).toBe(0);
    const tiny = new FramePool({ pageSize: 256, maxBytes: 2048 });
    expect(() => createState(S, { xs: Array.from({ length: 500 }, (_, i) => `item ${i}`) }, { pool: tiny })).toThrow(
      OutOfMemoryError,
    );
    expect(tiny.framesInUse).toBe(0);
  });
});
