/**
 * Review 25: malformed handles and copies given to `AddressSpace.attach`
 * (attach.ts, transfer.ts). Each must be refused with InvalidHandleError
 * and change nothing: the genuine handle stays attachable, the pin count and
 * the pool's frames are as they were. Attaches in the owner's thread (allowed:
 * the TSDoc examples do it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  InvalidHandleError,
  type SharedSpaceHandle,
  SharingUnavailableError,
  type SpaceCopy,
} from "../src/index.js";

const PAGE = 256;
const PAGES = 16;

function owner(size = PAGES * PAGE): { pool: FramePool; s: AddressSpace; model: Uint8Array } {
  const pool = new FramePool({ shared: true, pageSize: PAGE });
  const s = new AddressSpace({ size, pool });
  const model = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    model[i] = (i * 7 + 3) & 255;
    s.setUint8(i, model[i] as number);
  }
  return { pool, s, model };
}

function bytesOf(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  for (let i = 0; i < space.size; i++) out[i] = space.getUint8(i);
  return out;
}

type Mutation = (h: SharedSpaceHandle) => unknown;

const forgeries: [string, Mutation][] = [
  ["size 0", (h) => ({ ...h, size: 0 })],
  ["size past 2**32 pages", (h) => ({ ...h, size: 2 ** 50 })],
  ["size not covering its mappings", (h) => ({ ...h, size: h.size - 3 })],
  [
    "mappings unsorted",
    (h) => ({ ...h, mappings: { starts: [8 * PAGE, 0], ends: [16 * PAGE, 8 * PAGE], writable: [false, false] } }),
  ],
  [
    "mappings overlapping",
    (h) => ({ ...h, mappings: { starts: [0, 4 * PAGE], ends: [8 * PAGE, 16 * PAGE], writable: [true, false] } }),
  ],
  ["mapping start not page-aligned", (h) => ({ ...h, mappings: { starts: [3], ends: [16 * PAGE], writable: [true] } })],
  ["mapping end past the space", (h) => ({ ...h, mappings: { starts: [0], ends: [1 << 30], writable: [true] } })],
  ["mapping of strings", (h) => ({ ...h, mappings: { starts: ["0"], ends: ["4096"], writable: ["yes"] } })],
  ["empty mapping", (h) => ({ ...h, mappings: { starts: [0], ends: [0], writable: [true] } })],
  ["a slab too many, of the wrong size", (h) => ({ ...h, slabs: [...h.slabs, new SharedArrayBuffer(PAGE)] })],
];

describe("AddressSpace.attach refuses a malformed shared handle and changes nothing", () => {
  for (const [name, mutate] of forgeries)
    it(name, () => {
      const { pool, s, model } = owner();
      const h = s.share();
      s.release(); // the pin alone keeps the version
      const frames = pool.framesInUse;
      let caught: unknown;
      try {
        AddressSpace.attach(mutate(h) as SharedSpaceHandle).release();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("forged");
      expect(pool.stats().sharedHandles).toBe(1);
      expect(pool.framesInUse).toBe(frames);
      // The genuine handle still attaches, reads the version, and unpins on release.
      const seen = AddressSpace.attach(h);
      expect(bytesOf(seen)).toEqual(model);
      seen.release();
      expect(pool.stats().sharedHandles).toBe(0);
      expect(pool.framesInUse).toBe(0);
    });

  it("a handle with slabs whose sizes break the pool's geometry is refused", () => {
    // A pool of 16-page slabs doubling up to 64 pages: 16, 16, 32, ... (FramePool.growFresh).
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 16 * PAGE, slabBytes: 64 * PAGE });
    const s = new AddressSpace({ size: 32 * PAGE, pool });
    for (let i = 0; i < 32; i++) s.setUint8(i * PAGE, i + 1);
    const h = s.share();
    expect(h.slabs.length).toBeGreaterThanOrEqual(2);
    const swapped = { ...h, slabs: [h.slabs[0], new SharedArrayBuffer(32 * PAGE), ...h.slabs.slice(2)] };
    expect(() => AddressSpace.attach(swapped as SharedSpaceHandle)).toThrow(InvalidHandleError);
    const seen = AddressSpace.attach(h);
    for (let i = 0; i < 32; i++) expect(seen.getUint8(i * PAGE)).toBe(i + 1);
    seen.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a genuine handle of a space made with a size that is not a page multiple, with a mapping change, attaches", () => {
    const { pool, s, model } = owner(10 * PAGE + 17);
    s.protect(2 * PAGE, 2 * PAGE, "read-only");
    s.unmap(6 * PAGE, PAGE);
    const seen = AddressSpace.attach(s.share());
    expect(seen.size).toBe(11 * PAGE); // rounded up to whole pages
    for (const i of [0, 2 * PAGE + 5, 10 * PAGE + 16]) expect(seen.getUint8(i)).toBe(model[i]);
    expect(() => seen.getUint8(6 * PAGE)).toThrow();
    seen.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("pool.unshare checks the handle against its pin", () => {
  it("a handle whose id was changed to another handle's is refused and drops neither pin", () => {
    const { pool, s, model } = owner();
    const h1 = s.share();
    s.setUint8(0, 1); // a second version, a second pin
    const h2 = s.share();
    s.release();
    expect(() => pool.unshare({ ...h1, id: h2.id })).toThrow(expect.objectContaining({ reason: "forged" }));
    expect(pool.stats().sharedHandles).toBe(2);
    const seen = AddressSpace.attach(h2);
    expect(seen.getUint8(0)).toBe(1);
    const first = AddressSpace.attach(h1);
    expect(bytesOf(first)).toEqual(model);
    seen.release();
    first.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("AddressSpace.attach refuses a malformed copy from transferCopy()", () => {
  function copy(): { c: SpaceCopy; model: Uint8Array } {
    const pool = new FramePool({ pageSize: PAGE });
    const s = new AddressSpace({ size: PAGES * PAGE, pool });
    const model = new Uint8Array(PAGES * PAGE);
    for (let i = 0; i < 4 * PAGE; i++) {
      model[i] = (i % 251) + 1;
      s.setUint8(i, model[i] as number);
    }
    const c = s.transferCopy();
    s.release();
    return { c, model };
  }
  const bad: [string, (c: SpaceCopy) => unknown][] = [
    ["page size 0", (c) => ({ ...c, pageSize: 0, pages: [], bytes: new ArrayBuffer(0) })],
    ["size 0", (c) => ({ ...c, size: 0, pages: [], bytes: new ArrayBuffer(0) })],
    ["negative size", (c) => ({ ...c, size: -PAGE, pages: [], bytes: new ArrayBuffer(0) })],
    ["pages descending", (c) => ({ ...c, pages: [...c.pages].reverse() })],
    ["a page repeated", (c) => ({ ...c, pages: c.pages.map(() => 0) })],
    [
      "mappings unsorted",
      (c) => ({ ...c, mappings: { starts: [8 * PAGE, 0], ends: [16 * PAGE, 8 * PAGE], writable: [true, true] } }),
    ],
    ["mapping past the space", (c) => ({ ...c, mappings: { starts: [0], ends: [1 << 30], writable: [true] } })],
  ];
  for (const [name, mutate] of bad)
    it(name, () => {
      const { c, model } = copy();
      let caught: unknown;
      try {
        AddressSpace.attach(mutate(c) as SpaceCopy).release();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("forged");
      const there = AddressSpace.attach(c);
      expect(bytesOf(there)).toEqual(model);
      there.release();
    });
});

describe("share/attach in one thread against a model taken at share time", () => {
  it("an attached version reads the bytes of its share() whatever the owner does after", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("write" as const), at: fc.nat(PAGES * PAGE - 1), v: fc.nat(255) }),
            fc.record({ op: fc.constant("share" as const), attachNow: fc.boolean() }),
            fc.record({ op: fc.constant("fork" as const) }),
            fc.record({ op: fc.constant("release" as const), k: fc.nat() }),
            fc.record({ op: fc.constant("unshare" as const), k: fc.nat() }),
            fc.record({ op: fc.constant("discard" as const), page: fc.nat(PAGES - 1) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const pool = new FramePool({ shared: true, pageSize: PAGE });
          let live = new AddressSpace({ size: PAGES * PAGE, pool });
          const model = new Uint8Array(PAGES * PAGE);
          const spare: AddressSpace[] = [];
          const issued: { h: SharedSpaceHandle; model: Uint8Array }[] = [];
          const attached: { a: AddressSpace; model: Uint8Array }[] = [];
          for (const o of ops) {
            if (o.op === "write") {
              live.setUint8(o.at, o.v);
              model[o.at] = o.v;
            } else if (o.op === "share") {
              const h = live.share();
              if (o.attachNow) attached.push({ a: AddressSpace.attach(h), model: model.slice() });
              else issued.push({ h, model: model.slice() });
            } else if (o.op === "fork") {
              spare.push(live);
              live = live.fork();
            } else if (o.op === "release" && attached.length > 0) {
              const [x] = attached.splice(o.k % attached.length, 1);
              expect(bytesOf(x!.a)).toEqual(x!.model);
              x!.a.release();
            } else if (o.op === "unshare" && issued.length > 0) {
              const [x] = issued.splice(o.k % issued.length, 1);
              pool.unshare(x!.h);
            } else if (o.op === "discard") {
              live.discard(o.page * PAGE, PAGE);
              model.fill(0, o.page * PAGE, (o.page + 1) * PAGE);
            }
            for (const x of attached) expect(bytesOf(x.a)).toEqual(x.model);
          }
          expect(bytesOf(live)).toEqual(model);
          for (const x of issued) {
            const a = AddressSpace.attach(x.h);
            expect(bytesOf(a)).toEqual(x.model);
            a.release();
          }
          for (const x of attached) x.a.release();
          for (const s of spare) s.release();
          live.release();
          expect(pool.stats().sharedHandles).toBe(0);
          expect(pool.stats().spaces).toBe(0);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("space stats after a reader released its handle", () => {
  it("drop the released pin first: uss and pss are the space's again, and the census adds up to bytesInUse", () => {
    const { pool, s } = owner();
    const seen = AddressSpace.attach(s.share());
    const shared = s.stats();
    expect([shared.pss, shared.uss]).toEqual([(PAGES * PAGE) / 2, 0]); // split with the pin fork
    seen.release(); // in the reader's thread in a real program; no event-loop turn in between here
    const st = s.stats();
    expect([st.rss, st.pss, st.uss]).toEqual([PAGES * PAGE, PAGES * PAGE, PAGES * PAGE]);
    expect(st.pss).toBe(pool.bytesInUse);
    s.release();
  });
});

describe("share() of an attached version or of its fork", () => {
  it("is refused, and the error does not advise a fork (a fork is refused too) but transferCopy()", () => {
    const { pool, s, model } = owner();
    const seen = AddressSpace.attach(s.share());
    const mine = seen.fork();
    for (const v of [seen, mine]) {
      let caught: unknown;
      try {
        v.share();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SharingUnavailableError);
      expect((caught as Error).message).toContain("transferCopy()");
      expect((caught as Error).message).not.toContain("fork() it");
    }
    // What the message advises works.
    const there = AddressSpace.attach(mine.transferCopy());
    expect(bytesOf(there)).toEqual(model);
    there.release();
    mine.release();
    seen.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});
