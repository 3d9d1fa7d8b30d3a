/**
 * The page-table arena of a large unshared pool reserves room for 2^20 nodes
 * at once when it passes 8,192 nodes, instead of doubling by copying: every
 * node survives the move, versions read back as written, the PSS census
 * (sized by the arena's high-water mark, not its capacity) still adds up to
 * the pool's bytes, releasing everything frees every frame and node, and a
 * small or shared pool keeps doubling. Expected values come from a replay of
 * the writes, never from the code under test.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, PT_FANOUT } from "../src/index.js";

/** Nodes the arena reserves at once (page-table.ts RESERVED_NODES). */
const RESERVED = 2 ** 20;
/** Slab bytes that make a pool large enough to reserve: 2^20 nodes of PT_FANOUT int32s plus an int32 refcount each, rounded up to a power of two. */
const LARGE_SLAB = 2 ** Math.ceil(Math.log2(RESERVED * (PT_FANOUT * 4 + 4)));

const PAGE = 256;
const PAGES = 4096;

/** A chain of `n` versions, version k + 1 = version k with one uint32 written at addrs[k]; returns the versions. */
function chain(pool: FramePool, addrs: number[]): AddressSpace[] {
  const vs = [new AddressSpace({ size: PAGE * PAGES, pool })];
  for (let k = 0; k < addrs.length; k++) {
    const next = (vs[k] as AddressSpace).fork();
    next.setUint32(addrs[k] as number, k + 1);
    vs.push(next);
  }
  return vs;
}

/** The value of `addr` in version `v` by replay: the last write to it among the first v writes, else 0. */
function replay(addrs: number[], v: number, addr: number): number {
  for (let k = v - 1; k >= 0; k--) if (addrs[k] === addr) return k + 1;
  return 0;
}

/** Seeded addresses of uint32s spread over every page (a write per version touches a fresh path). */
function addresses(n: number): number[] {
  let x = 0x2545f491;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(((x >>> 0) % ((PAGE * PAGES) / 4)) * 4);
  }
  return out;
}

// 3,000 versions of a 4-level tree copy ~12,000 nodes: past the 8,192 where a large pool reserves.
const VERSIONS = 3000;

describe("page-table arena reservation", () => {
  it("a large unshared pool reserves 2^20 nodes once past 8,192, and every version reads back", () => {
    const pool = new FramePool({ pageSize: PAGE, slabBytes: LARGE_SLAB, firstSlabBytes: LARGE_SLAB });
    const addrs = addresses(VERSIONS);
    const vs = chain(pool, addrs);
    expect(pool.stats().pageTableNodes).toBeGreaterThan(8192);
    expect(pool.pt.ref.length).toBe(RESERVED);
    expect(pool.pt.nodes.length).toBe(RESERVED * PT_FANOUT);
    for (let v = 0; v <= VERSIONS; v += 7) {
      const space = vs[v] as AddressSpace;
      for (let j = 0; j < 8; j++) {
        const addr = addrs[(v * 13 + j * 101) % VERSIONS] as number;
        expect(space.getUint32(addr)).toBe(replay(addrs, v, addr));
      }
    }
    // The census walks every node below the high-water mark: shares add up to the pool's bytes.
    const pss = vs.reduce((n, s) => n + s.stats().pss, 0);
    expect(pss).toBe(pool.bytesInUse);
    for (const s of vs) s.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("a small pool and a shared one keep doubling", () => {
    const addrs = addresses(VERSIONS);
    for (const pool of [new FramePool({ pageSize: PAGE }), new FramePool({ pageSize: PAGE, shared: true })]) {
      const vs = chain(pool, addrs);
      const nodes = pool.stats().pageTableNodes;
      expect(nodes).toBeGreaterThan(8192);
      // Doubling from 256: the smallest power of two holding every node handed out (node 0 included).
      expect(pool.pt.ref.length).toBe(2 ** Math.ceil(Math.log2(pool.pt.highWater)));
      for (let v = VERSIONS; v > VERSIONS - 50; v--) {
        const addr = addrs[v - 1] as number;
        expect((vs[v] as AddressSpace).getUint32(addr)).toBe(v);
      }
      for (const s of vs) s.release();
      expect(pool.framesInUse).toBe(0);
    }
  });
});
