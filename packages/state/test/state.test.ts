import { inspect } from "node:util";
import { History, ReleasedError } from "@pagefork/core";
import { createState, current, produce, SchemaError, t } from "@pagefork/state";
import { describe, expect, expectTypeOf, it } from "vitest";
import { App, appInput, appState, pool, Todo } from "./support.js";

describe("schema", () => {
  it("lays records out widest first, after the stamp, rounded to 8 bytes", () => {
    const S = t.struct({ a: t.u8, b: t.f64, c: t.u16, d: t.i32, e: t.optional(t.bool), f: t.string });
    // stamp 8 | b 8 | f 8 | d 4 | c 2 | a 1 | e 1 | tag(e) 1 -> 33 -> 40
    expect(S.bytes).toBe(40);
    const off = Object.fromEntries(S.fields.map((f) => [f.name, f.offset]));
    expect(off).toEqual({ b: 8, f: 16, d: 24, c: 28, a: 30, e: 31 });
    expect(S.fields.find((f) => f.name === "e")?.tag).toBe(32);
  });

  it("infers view, draft and input types", () => {
    type T = t.Infer<typeof Todo>;
    expectTypeOf<T["title"]>().toEqualTypeOf<string>();
    expectTypeOf<T["tags"]>().toEqualTypeOf<ReadonlySet<string>>();
    const Opt = t.struct({ a: t.optional(t.u8), b: t.nullable(t.string), e: t.enum(["x", "y"]) });
    type O = t.Infer<typeof Opt>;
    expectTypeOf<O>().toEqualTypeOf<{ readonly b: string | null; readonly e: "x" | "y"; readonly a?: number }>();
    type D = t.Draft<typeof App>;
    expectTypeOf<D["todos"]>().toEqualTypeOf<{ id: string; title: string; done: boolean; tags: Set<string> }[]>();
  });

  it("refuses malformed schemas with a SchemaError", () => {
    expect(() => t.struct({ a: 1 as never })).toThrow(SchemaError);
    expect(() => t.enum([])).toThrow(SchemaError);
    expect(() => t.enum(["a", "a"])).toThrow(/distinct/);
    expect(() => t.map(Todo as never, t.u8)).toThrow(SchemaError);
    expect(() => t.list(t.optional(t.u8))).toThrow(/nullable/);
    expect(() => t.float64Array(-1)).toThrow(SchemaError);
  });
});

