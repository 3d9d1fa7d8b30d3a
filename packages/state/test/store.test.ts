import { FramePool, InvalidArgumentError } from "@pagefork/core";
import { createStore, type Patch, produce, SchemaError, type State, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { App, appInput } from "./support.js";

const Counter = t.struct({ n: t.u32, log: t.list(t.string) });

describe("createStore", () => {
  it("commits, tells listeners (next, prev, patches), undoes and redoes with patches", () => {
    const store = createStore(Counter, { n: 0, log: [] });
    const calls: [number, number, Patch[]][] = [];
    store.subscribe((next, prev, patches) => calls.push([next.root.n, prev.root.n, [...patches]]));
    store.setState((d) => {
      d.n = 1;
    }, "one");
    store.setState((d) => {
      d.n = 2;
      d.log.push("two");
    });
    expect(store.versions.map((v) => v.label)).toEqual([undefined, "one", undefined]);
    store.undo();
    expect(store.getState().root.n).toBe(1);
    store.redo();
    expect(calls).toEqual([
      [1, 0, [{ op: "replace", path: ["n"], value: 1 }]],
      [
        2,
        1,
        [
          { op: "replace", path: ["n"], value: 2 },
          { op: "add", path: ["log", 0], value: "two" },
        ],
      ],
      [
        1,
        2,
        [
          { op: "remove", path: ["log", 0] },
          { op: "replace", path: ["n"], value: 1 },
        ],
      ],
      [
        2,
        1,
        [
          { op: "replace", path: ["n"], value: 2 },
          { op: "add", path: ["log", 0], value: "two" },
        ],
      ],
    ]);
    store.release();
  });

  it("a recipe that changes nothing adds no step and tells nobody", () => {
    const store = createStore(Counter, { n: 3, log: [] });
    let calls = 0;
    store.subscribe(() => calls++);
    store.setState((d) => {
      d.n = 3;
    });
    expect([store.versions.length, calls]).toEqual([1, 0]);
    store.release();
  });

  it("a recipe that throws leaves the store, its history and its listeners unchanged", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(Counter, { n: 0, log: [] }, { pool });
    store.setState((d) => {
      d.n = 1;
    });
    let calls = 0;
    store.subscribe(() => calls++);
    const frames = pool.framesInUse;
    const before = store.getState();
    expect(() =>
      store.setState((d) => {
        d.n = 2;
        throw new Error("no");
      }),
    ).toThrow("no");
    expect(() =>
      store.setState((d) => {
        d.n = -1;
      }),
    ).toThrow(SchemaError);
    expect(store.getState()).toBe(before);
    expect([store.versions.length, store.position, calls, pool.framesInUse]).toEqual([2, 1, 0, frames]);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("transact makes several setStates one undo step and one notification; a throw drops them all", () => {
    const store = createStore(Counter, { n: 0, log: [] });
    const seen: number[] = [];
    store.subscribe((next) => seen.push(next.root.n));
    store.transact("batch", () => {
      for (let i = 0; i < 5; i++)
        store.setState((d) => {
          d.n++;
          d.log.push(`${i}`);
        });
      expect(store.getState().root.n).toBe(5);
    });
    expect(seen).toEqual([5]);
    expect(store.versions.map((v) => v.label)).toEqual([undefined, "batch"]);
    expect(() =>
      store.transact("fails", () => {
        store.setState((d) => {
          d.n = 100;
        });
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(store.getState().root.n).toBe(5);
    store.undo();
    expect(store.getState().toJSON()).toEqual({ n: 0, log: [] });
    expect(seen).toEqual([5, 0]);
    store.release();
  });

  it("a nested transaction that throws drops its own changes; the outer one goes on and commits the rest (regression: they were kept)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(Counter, { n: 0, log: [] }, { pool });
    const told: Patch[][] = [];
    store.subscribe((_next, _prev, patches) => told.push([...patches]));
    const failing = () =>
      store.transact("inner", () => {
        store.setState((d) => {
          d.log.push("inner 1");
        });
        store.setState((d) => {
          d.log.push("inner 2");
        });
        throw new Error("inner fails");
      });
    store.transact("outer", () => {
      expect(failing).toThrow("inner fails"); // before any change of the outer one: back to the base
      expect(store.getState().toJSON()).toEqual({ n: 0, log: [] });
      store.setState((d) => {
        d.n = 1;
      });
      expect(failing).toThrow("inner fails"); // after one: back to it
      expect(store.transact("ok", () => store.setState((d) => void d.log.push("kept")))).toBe(store.getState());
      store.setState((d) => {
        d.n = 2;
      });
    });
    expect(store.getState().toJSON()).toEqual({ n: 2, log: ["kept"] });
    expect(told).toEqual([
      [
        { op: "replace", path: ["n"], value: 1 },
        { op: "add", path: ["log", 0], value: "kept" },
        { op: "replace", path: ["n"], value: 2 },
      ],
    ]);
    expect(store.undo()?.toJSON()).toEqual({ n: 0, log: [] });
    expect(store.redo()?.toJSON()).toEqual({ n: 2, log: ["kept"] });
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("coalesceMs groups commits closer than the window into one step", () => {
    let clock = 0;
    const store = createStore(Counter, { n: 0, log: [] }, { coalesceMs: 100, now: () => clock });
    const patchesSeen: Patch[][] = [];
    store.subscribe((_n, _p, patches) => patchesSeen.push([...patches]));
    for (let i = 1; i <= 3; i++) {
      clock += 50;
      store.setState((d) => {
        d.n = i;
      });
    }
    clock += 500;
    store.setState((d) => {
      d.n = 10;
    });
    expect(store.versions.length).toBe(3); // initial, the group of 3, the late one
    store.undo();
    expect(store.getState().root.n).toBe(3);
    store.undo();
    expect(store.getState().root.n).toBe(0);
    expect(patchesSeen[patchesSeen.length - 1]).toEqual([
      { op: "replace", path: ["n"], value: 2 },
      { op: "replace", path: ["n"], value: 1 },
      { op: "replace", path: ["n"], value: 0 },
    ]);
    // an undo ends a group
    clock += 10;
    store.setState((d) => {
      d.n = 7;
    });
    clock += 10;
    store.setState((d) => {
      d.n = 8;
    });
    expect(store.versions.length).toBe(2);
    store.release();
  });

  it("maxVersions and maxBytes evict the oldest versions and free their frames", () => {
    const store = createStore(App, appInput(30), { maxVersions: 5 });
    for (let i = 0; i < 20; i++)
      store.setState((d) => {
        d.grid[i % 16] = i;
      });
    expect(store.versions.length).toBe(5);
    const pool = new FramePool({ pageSize: 256 });
    const budget = createStore(App, appInput(30), { pool });
    const base = pool.bytesInUse;
    budget.release();
    const limit = base + 200 * 256;
    const store2 = createStore(App, appInput(30), { pool: new FramePool({ pageSize: 256 }), maxBytes: limit });
    for (let i = 0; i < 200; i++) {
      store2.setState((d) => {
        d.doc.insert(0, "some text ".repeat(3));
        d.todos[i % 30]!.done = !d.todos[i % 30]!.done;
      });
      const st = store2.stats();
      expect(st.bytesInUse <= limit || st.versions === 1).toBe(true); // within budget, or only the current one left
    }
    expect(store2.versions.length).toBeGreaterThan(1);
    expect(store2.versions.length).toBeLessThan(200);
    expect(store2.getState().root.doc.length).toBe(11 + 200 * 30);
    store.release();
    store2.release();
  });

  it("goTo jumps with the patches of every step between; setState(version) takes a version made elsewhere", () => {
    const store = createStore(Counter, { n: 0, log: [] });
    for (let i = 1; i <= 4; i++)
      store.setState((d) => {
        d.n = i;
      });
    const got: Patch[][] = [];
    store.subscribe((_n, _p, patches) => got.push([...patches]));
    store.goTo(1);
    expect(store.getState().root.n).toBe(1);
    expect(got[0]!.length).toBe(3);
    const elsewhere: State<typeof Counter> = produce(store.getState(), (d) => {
      d.log.push("x");
    });
    store.setState(elsewhere);
    expect(store.getState()).toBe(elsewhere);
    expect(got[1]).toEqual([{ op: "replace", path: ["log"], value: ["x"] }]);
    expect(store.canRedo).toBe(false);
    store.release();
  });
  it("setState refuses a version it already holds or a released one, and nothing changes; a fork of it is a new step (regression: the held version was released at its first step's eviction, and undo reached it released)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(Counter, { n: 0, log: [] }, { pool, maxVersions: 3 });
    const v0 = store.getState();
    store.setState((d) => {
      d.n = 1;
    });
    const released = produce(v0, (d) => {
      d.n = 9;
    });
    released.release();
    let told = 0;
    store.subscribe(() => told++);
    const frames = pool.framesInUse;
    for (const bad of [v0, released]) {
      expect(() => store.setState(bad)).toThrow(InvalidArgumentError);
      expect([store.versions.length, store.position, store.getState().root.n, told]).toEqual([2, 1, 1, 0]);
      expect(pool.framesInUse).toBe(frames);
    }
    // Inside a transaction too: the transaction's base is held.
    expect(() =>
      store.transact("t", () => {
        store.setState((d) => {
          d.n = 2;
        });
        store.setState(v0);
      }),
    ).toThrow(InvalidArgumentError);
    expect(pool.framesInUse).toBe(frames);
    store.setState(v0.fork()); // [v0, v1, fork of v0]
    store.setState((d) => {
      d.n = 2;
    }); // evicts v0
    expect(store.undo()?.root.n).toBe(0);
    expect(store.undo()?.root.n).toBe(1);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("handles steps of hundreds of thousands of patches (no argument spreading), and patches: false records none", () => {
    const Grid = t.struct({ g: t.float64Array(200_000) });
    const store = createStore(Grid, { g: new Float64Array(200_000) });
    store.setState((d) => {
      d.g.fill(1);
    });
    let seen = -1;
    store.subscribe((_n, _p, patches) => {
      seen = patches.length;
    });
    store.undo();
    expect(seen).toBe(200_000);
    store.redo();
    expect(store.getState().root.g[199_999]).toBe(1);
    store.release();
    const quiet = createStore(Grid, { g: new Float64Array(200_000) }, { patches: false });
    quiet.subscribe((_n, _p, patches) => {
      seen = patches.length;
    });
    quiet.setState((d) => {
      d.g.fill(2);
    });
    expect(seen).toBe(0);
    quiet.undo();
    expect(quiet.getState().root.g[5]).toBe(0);
    quiet.release();
    expect(() => createStore(Grid, { g: new Float64Array(200_000) }, { patches: 1 as never })).toThrow(/patches/);
  });
});
