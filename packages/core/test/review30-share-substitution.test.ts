/**
 * Review 30: a shared handle whose SharedArrayBuffers were swapped. Format /2
 * checked a handle's fields and its pin word, but nothing bound the buffers
 * it carries to its pool: a handle whose `nodes` or one of whose slabs was
 * replaced by another SharedArrayBuffer of the right size (a fresh one,
 * another pool's, another slab of the same pool) attached without error and
 * read zeros or another version's bytes. Format /3 stamps every buffer a
 * shared pool hands out with a fingerprint (pool id, slab index or "nodes")
 * and keeps in the pin word what the handle must say (node count, arena
 * size, slab count, a hash of size and mappings); attach checks all of it
 * before the compare-and-swap. Each swap must be refused with
 * InvalidHandleError ("forged") and change nothing: the owner's pool stats,
 * frame and node refcounts and the pin word are as they were, and the
 * genuine handle still attaches and reads the version.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidHandleError, type SharedSpaceHandle } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
/** Slabs of 4, 4, 8, 8, 8... pages: several slabs of one size, so two can be swapped. */
const GEOMETRY = { shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 8 * PAGE } as const;
const PAGES = 30;

interface Owner {
  pool: FramePool;
  s: AddressSpace;
  model: Uint8Array;
}

/** A shared pool of that geometry with a space of `PAGES` pages written from `seed`. */
function owner(seed: number, pages = PAGES): Owner {
  const pool = new FramePool(GEOMETRY);
  const s = new AddressSpace({ size: PAGES * PAGE, pool });
  const model = new Uint8Array(PAGES * PAGE);
  for (let p = 0; p < pages; p++)
    for (let i = 0; i < PAGE; i += 16) {
      const v = (p * 31 + i + seed * 7 + 1) & 255 || 1;
      s.setUint8(p * PAGE + i, v);
      model[p * PAGE + i] = v;
    }
  return { pool, s, model };
}

function bytesOf(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  space.read(0, out);
  return out;
}

/** What a refused attach must leave as it was: stats, frame and node refcounts, the pin word. */
function snapshot(pool: FramePool, h: SharedSpaceHandle): unknown {
  const internal = pool as unknown as { refcount: Uint8Array; pt: { ref: Int32Array; nodes: Int32Array } };
  const pin = new Int32Array(h.pins);
  return {
    stats: pool.stats(),
    refcount: Array.from(internal.refcount),
    nodeRef: Array.from(internal.pt.ref),
    nodes: Array.from(internal.pt.nodes),
    pinWords: Array.from(pin),
  };
}

/** Every swap of one buffer of `h`: [name, handle]. `other` is another pool of the same geometry. */
function swaps(h: SharedSpaceHandle, other: SharedSpaceHandle, older: SharedSpaceHandle): [string, unknown][] {
  const out: [string, unknown][] = [
    ["nodes: a fresh buffer of the same size", { ...h, nodes: new SharedArrayBuffer(h.nodes.byteLength) }],
    ["nodes: another pool's arena of the same size", { ...h, nodes: other.nodes }],
    ["pins: a fresh chunk", { ...h, pins: new SharedArrayBuffer(h.pins.byteLength) }],
    ["pins: another pool's chunk", { ...h, pins: other.pins, slot: other.slot }],
  ];
  if (older.nodes.byteLength !== h.nodes.byteLength)
    out.push(["nodes: the same pool's earlier arena", { ...h, nodes: older.nodes }]);
  if (older.nodes.byteLength !== h.nodes.byteLength)
    out.push(["nodes: the same pool's later arena, in the earlier handle", { ...older, nodes: h.nodes }]);
  for (let k = 0; k < h.slabs.length; k++) {
    const slab = h.slabs[k] as SharedArrayBuffer;
    const with_ = (x: SharedArrayBuffer) => h.slabs.map((b, j) => (j === k ? x : b));
    out.push([
      `slab ${k}: a fresh buffer of the same size`,
      { ...h, slabs: with_(new SharedArrayBuffer(slab.byteLength)) },
    ]);
    if (k < other.slabs.length)
      out.push([`slab ${k}: another pool's slab ${k}`, { ...h, slabs: with_(other.slabs[k] as SharedArrayBuffer) }]);
    for (let j = 0; j < h.slabs.length; j++)
      if (j !== k && (h.slabs[j] as SharedArrayBuffer).byteLength === slab.byteLength)
        out.push([`slab ${k}: the same pool's slab ${j}`, { ...h, slabs: with_(h.slabs[j] as SharedArrayBuffer) }]);
  }
  out.push(["slabs 2 and 3 swapped", { ...h, slabs: h.slabs.map((_b, j) => h.slabs[j === 2 ? 3 : j === 3 ? 2 : j]) }]);
  return out;
}

