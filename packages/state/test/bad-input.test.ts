/**
 * Bad input gets a clear, typed error and changes nothing: the base version
 * is untouched, the draft's fork is released and no frame leaks.
 */
import { OutOfMemoryError } from "@pagefork/core";
import {
  applyPatches,
  createState,
  DraftError,
  PatchError,
  produce,
  SchemaError,
  type State,
  type t,
} from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { App, appInput, appState, pool } from "./support.js";

/** Asserts that `fn` throws `error` and leaves `s` and its pool as they were. */
function refused(s: State<typeof App>, fn: () => unknown, error: new (...a: never[]) => Error, message?: RegExp): void {
  const json = JSON.stringify(s);
  const frames = s.space.pool.framesInUse;
  const nodes = s.space.pool.stats().pageTableNodes;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(error);
  if (message !== undefined) expect(String((caught as Error).message)).toMatch(message);
  expect(JSON.stringify(s)).toBe(json);
  expect(s.space.pool.framesInUse).toBe(frames);
  expect(s.space.pool.stats().pageTableNodes).toBe(nodes);
}

describe("createState refuses bad input", () => {
  const cases: [string, unknown, RegExp][] = [
    ["a wrong type", { ...appInput(), doc: 5 }, /state\.doc: expected text/],
    ["a missing field", { todos: [], byId: new Map(), grid: new Float64Array(16) }, /state\.doc: .*required/],
    ["an unknown field", { ...appInput(), extra: 1 }, /state\.extra: expected no such field/],
    ["an out-of-range u32", { ...appInput(), byId: new Map([["a", -1]]) }, /state\.byId\.a: expected u32/],
    ["a function", { ...appInput(), doc: () => "x" }, /a function/],
    ["a symbol", { ...appInput(), todos: [Symbol("x")] }, /a symbol/],
    ["a class instance", { ...appInput(), todos: [new Date()] }, /an instance of Date/],
    ["a wrong typed-array length", { ...appInput(), grid: new Float64Array(3) }, /length 3 instead of 16/],
    [
      "a set of the wrong element type",
      { ...appInput(), todos: [{ id: "a", title: "", done: false, tags: new Set([1]) }] },
      /state\.todos\[0\]\.tags/,
    ],
  ];
  for (const [what, input, message] of cases)
    it(`${what}: SchemaError naming the path`, () => {
      const p = pool();
      expect(() => createState(App, input as never, { pool: p })).toThrow(SchemaError);
      expect(() => createState(App, input as never, { pool: p })).toThrow(message);
      expect(p.framesInUse).toBe(0);
    });

  it("OutOfMemoryError when the pool is too small, and nothing is kept", () => {
    const p = pool(8 * 256);
    expect(() => createState(App, appInput(50), { pool: p })).toThrow(OutOfMemoryError);
    expect(p.framesInUse).toBe(0);
    expect(p.stats().spaces).toBe(0);
  });
});

