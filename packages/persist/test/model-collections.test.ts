/**
 * Model test of the standalone collections: random edits of a CowMap, a
 * CowSet and a CowVector (each edit on a fork, as an app keeps versions),
 * interleaved with save / load / delete / reopen, against a native Map, Set
 * and a plain array copied at each save. A load must equal the model of
 * what was saved; a loaded version may become the working one (it must stay
 * writable). At every reopen and at the end every stored refcount must
 * equal the references counted from scratch, and the pool holds no frame
 * once everything is released.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

type Which = "map" | "set" | "vector";
type Vec = CowVector<Int32ArrayConstructor>;
interface Models {
  map: Map<string, number>;
  set: Set<number>;
  vector: number[];
}
interface Model {
  working: Models;
  saved: Map<string, { which: Which; value: Map<string, number> | Set<number> | number[] }>;
}
interface Real {
  dir: string;
  store: Store;
  pool: FramePool;
  map: CowMap<string, number>;
  set: CowSet<number>;
  vector: Vec;
}

/** One edit: [structure, key or value, delete / pop]. */
type Edit = [which: Which, x: number, remove: boolean];

class EditCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly edits: Edit[]) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const map = r.map.fork();
    const set = r.set.fork();
    const vector = r.vector.fork();
    for (const [which, x, remove] of this.edits) {
      const w = m.working;
      if (which === "map") {
        if (remove) {
          map.delete(`k${x}`);
          w.map.delete(`k${x}`);
        } else {
          map.set(`k${x}`, x * 3);
          w.map.set(`k${x}`, x * 3);
        }
      } else if (which === "set") {
        if (remove) {
          set.delete(x);
          w.set.delete(x);
        } else {
          set.add(x);
          w.set.add(x);
        }
      } else if (remove) {
        vector.pop();
        w.vector.pop();
      } else
        for (let k = 0; k < x; k++) {
          vector.push(x + k);
          w.vector.push(x + k);
        }
    }
    r.map.release();
    r.set.release();
    r.vector.release();
    Object.assign(r, { map, set, vector });
  }
  toString = () => `edit(${JSON.stringify(this.edits)})`;
}

const copyOf = (w: Models, which: Which) =>
  which === "map" ? new Map(w.map) : which === "set" ? new Set(w.set) : [...w.vector];

class Save implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly name: string,
    readonly which: Which,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.save(this.name, r[this.which]);
    m.saved.set(this.name, { which: this.which, value: copyOf(m.working, this.which) });
  }
  toString = () => `save(${this.name}, ${this.which})`;
}

class Load implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly name: string,
    readonly adopt: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const want = m.saved.get(this.name);
    if (want === undefined) {
      await expect(r.store.load(this.name, { pool: r.pool })).rejects.toMatchObject({ code: "ERR_VERSION_NOT_FOUND" });
      return;
    }
    const got = (await r.store.load(this.name, { pool: r.pool })) as CowMap<string, number> | CowSet<number> | Vec;
    expect([...got]).toEqual([...(want.value as Iterable<unknown>)]);
    if (this.adopt) {
      r[want.which].release();
      (r as unknown as Record<Which, unknown>)[want.which] = got;
      (m.working as unknown as Record<Which, unknown>)[want.which] = copyOf(
        { ...m.working, [want.which]: want.value } as Models,
        want.which,
      );
    } else got.release();
  }
  toString = () => `load(${this.name}${this.adopt ? ", adopt" : ""})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await r.store.delete(this.name)).toBe(m.saved.delete(this.name));
  }
  toString = () => `delete(${this.name})`;
}

class Reopen implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.close();
    expect(auditStore(r.dir)).toEqual([]);
    r.store = openStore(r.dir, { sync: false });
    expect(r.store.list()).toEqual([...m.saved.keys()].sort());
  }
  toString = () => "reopen";
}

const which = fc.constantFrom<Which>("map", "set", "vector");
const name = fc.constantFrom("a", "b", "c");
const commands = [
  fc
    .array(fc.tuple(which, fc.integer({ min: 0, max: 120 }), fc.boolean()), { minLength: 1, maxLength: 30 })
    .map((e) => new EditCmd(e as Edit[])),
  fc.tuple(name, which).map(([n, w]) => new Save(n, w)),
  fc.tuple(name, fc.boolean()).map(([n, a]) => new Load(n, a)),
  name.map((n) => new Delete(n)),
  fc.constant(new Reopen()),
];

it("map / set / vector: save, load, delete and reopen sequences match native models; refcounts and frames balance", async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "+1" }), async (cmds) => {
      const dir = mkdtempSync(join(tmpdir(), "pagefork-model-coll-"));
      const pool = new FramePool({ pageSize: 256 });
      const real: Real = {
        dir,
        store: openStore(dir, { sync: false }),
        pool,
        map: new CowMap<string, number>(null, { pool }),
        set: new CowSet<number>(null, { pool }),
        vector: new CowVector(Int32Array, { pool, maxLength: 1 << 16 }),
      };
      const model: Model = { working: { map: new Map(), set: new Set(), vector: [] }, saved: new Map() };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        real.map.release();
        real.set.release();
        real.vector.release();
        await real.store.close();
        expect(auditStore(dir)).toEqual([]);
        rmSync(dir, { recursive: true, force: true });
      }
      expect(pool.framesInUse).toBe(0);
    }),
    { numRuns: 60 },
  );
});
