/**
 * The first fork of an attached version checks the version's page-table
 * tree (attach.ts, `treeWithin`): every node it names is below the handle's
 * node count and every frame inside the handle's slabs. Since format /3 the
 * attach itself refuses a handle whose fields or buffers differ from its pin
 * (review26-share-slabs), so only a change of the shared memory itself
 * reaches this check: the owner's node arena written after the attach (a
 * stray or hostile write in any thread that holds the buffer). Before the
 * fork copies the node indices it walks the version's tree; a fork over such
 * a tree would count refcounts for nodes and frames it does not hold and
 * number its local frames over the owner's. The fork is refused with
 * InvalidHandleError ("forged") and changes nothing: restored, the same
 * attached version forks.
 */
import { describe, expect, it } from "vitest";
import { PT_FANOUT } from "../src/constants.js";
import { AddressSpace, FramePool, InvalidHandleError } from "../src/index.js";

const PAGE = 256;
const PAGES = 64;

function setup() {
  const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 16 * PAGE, slabBytes: 64 * PAGE });
  const owner = new AddressSpace({ size: PAGES * PAGE, pool });
  for (let i = 0; i < 40; i++) owner.setUint8(i * PAGE, i + 1);
  const h = owner.share();
  const seen = AddressSpace.attach(h);
  const nodes = new Int32Array(h.nodes);
  let frames = 0;
  for (const s of h.slabs) frames += Math.floor(s.byteLength / PAGE);
  return { pool, owner, h, seen, nodes, frames };
}

/** Index in `nodes` of the first non-zero entry at depth `depth` below `root` (0: the root's own entries). */
function entryAt(nodes: Int32Array, root: number, depth: number): number {
  let node = root;
  for (let d = 0; ; d++) {
    let at = -1;
    for (let i = 0; i < PT_FANOUT && at < 0; i++) if (nodes[node * PT_FANOUT + i] !== 0) at = node * PT_FANOUT + i;
    if (at < 0) throw new Error("empty node");
    if (d === depth) return at;
    node = nodes[at] as number;
  }
}

describe("review 31: the first fork of an attached version refuses a tree its handle does not hold", () => {
  const edits: ReadonlyArray<readonly [string, (x: ReturnType<typeof setup>) => readonly [number, number]]> = [
    ["a leaf naming a frame past the handle's slabs", (x) => [entryAt(x.nodes, x.h.root, x.h.levels - 1), x.frames]],
    ["a leaf naming a negative frame", (x) => [entryAt(x.nodes, x.h.root, x.h.levels - 1), -3]],
    ["an inner entry naming a node past the node count", (x) => [entryAt(x.nodes, x.h.root, 0), x.h.nodeCount]],
    ["an inner entry naming a negative node", (x) => [entryAt(x.nodes, x.h.root, 0), -1]],
  ];
  for (const [name, edit] of edits)
    it(`${name}: InvalidHandleError ("forged"), nothing changed; restored, the fork works`, () => {
      const x = setup();
      expect(x.h.levels).toBeGreaterThanOrEqual(2);
      const [at, value] = edit(x);
      const was = x.nodes[at] as number;
      const viewBefore = x.seen.pool.stats();
      const ownerBefore = x.pool.stats();
      x.nodes[at] = value;
      let caught: unknown;
      try {
        x.seen.fork();
      } catch (e) {
        caught = e;
      }
      x.nodes[at] = was; // the owner's arena, as it was (its release walks it)
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("forged");
      expect(x.seen.pool.stats()).toEqual(viewBefore);
      expect(x.pool.stats()).toEqual(ownerBefore);
      // Nothing was adopted or marked forked: the next fork checks again, and works.
      const f = x.seen.fork();
      f.setUint8(0, 200);
      for (let i = 1; i < 40; i++) expect([x.seen.getUint8(i * PAGE), f.getUint8(i * PAGE)]).toEqual([i + 1, i + 1]);
      expect([x.seen.getUint8(0), f.getUint8(0), x.owner.getUint8(0)]).toEqual([1, 200, 1]);
      f.release();
      x.seen.release();
      x.owner.release();
      expect(x.pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, sharedHandles: 0 });
    });

  it("a scratch space made in the view pool (new AddressSpace({ pool })) is checked the same way", () => {
    const x = setup();
    const at = entryAt(x.nodes, x.h.root, x.h.levels - 1);
    const was = x.nodes[at] as number;
    x.nodes[at] = x.frames + 5;
    expect(() => new AddressSpace({ size: PAGE, pool: x.seen.pool })).toThrow(
      expect.objectContaining({ name: "InvalidHandleError", reason: "forged" }),
    );
    x.nodes[at] = was;
    const scratch = new AddressSpace({ size: PAGE, pool: x.seen.pool });
    scratch.setUint8(0, 9);
    expect([scratch.getUint8(0), x.seen.getUint8(0)]).toEqual([9, 1]);
    scratch.release();
    x.seen.release();
    x.owner.release();
    expect(x.pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });
});