/** The capacity in nodes of `pool`'s page-table arena (internal). */
function arenaOf(pool: FramePool): number {
  return (pool as unknown as { pt: { ref: Int32Array } }).pt.ref.length;
}

/** Forks of `o`'s space, each written once, until its pool's node arena doubled (the forks are returned). */
function growArena(o: Owner): AddressSpace[] {
  const keep: AddressSpace[] = [];
  const arena0 = arenaOf(o.pool);
  for (let i = 0; i < 1000 && arenaOf(o.pool) === arena0; i++) {
    const f = o.s.fork();
    f.setUint8((i % PAGES) * PAGE + 1, 9); // path-copies the nodes down to the page
    keep.push(f);
  }
  expect(arenaOf(o.pool)).toBe(arena0 * 2);
  return keep;
}

describe("a handle with a swapped SharedArrayBuffer is refused and changes nothing (one thread)", () => {
  it("every swap of nodes, each slab and the pin chunk", () => {
    const o = owner(1);
    const p = owner(2);
    const older = o.s.share(); // on the first arena
    const keep = growArena(o);
    const h = o.s.share(); // on the doubled one
    const other = p.s.share(); // another pool, first arena
    const q = owner(3);
    const keepQ = growArena(q);
    const grown = q.s.share(); // another pool, an arena of h's size
    expect(h.slabs.length).toBeGreaterThanOrEqual(5);
    expect(grown.nodes.byteLength).toBe(h.nodes.byteLength);
    const cases = swaps(h, other, older);
    cases.push(["nodes: another pool's arena of the same (grown) size", { ...h, nodes: grown.nodes }]);
    cases.push([
      "slab 4: another pool's slab 4 (same size)",
      { ...h, slabs: h.slabs.map((b, j) => (j === 4 ? grown.slabs[4] : b)) },
    ]);
    expect(cases.length).toBeGreaterThan(20);
    for (const [name, forged] of cases) {
      const before = snapshot(o.pool, h);
      const beforeOlder = snapshot(o.pool, older);
      const beforeOther = snapshot(p.pool, other);
      let caught: unknown;
      try {
        AddressSpace.attach(forged as SharedSpaceHandle).release();
      } catch (e) {
        caught = e;
      }
      expect(caught, name).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason, name).toBe("forged");
      expect(snapshot(o.pool, h), name).toEqual(before);
      expect(snapshot(o.pool, older), name).toEqual(beforeOlder);
      expect(snapshot(p.pool, other), name).toEqual(beforeOther);
    }
    // The genuine handles still attach and read their versions.
    for (const [model, hh] of [
      [o.model, h],
      [o.model, older],
      [p.model, other],
      [q.model, grown],
    ] as const) {
      const seen = AddressSpace.attach(hh);
      expect(bytesOf(seen)).toEqual(model);
      seen.release();
    }
    for (const f of [...keep, ...keepQ]) f.release();
    for (const x of [o, p, q]) {
      x.s.release();
      expect(x.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0, pageTableNodes: 0 });
    }
  });

  it("a property: any one buffer swapped for any same-sized buffer at hand is refused, the genuine handle reads its model", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: PAGES }),
        fc.integer({ min: 1, max: PAGES }),
        fc.nat(),
        fc.nat(),
        async (pagesA, pagesB, pickTarget, pickSource) => {
          await new Promise((r) => setImmediate(r)); // the event loop turns between runs (vitest's RPC)
          const a = owner(4, pagesA);
          const b = owner(5, pagesB);
          const h = a.s.share();
          const g = b.s.share();
          // Targets: nodes, each slab. Sources: every buffer at hand of the same size, and a fresh one.
          const targets: (number | "nodes")[] = ["nodes", ...h.slabs.map((_, k) => k)];
          const target = targets[pickTarget % targets.length] as number | "nodes";
          const current = target === "nodes" ? h.nodes : (h.slabs[target] as SharedArrayBuffer);
          const pool = [h.nodes, ...h.slabs, g.nodes, ...g.slabs].filter(
            (x) => x !== current && x.byteLength === current.byteLength,
          );
          pool.push(new SharedArrayBuffer(current.byteLength));
          const source = pool[pickSource % pool.length] as SharedArrayBuffer;
          const forged =
            target === "nodes"
              ? { ...h, nodes: source }
              : { ...h, slabs: h.slabs.map((x, k) => (k === target ? source : x)) };
          const before = snapshot(a.pool, h);
          expect(() => AddressSpace.attach(forged)).toThrow(expect.objectContaining({ reason: "forged" }));
          expect(snapshot(a.pool, h)).toEqual(before);
          const seen = AddressSpace.attach(h);
          expect(bytesOf(seen)).toEqual(a.model);
          seen.release();
          const there = AddressSpace.attach(g);
          expect(bytesOf(there)).toEqual(b.model);
          there.release();
          for (const x of [a, b]) {
            x.s.release();
            expect(x.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0, pageTableNodes: 0 });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("a handle with edited fields that format /2 accepted", () => {
  // Each attached under /2: a page size of 512 read other bytes (page 20 read 22, not 21); a
  // changed size or mapping list attached with another layout than the version's.
  const edits: [string, (h: SharedSpaceHandle) => unknown][] = [
    ["page size doubled", (h) => ({ ...h, pageSize: 2 * PAGE })],
    [
      "size cut, mappings to match",
      (h) => ({ ...h, size: 20 * PAGE, mappings: { starts: [0], ends: [20 * PAGE], writable: [true] } }),
    ],
    ["size grown", (h) => ({ ...h, size: 40 * PAGE })],
    [
      "a read-only range made writable",
      (h) => ({ ...h, mappings: { starts: [0], ends: [PAGES * PAGE], writable: [true] } }),
    ],
    ["mappings cut", (h) => ({ ...h, mappings: { starts: [0], ends: [5 * PAGE], writable: [true] } })],
    ["node count raised", (h) => ({ ...h, nodeCount: h.nodeCount + 5 })],
  ];
  for (const [name, edit] of edits)
    it(`${name}: refused as forged, nothing changed, the genuine handle reads the version`, () => {
      const o = owner(8);
      o.s.protect(10 * PAGE, 2 * PAGE, "read-only");
      const h = o.s.share();
      const before = snapshot(o.pool, h);
      let caught: unknown;
      try {
        AddressSpace.attach(edit(h) as SharedSpaceHandle).release();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("forged");
      expect(snapshot(o.pool, h)).toEqual(before);
      const seen = AddressSpace.attach(h);
      expect(bytesOf(seen)).toEqual(o.model);
      seen.release();
      o.s.release();
      expect(o.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0 });
    });
});

describe("a handle with a swapped SharedArrayBuffer sent to a real worker thread", () => {
  let reader: Reader;
  beforeAll(async () => {
    reader = await spawnReader();
  });
  afterAll(async () => {
    await reader.terminate();
  });

  it("is refused there with InvalidHandleError; the owner's pool, refcounts and pin do not change; the genuine handle attaches after", async () => {
    const o = owner(6);
    const p = owner(7);
    const h = o.s.share();
    const other = p.s.share();
    const forgeries: [string, unknown][] = [
      ["nodes: fresh", { ...h, nodes: new SharedArrayBuffer(h.nodes.byteLength) }],
      ["nodes: another pool's", { ...h, nodes: other.nodes }],
      ["slab 0: another pool's", { ...h, slabs: [other.slabs[0], ...h.slabs.slice(1)] }],
      ["slab 3: the same pool's slab 2", { ...h, slabs: h.slabs.map((b, j) => (j === 3 ? h.slabs[2] : b)) }],
      ["slab 1: fresh", { ...h, slabs: h.slabs.map((b, j) => (j === 1 ? new SharedArrayBuffer(b.byteLength) : b)) }],
    ];
    for (const [name, forged] of forgeries) {
      const before = snapshot(o.pool, h);
      await expect(reader.call({ op: "attach-bad", handle: forged }), name).rejects.toMatchObject({
        name: "InvalidHandleError",
        reason: "forged",
      });
      expect(snapshot(o.pool, h), name).toEqual(before);
    }
    await reader.call({ op: "attach", key: 1, handle: h });
    const seen = (await reader.call({ op: "bytes", key: 1 })) as Uint8Array;
    expect(seen).toEqual(o.model);
    await reader.call({ op: "release", key: 1 });
    o.s.release();
    for (let i = 0; i < 200 && o.pool.stats().sharedHandles > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(o.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0 });
    p.pool.unshare(other);
    p.s.release();
    expect(p.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0, spaces: 0 });
  });
});
