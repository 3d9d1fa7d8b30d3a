/**
 * Standalone CowMap, CowSet and CowVector in the store: round trips against
 * a native Map / Set / array, loaded versions are writable and fork, a
 * history of them shares frames, records whose numbers do not fit their
 * pages (or name a kind this build does not know) give typed errors and
 * leave the pool as it was; the frozen flag of every kind round-trips.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CowFloat64Array, CowUint8Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, History, InvalidArgumentError } from "@pagefork/core";
import { adoptCollection, CowMap, CowSet, collectionStateOf } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import { open } from "lmdb";
import { afterEach, beforeEach, expect, it } from "vitest";
import { CorruptionError, openStore, type Persistable, type Store } from "../src/index.js";

let dir = "";
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-coll-"));
  store = openStore(dir, { sync: false });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a CowMap and a CowSet round-trip, equal to their native models; loaded, they are writable and fork", async () => {
  const pool = new FramePool({ pageSize: 256 });
  const m = new CowMap<string | number, unknown>(null, { pool });
  const model = new Map<string | number, unknown>();
  for (let i = 0; i < 2000; i++) {
    const k = i % 3 === 0 ? i : `k${i}`;
    const v = i % 5 === 0 ? { i, s: `v${i}` } : i * 1.5;
    m.set(k, v);
    model.set(k, v);
    if (i % 7 === 0) {
      m.delete(`k${i - 1}`);
      model.delete(`k${i - 1}`);
    }
  }
  const s = CowSet.from(["a", 1, "b", 2.5], { pool });
  const r = await store.save("m", m);
  expect(r.pagesWritten).toBeGreaterThan(0);
  await store.save("s", s);
  const back = (await store.load("m", { pool })) as CowMap<string | number, unknown>;
  const backSet = (await store.load("s", { pool })) as CowSet<string | number>;
  expect(back).toBeInstanceOf(CowMap);
  expect(backSet).toBeInstanceOf(CowSet);
  expect([...back]).toEqual([...model]);
  expect([...backSet]).toEqual(["a", 1, "b", 2.5]);
  const f = back.fork();
  back.set("new", 1);
  back.delete(0);
  backSet.add("c");
  expect(f.has("new")).toBe(false);
  expect(f.get(0)).toEqual(model.get(0));
  expect(back.size).toBe(model.size);
  expect(backSet.size).toBe(5);
  // An incremental save of a fork of the loaded map writes its changes only.
  const r2 = await store.save("m", back);
  expect(r2.pagesWritten).toBeLessThan(r.pagesWritten);
  for (const x of [f, back, backSet, m, s]) x.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("a CowVector round-trips with its kind, length, capacity and maxLength; loaded, it is writable and forks", async () => {
  const pool = new FramePool({ pageSize: 256 });
  const kinds = [Float64Array, Int8Array, Uint16Array, BigInt64Array] as const;
  const made: CowVector<Float64ArrayConstructor>[] = [];
  for (const Kind of kinds) {
    const v = new CowVector(Kind as Float64ArrayConstructor, { pool, maxLength: 100_000 });
    const model: (number | bigint)[] = [];
    for (let i = 0; i < 1500; i++) {
      const x = Kind === BigInt64Array ? BigInt(i * 3) : (i * 7) % 100;
      v.push(x as number);
      model.push(x);
    }
    for (let i = 0; i < 300; i++) {
      v.pop();
      model.pop();
    }
    v.shrinkToFit();
    await store.save(Kind.name, v);
    const back = (await store.load(Kind.name, { pool })) as CowVector<Float64ArrayConstructor>;
    expect(back).toBeInstanceOf(CowVector);
    expect(back.toTypedArray()).toBeInstanceOf(Kind);
    expect([...back]).toEqual(model);
    expect([back.length, back.capacity, back.maxLength]).toEqual([v.length, v.capacity, v.maxLength]);
    const f = back.fork();
    back.push((Kind === BigInt64Array ? 1n : 1) as number);
    expect(f.length).toBe(model.length);
    expect(back.length).toBe(model.length + 1);
    made.push(v, back, f);
  }
  for (const x of made) x.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("a history of CowVectors and of CowMaps round-trips; loaded versions share frames", async () => {
  const pool = new FramePool({ pageSize: 256 });
  let v = CowVector.from(Float64Array, [1, 2, 3], { pool, maxLength: 1 << 16 });
  const hv = new History(v.fork());
  const vModels: number[][] = [[1, 2, 3]];
  for (let i = 0; i < 40; i++) {
    const n = v.fork();
    for (let k = 0; k < 50; k++) n.push(i * 100 + k); // grows past several capacities
    if (i % 4 === 0) n.shrinkToFit();
    v.release();
    v = n;
    hv.commit(v.fork());
    vModels.push([...v]);
  }
  let m = new CowMap<string, number>(null, { pool });
  const hm = new History(m.fork());
  const mModels: [string, number][][] = [[]];
  for (let i = 0; i < 30; i++) {
    const n = m.fork();
    for (let k = 0; k < 20; k++) n.set(`k${(i * 7 + k) % 150}`, i);
    n.delete(`k${i}`);
    m.release();
    m = n;
    hm.commit(m.fork());
    mModels.push([...m]);
  }
  await store.saveHistory("hv", hv);
  await store.saveHistory("hm", hm);
  const lv = await store.loadHistory("hv", { pool });
  const lm = await store.loadHistory("hm", { pool });
  expect([...lv].map((x) => [...(x as CowVector<Float64ArrayConstructor>)])).toEqual(vModels);
  expect([...lm].map((x) => [...(x as CowMap<string, number>)])).toEqual(mModels);
  // Shared frames: the loaded history costs far less than its versions loaded one by one.
  const last = [...lm].at(-1) as CowMap<string, number>;
  expect(last.space.stats().uss).toBeLessThan(last.space.stats().rss);
  for (const h of [hv, hm, lv, lm]) h.release();
  v.release();
  m.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

/** Rewrites the record of `name` with `change` applied (behind the store's back), then reopens the store. */
async function tamper(name: string, change: (r: Record<string, unknown>) => void): Promise<void> {
  await store.close();
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const versions = env.openDB<string, string>({ name: "versions", encoding: "string" });
  const r = JSON.parse(versions.get(name) as string);
  delete r.sum; // as a record saved before checksums: what is refused is the change itself
  change(r);
  await versions.put(name, JSON.stringify(r));
  await env.close();
  store = openStore(dir, { sync: false });
}

