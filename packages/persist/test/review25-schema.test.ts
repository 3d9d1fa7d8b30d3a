/**
 * A State loaded with a schema other than the one it was saved with is
 * refused (InvalidArgumentError, no frame kept) instead of being read as
 * records of the wrong shape: before, it loaded, and its reads gave wrong
 * numbers (a u32 field read as f64) or a confusing error later.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FramePool, History, InvalidArgumentError } from "@pagefork/core";
import { createState, produce, type State, t } from "@pagefork/state";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";

const make = (n: typeof t.u32 | typeof t.f64, names: typeof t.string | ReturnType<typeof t.text>) =>
  t.struct({ n, tags: t.set(t.string), names: t.list(names), mode: t.enum(["a", "b"]) });
const Saved = make(t.u32, t.string);

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "review25-schema-"));
  store = openStore(dir, { sync: false });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("loading a State with another schema", () => {
  it("is refused with InvalidArgumentError and keeps no frame; the same schema built again loads", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = createState(Saved, { n: 7, tags: new Set(["x"]), names: ["ann"], mode: "b" }, { pool });
    await store.save("s", s);
    const others = [
      make(t.f64, t.string), // a field's type
      make(t.u32, t.text()), // a list's element type
      t.struct({ tags: t.set(t.string), n: t.u32, names: t.list(t.string), mode: t.enum(["a", "b"]) }), // field order
      t.struct({ n: t.u32, tags: t.set(t.string), names: t.list(t.string), mode: t.enum(["b", "a"]) }), // enum order
      t.struct({ n: t.u32, tags: t.set(t.string), names: t.list(t.string) }), // a field less
    ];
    for (const schema of others) {
      const frames = pool.framesInUse;
      await expect(store.load("s", { pool, schema }), schema.describe()).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(pool.framesInUse).toBe(frames);
    }
    const same = (await store.load("s", { pool, schema: make(t.u32, t.string) })) as State<typeof Saved>;
    expect(same.toJSON()).toEqual({ n: 7, tags: ["x"], names: ["ann"], mode: "b" });
    same.release();
    s.release();
    await store.close(); // it keeps a fork of the version saved last
    expect(pool.framesInUse).toBe(0);
  });

  it("a history of States is refused the same way", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(Saved, { n: 1, tags: new Set<string>(), names: [], mode: "a" }, { pool });
    const h = new History<State<typeof Saved>>(s0);
    h.commit(
      produce(s0, (d) => {
        d.n = 2;
      }),
    );
    await store.saveHistory("h", h);
    await expect(store.loadHistory("h", { pool, schema: make(t.f64, t.string) })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const back = await store.loadHistory("h", { pool, schema: Saved });
    expect((back.current as State<typeof Saved>).root.n).toBe(2);
    back.release();
    h.release();
    await store.close();
    expect(pool.framesInUse).toBe(0);
  });
});
