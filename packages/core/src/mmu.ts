/**
 * The MMU side of an address space: access checks, TLB lookups and refills
 * (vpns come from space-state.ts), and the write path into the fault
 * handler. These are the miss paths; the hit paths are the inline fast paths
 * of the accessors.
 *
 * @module
 */
import { throwAlignment, throwInvalid, throwReleased, throwSegv } from "./errors.js";
import { reuseFault, writeFault } from "./fault.js";
import { remapPage, type SpaceState } from "./space-state.js";

/**
 * Validates an access of `width` bytes at `addr`: released space, non-integer
 * address, range, then natural alignment, in that order.
 */
export function checkAccess(space: SpaceState, addr: number, width: number): void {
  if (space.isReleased) throwReleased("address space");
  if (typeof addr !== "number" || !Number.isInteger(addr)) throwInvalid("address", addr, "an integer byte address");
  if (addr < 0 || addr + width > space.size) throwSegv(addr, width, space.size);
  if ((addr & (width - 1)) !== 0) throwAlignment(addr, width); // low bits are exact below 2^53
}

/** Current pfn of `vpn` (0: zero frame), through the read TLB, refilling it on a miss. */
export function translate(space: SpaceState, vpn: number): number {
  let tlb = space.rtlb;
  if (tlb === null) {
    tlb = space.pool.takeTlb(space.size / space.pool.pageSize);
    space.rtlb = tlb;
  }
  let pfn = tlb.lookup(vpn);
  if (pfn < 0) {
    pfn = space.pool.pt.lookup(space.root, space.levels, vpn);
    tlb.insert(vpn, pfn);
  }
  return pfn;
}

/** Loads `vpn` into the space's read cache. */
export function loadRead(space: SpaceState, vpn: number): void {
  const pfn = translate(space, vpn);
  const pool = space.pool;
  space.rPage = vpn * pool.pageSize;
  space.rSlab = pool.slabOf(pfn);
  space.rByte = pool.frameByte(pfn);
}

/** Makes `vpn` writable (faulting if the write TLB misses) and loads it into the write cache. */
export function loadWrite(space: SpaceState, vpn: number): void {
  // The read TLB is taken here too: the accessors' read-miss path must stay
  // call-free (see address-space.ts), so it never allocates one itself.
  let rtlb = space.rtlb;
  if (rtlb === null) {
    rtlb = space.pool.takeTlb(space.size / space.pool.pageSize);
    space.rtlb = rtlb;
  }
  let tlb = rtlb.write;
  if (tlb === null) {
    tlb = space.pool.takeTlb(space.size / space.pool.pageSize);
    rtlb.write = tlb;
  }
  let pfn = tlb.lookup(vpn);
  const pool = space.pool;
  const page = vpn * pool.pageSize;
  if (pfn < 0) {
    // A reuse fault leaves the PTE as it was, so the read TLB and read cache
    // stay valid: skipping remapPage took ~15% off a reuse fault at 4 KiB
    // pages (interleaved in one process).
    pfn = reuseFault(space, vpn);
    if (pfn === 0) {
      pfn = writeFault(space, vpn);
      remapPage(space, vpn, pfn); // the frame behind vpn may have changed
      // The fault may run the pool's out-of-memory hook, which may fork this
      // space: its TLBs then moved to the child (moveTlbs), and `tlb` is the
      // child's write TLB, where this private frame must never be cached (the
      // child's next write to vpn would land in it). Cache it in the space's
      // current write TLB, if it has one.
      const now = space.rtlb;
      if (now !== null && now.write !== null) now.write.insert(vpn, pfn);
    } else tlb.insert(vpn, pfn);
  }
  space.wPage = page;
  space.wSlab = pool.slabOf(pfn);
  space.wByte = pool.frameByte(pfn);
}