describe("produce refuses bad input and changes nothing", () => {
  it("a value of the wrong type: SchemaError with the path, base untouched, fork released", () => {
    const s = appState();
    refused(
      s,
      () =>
        produce(s, (d) => {
          d.todos[1]!.done = "yes" as never;
        }),
      SchemaError,
      /state\.todos\[1\]\.done: expected bool/,
    );
    refused(
      s,
      () => produce(s, (d) => void d.todos.push({ id: "x" } as never)),
      SchemaError,
      /state\.todos\[3\]\.title/,
    );
    refused(s, () => produce(s, (d) => void d.byId.set("k", 1.5)), SchemaError, /u32/);
    refused(s, () => produce(s, (d) => void d.byId.set(3 as never, 1)), SchemaError, /a key of type string/);
    refused(
      s,
      () =>
        produce(s, (d) => {
          (d as Record<string, unknown>).nope = 1;
        }),
      SchemaError,
      /no such field/,
    );
    refused(
      s,
      () =>
        produce(s, (d) => {
          d.todos.length = 10;
        }),
      SchemaError,
      /holes/,
    );
    refused(
      s,
      () =>
        produce(s, (d) => {
          d.todos[7] = d.todos[0]!;
        }),
      SchemaError,
      /holes/,
    );
    s.release();
  });

  it("an unsupported value (function, symbol, class instance) is a SchemaError", () => {
    const s = appState();
    refused(
      s,
      () =>
        produce(s, (d) => {
          d.todos[0]!.title = (() => "x") as never;
        }),
      SchemaError,
      /a function/,
    );
    refused(s, () => produce(s, (d) => void d.todos[0]!.tags.add(Symbol("s") as never)), SchemaError, /symbol/);
    refused(
      s,
      () => produce(s, (d) => void d.todos.push(new (class Todo {})() as never)),
      SchemaError,
      /an instance of Todo/,
    );
    s.release();
  });

  it("a SchemaError caught inside the recipe leaves the draft as it was; the recipe goes on", () => {
    const s = appState();
    const next = produce(s, (d) => {
      d.todos[0]!.title = "kept";
      expect(() => {
        d.todos[0]!.done = 1 as never;
      }).toThrow(SchemaError);
      expect(() => d.todos.push({ id: "x", title: "y", done: false, tags: ["a", 2] } as never)).toThrow(SchemaError);
      expect(d.todos.length).toBe(3);
    });
    expect(next.root.todos[0]!.title).toBe("kept");
    expect(next.root.todos[0]!.done).toBe(true);
    next.release();
    s.release();
  });

  it("an exception thrown by the recipe is rethrown and nothing changes", () => {
    const s = appState();
    class Boom extends Error {}
    refused(
      s,
      () =>
        produce(s, (d) => {
          d.todos.push({ id: "x", title: "y", done: false, tags: new Set(["a"]) });
          d.doc.insert(0, "lots of text ".repeat(100));
          throw new Boom("recipe failed");
        }),
      Boom,
    );
    s.release();
  });

  it("OutOfMemoryError midway through a recipe: thrown, even if the recipe catches it; nothing changes", () => {
    const p = pool(4096 * 256);
    const s = createState(App, appInput(20), { pool: p });
    const room = (p.maxBytes - p.bytesInUse) / 256;
    refused(
      s,
      () =>
        produce(s, (d) => {
          for (let i = 0; i < room * 2; i++) d.doc.insert(0, "x".repeat(200));
        }),
      OutOfMemoryError,
    );
    refused(
      s,
      () =>
        produce(s, (d) => {
          try {
            for (let i = 0; i < room * 2; i++)
              d.todos.push({ id: `${i}`, title: "t".repeat(100), done: false, tags: new Set() });
          } catch {
            // swallowed: produce must still fail, the draft may be half-written
          }
          d.todos[0]!.title = "after";
        }),
      OutOfMemoryError,
    );
    // a text splice, then a composite field assignment, each failing on its own inline catch
    const writes = [
      (d: t.Draft<typeof App>) => d.doc.insert(0, "x".repeat(200)),
      (d: t.Draft<typeof App>, i: number) => {
        // the set grows (a Set assigned over a set is reconciled in place: one of the same size
        // would free what it replaces and never run out)
        const tags = d.todos[i % 20]!.tags;
        d.todos[i % 20]!.tags = new Set([...tags, ...Array.from({ length: 50 }, (_, k) => `${i}-${k}`)]);
      },
    ];
    for (const write of writes)
      refused(
        s,
        () =>
          produce(s, (d) => {
            try {
              for (let i = 0; i < room * 2; i++) write(d, i);
            } catch {
              // swallowed: produce must still fail
            }
          }),
        OutOfMemoryError,
      );
    s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("a draft used after its recipe returned: DraftError", () => {
    const s = appState();
    let leaked: t.Draft<typeof App> | undefined;
    const next = produce(s, (d) => {
      leaked = d;
      d.doc.insert(0, "a");
    });
    refused(s, () => leaked!.todos.push({ id: "x", title: "", done: false, tags: new Set() }), DraftError);
    next.release();
    s.release();
  });

  it("a released or foreign base is refused", () => {
    const s = appState();
    s.release();
    expect(() => produce(s, () => {})).toThrow(/not released/);
    expect(() => produce({} as never, () => {})).toThrow(/a State/);
  });

  it("applyPatches: a bad patch is a PatchError naming its index, nothing changes", () => {
    const s = appState();
    refused(
      s,
      () =>
        applyPatches(s, [
          { op: "replace", path: ["doc"], value: "ok" },
          { op: "replace", path: ["nope"], value: 1 },
        ]),
      PatchError,
      /patch 1/,
    );
    refused(s, () => applyPatches(s, [{ op: "add", path: ["todos", 9], value: {} }]), PatchError);
    refused(s, () => applyPatches(s, [{ op: "replace", path: ["todos", 0, "done"], value: "no" }]), PatchError, /bool/);
    refused(s, () => applyPatches(s, [{ op: "move", path: [] } as never]), PatchError, /unknown op/);
    s.release();
  });
});
