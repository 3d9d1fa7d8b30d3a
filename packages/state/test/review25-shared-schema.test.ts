/**
 * A shared state handle attached with a schema whose records have the same
 * field names but other types is refused (InvalidHandleError "type"),
 * nothing kept: the check compared `describe()`, which names only a record's
 * fields, so such a schema was accepted and read the pages wrongly (a u32
 * field read as f64 gave 66088 for 7).
 */
import { FramePool, InvalidHandleError } from "@pagefork/core";
import { createState, State, schemaFingerprint, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const A = t.struct({ n: t.u32, xs: t.list(t.u8), inner: t.struct({ on: t.bool }) });

describe("State.attachShared with another schema", () => {
  it("refuses same field names with other types, anywhere in the tree; accepts the same schema built again", () => {
    const pool = new FramePool({ shared: true, pageSize: 256 });
    const s = createState(A, { n: 7, xs: [1, 2], inner: { on: true } }, { pool });
    const others = [
      t.struct({ n: t.f64, xs: t.list(t.u8), inner: t.struct({ on: t.bool }) }),
      t.struct({ n: t.u32, xs: t.list(t.string), inner: t.struct({ on: t.bool }) }),
      t.struct({ n: t.u32, xs: t.list(t.u8), inner: t.struct({ on: t.u8 }) }),
    ];
    const handle = s.share();
    for (const schema of others) {
      expect(A.describe()).toBe(schema.describe()); // what the check compared before
      const frames = pool.framesInUse;
      let caught: unknown;
      try {
        State.attachShared(handle, schema).release();
      } catch (e) {
        caught = e;
      }
      expect(caught, schemaFingerprint(schema)).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("type");
      expect(pool.framesInUse).toBe(frames);
    }
    // The refused handle is still good for the right schema (built again).
    const same = State.attachShared(handle, t.struct({ n: t.u32, xs: t.list(t.u8), inner: t.struct({ on: t.bool }) }));
    expect(same.toJSON()).toEqual({ n: 7, xs: [1, 2], inner: { on: true } });
    same.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});
