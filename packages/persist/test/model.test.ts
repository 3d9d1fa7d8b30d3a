/**
 * Model test: random sequences of save / load / delete / reopen, against a
 * Map of byte images (what each name must hold). After every command the
 * store's page count must equal the number of distinct non-zero pages of the
 * images (refcounts neither leak nor free a page in use); at every reopen and
 * at the end every stored refcount must equal the references counted from
 * scratch (fixtures/audit.ts); and at the end the pool holds no frame once
 * the versions are released and the store closed.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool } from "@pagefork/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

const PAGE = 256;
const PAGES = 80; // > 64: the page-table tree grows to three levels of fanout 8
const NAMES = ["a", "b", "c", "d"];

interface Model {
  images: Map<string, Uint8Array>;
  working: Uint8Array;
}
interface Real {
  dir: string;
  store: Store;
  pool: FramePool;
  working: AddressSpace;
}

/** A page write: page index, fill byte (0 makes the page zero), and a second byte at an offset. */
type Write = [page: number, fill: number, at: number, byte: number];

function applyImage(img: Uint8Array, writes: readonly Write[]): void {
  for (const [page, fill, at, byte] of writes) {
    img.fill(fill, page * PAGE, (page + 1) * PAGE);
    if (fill !== 0) img[page * PAGE + at] = byte;
  }
}

function distinctPages(images: Iterable<Uint8Array>): number {
  const set = new Set<string>();
  const zero = new Uint8Array(PAGE);
  for (const img of images)
    for (let p = 0; p < img.length; p += PAGE) {
      const page = img.subarray(p, p + PAGE);
      if (Buffer.compare(page, zero) !== 0) set.add(createHash("sha256").update(page).digest("hex"));
    }
  return set.size;
}

async function checkCounts(m: Model, r: Real): Promise<void> {
  expect(r.store.stats().pages).toBe(distinctPages(m.images.values()));
  expect(r.store.list()).toEqual([...m.images.keys()].sort());
}

class Save implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly name: string,
    readonly writes: Write[],
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const next = r.working.fork();
    for (const [page, fill, at, byte] of this.writes) {
      next.fill(fill, page * PAGE, (page + 1) * PAGE);
      if (fill !== 0) next.setUint8(page * PAGE + at, byte);
    }
    const res = await r.store.save(this.name, next);
    r.working.release();
    r.working = next;
    applyImage(m.working, this.writes);
    m.images.set(this.name, m.working.slice());
    // Never more pages written than hashed, never more hashed than pages changed when the name was saved last.
    expect(res.pagesWritten).toBeLessThanOrEqual(res.pagesHashed);
    await checkCounts(m, r);
  }
  toString = () => `save(${this.name}, ${JSON.stringify(this.writes)})`;
}

class Load implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly name: string,
    readonly adopt: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const img = m.images.get(this.name);
    if (img === undefined) {
      await expect(r.store.load(this.name, { pool: r.pool })).rejects.toMatchObject({ code: "ERR_VERSION_NOT_FOUND" });
      return;
    }
    const s = (await r.store.load(this.name, { pool: r.pool })) as AddressSpace;
    expect(Buffer.compare(s.read(0, new Uint8Array(s.size)), img)).toBe(0);
    if (this.adopt) {
      // Go on editing from the loaded version.
      r.working.release();
      r.working = s;
      m.working = img.slice();
    } else s.release();
  }
  toString = () => `load(${this.name}${this.adopt ? ", adopt" : ""})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(await r.store.delete(this.name)).toBe(m.images.delete(this.name));
    await checkCounts(m, r);
  }
  toString = () => `delete(${this.name})`;
}

class Reopen implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.store.close();
    expect(auditStore(r.dir)).toEqual([]); // every refcount equals the references counted from scratch
    r.store = openStore(r.dir, { sync: false });
    await checkCounts(m, r);
  }
  toString = () => "reopen";
}

const write = fc.tuple(
  fc.integer({ min: 0, max: PAGES - 1 }),
  fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 255 })),
  fc.integer({ min: 0, max: PAGE - 1 }),
  fc.integer({ min: 0, max: 3 }),
) as fc.Arbitrary<Write>;
const name = fc.constantFrom(...NAMES);
const commands = [
  fc.tuple(name, fc.array(write, { maxLength: 12 })).map(([n, w]) => new Save(n, w)),
  fc.tuple(name, fc.boolean()).map(([n, a]) => new Load(n, a)),
  name.map((n) => new Delete(n)),
  fc.constant(new Reopen()),
];

it("save/load/delete/reopen sequences match a map of byte images; pages and frames balance", async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
      const dir = mkdtempSync(join(tmpdir(), "pagefork-model-"));
      const pool = new FramePool({ pageSize: PAGE });
      const real: Real = {
        dir,
        store: openStore(dir, { sync: false }),
        pool,
        working: new AddressSpace({ size: PAGES * PAGE, pool }),
      };
      const model: Model = { images: new Map(), working: new Uint8Array(PAGES * PAGE) };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        real.working.release();
        await real.store.close();
        expect(auditStore(dir)).toEqual([]);
        rmSync(dir, { recursive: true, force: true });
      }
      expect(pool.framesInUse).toBe(0);
    }),
    { numRuns: 150 },
  );
});
