/**
 * The page-table arena of an unshared pool whose slabs reach 64 MiB reserves
 * room for 2^20 nodes at once instead of doubling by copying: every node
 * survives the move, versions read back as written, the PSS census (sized by
 * the arena's high-water mark, not its capacity) still adds up to the pool's
 * bytes, releasing everything frees every frame and node, and a small or
 * shared pool keeps doubling. Expected values come from a replay of the
 * writes, never from the code under test.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, PT_FANOUT } from "../src/index.js";

/** Nodes the arena reserves at once (page-table.ts RESERVED_NODES). */
const RESERVED = 2 ** 20;
/** Slab bytes of a pool that reserves (frame-pool.ts RESERVE_POOL_BYTES): its first slab reaches them already. */
const LARGE_SLAB = 64 * 1024 * 1024;

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

// 3,000 versions of a 4-level tree copy ~12,000 nodes: a small pool doubles its 256-node arena six times.
const VERSIONS = 3000;

describe("page-table arena reservation", () => {
  it("a pool of 64 MiB of slabs reserves 2^20 nodes when it adds the slab that gets it there, and every version reads back", () => {
    // A first slab of 32 MiB: the pool reaches 64 MiB with its second slab, after ~2,000 versions.
    const pool = new FramePool({ pageSize: PAGE, slabBytes: LARGE_SLAB / 2, firstSlabBytes: LARGE_SLAB / 2 });
    const addrs = addresses(VERSIONS);
    const first = chain(pool, addrs.slice(0, 10));
    expect(pool.pt.ref.length).toBeLessThan(RESERVED); // one 32 MiB slab: not yet
    for (const s of first) s.release();
    // Fill the first slab (frames of 256 B), then version on into the second.
    const filler = new AddressSpace({ size: LARGE_SLAB / 2, pool });
    filler.fill(1, 0, LARGE_SLAB / 2 - 64 * PAGE);
    const vs = chain(pool, addrs);
    expect(pool.stats().bytesReserved).toBe(LARGE_SLAB);
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
    const pss = vs.reduce((n, s) => n + s.stats().pss, filler.stats().pss);
    expect(pss).toBe(pool.bytesInUse);
    for (const s of vs) s.release();
    filler.release();
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
