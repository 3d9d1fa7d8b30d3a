import {
  applyPatches,
  createState,
  current,
  DraftError,
  isDraft,
  original,
  type Patch,
  produce,
  produceWithPatches,
  t,
} from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { type App, appState, pool, Todo } from "./support.js";

describe("produce", () => {
  it("returns the base itself when the recipe changes nothing (including same-value writes)", () => {
    const s0 = appState();
    const s1 = produce(s0, (d) => {
      d.todos[0]!.done = d.todos[0]!.done;
      d.todos[0]!.title = "todo 0";
      d.byId.set("t1", 1);
      d.grid[0] = 1;
      d.grid.fill(1);
      d.todos[0]!.tags.add("x");
    });
    expect(s1).toBe(s0);
    s0.release();
  });

  it("writes structs, lists, maps, sets, texts and typed arrays", () => {
    const s0 = appState();
    const s1 = produce(s0, (d) => {
      d.todos[1]!.title = "renamed";
      d.todos.push({ id: "t3", title: "new", done: false, tags: new Set(["a"]) });
      d.todos[3]!.tags.add("b");
      d.todos[0]!.tags.delete("x");
      d.byId.set("t3", 3);
      d.byId.delete("t0");
      d.doc.insert(5, ",");
      d.doc.delete(0, 1);
      d.grid[2] = 9;
      d.grid.set([7, 8], 14);
    });
    expect(s1.toJSON()).toEqual({
      todos: [
        { id: "t0", title: "todo 0", done: true, tags: [] },
        { id: "t1", title: "renamed", done: false, tags: [] },
        { id: "t2", title: "todo 2", done: true, tags: [] },
        { id: "t3", title: "new", done: false, tags: ["a", "b"] },
      ],
      byId: { t1: 1, t2: 2, t3: 3 },
      doc: "ello, world",
      grid: [1, 1, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7, 8],
    });
    expect(s0.root.todos.length).toBe(3); // the base is untouched
    expect(s0.root.doc.toString()).toBe("hello world");
    s1.release();
    s0.release();
  });

  it("reads its own writes inside the recipe, and drafts are stable objects", () => {
    const s0 = appState();
    produce(s0, (d) => {
      expect(d.todos[0]).toBe(d.todos[0]);
      d.todos[0]!.title = "x";
      expect(d.todos[0]!.title).toBe("x");
      d.todos.unshift({ id: "u", title: "u", done: false, tags: new Set() });
      expect(d.todos[1]!.title).toBe("x");
      expect(d.todos.length).toBe(4);
      expect(d.todos.map((x) => x.id)).toEqual(["u", "t0", "t1", "t2"]);
      expect(isDraft(d.todos[1])).toBe(true);
      expect(original(d.todos[1])).toBe(s0.root.todos[0]);
      expect(original(d.todos[0])).toBeUndefined(); // made in this recipe
      expect((current(d) as { todos: unknown[] }).todos.length).toBe(4);
    }).release();
    s0.release();
  });

  it("moves a spliced-out draft back without copying it, keeping its view identity", () => {
    const s0 = appState(5);
    const before = s0.root.todos[4];
    const s1 = produce(s0, (d) => {
      const [moved] = d.todos.splice(4, 1);
      d.todos.splice(0, 0, moved!);
    });
    expect(s1.root.todos.map((x) => x.id)).toEqual(["t4", "t0", "t1", "t2", "t3"]);
    expect(s1.root.todos[0]).toBe(before);
    s1.release();
    s0.release();
  });

  it("copies a value that is still in the tree (assignment is by value)", () => {
    const s0 = appState(2);
    const s1 = produce(s0, (d) => {
      d.todos.push(d.todos[0]!);
      d.todos[2]!.title = "copy";
    });
    expect(s1.root.todos.map((x) => x.title)).toEqual(["todo 0", "todo 1", "copy"]);
    s1.release();
    s0.release();
  });

  it("sorts and reverses lists of records", () => {
    const s0 = appState(4);
    const s1 = produce(s0, (d) => {
      d.todos.sort((a, b) => (a.done === b.done ? 0 : a.done ? 1 : -1));
    });
    expect(s1.root.todos.map((x) => x.id)).toEqual(["t1", "t3", "t0", "t2"]);
    expect(s1.root.todos[0]).toBe(s0.root.todos[1]);
    const s2 = produce(s1, (d) => {
      d.todos.reverse();
    });
    expect(s2.root.todos.map((x) => x.id)).toEqual(["t2", "t0", "t3", "t1"]);
    for (const s of [s2, s1, s0]) s.release();
  });

  it("supports curried recipes with arguments, and replacement values", () => {
    const S = t.struct({ n: t.f64, name: t.string });
    const s0 = createState(S, { n: 1, name: "a" });
    const add = produce((d: t.Draft<typeof S>, k: number) => {
      d.n += k;
    });
    const s1 = add(s0, 41);
    expect(s1.root.n).toBe(42);
    const s2 = produce(s1, () => ({ n: 0, name: "reset" }));
    expect(s2.toJSON()).toEqual({ n: 0, name: "reset" });
    expect(() =>
      produce(s2, (d) => {
        d.n = 3;
        return { n: 1, name: "both" };
      }),
    ).toThrow(DraftError);
    for (const s of [s2, s1, s0]) s.release();
  });

  it("supports async recipes", async () => {
    const s0 = appState();
    const s1 = await produce(s0, async (d) => {
      await Promise.resolve();
      d.doc.replace("async");
    });
    expect(s1.root.doc.toString()).toBe("async");
    s1.release();
    s0.release();
  });

  it("revokes drafts when the recipe returns", () => {
    const s0 = appState();
    let leaked: t.Draft<typeof App> | undefined;
    const s1 = produce(s0, (d) => {
      leaked = d;
    });
    expect(() => leaked!.todos).toThrow(DraftError);
    expect(() => {
      leaked!.doc.insert(0, "x");
    }).toThrow(DraftError);
    s1.release();
  });

  it("edits optional and nullable fields, with add/remove patches", () => {
    const S = t.struct({ note: t.optional(t.string), score: t.nullable(t.f64), child: t.optional(Todo) });
    const s0 = createState(S, { score: null });
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.note = "hi";
      d.score = 2;
      d.child = { id: "c", title: "child", done: false, tags: new Set(["z"]) };
    });
    expect(s1.toJSON()).toEqual({ note: "hi", score: 2, child: { id: "c", title: "child", done: false, tags: ["z"] } });
    expect(patches).toEqual<Patch[]>([
      { op: "add", path: ["note"], value: "hi" },
      { op: "replace", path: ["score"], value: 2 },
      { op: "add", path: ["child"], value: { id: "c", title: "child", done: false, tags: ["z"] } },
    ]);
    expect(applyPatches(s1, inverse).toJSON()).toEqual({ score: null });
    const s2 = produce(s1, (d) => {
      delete d.note;
      Reflect.set(d, "child", undefined); // assigning undefined removes an optional field
    });
    expect(s2.toJSON()).toEqual({ score: 2 });
    for (const s of [s2, s1, s0]) s.release();
  });

  it("frees what a version no longer holds: a long edit loop keeps frames bounded", () => {
    const p = pool();
    let s = appState(20, p);
    for (let i = 0; i < 300; i++) {
      const next = produce(s, (d) => {
        d.todos.push({ id: `x${i}`, title: "a longer title to take a block", done: false, tags: new Set(["q", "r"]) });
        d.todos.shift();
        d.byId.set(`x${i}`, i);
        d.byId.delete(`x${i - 1}`);
      });
      s.release();
      s = next;
    }
    const live = p.framesInUse;
    expect(s.root.todos.length).toBe(20);
    s.release();
    expect(p.framesInUse).toBe(0);
    expect(live).toBeLessThan(200);
  });
});
