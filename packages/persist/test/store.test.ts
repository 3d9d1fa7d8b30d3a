/**
 * Round trips of every kind, what a save writes, histories, bad input, frame balance.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CowBigInt64Array,
  CowBigUint64Array,
  CowFloat32Array,
  CowFloat64Array,
  CowInt8Array,
  CowInt16Array,
  CowInt32Array,
  CowUint8Array,
  CowUint8ClampedArray,
  CowUint16Array,
  CowUint32Array,
} from "@pagefork/array";
import { AddressSpace, FramePool, Heap, History, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { applyPatches, createState, diffPatches, produce, type State, t } from "@pagefork/state";
import { CowText } from "@pagefork/string";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store, VersionNotFoundError } from "../src/index.js";

let dir = "";
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-store-"));
  store = openStore(dir, { sync: false });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (s: AddressSpace) => Buffer.from(s.read(0, new Uint8Array(s.size)));

describe("AddressSpace", () => {
  it("a first save writes every non-zero page; a fork that changed 10 pages writes 10 pages and their tree paths", async () => {
    const pool = new FramePool({ pageSize: 4096 });
    const a = new AddressSpace({ size: 1 << 26, pool }); // 16,384 pages; 5,000 written: 4 levels of fanout 16
    for (let p = 0; p < 5000; p++) a.setFloat64(p * 4096, p + 0.5);
    const first = await store.save("doc", a);
    expect(first).toMatchObject({ pagesHashed: 5000, pagesWritten: 5000, pages: 5000 });
    expect(first.nodesWritten).toBe(313 + 20 + 2 + 1); // ceil(5000 / 16), ceil(313 / 16), ...
    const b = a.fork();
    for (let k = 0; k < 10; k++) b.setFloat64(k * 400 * 4096 + 8, -k);
    const second = await store.save("doc", b);
    expect(second).toMatchObject({ pagesHashed: 10, pagesWritten: 10, pages: 5000 });
    expect(second.nodesWritten).toBeLessThanOrEqual(10 * 4); // the path of each changed page at most
    expect(second.bytesWritten).toBeLessThanOrEqual(10 * 4096 + 40 * (8 + 16 * 32));
    const c = (await store.load("doc", { pool })) as AddressSpace;
    expect(bytesOf(c).equals(bytesOf(b))).toBe(true);
    // The first version's pages that b replaced are freed: only b is stored now.
    expect(store.stats()).toMatchObject({ versions: 1, pages: 5000, dedupRatio: 1 });
    c.release();
    b.release();
    a.release();
    await store.close();
    expect(pool.framesInUse).toBe(0); // the kept fork went with close()
  });

  it("a fork saved under a new name costs its changes; shared pages are stored once", async () => {
    const pool = new FramePool({ pageSize: 1024 });
    const a = new AddressSpace({ size: 1 << 20, pool });
    a.fill(7, 0, 1 << 20);
    await store.save("a", a);
    const b = a.fork();
    b.setUint8(5000, 1);
    const r = await store.save("b", b);
    expect(r).toMatchObject({ pagesHashed: 1, pagesWritten: 1 });
    const st = store.stats();
    expect(st.pages).toBe(2); // all 1,024 pages of 7s are one page, plus b's changed one
    expect(st.logicalBytes).toBe(2 * (1 << 20));
    expect(st.dedupRatio).toBe((2 * (1 << 20)) / 2048);
    b.release();
    a.release();
  });

  it("mappings and the frozen flag round-trip", async () => {
    const pool = new FramePool({ pageSize: 4096 });
    const a = new AddressSpace({ size: 8 * 4096, pool });
    a.setUint32(4096, 42);
    a.unmap(6 * 4096, 2 * 4096);
    a.protect(0, 4096, "read-only");
    a.freeze();
    await store.save("m", a);
    const b = (await store.load("m", { pool })) as AddressSpace;
    expect(b.mappings()).toEqual(a.mappings());
    expect(b.frozen).toBe(true);
    expect(b.getUint32(4096)).toBe(42);
    b.release();
    a.release();
  });
});

describe("structures", () => {
  it("each Cow*Array kind, and a subarray, round-trip with their kind and window", async () => {
    const pool = new FramePool({ pageSize: 4096 });
    const kinds = [
      CowInt8Array,
      CowUint8Array,
      CowUint8ClampedArray,
      CowInt16Array,
      CowUint16Array,
      CowInt32Array,
      CowUint32Array,
      CowFloat32Array,
      CowFloat64Array,
    ] as const;
    for (const K of kinds) {
      const a = new K(3000, { pool });
      for (let i = 0; i < 3000; i += 7) a.set(i, i % 100);
      await store.save(K.name, a);
      const b = (await store.load(K.name, { pool })) as InstanceType<typeof K>;
      expect(b.constructor).toBe(K);
      expect([...b]).toEqual([...a]);
      b.release();
      a.release();
    }
    for (const K of [CowBigInt64Array, CowBigUint64Array] as const) {
      const a = new K(1000, { pool });
      a.set(999, 12345678901234n);
      await store.save(K.name, a);
      const b = (await store.load(K.name, { pool })) as InstanceType<typeof K>;
      expect(b.constructor).toBe(K);
      expect(b.get(999)).toBe(12345678901234n);
      expect(b.length).toBe(1000);
      b.release();
      a.release();
    }
    const whole = CowFloat64Array.from([1, 2, 3, 4, 5], { pool });
    const sub = whole.subarray(1, 4);
    await store.save("sub", sub);
    const back = (await store.load("sub", { pool })) as CowFloat64Array;
    expect([...back]).toEqual([2, 3, 4]);
    back.release();
    sub.release();
    whole.release();
    await store.close();
    expect(pool.framesInUse).toBe(0);
  });

  it("a CowText round-trips and can be edited after loading", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const text = CowText.from("hello ".repeat(500), { pool });
    await store.save("t", text);
    const back = (await store.load("t", { pool })) as CowText;
    expect(back.toString()).toBe(text.toString());
    back.insert(3, "XYZ");
    expect(back.slice(0, 8)).toBe("helXYZlo");
    expect(text.slice(0, 5)).toBe("hello");
    back.release();
    text.release();
  });

  it("a State round-trips; produce after loading never reuses a record's stamp", async () => {
    const Todo = t.struct({ title: t.string, done: t.bool });
    const App = t.struct({ todos: t.list(Todo), tags: t.set(t.string), doc: t.text() });
    const s0 = createState(App, { todos: [{ title: "a", done: false }], tags: new Set(["x"]), doc: "hi" });
    const s1 = produce(s0, (d) => {
      d.todos.push({ title: "b", done: true });
    });
    await store.save("s", s1);
    const pool = new FramePool({ pageSize: s1.pageSize });
    const l = (await store.load("s", { pool, schema: App })) as State<typeof App>;
    expect(JSON.stringify(l)).toBe(JSON.stringify(s1));
    // Views of every loaded record are cached by their stamps.
    expect(l.root.todos.map((x) => x.title)).toEqual(["a", "b"]);
    expect([...l.root.tags]).toEqual(["x"]);
    const made: State<typeof App>[] = [];
    let l2 = l;
    for (const title of ["c", "d", "e", "f"]) {
      l2 = produce(l2, (d) => {
        d.todos.push({ title, done: false });
      });
      made.push(l2);
    }
    l2 = produce(l2, (d) => {
      d.todos[0]!.title = "A";
    });
    made.push(l2);
    // The untouched record keeps its view; new and changed records get their own.
    expect(l2.root.todos[1]).toBe(l.root.todos[1]);
    expect(l2.root.todos[0]!.title).toBe("A");
    expect(l.root.todos[0]!.title).toBe("a");
    expect(l2.root.todos.map((x) => x.title)).toEqual(["A", "b", "c", "d", "e", "f"]);
    expect(l.root.todos.map((x) => x.title)).toEqual(["a", "b"]);
    await expect(store.load("s", { pool })).rejects.toBeInstanceOf(InvalidArgumentError); // no schema
    for (const v of made) v.release();
    l.release();
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("an embedded structure or a released version is refused, changing nothing", async () => {
    const m = new CowMap([["a", 1]]);
    m.release();
    const space = new AddressSpace({ size: 1 << 20, pageSize: 256 });
    const heap = Heap.create(space, { base: 256 });
    const embedded = CowFloat64Array.create(heap, 10);
    const embeddedMap = CowMap.create(heap, [["a", 1]]);
    const gone = new AddressSpace({ size: 4096 });
    gone.release();
    for (const v of [m, embedded, embeddedMap, gone, 42, null]) {
      await expect(store.save("x", v as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    for (const name of ["", 7, "x".repeat(501)])
      await expect(store.save(name as string, space)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(store.list()).toEqual([]);
    expect(store.stats()).toMatchObject({ pages: 0, nodes: 0 });
    space.release();
  });
});

describe("histories", () => {
  it("saveHistory stores shared pages once; loadHistory gives every version, the position and shared frames", async () => {
    const pool = new FramePool({ pageSize: 256 });
    let text = CowText.from("The quick brown fox", { pool });
    const h = new History(text, { maxVersions: 1000 });
    for (let i = 0; i < 200; i++) {
      text = text.fork();
      text.insert((i * 7) % text.length, String.fromCharCode(97 + (i % 26)));
      h.commit(text);
    }
    h.undo();
    h.undo();
    const r = await store.saveHistory("h", h);
    expect(r.pagesHashed).toBeLessThan(5 * 201); // each version hashed only where it differs from the one before
    const st = store.stats();
    expect(st.dedupRatio).toBeGreaterThan(2);
    const framesBefore = pool.framesInUse;
    const back = (await store.loadHistory("h", { pool })) as unknown as History<CowText>;
    expect(back.size).toBe(201);
    expect(back.position).toBe(198);
    expect(back.maxVersions).toBe(1000);
    for (let i = 0; i < 201; i++) expect(back.at(i)?.toString()).toBe(h.at(i)?.toString());
    // The loaded versions share frames as the saved ones do: about as many frames again, not 201 copies.
    expect(pool.framesInUse - framesBefore).toBeLessThanOrEqual(framesBefore);
    back.release();
    expect(pool.framesInUse).toBe(framesBefore);
    h.release();
    await expect(store.load("h", { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    expect(await store.delete("h")).toBe(true);
    expect(store.stats()).toMatchObject({ versions: 0, pages: 0, nodes: 0, pageBytes: 0, nodeBytes: 0 });
    expect(await store.delete("h")).toBe(false);
  });

  it("a history saved in chunks of one version per transaction round-trips and replaces the old one", async () => {
    await store.close();
    store = openStore(dir, { sync: false, historyTxnBytes: 1 });
    const pool = new FramePool({ pageSize: 1024 });
    let v = new AddressSpace({ size: 64 * 1024, pool });
    v.fill(1, 0, 64 * 1024);
    const h = new History(v);
    for (let i = 0; i < 30; i++) {
      v = v.fork();
      v.setUint32((i % 64) * 1024, i + 100);
      h.commit(v);
    }
    await store.saveHistory("h", h);
    await store.saveHistory("h", h); // replaces: the first save's references go
    const st = store.stats();
    expect(st.pages).toBe(1 + 30); // the page of 1s, and one page per edit
    const back = (await store.loadHistory("h", { pool })) as unknown as History<AddressSpace>;
    for (let i = 0; i < 31; i++)
      expect(bytesOf(back.at(i) as AddressSpace).equals(bytesOf(h.at(i) as AddressSpace))).toBe(true);
    expect(store.list()).toEqual(["h"]); // no intent record shows
    back.release();
    h.release();
    await store.delete("h");
    expect(store.stats()).toMatchObject({ pages: 0, nodes: 0 });
  });

  it("a history of States round-trips", async () => {
    const S = t.struct({ n: t.f64, items: t.list(t.string) });
    let s = createState(S, { n: 0, items: [] });
    const h = new History(s);
    for (let i = 1; i <= 20; i++) {
      s = produce(s, (d) => {
        d.n = i;
        d.items.push(`item ${i}`);
      });
      h.commit(s);
    }
    await store.saveHistory("states", h);
    const pool = new FramePool({ pageSize: s.pageSize });
    const back = (await store.loadHistory("states", { pool, schema: S })) as unknown as History<State<typeof S>>;
    for (let i = 0; i <= 20; i++) expect(JSON.stringify(back.at(i))).toBe(JSON.stringify(h.at(i)));
    // The loaded versions are one lineage, as the saved ones were: they diff as those did, and so
    // does a version produced from one of them.
    const [v3, v10] = [back.at(3), back.at(10)] as State<typeof S>[];
    expect(diffPatches(v3 as State<typeof S>, v10 as State<typeof S>)).toEqual(
      diffPatches(h.at(3) as State<typeof S>, h.at(10) as State<typeof S>),
    );
    const edited = produce(v10 as State<typeof S>, (d) => {
      d.items.push("new");
    });
    const forward = diffPatches(v3 as State<typeof S>, edited);
    const moved = applyPatches(v3 as State<typeof S>, forward);
    expect(moved.toJSON()).toEqual(edited.toJSON());
    moved.release();
    edited.release();
    back.release();
    h.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("errors and housekeeping", () => {
  it("unknown names, a pool of another page size, a closed store", async () => {
    const pool = new FramePool({ pageSize: 4096 });
    await expect(store.load("nope", { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    await expect(store.loadHistory("nope", { pool })).rejects.toBeInstanceOf(VersionNotFoundError);
    const a = new AddressSpace({ size: 4096, pool });
    a.setUint8(0, 1);
    await store.save("a", a);
    await expect(store.load("a", { pool: new FramePool({ pageSize: 256 }) })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(store.load("a", {} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await store.close();
    await store.close(); // idempotent
    expect(() => store.list()).toThrow(ReleasedError);
    await expect(store.save("a", a)).rejects.toBeInstanceOf(ReleasedError);
    a.release();
    store = openStore(dir);
    expect(store.list()).toEqual(["a"]);
  });

  it("frames balance: loads take their pages and give them back when released", async () => {
    const pool = new FramePool({ pageSize: 4096 });
    const a = new AddressSpace({ size: 1 << 20, pool });
    for (let p = 0; p < 50; p++) a.setUint8(p * 4096, p + 1);
    await store.save("a", a);
    const base = pool.framesInUse;
    const loads = await Promise.all([1, 2, 3].map(() => store.load("a", { pool })));
    expect(pool.framesInUse).toBe(base + 3 * 50);
    for (const l of loads) l.release();
    expect(pool.framesInUse).toBe(base);
    a.release();
    await store.close();
    expect(pool.framesInUse).toBe(0);
  });
});