it("map and set records carry their table layout: a layout-1 collection (made before layout 2) and a layout-2 one round-trip; a record without `layout` (formats 1 and 2) loads as layout 1; an unknown layout is a CorruptionError", async () => {
  const pool = new FramePool({ pageSize: 512 });
  // a layout-1 map as every build before layout 2 made it: its state has no `layout`
  const old = adoptCollection(new AddressSpace({ size: 2 ** 36, pool }), {
    type: "CowMap",
    mask: -1,
    used: 0,
    garbage: 0,
    size: 0,
  }) as CowMap<string, number>;
  const fresh = new CowMap<string, number>(null, { pool });
  const model = new Map<string, number>();
  for (let i = 0; i < 1500; i++) {
    old.set(`k${i}`, i + 0.25);
    fresh.set(`k${i}`, i + 0.25);
    model.set(`k${i}`, i + 0.25);
  }
  expect(collectionStateOf(old).layout).toBe(1);
  expect(old.space.getUint32(2 ** 27)).not.toBe(0); // its log starts at 2^27
  expect(collectionStateOf(fresh).layout).toBe(2);
  await store.save("old", old);
  await store.save("old-unmarked", old);
  await store.save("fresh", fresh);
  await store.save("bad", fresh);
  await tamper("old-unmarked", (r) => {
    delete (r.meta as Record<string, unknown>).layout; // as a build of format 2 wrote it
  });
  await tamper("bad", (r) => {
    (r.meta as Record<string, unknown>).layout = 3;
  });
  for (const [name, layout] of [
    ["old", 1],
    ["old-unmarked", 1],
    ["fresh", 2],
  ] as const) {
    const back = (await store.load(name, { pool })) as CowMap<string, number>;
    expect(collectionStateOf(back).layout, name).toBe(layout);
    expect([...back], name).toEqual([...model]);
    back.set("after", 1);
    expect(back.get("after")).toBe(1);
    back.release();
  }
  const before = pool.framesInUse;
  await expect(store.load("bad", { pool })).rejects.toBeInstanceOf(CorruptionError);
  expect(pool.framesInUse).toBe(before);
  old.release();
  fresh.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("a record of the wrong kind for its pages, or numbers that do not fit them: a typed error, the pool as it was", async () => {
  const pool = new FramePool({ pageSize: 256 });
  const m = new CowMap([["a", 1]], { pool });
  const v = CowVector.from(Int32Array, [1, 2, 3], { pool });
  await store.save("m", m);
  await store.save("v", v);
  await store.save("v2", v);
  await store.save("v3", v);
  await store.save("m2", m);
  await tamper("m", (r) => {
    r.kind = "text"; // a map's pages are no text: no text header at address 0
    (r.meta as Record<string, unknown>).root = 0;
  });
  await tamper("v", (r) => {
    (r.meta as Record<string, unknown>).length = 10 ** 6; // past its mapped range
  });
  await tamper("v2", (r) => {
    r.kind = "set"; // a vector's space is no table's
  });
  await store.save("v4", v);
  await tamper("v4", (r) => {
    (r.meta as Record<string, unknown>).mappings = [[0, 3, 0]]; // not page-aligned
  });
  await tamper("v3", (r) => {
    r.kind = "sparse-vector"; // a kind of a newer build
  });
  for (const kind of ["array:constructor", "array:toString", "array:Float64", "array:DataView"]) {
    await store.save(kind, v);
    await tamper(kind, (r) => {
      r.kind = kind; // not one of the eleven kinds (the first two are members of every object)
    });
  }
  await tamper("m2", (r) => {
    (r.meta as Record<string, unknown>).mask = 6;
  });
  const before = pool.framesInUse;
  for (const name of ["m", "v", "v2", "m2", "v4"]) {
    const e = await store.load(name, { pool }).catch((x: unknown) => x);
    expect(e, name).toBeInstanceOf(CorruptionError);
    expect(e).toMatchObject({ version: name });
  }
  for (const name of ["v3", "array:constructor", "array:toString", "array:Float64", "array:DataView"])
    await expect(store.load(name, { pool }), name).rejects.toBeInstanceOf(InvalidArgumentError);
  expect(pool.framesInUse).toBe(before);
  m.release();
  v.release();
  await store.close();
  expect(pool.framesInUse).toBe(0);
});

it("a vector loaded from a smaller save can be saved again under a name whose last save mapped more (regression: SegmentationFault reading an unmapped page)", async () => {
  // Found by model-collections (seed 1520577302): save(c, empty vector), push, save(a),
  // load(c) as the working vector, save(a): the diff against a's baseline listed pages the
  // loaded vector does not map, and the save read them.
  const pool = new FramePool({ pageSize: 256 });
  const v = new CowVector(Int32Array, { pool, maxLength: 1 << 16 });
  await store.save("c", v);
  const w = v.fork();
  for (let i = 0; i < 200; i++) w.push(i);
  await store.save("a", w);
  const loaded = (await store.load("c", { pool })) as CowVector<Int32ArrayConstructor>;
  expect(loaded.length).toBe(0);
  await store.save("a", loaded);
  const back = (await store.load("a", { pool })) as CowVector<Int32ArrayConstructor>;
  expect([...back]).toEqual([]);
  loaded.push(7);
  await store.save("a", loaded);
  const again = (await store.load("a", { pool })) as CowVector<Int32ArrayConstructor>;
  expect([...again]).toEqual([7]);
  for (const x of [v, w, loaded, back, again]) x.release();
  await store.close(); // releases the store's baselines (the forks that later saves diff against)
  expect(pool.framesInUse).toBe(0);
  store = openStore(dir, { sync: false });
});

it("a frozen CowText, CowMap, CowSet, CowVector or Cow*Array (a subarray too) loads frozen, alone and in a History; a writable one loads writable (regression: every kind but AddressSpace loaded writable)", async () => {
  const pool = new FramePool({ pageSize: 256 });
  const make = (): [string, Persistable & { readonly space: AddressSpace; fork(): unknown }][] => [
    ["text", CowText.from("frozen 😀 text", { pool })],
    ["map", new CowMap<number, string>([[1, "a"]], { pool })],
    ["set", new CowSet<number>([1, 2], { pool })],
    ["vector", CowVector.from(Int16Array, [1, 2, 3], { pool, maxLength: 1024 })],
    ["array", CowFloat64Array.from([1.5, -0, 3], { pool })],
    ["subarray", subarrayOf(CowUint8Array.from([1, 2, 3, 4], { pool }))],
  ];
  const frozen = make();
  const writable = make();
  for (const [name, v] of frozen) {
    v.space.freeze();
    await store.save(`f-${name}`, v);
  }
  for (const [name, v] of writable) await store.save(`w-${name}`, v);
  const text = frozen[0]?.[1] as CowText;
  const h = new History(text, { freeze: false });
  const t2 = text.fork();
  t2.insert(0, ">");
  h.commit(t2); // writable after a frozen one
  await store.saveHistory("h", h);
  const frames = pool.framesInUse;
  for (const [name, v] of frozen) {
    const back = (await store.load(`f-${name}`, { pool })) as typeof v;
    expect([name, back.space.frozen, [...(back as Iterable<unknown>)]]).toEqual([
      name,
      true,
      [...(v as Iterable<unknown>)],
    ]);
    back.release();
  }
  for (const [name] of writable) {
    const back = (await store.load(`w-${name}`, { pool })) as { space: AddressSpace; release(): void };
    expect([name, back.space.frozen]).toEqual([name, false]);
    back.release();
  }
  const hb = (await store.loadHistory("h", { pool })) as unknown as History<CowText>;
  expect([...hb].map((t) => [t.toString(), t.space.frozen])).toEqual([
    ["frozen 😀 text", true],
    [">frozen 😀 text", false],
  ]);
  hb.release();
  expect(pool.framesInUse).toBe(frames);
  h.release();
  for (const [, v] of [...frozen.slice(1), ...writable]) (v as { release(): void }).release();
  await store.close(); // the store keeps a fork of each name's last save as its baseline
  expect(pool.framesInUse).toBe(0);
  store = openStore(dir, { sync: false });
});

/** A subarray [1, 3) of `full`, which it releases (the view keeps the space). */
function subarrayOf(full: CowUint8Array): CowUint8Array {
  const view = full.subarray(1, 3);
  full.release();
  return view;
}