describe("createState and views", () => {
  it("reads every kind of value back from the pages", () => {
    const S = t.struct({
      f64: t.f64,
      f32: t.f32,
      i8: t.i8,
      u32: t.u32,
      b: t.bool,
      s: t.string,
      wide: t.string,
      e: t.enum(["a", "b", 7]),
      opt: t.optional(t.u8),
      nul: t.nullable(t.string),
      list: t.list(t.nullable(t.f64)),
      strs: t.list(t.string),
      m: t.map(t.u16, t.struct({ x: t.f64 })),
      set: t.set(t.enum(["p", "q"])),
      doc: t.text(),
      big: t.bigInt64Array(2),
    });
    const s = createState(S, {
      f64: Math.PI,
      f32: 0.1,
      i8: -128,
      u32: 2 ** 32 - 1,
      b: true,
      s: "plain",
      wide: "ünïcødé 😀",
      e: 7,
      nul: null,
      list: [1.5, null, Number.NaN],
      strs: ["", "a", "bb"],
      m: new Map([[3, { x: 1 }]]),
      set: ["q", "p"],
      doc: "text",
      big: [1n, -2n],
    });
    const r = s.root;
    expect(r.f64).toBe(Math.PI);
    expect(r.f32).toBe(Math.fround(0.1));
    expect([r.i8, r.u32, r.b, r.s, r.wide, r.e]).toEqual([-128, 2 ** 32 - 1, true, "plain", "ünïcødé 😀", 7]);
    expect(r.opt).toBeUndefined();
    expect("opt" in r).toBe(false);
    expect(r.nul).toBeNull();
    expect([...r.list]).toEqual([1.5, null, Number.NaN]);
    expect([...r.strs]).toEqual(["", "a", "bb"]);
    expect(r.m.get(3)?.x).toBe(1);
    expect(r.m.get(4)).toBeUndefined();
    expect([...r.set]).toEqual(["q", "p"]);
    expect(r.doc.toString()).toBe("text");
    expect([...r.big]).toEqual([1n, -2n]);
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      f64: Math.PI,
      f32: Math.fround(0.1),
      i8: -128,
      u32: 2 ** 32 - 1,
      b: true,
      s: "plain",
      wide: "ünïcødé 😀",
      e: 7,
      nul: null,
      list: [1.5, null, null],
      strs: ["", "a", "bb"],
      m: { "3": { x: 1 } },
      set: ["q", "p"],
      doc: "text",
      big: ["1", "-2"],
    });
    s.release();
  });

  it("views behave as frozen plain data: keys, spread, Array.isArray, instanceof Map/Set", () => {
    const s = appState();
    const r = s.root;
    expect(Object.keys(r)).toEqual(["todos", "byId", "doc", "grid"]);
    const todo = r.todos[0]!;
    expect({ ...todo, tags: undefined }).toEqual({ id: "t0", title: "todo 0", done: true, tags: undefined });
    expect(Array.isArray(r.todos)).toBe(true);
    expect(r.todos.map((x) => x.id)).toEqual(["t0", "t1", "t2"]);
    expect(r.todos.length).toBe(3);
    expect(r.byId instanceof Map).toBe(true);
    expect(r.todos[0]!.tags instanceof Set).toBe(true);
    expect([...r.byId.keys()]).toEqual(["t0", "t1", "t2"]);
    expect(r.grid[3]).toBe(1);
    expect(r.grid.length).toBe(16);
    expect(r.grid.slice(0, 2)).toEqual(new Float64Array([1, 1]));
    s.release();
  });

  it("typed-array views and drafts convert slice/fill/copyWithin indices as a native Float64Array does", () => {
    const s = appState();
    const native = Float64Array.from({ length: 16 }, (_, i) => i);
    const s1 = produce(s, (d) => {
      for (let i = 0; i < 16; i++) d.grid[i] = i;
    });
    const args: unknown[] = [undefined, -3, 2.9, -0, Number.NaN, "4", -99, 99, -Infinity, Infinity, null, true];
    for (const a of args)
      for (const b of args) {
        const v = s1.root.grid as unknown as { slice(a: unknown, b: unknown): Float64Array };
        expect(v.slice(a, b), `slice(${String(a)}, ${String(b)})`).toEqual(
          (native.slice as (a: unknown, b: unknown) => Float64Array)(a, b),
        );
      }
    // ToNumber of a bigint throws TypeError natively; it used to be read as a number.
    const n = native as unknown as { slice(a: unknown): unknown; fill(v: number, a: unknown): unknown };
    expect(() => n.slice(1n)).toThrow(TypeError);
    expect(() => (s1.root.grid as unknown as { slice(a: unknown): unknown }).slice(1n)).toThrow(TypeError);
    expect(() =>
      produce(s1, (d) => {
        (d.grid as unknown as { fill(v: number, a: unknown): unknown }).fill(7, 1n);
      }),
    ).toThrow(TypeError);
    expect(s1.root.grid[1]).toBe(1);
    const s2 = produce(s1, (d) => {
      const g = d.grid as unknown as {
        fill(v: number, a: unknown, b: unknown): unknown;
        copyWithin(t: unknown, a: unknown, b?: unknown): unknown;
      };
      g.fill(-1, -3, "15");
      g.copyWithin(-16, 4.5, -10);
    });
    const expected = native.slice();
    expected.fill(-1, -3, 15);
    expected.copyWithin(-16, 4.5, -10);
    expect(s2.root.grid.slice()).toEqual(expected);
    s2.release();
    s1.release();
    s.release();
  });

  it("refuses every write to a view with a TypeError, and nothing changes", () => {
    const s = appState();
    const r = s.root as unknown as Record<string, unknown> & { todos: unknown[] };
    expect(() => {
      r.doc = "x";
    }).toThrow(TypeError);
    expect(() => {
      (r.todos as unknown[]).push(1);
    }).toThrow(TypeError);
    expect(() => (s.root.byId as Map<string, number>).clear()).toThrow(TypeError);
    expect(() => {
      (s.root.grid as unknown as number[])[0] = 5;
    }).toThrow(TypeError);
    expect(s.toJSON()).toEqual(createState(App, appInput()).toJSON());
    s.release();
  });

  it("gives the same object for the same node: twice in one version, and across versions where it did not change", () => {
    const s0 = appState();
    expect(s0.root).toBe(s0.root);
    expect(s0.root.todos[1]).toBe(s0.root.todos[1]);
    const s1 = produce(s0, (d) => {
      d.todos[0]!.done = false;
    });
    expect(s1.root).not.toBe(s0.root);
    expect(s1.root.todos).not.toBe(s0.root.todos);
    expect(s1.root.todos[0]).not.toBe(s0.root.todos[0]);
    expect(s1.root.todos[1]).toBe(s0.root.todos[1]); // unchanged record
    expect(s1.root.todos[0]!.tags).toBe(s0.root.todos[0]!.tags); // unchanged under a changed record
    expect(s1.root.byId).toBe(s0.root.byId);
    expect(s1.root.doc).toBe(s0.root.doc);
    expect(s1.root.grid).toBe(s0.root.grid);
    s1.release();
    s0.release();
  });

  it("keeps working when the version a view came from is released while another holds the node", () => {
    const s0 = appState();
    const todo1 = s0.root.todos[1]!;
    const s1 = produce(s0, (d) => {
      d.todos[0]!.title = "changed";
    });
    s0.release();
    expect(todo1.title).toBe("todo 1"); // reads through s1 now
    expect(() => s0.root).toThrow(ReleasedError);
    s1.release();
    expect(() => todo1.title).toThrow(ReleasedError);
  });

  it("fork() is another handle on the same version; History keeps versions", () => {
    const p = pool();
    const h = new History(createState(App, appInput(), { pool: p }), { freeze: true });
    for (let i = 0; i < 5; i++)
      h.commit(
        produce(h.current, (d) => {
          d.grid[i] = i * 10;
        }),
      );
    expect(h.current.root.grid[4]).toBe(40);
    expect(h.undo()?.root.grid[4]).toBe(1);
    const f = h.current.fork();
    expect(f.root).toBe(h.current.root);
    f.release();
    expect(h.current.root.grid[3]).toBe(30);
    h.release();
    expect(p.framesInUse).toBe(0);
  });

  it("util.inspect shows contents, not internals", () => {
    const s = appState(2);
    const out = inspect(s.root, { depth: 4 });
    expect(out).toContain("todo 1");
    expect(out).not.toContain("lineage");
    expect(out.length).toBeLessThan(2000);
    expect(inspect(s.root.doc)).toContain("hello world");
    expect(inspect(s.root.byId)).toContain("Map(2)");
    s.release();
  });

  it("current() of a view is plain data of the input's shape", () => {
    const s = appState(1);
    const c = current(s.root) as t.Input<typeof App>;
    expect(c.byId).toBeInstanceOf(Map);
    expect((c.todos[0] as { tags: unknown }).tags).toBeInstanceOf(Set);
    expect(c.grid).toBeInstanceOf(Float64Array);
    expect(createState(App, c).toJSON()).toEqual(s.toJSON());
    s.release();
  });

  it("releases every frame", () => {
    const p = pool();
    const s0 = appState(50, p);
    const versions = [s0];
    for (let i = 0; i < 20; i++)
      versions.push(
        produce(versions[versions.length - 1]!, (d) => {
          d.todos[i]!.done = !d.todos[i]!.done;
          d.doc.insert(0, "x");
          d.todos.push({ id: `n${i}`, title: "new", done: false, tags: new Set(["a", "b"]) });
          if (i % 3 === 0) d.todos.splice(0, 2);
        }),
      );
    expect(p.framesInUse).toBeGreaterThan(0);
    for (const v of versions) v.release();
    expect(p.framesInUse).toBe(0);
  });
  it("a typed array of zeros in the initial data takes no frames for its zero pages; non-zero pages are written", () => {
    const p = pool();
    const N = 1 << 16; // 512 KiB of float64: 2,048 pages of 256 B
    const G = t.struct({ g: t.float64Array(N) });
    const blank = createState(G, { g: new Float64Array(N) }, { pool: p });
    const framesBlank = p.framesInUse;
    expect(framesBlank).toBeLessThan(200); // page-map entries and headers, not 2,048 pages
    const src = new Float64Array(N);
    src[5] = 1;
    src[N - 1] = -0;
    const some = createState(G, { g: src }, { pool: p });
    expect(p.framesInUse - framesBlank).toBeLessThan(framesBlank + 4);
    expect([some.root.g[5], Object.is(some.root.g[N - 1], -0), some.root.g[6]]).toEqual([1, true, 0]);
    blank.release();
    some.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("lists look like arrays to `in`, Object.keys and Reflect.ownKeys", () => {
  it("a list view and a list draft answer as a native array of the same elements", () => {
    const S = t.struct({ xs: t.list(t.f64) });
    const native = [1, 2, 3];
    const probes: (string | symbol)[] = ["0", "2", "3", "01", "length", "push", "map", Symbol.iterator, "nope"];
    const keysOf = (a: object) => [Object.keys(a), Reflect.ownKeys(a), probes.map((p) => p in a)];
    const s0 = createState(S, { xs: native });
    expect(keysOf(s0.root.xs as unknown as object)).toEqual(keysOf(native));
    const s1 = produce(s0, (d) => {
      d.xs.push(4);
      expect(keysOf(d.xs as unknown as object)).toEqual(keysOf([...native, 4]));
    });
    s1.release();
    s0.release();
  });
});
