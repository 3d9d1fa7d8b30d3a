/**
 * The address space: one "process" view of paged memory. It holds a page-table
 * root, two lazily allocated TLBs, a last-page cache for reads and one for
 * writes, and counters. `fork()` is O(1): it shares the root and bumps one
 * refcount; pages are copied on their first write afterwards.
 *
 * Hot-path shape. The typed accessors are small enough for TurboFan to inline
 * into the caller's loop, together with whatever their miss path inlines, so
 * the shape of the miss path matters as much as the fast path (Node 20 / V8
 * 11.3; ratios to a native Float64Array loop, `s += get(i * 8)` over 1M
 * elements, measured interleaved in one process):
 * - the fast path is a subtract, a mask, a compare and a typed-array load on
 *   `rPage`/`rByte`/`rSlab`, plain fields of this object; it stays integer
 *   arithmetic only while `rPage`/`wPage` are Smi fields, hence the Smi
 *   sentinel NO_PAGE plus the `a >= 0` guard (NaN made them Double fields:
 *   stripped benchmark 2.0x -> 2.7x);
 * - any call left in the inlined code, even one never taken (an inline
 *   `throw` is a runtime call too), makes the register allocator keep the
 *   caller's loop-carried doubles in stack slots for the whole loop: 2.0x ->
 *   4.0x. So `readMiss` is call-free on its common path (TLB probe, page-table
 *   walk, cache refill); only bad input reaches `checkAccess`, whose call site
 *   then has no feedback and compiles to a deopt exit. `writeMiss` calls out
 *   (faults allocate), which costs write loops much less: their loop-carried
 *   values are integers that the allocator splits around the call.
 * Typed-array views over resizable ArrayBuffers (slabs, page-table arena) get
 * a length check with a runtime-call branch in V8 11.3, which brings the
 * 4.0x back by the same mechanism; see the slab and page-table modules.
 * The miss path refills the cache and re-reads: it never returns a boxed value.
 *
 * Why one module this large (~55 KB: 33 KB of TSDoc, 11 KB of the
 * twenty-two accessors, 4 KB of miss paths): the accessors must be methods of this
 * very class. Moving them (with the fields) into a base class that
 * AddressSpace extends made `fork()` 2.5x slower (60 -> 150 ns p50: V8
 * constructs derived classes through a slower path), and fork runs once per
 * edit in an undo history. The same holds for any other method moved to a
 * base class. What is left is mostly the TSDoc of the public members, which
 * must sit on the members themselves (the published `.d.ts`, editor hovers,
 * the API reference); their bodies are one-line calls into the modules that
 * do the work: mmu.ts (miss paths), bulk.ts (read/write/fill/copyWithin/
 * discard), reserve.ts (framesNeeded/reserveFrames), mmap.ts
 * (map/unmap/protect/freeze), fork.ts (release, the fork hand-off),
 * shape-keeper.ts (the module's kept space), diff.ts, stats.ts, share.ts, transfer.ts,
 * attach.ts, space-options.ts (constructor options), all typed against
 * space-state.ts, which also owns every cache reset. Declaring members in
 * other modules (an interface merged with the class, the methods put on its
 * prototype there) would move the TSDoc out, at the price of members the
 * compiler no longer checks the class implements, a lint rule turned off
 * (noUnsafeDeclarationMerging) and new exported names for the API
 * reference: not done.
 *
 * @module
 */

import { attachHandle } from "./attach.js";
import { ADDRESS_SPACE_BRAND, brandClass } from "./brand.js";
import { copyBytesWithin, discardRange, fillBytes, readBytes, writeBytes } from "./bulk.js";
import { NO_PAGE } from "./constants.js";
import { type DiffOptions, diffSpaces } from "./diff.js";
import { throwInvalid, throwProtection, throwReleased } from "./errors.js";
import { chargeAttachedFork, forkHandoff, releaseSpace } from "./fork.js";
import type { FramePool } from "./frame-pool.js";
import { INSPECT_CUSTOM, type InspectFunction, type InspectOptions, inspectRecord } from "./inspect.js";
import { type Mapping, MappingList, type Protection } from "./mappings.js";
import { freezeSpace, mapRange, protectRange, unmapRange } from "./mmap.js";
import { checkAccess, loadWrite } from "./mmu.js";
import { settleForkCharge } from "./overcommit.js";
import { PageSpanCursor, type SpanArrayConstructor, type SpanMode } from "./page-span.js";
import { createView, type ProxyView, type ViewArrayConstructor } from "./proxy-view.js";
import { checkWritableChecked, framesForWrite, reserveFramesChecked } from "./reserve.js";
import { keepShapes } from "./shape-keeper.js";
import { checkShareable, type SharedSpaceHandle, type ShareOptions, ShareRegistry } from "./share.js";
import type { Slab } from "./slab.js";
import { type AddressSpaceOptions, poolOf, sizeOf } from "./space-options.js";
import { moveTlbs, vpnOf } from "./space-state.js";
import { type SpaceSummary, spaceSummary } from "./space-summary.js";
import { type SpaceStats, spaceStats } from "./stats.js";
import type { Tlb } from "./tlb.js";
import { copySpace, type SpaceCopy } from "./transfer.js";

/** A new space of `size` bytes in `pool` (for attach.ts and transfer.ts, which cannot import the class). */
function makeSpace(pool: FramePool, size: number): AddressSpace {
  return new AddressSpace({ size, pool });
}

/**
 * A copy-on-write address space of `size` bytes.
 *
 * Typed accessors are named as DataView's, without the endianness argument:
 * every multi-byte access is little-endian and must be naturally aligned
 * (`addr % width === 0`), so no element ever straddles two pages. Reads never
 * allocate; a read of a never-written page returns zeros from the zero frame.
 *
 * Errors: a non-integer address, or a value that is not a number (a bigint for
 * the 64-bit integer setters), throws {@link InvalidArgumentError}, an access
 * outside `[0, size)` {@link SegmentationFault}, a misaligned one
 * {@link AlignmentFault}, any call after `release()` {@link ReleasedError}, and
 * a write that needs a frame past the pool's limit {@link OutOfMemoryError}.
 * When the pool's `onOutOfMemory` hook, run by a call, releases this very
 * space, that call throws {@link ReleasedError}. A call that throws changes nothing.
 *
 * Source of the idea: `fork()` with copy-on-write in Unix (Bach, "The Design of
 * the UNIX Operating System", 1986, ch. 7) and Linux's `mm/memory.c`.
 *
 * @example
 * ```ts
 * import { AddressSpace } from "@pagefork/core";
 * using a = new AddressSpace({ size: 1 << 30 }); // 1 GiB, nothing allocated yet
 * a.setFloat64(0, 3.5);
 * using b = a.fork(); // O(1): shares every page
 * b.setFloat64(0, 7); // copies one page
 * a.getFloat64(0); // 3.5
 * b.getFloat64(0); // 7
 * ```
 */
export class AddressSpace {
  static {
    brandClass(AddressSpace, ADDRESS_SPACE_BRAND); // on the prototype, not a field: see brand.ts
  }
  // Field order is the hidden-class order: every field is set in the
  // constructor, in this order, so all spaces share one shape. Representations
  // matter to the fast paths: rPage/wPage/rByte/wByte/pageMask are Smi fields
  // (NO_PAGE is a Smi; never store NaN or a fraction in them). A page address
  // >= 2^30 (spaces over 1 GiB) turns rPage/wPage into Double fields for every
  // space of the process, which makes the check float64 (~1.35x slower, still
  // correct); bytesWritten turns Double past 1 GiB written, once.
  // The @internal fields are the SpaceState contract (space-state.ts, where
  // each is described): the helper modules type against it, and each call
  // that passes `this` to one checks this class against it.

  /** @internal Virtual address of the page in the read cache; NO_PAGE when empty. */
  rPage: number;
  /** @internal Byte offset of that page's frame in `rSlab`. */
  rByte: number;
  /** @internal Slab holding that frame. */
  rSlab: Slab;
  /** @internal Virtual address of the page in the write cache; NO_PAGE when empty. */
  wPage: number;
  /** @internal */
  wByte: number;
  /** @internal */
  wSlab: Slab;
  /** `pageSize - 1`. */
  readonly pageMask: number;
  /** @internal Bytes the program asked to write (the write-amplification denominator). */
  bytesWritten: number;
  /** The frame pool this space takes frames from. */
  readonly pool: FramePool;
  /** @internal Read TLB, and through its `write` the write TLB (space-state.ts). */
  rtlb: Tlb | null;
  /** @internal The mappings (shared with forks until one changes them). */
  maps: MappingList;
  /**
   * @internal State bits, the page-table level count and the finalization
   * slot in one Smi field rather than two booleans and two numbers (three
   * fields less per fork, issue 13): SPACE_RELEASED (1), set by `release()`;
   * SPACE_FROZEN (2), set by `freeze()`; `levels - 1` in bits 2-5 (a tree
   * covering 2^32 pages has 11 levels: see page-table.ts); and above them
   * `slot + 1` (`flags >> 6`: 0 when the space has no slot; slots are below
   * 2^23, so the field stays a Smi even with 31-bit Smis). The helper modules
   * use the `isReleased`/`isFrozen`/`levels`/`slot` accessors; the class reads
   * the bits itself with literal masks, so the call-free `readMiss` stays
   * call-free whether or not an accessor or a module constant would be
   * inlined.
   */
  flags: number;

  /**
   * Creates an empty space: every page reads as zero and holds no frame.
   * O(1).
   *
   * @throws {InvalidArgumentError} when `size` is not a positive safe integer
   * within `2 ** 32` pages, when `pageSize` is invalid, or when `pageSize`
   * differs from the given pool's.
   * @throws {OutOfMemoryError} when the pool already has `2 ** 23` live
   *   spaces (each holds a slot of the pool's space registry).
   */
  constructor(options: AddressSpaceOptions) {
    // Before anything else, so that it cannot leave this space half made.
    const parent = options === forkHandoff ? forkHandoff.parent : null;
    let pool: FramePool;
    let maps: MappingList;
    let root = 0;
    let levelBits = 0; // (levels - 1) << 2: one level
    if (parent !== null) {
      forkHandoff.parent = null; // fork() has charged the child already
      pool = parent.pool;
      maps = parent.maps;
      // The parent's tree, so that the registry records it once, in add() below;
      // fork() takes the reference to the root right after.
      root = forkHandoff.root;
      levelBits = parent.flags & 60; // bits 2-5: the level count (see `flags`)
    } else {
      keepShapes(makeSpace); // the first time only (shape-keeper.ts)
      pool = poolOf(options);
      const size = sizeOf(options, pool);
      pool.spaces.checkRoom(); // before the charge: a refusal changes nothing
      maps = new MappingList([0], [size], [true], size);
      pool.charge(size, false);
      pool.spaces.checkRoomCharged(size); // the charge's hook may have taken the slot checkRoom() made
    }
    const slab0 = pool.slabs[0] as Slab;
    this.rPage = NO_PAGE;
    this.rByte = 0;
    this.rSlab = slab0;
    this.wPage = NO_PAGE;
    this.wByte = 0;
    this.wSlab = slab0;
    this.pageMask = pool.pageMask;
    this.bytesWritten = 0;
    this.pool = pool;
    this.rtlb = null;
    this.maps = maps;
    this.flags = levelBits; // no slot yet: pool.spaces.add() below gives one, and records the root there
    pool.spaces.add(this, maps.bytes, root);
  }

  /**
   * Size of the space in bytes (a multiple of `pageSize`), fixed at
   * construction; forks have their parent's. O(1).
   * @example
   * ```ts
   * const a = new AddressSpace({ size: 1 << 20 });
   * a.size; // 1048576
   * a.fork().size; // 1048576
   * ```
   */
  get size(): number {
    return this.maps.size;
  }

  /** Page size in bytes. */
  get pageSize(): number {
    return this.pool.pageSize;
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return (this.flags & 1) !== 0; // SPACE_RELEASED
  }

  /** True once `freeze()` has run: every write to this space throws {@link ProtectionFault}. */
  get frozen(): boolean {
    return (this.flags & 2) !== 0; // SPACE_FROZEN
  }

  /** @internal Set by `release()` (the SpaceState contract; see `flags`). */
  get isReleased(): boolean {
    return (this.flags & 1) !== 0; // SPACE_RELEASED
  }

  /** @internal Only ever set to true. */
  set isReleased(value: boolean) {
    if (value) this.flags |= 1; // SPACE_RELEASED
  }

  /** @internal Finalization slot in `pool.spaces`, -1 when none (the SpaceState contract; see `flags`). */
  get slot(): number {
    return (this.flags >> 6) - 1;
  }

  /** @internal Set by the pool's space registry: a slot from 0 to 2^23 - 1, or -1 (none). */
  set slot(value: number) {
    this.flags = ((value + 1) << 6) | (this.flags & 63); // keeps the state and level bits (0-5)
  }

  /**
   * @internal Page-table root node, 0 when every page is the zero frame (the
   * SpaceState contract). Not a field: it lives in the space's slot of the
   * pool's registry (`pool.spaces.roots`), which kept a copy of it anyway for
   * finalization and the PSS census, so a kept fork holds 8 bytes less
   * (issue 13). Every live space has a slot (the registry refuses a space
   * past its limit, see `SpaceRegistry.checkRoom`); a released one has none
   * and reads 0. Call-free, so `readMiss` stays call-free.
   */
  get root(): number {
    const slot = (this.flags >> 6) - 1; // the slot accessor, inline
    return slot >= 0 ? (this.pool.spaces.roots[slot] as number) : 0;
  }

  /** @internal Set by faults, discards and attach: written to the slot (ignored once released). */
  set root(value: number) {
    const slot = (this.flags >> 6) - 1;
    if (slot >= 0) this.pool.spaces.roots[slot] = value;
  }

  /** @internal Page-table levels under the root, 1 to 16 (the SpaceState contract; see `flags`). */
  get levels(): number {
    return ((this.flags >> 2) & 15) + 1;
  }

  /**
   * @internal Set when the tree grows (page-table.ts) or a version is
   * attached; also written to the space's registry slot, whose copy the
   * collector's reclaim of a dropped space and the PSS census walk the root
   * with (the object is gone by then), so the two cannot disagree.
   */
  set levels(value: number) {
    this.flags = (this.flags & ~60) | (((value - 1) & 15) << 2); // bits 2-5 (see `flags`)
    const slot = (this.flags >> 6) - 1;
    if (slot >= 0) this.pool.spaces.levels[slot] = value;
  }

  /** @internal Set by `freeze()`: every write is refused (the SpaceState contract; see `flags`). */
  get isFrozen(): boolean {
    return (this.flags & 2) !== 0; // SPACE_FROZEN
  }

  /** @internal Only ever set to true. */
  set isFrozen(value: boolean) {
    if (value) this.flags |= 2; // SPACE_FROZEN
  }

  // ---- typed accessors: fast path inline, miss path out of line ----

  /** Reads the int8 at byte address `addr`. O(1); no allocation. */
  getInt8(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & this.pageMask) === off && a >= 0) return this.rSlab.i8[this.rByte + off] as number;
    this.readMiss(addr, 1);
    return this.rSlab.i8[this.rByte + addr - this.rPage] as number;
  }

  /** Writes `value` as int8 at byte address `addr`, faulting the page in if needed. */
  setInt8(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & this.pageMask) === off && a >= 0) {
      this.wSlab.i8[this.wByte + off] = value;
      this.bytesWritten += 1;
      return;
    }
    this.writeMiss(addr, 1);
    this.wSlab.i8[this.wByte + addr - this.wPage] = value;
    this.bytesWritten += 1;
  }

  /** Reads the uint8 at byte address `addr`. O(1); no allocation. */
  getUint8(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & this.pageMask) === off && a >= 0) return this.rSlab.u8[this.rByte + off] as number;
    this.readMiss(addr, 1);
    return this.rSlab.u8[this.rByte + addr - this.rPage] as number;
  }

  /** Writes `value` as uint8 at byte address `addr`, faulting the page in if needed. */
  setUint8(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & this.pageMask) === off && a >= 0) {
      this.wSlab.u8[this.wByte + off] = value;
      this.bytesWritten += 1;
      return;
    }
    this.writeMiss(addr, 1);
    this.wSlab.u8[this.wByte + addr - this.wPage] = value;
    this.bytesWritten += 1;
  }

  /** Reads the int16 at byte address `addr`. `addr` must be a multiple of 2. O(1); no allocation. */
  getInt16(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -2)) === off && a >= 0) return this.rSlab.i16[(this.rByte + off) >> 1] as number;
    this.readMiss(addr, 2);
    return this.rSlab.i16[(this.rByte + addr - this.rPage) >> 1] as number;
  }

  /** Writes `value` as int16 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 2. */
  setInt16(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -2)) === off && a >= 0) {
      this.wSlab.i16[(this.wByte + off) >> 1] = value;
      this.bytesWritten += 2;
      return;
    }
    this.writeMiss(addr, 2);
    this.wSlab.i16[(this.wByte + addr - this.wPage) >> 1] = value;
    this.bytesWritten += 2;
  }

  /** Reads the uint16 at byte address `addr`. `addr` must be a multiple of 2. O(1); no allocation. */
  getUint16(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -2)) === off && a >= 0) return this.rSlab.u16[(this.rByte + off) >> 1] as number;
    this.readMiss(addr, 2);
    return this.rSlab.u16[(this.rByte + addr - this.rPage) >> 1] as number;
  }

  /** Writes `value` as uint16 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 2. */
  setUint16(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -2)) === off && a >= 0) {
      this.wSlab.u16[(this.wByte + off) >> 1] = value;
      this.bytesWritten += 2;
      return;
    }
    this.writeMiss(addr, 2);
    this.wSlab.u16[(this.wByte + addr - this.wPage) >> 1] = value;
    this.bytesWritten += 2;
  }

  /** Reads the int32 at byte address `addr`. `addr` must be a multiple of 4. O(1); no allocation. */
  getInt32(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) return this.rSlab.i32[(this.rByte + off) >> 2] as number;
    this.readMiss(addr, 4);
    return this.rSlab.i32[(this.rByte + addr - this.rPage) >> 2] as number;
  }

  /** Writes `value` as int32 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 4. */
  setInt32(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) {
      this.wSlab.i32[(this.wByte + off) >> 2] = value;
      this.bytesWritten += 4;
      return;
    }
    this.writeMiss(addr, 4);
    this.wSlab.i32[(this.wByte + addr - this.wPage) >> 2] = value;
    this.bytesWritten += 4;
  }

  /** Reads the uint32 at byte address `addr`. `addr` must be a multiple of 4. O(1); no allocation. */
  getUint32(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) return this.rSlab.u32[(this.rByte + off) >> 2] as number;
    this.readMiss(addr, 4);
    return this.rSlab.u32[(this.rByte + addr - this.rPage) >> 2] as number;
  }

  /** Writes `value` as uint32 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 4. */
  setUint32(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) {
      this.wSlab.u32[(this.wByte + off) >> 2] = value;
      this.bytesWritten += 4;
      return;
    }
    this.writeMiss(addr, 4);
    this.wSlab.u32[(this.wByte + addr - this.wPage) >> 2] = value;
    this.bytesWritten += 4;
  }

  /** Reads the float32 at byte address `addr`. `addr` must be a multiple of 4. O(1); no allocation. */
  getFloat32(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) return this.rSlab.f32[(this.rByte + off) >> 2] as number;
    this.readMiss(addr, 4);
    return this.rSlab.f32[(this.rByte + addr - this.rPage) >> 2] as number;
  }

  /** Writes `value` as float32 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 4. */
  setFloat32(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -4)) === off && a >= 0) {
      this.wSlab.f32[(this.wByte + off) >> 2] = value;
      this.bytesWritten += 4;
      return;
    }
    this.writeMiss(addr, 4);
    this.wSlab.f32[(this.wByte + addr - this.wPage) >> 2] = value;
    this.bytesWritten += 4;
  }

  /** Reads the float64 at byte address `addr`. `addr` must be a multiple of 8. O(1); no allocation. */
  getFloat64(addr: number): number {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) return this.rSlab.f64[(this.rByte + off) >> 3] as number;
    this.readMiss(addr, 8);
    return this.rSlab.f64[(this.rByte + addr - this.rPage) >> 3] as number;
  }

  /** Writes `value` as float64 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 8. */
  setFloat64(addr: number, value: number): void {
    if (typeof value !== "number") throwInvalid("value", value, "a number");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) {
      this.wSlab.f64[(this.wByte + off) >> 3] = value;
      this.bytesWritten += 8;
      return;
    }
    this.writeMiss(addr, 8);
    this.wSlab.f64[(this.wByte + addr - this.wPage) >> 3] = value;
    this.bytesWritten += 8;
  }

  /** Reads the int64 at byte address `addr`. `addr` must be a multiple of 8. O(1); no allocation. */
  getBigInt64(addr: number): bigint {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) return this.rSlab.i64[(this.rByte + off) >> 3] as bigint;
    this.readMiss(addr, 8);
    return this.rSlab.i64[(this.rByte + addr - this.rPage) >> 3] as bigint;
  }

  /** Writes `value` as int64 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 8. */
  setBigInt64(addr: number, value: bigint): void {
    if (typeof value !== "bigint") throwInvalid("value", value, "a bigint");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) {
      this.wSlab.i64[(this.wByte + off) >> 3] = value;
      this.bytesWritten += 8;
      return;
    }
    this.writeMiss(addr, 8);
    this.wSlab.i64[(this.wByte + addr - this.wPage) >> 3] = value;
    this.bytesWritten += 8;
  }

  /** Reads the uint64 at byte address `addr`. `addr` must be a multiple of 8. O(1); no allocation. */
  getBigUint64(addr: number): bigint {
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.rPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) return this.rSlab.u64[(this.rByte + off) >> 3] as bigint;
    this.readMiss(addr, 8);
    return this.rSlab.u64[(this.rByte + addr - this.rPage) >> 3] as bigint;
  }

  /** Writes `value` as uint64 at byte address `addr`, faulting the page in if needed. `addr` must be a multiple of 8. */
  setBigUint64(addr: number, value: bigint): void {
    if (typeof value !== "bigint") throwInvalid("value", value, "a bigint");
    const a = typeof addr === "number" ? addr : Number.NaN;
    const off = a - this.wPage;
    if ((off & (this.pageMask & -8)) === off && a >= 0) {
      this.wSlab.u64[(this.wByte + off) >> 3] = value;
      this.bytesWritten += 8;
      return;
    }
    this.writeMiss(addr, 8);
    this.wSlab.u64[(this.wByte + addr - this.wPage) >> 3] = value;
    this.bytesWritten += 8;
  }

  /**
   * A new space that shares every page with this one, in O(1) whatever the
   * size: the child takes the page-table root and one more reference to it.
   * Afterwards both spaces see the same bytes until one writes; the first write
   * to a shared page copies that page and the page-table path to it.
   *
   * The parent's write TLB and write cache are flushed (the shootdown: its
   * private pages are now shared). Both TLBs move to the child, which is
   * usually the side that goes on working; the parent allocates new ones only
   * if it is used again, so a retained version costs no TLB.
   *
   * @throws {ReleasedError} after `release()`, or when the pool's
   *   `onOutOfMemory` hook, run by a refused commit charge, released this space.
   * @throws {OutOfMemoryError} when the overcommit policy refuses the charge,
   *   or when the pool already has `2 ** 23` live spaces (each holds a slot of
   *   the pool's space registry).
   * @throws {InvalidHandleError} for the first fork of an attached space
   *   whose handle names frames or page-table nodes it does not carry (a
   *   forged handle; see {@link AddressSpace.attach}).
   * @example
   * ```ts
   * const a = new AddressSpace({ size: 4096 });
   * a.setUint8(0, 1);
   * const b = a.fork();
   * b.setUint8(0, 2);
   * [a.getUint8(0), b.getUint8(0)]; // [1, 2]
   * ```
   */
  fork(): AddressSpace {
    if ((this.flags & 1) !== 0) throwReleased("address space"); // SPACE_RELEASED
    const pool = this.pool;
    // The child's registry slot, before anything changes; the call only when every slot of the tables was handed out once.
    if (pool.spaces.next >= pool.spaces.roots.length) pool.spaces.checkRoom();
    // May refuse (overcommit), or find that the hook released this space; nothing has changed yet.
    // An attached version's pool (attach.ts) also takes private page-table nodes before its first fork.
    const bytes = this.maps.bytes;
    if (pool.attachment === null) pool.charge(bytes, true, this);
    else chargeAttachedFork(pool, bytes, this);
    // The charge's out-of-memory hook may have mapped or unmapped ranges of
    // this space: the child is charged (and uncharged at release) what it maps,
    // an increase checked against the policy. The hook may also have taken the
    // child's registry slot: a refusal to make another takes the charge back.
    if (this.maps.bytes !== bytes) settleForkCharge(pool, this, bytes);
    if (pool.spaces.next >= pool.spaces.roots.length) pool.spaces.checkRoomCharged(this.maps.bytes);
    const root = this.root; // one read of the accessor, after the charge (whose hook may release spaces)
    forkHandoff.parent = this;
    forkHandoff.root = root;
    // The constructor copies the root and level count (and the registry records
    // them in the child's slot); nothing runs between it and the retain.
    const child = new AddressSpace(forkHandoff);
    pool.pt.retain(root);
    moveTlbs(this, child);
    return child;
  }

  /**
   * Drops this space's reference to its page table; frames and nodes no other
   * space shares return to the pool. Idempotent. O(pages only this space
   * maps). Prefer `using space = ...` so release cannot be forgotten.
   */
  release(): void {
    if ((this.flags & 1) !== 0) return; // SPACE_RELEASED
    releaseSpace(this);
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker,
   * where {@link AddressSpace.attach} reads it without a copy. O(1) in the
   * size of the space (O(slabs) to list the pool's buffers): the version is
   * pinned by a frozen fork, so the owner may go on writing this space (its
   * writes copy pages as after any fork, and never change what the worker
   * reads) or release it; the version's frames stay until the reader
   * releases the attached space, until `pool.unshare(handle)` before it was
   * attached, or until the worker given as `options.worker` exits (if that
   * worker attached it, or nobody did: a handle another thread attached stays
   * pinned until that thread releases it).
   *
   * A handle attaches once: call `share()` again for each reader. The pool
   * must be shared (`new FramePool({ shared: true })`); a handle holds the
   * pool's slabs as they are now, so slabs added later reach a worker with
   * its next handle. Each outstanding handle counts in
   * `stats().sharedHandles`; its pin fork counts as one live space
   * (`stats().spaces`) and carries a fork's commit charge. Handles of a
   * version unchanged between two `share()` calls (no write, no mapping
   * change) hold the same pin fork: handing one version to several workers
   * forks once.
   *
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {SharingUnavailableError} when the pool is not shared, or this
   *   space was itself attached from another thread, or is a fork of one (its
   *   forks live in the same view pool: share from the owner's thread, or
   *   send a `transferCopy()`).
   * @throws {ReleasedError} after `release()`.
   * @throws {OutOfMemoryError} when the overcommit policy refuses the pin's charge, or the
   *   engine refuses a pin chunk (a SharedArrayBuffer of 2 KiB per 64 handles).
   * @throws {InvalidArgumentError} for bad options.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const v = new AddressSpace({ size: 1 << 20, pool });
   * v.setFloat64(0, 1.5);
   * const handle = v.share(); // worker.postMessage(handle) in a real program
   * v.setFloat64(0, 2.5); // copies the page: the handle still reads 1.5
   * const seen = AddressSpace.attach(handle); // in the worker
   * [seen.getFloat64(0), v.getFloat64(0)]; // [1.5, 2.5]
   * seen.release(); // the worker is done: the pin goes
   * v.release();
   * pool.framesInUse; // 0
   * ```
   */
  share(options?: ShareOptions): SharedSpaceHandle {
    checkShareable(this);
    const pool = this.pool;
    if (pool.shares === null) pool.shares = new ShareRegistry(pool);
    return pool.shares.share(this, options);
  }

  /**
   * A copy of the pages this version holds (not those still on the zero
   * frame) in one ArrayBuffer, for threads that cannot share memory (a
   * browser page without cross-origin isolation): `postMessage(copy,
   * [copy.bytes])` moves the buffer, and {@link AddressSpace.attach} rebuilds
   * a frozen space from it. O(pages written + page-table nodes on their
   * paths). Works on any pool, shared or not.
   *
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const v = new AddressSpace({ size: 4096 });
   * v.setInt32(8, 42);
   * const copy = v.transferCopy(); // worker.postMessage(copy, [copy.bytes])
   * const there = AddressSpace.attach(copy);
   * there.getInt32(8); // 42
   * there.release();
   * v.release();
   * ```
   */
  transferCopy(): SpaceCopy {
    return copySpace(this);
  }

  /**
   * The version a handle from {@link AddressSpace.share} names, in this
   * thread: a frozen space that reads the owner's pages in place, at the
   * speed of any space (the same accessors, TLB and page spans). Every write
   * throws {@link ProtectionFault}; `fork()` gives a private, writable copy
   * (in a pool local to this thread, whose writes copy pages into local
   * slabs); `release()` unpins the version once the attached space and every
   * fork of it were released. Also takes a {@link SpaceCopy} from
   * `transferCopy()`, rebuilt in O(pages copied) in a new local pool.
   *
   * O(1) in the size of the version (O(slabs) the first time a pool is seen
   * in this thread).
   *
   * @throws {InvalidHandleError} (nothing attached) when `handle` is not one
   *   (`"forged"`), was attached already (`"attached"`), or was released, by
   *   `unshare`, or because its worker exited (`"released"`).
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const owner = new AddressSpace({ size: 4096, pool });
   * owner.setUint8(0, 7);
   * const handle = owner.share();
   * const seen = AddressSpace.attach(handle);
   * let caught: unknown;
   * try { seen.setUint8(0, 8); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * const mine = seen.fork();
   * mine.setUint8(0, 8);
   * [seen.getUint8(0), mine.getUint8(0)]; // [7, 8]
   * mine.release();
   * seen.release();
   * owner.release();
   * ```
   */
  static attach(handle: SharedSpaceHandle | SpaceCopy): AddressSpace {
    return attachHandle(handle, makeSpace);
  }

  /** Same as `release()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * What `JSON.stringify(space)` writes: a short {@link SpaceSummary} (size,
   * page size, mapped bytes, RSS, PSS, USS in bytes; frozen, released), never
   * the bytes. O(page-table nodes), as `stats()`. A released space gives
   * zeros instead of throwing, so that logging it is always safe.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16, pageSize: 4096 });
   * s.setUint8(0, 1);
   * JSON.parse(JSON.stringify(s)).rss; // 4096
   * s.release();
   * JSON.stringify(s); // '{"size":65536,"pageSize":4096,"mappedBytes":0,"rss":0,"pss":0,"uss":0,"frozen":false,"released":true}'
   * ```
   */
  toJSON(): SpaceSummary {
    return spaceSummary(this);
  }

  /**
   * How `console.log` / `util.inspect` show the space: the summary of
   * `toJSON()`, e.g. `AddressSpace { size: 65536, pageSize: 4096, rss: 4096, ... }`,
   * never its slabs or caches.
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    return inspectRecord("AddressSpace", spaceSummary(this), depth, options, inspect);
  }

  /**
   * Copies `dst.byteLength` bytes starting at `addr` into `dst`. O(bytes).
   * `dst` gets the bytes as they were when the call began, even if it is a
   * view of slab memory (a write-mode page-span slice) that the range maps.
   * @returns `dst`.
   * @throws {SegmentationFault} if the range leaves the space.
   */
  read<T extends ArrayBufferView>(addr: number, dst: T): T {
    readBytes(this, addr, dst);
    return dst;
  }

  /**
   * Copies all bytes of `src` into the space at `addr`, faulting pages in.
   * O(bytes). Either every byte is written or (on error) none. Bytes are
   * copied as `Uint8Array.prototype.set` does: `src` may be a view of slab
   * memory (a page-span slice), even of the very bytes written.
   * @throws {SegmentationFault} if the range leaves the space.
   * @throws {OutOfMemoryError} if the pool cannot supply the frames needed.
   * @throws {ReleasedError} after `release()`, or when the out-of-memory hook released this space.
   */
  write(addr: number, src: ArrayBufferView): void {
    writeBytes(this, addr, src);
  }

  /**
   * Sets bytes `[start, end)` to `value & 0xff`, as `Uint8Array.prototype.fill`
   * but with byte addresses: no negative indices, no clamping, and an `end`
   * before `start` is refused (the native method does nothing); `end ===
   * start` is an empty fill. Filling a range with 0 that is still unwritten
   * copies nothing, but pages already mapped are faulted and cleared.
   * O(bytes). Either every byte is written or (on error) none.
   * @throws {InvalidArgumentError} when `value` is not a number, `start` or
   *   `end` not an integer, or `end < start`.
   * @throws {SegmentationFault} if the range leaves the space or is not wholly mapped.
   * @throws {ProtectionFault} if part of the range is read-only or the space frozen.
   * @throws {OutOfMemoryError} if the pool cannot supply the frames needed.
   * @throws {ReleasedError} after `release()`, or when the out-of-memory hook released this space.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16, pageSize: 4096 });
   * s.fill(7, 4094, 4098); // four bytes over two pages
   * [s.getUint8(4093), s.getUint8(4094), s.getUint8(4097), s.getUint8(4098)]; // [0, 7, 7, 0]
   * ```
   */
  fill(value: number, start: number, end: number): void {
    fillBytes(this, value, start, end);
  }

  /**
   * Copies bytes `[start, end)` to `target` (memmove: overlapping ranges are
   * fine), as `Uint8Array.prototype.copyWithin` but with byte addresses:
   * no negative indices, no clamping (the target range must fit too), and an
   * `end` before `start` is refused (the native method does nothing).
   * O(bytes). Either every byte is copied or (on error) none.
   * @throws {InvalidArgumentError} when `target`, `start` or `end` is not an integer, or `end < start`.
   * @throws {SegmentationFault} if the source or target range leaves the space or is not wholly mapped.
   * @throws {ProtectionFault} if part of the target range is read-only or the space frozen.
   * @throws {OutOfMemoryError} if the pool cannot supply the frames needed.
   * @throws {ReleasedError} after `release()`, or when the out-of-memory hook released this space.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16 });
   * s.write(0, new Uint8Array([1, 2, 3, 4]));
   * s.copyWithin(1, 0, 3); // overlapping: bytes are now 1, 1, 2, 3
   * Array.from(s.read(0, new Uint8Array(4))); // [1, 1, 2, 3]
   * ```
   */
  copyWithin(target: number, start: number, end: number): void {
    copyBytesWithin(this, target, start, end);
  }

  /**
   * How many frames a write to every byte of `[addr, addr + length)` would
   * take now: one per page there that maps the zero frame or whose frame (or
   * page-table path) is shared with another space; 0 for pages already
   * private. Changes nothing; mappings are not consulted. With
   * {@link AddressSpace.reserveFrames}, it lets an operation made of several writes refuse
   * up front when the pool could not complete all of them. O(pages x levels).
   * @throws {SegmentationFault} if the range leaves the space.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = new AddressSpace({ size: 1 << 16, pageSize: 4096 });
   * a.setUint8(0, 1);
   * a.framesNeeded(0, 8192); // 1: page 0 is private, page 1 still the zero frame
   * const b = a.fork();
   * b.framesNeeded(0, 8192); // 2: page 0 is now shared
   * ```
   */
  framesNeeded(addr: number, length: number): number {
    return framesForWrite(this, addr, length);
  }

  /**
   * Throws as a write to every byte of `[addr, addr + length)` would, having
   * written nothing: when the space is frozen or part of the range is
   * read-only ({@link ProtectionFault}) or unmapped ({@link SegmentationFault}).
   * For an operation made of several writes whose later write would otherwise
   * be refused after the earlier ones were done, and for one that ran the
   * pool's `onOutOfMemory` hook (through {@link AddressSpace.reserveFrames}),
   * which may have frozen the space or changed its mappings. Changes nothing.
   * O(1) for a space without holes or read-only parts, else O(log mappings +
   * mappings in the range), like `access(2)` with `W_OK` for a range.
   * @throws {ProtectionFault} when the space is frozen, or part of the range is read-only.
   * @throws {SegmentationFault} when part of the range is unmapped or leaves the space.
   * @throws {InvalidArgumentError} when `addr` or `length` is not a non-negative integer.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16, pageSize: 4096 });
   * // Every byte writable: returns, changing nothing.
   * s.checkWritable(0, 8192);
   * s.protect(4096, 4096, "read-only");
   * let caught: unknown;
   * try { s.checkWritable(0, 8192); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * ```
   */
  checkWritable(addr: number, length: number): void {
    checkWritableChecked(this, addr, length);
  }

  /**
   * Makes sure the pool can supply `frames` more frames now, before a
   * structure starts a change that will take up to that many (count them
   * with {@link AddressSpace.framesNeeded}). It is the one reservation check
   * every writer goes through, the space's own bulk writes included: when
   * the pool is short it runs the pool's `onOutOfMemory` hook once, which may
   * release old versions, and checks again. Then it makes now the engine
   * allocations those frames' faults may make (slabs, page-table nodes,
   * overflow-table room), so that an engine out of memory refuses the change
   * here, before its first write, not at a later page with the earlier ones
   * written. Changes nothing else. O(1) plus the hook when it runs, and the
   * allocations when the pool or its tables lack room.
   * @throws {OutOfMemoryError} when the frames cannot be had even after the hook (or the hook threw),
   *   or the engine refuses an allocation (frames in use unchanged).
   * @throws {ReleasedError} after `release()`, or when the hook released this very space: stop then.
   * @throws {InvalidArgumentError} when `frames` is not a non-negative safe integer.
   * @example
   * ```ts
   * const pool = new FramePool({ pageSize: 4096, maxBytes: 8192 });
   * const s = new AddressSpace({ size: 1 << 16, pool });
   * s.framesNeeded(0, 8192); // 2
   * s.reserveFrames(s.framesNeeded(0, 8192)); // fine: the pool has 2 frames left
   * let caught: unknown;
   * try { s.reserveFrames(3); } catch (e) { caught = e; }
   * caught instanceof OutOfMemoryError; // true
   * ```
   */
  reserveFrames(frames: number): void {
    reserveFramesChecked(this, frames);
  }

  /**
   * Returns the pages in `[addr, addr + length)` to the zero frame and drops
   * their frames, like `madvise(MADV_DONTNEED)`. `addr` and `length` must be
   * multiples of the page size. Unlike Linux, which discards read-only
   * private pages too, the range must be writable: discarding changes what
   * the pages read, so it is refused where a write would be. O(pages).
   * @throws {InvalidArgumentError} when `addr` or `length` is not an integer multiple of the page size.
   * @throws {SegmentationFault} when the range leaves the space or lies partly in a hole (as Linux's ENOMEM).
   * @throws {ProtectionFault} when the space is frozen or part of the range is read-only.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16, pageSize: 4096 });
   * s.setUint8(4096, 7);
   * s.discard(4096, 4096);
   * [s.getUint8(4096), s.stats().rss]; // [0, 0]
   * ```
   */
  discard(addr: number, length: number): void {
    discardRange(this, addr, length);
  }

  /**
   * A cursor over the raw slab slices behind `length` elements of type `type`
   * starting at byte `byteOffset`: one slice per page, for loops that need
   * native speed. In `"read"` mode the slices may be shared with other spaces
   * (or be the zero frame): never write through them. In `"write"` mode each
   * page is faulted in before its slice is handed out, and is counted as
   * written. A slice is valid until the next call that allocates a frame.
   * A write-mode slice may be written only until the space is next forked
   * or shared, its mappings change (`protect`, `unmap`, `discard`,
   * `freeze`) or it is released: the slice is the frame itself, so a write
   * through it afterwards would change the fork or the shared snapshot too,
   * pass a protection, or land in a frame the pool has given to another
   * space. Take a new cursor then.
   *
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 20 });
   * let sum = 0;
   * for (const c = s.spans(Float64Array, 0, 1024); c.next(); )
   *   for (let i = c.start; i < c.end; i++) sum += c.array[i]!;
   * ```
   */
  spans<A extends SpanArrayConstructor>(
    type: A,
    byteOffset: number,
    length: number,
    mode: SpanMode = "read",
  ): PageSpanCursor<InstanceType<A>> {
    return new PageSpanCursor(this, type, byteOffset, length, mode);
  }

  /**
   * A typed-array-like Proxy over `length` elements of kind `type` at byte
   * `byteOffset`: `view[i]`, `length`, iteration and the TypedArray methods
   * work, and writes go through the fault handler, so the first write to a
   * shared page copies it. Every TypedArray kind is accepted. One
   * module-level Proxy handler serves every view (no closure per view). O(1).
   *
   * It is the way to hand copy-on-write memory to code written for typed
   * arrays, not a hot-loop API: a Proxy trap costs about 110x a
   * {@link AddressSpace.getFloat64} call and 220x-520x a native typed-array
   * access (figures in {@link ProxyView}); hot code should use the typed
   * accessors, {@link AddressSpace.read}/{@link AddressSpace.write} or
   * {@link AddressSpace.spans}.
   *
   * @param type - one of the eleven TypedArray constructors.
   * @param byteOffset - byte address of element 0; a multiple of `type.BYTES_PER_ELEMENT`. Default 0.
   * @param length - number of elements. Default: to the end of the space.
   * @throws {ReleasedError} when the space was released.
   * @throws {InvalidArgumentError} when `type` is not a TypedArray constructor or `byteOffset`/`length`
   *   is not a non-negative safe integer.
   * @throws {SegmentationFault} when the range leaves the space or is not wholly mapped.
   * @throws {AlignmentFault} when `byteOffset` is not a multiple of the element size.
   *
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 16 });
   * const v = s.view(Int32Array, 0, 8);
   * v[0] = 41.9; // converted as Int32Array does
   * v.fill(7, 1);
   * const f = s.fork().view(Int32Array, 0, 8);
   * f[0] = 1; // the fork copies one page; `v` still reads 41
   * [v[0], f[0], f.length]; // [41, 1, 8]
   * ```
   */
  view<C extends ViewArrayConstructor>(type: C, byteOffset = 0, length?: number): ProxyView<InstanceType<C>> {
    return createView(this, type, byteOffset, length);
  }

  /**
   * Maps `[start, start + length)` with protection `prot`, like
   * `mmap(MAP_FIXED_NOREPLACE)`: the range must be page-aligned, inside the
   * space and not mapped yet. Its pages read as zero. A new space starts with
   * one read-write mapping of all of it; `map` gives back ranges taken away by
   * `unmap`. Charges `length` bytes of commit (see {@link Overcommit}). O(mappings).
   *
   * @throws {InvalidArgumentError} for a range that is not page-aligned, leaves the space or overlaps a mapping.
   * @throws {ProtectionFault} when the space is frozen.
   * @throws {OutOfMemoryError} when the commit limit refuses the charge (overcommit `"never"`).
   * @throws {ReleasedError} after `release()`, or when the out-of-memory hook run by a refused charge released this space.
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 20, pageSize: 4096 });
   * s.unmap(0, 1 << 20); // nothing mapped
   * s.map(8192, 4096, "read-write");
   * s.setUint8(8192, 1);
   * s.mappings(); // [{ start: 8192, end: 12288, protection: "read-write" }]
   * ```
   */
  map(start: number, length: number, prot: Protection = "read-write"): void {
    mapRange(this, start, length, prot);
  }

  /**
   * Unmaps `[start, start + length)`, like `munmap`: its pages return to the
   * zero frame (their frames to the pool, when no other space shares them) and
   * any later access there throws {@link SegmentationFault}. Holes inside the
   * range are fine. Uncharges the unmapped bytes. Flushes this space's TLBs.
   * O(mappings + page-table nodes on the range's boundary + frames freed):
   * unmapping a huge shared range is cheap.
   *
   * @throws {InvalidArgumentError} for a range that is not page-aligned or leaves the space.
   * @throws {ProtectionFault} when the space is frozen.
   */
  unmap(start: number, length: number): void {
    unmapRange(this, start, length);
  }

  /**
   * Sets the protection of `[start, start + length)`, like `mprotect`; the
   * whole range must be mapped. A write to a read-only page throws
   * {@link ProtectionFault} and changes nothing. Flushes this space's TLBs.
   * O(mappings).
   *
   * @throws {InvalidArgumentError} for a range that is not page-aligned or leaves the space, or a bad `prot`.
   * @throws {SegmentationFault} naming the first unmapped byte of the range.
   * @throws {ProtectionFault} when the space is frozen.
   */
  protect(start: number, length: number, prot: Protection): void {
    protectRange(this, start, length, prot);
  }

  /**
   * Makes this space read-only for good: every later write, `fill`,
   * `discard`, `map`, `unmap` and `protect` throws {@link ProtectionFault}.
   * Reads, `fork()` and `release()` still work, and a fork of a frozen space
   * is an ordinary writable space with the same mappings, so code handed a
   * frozen snapshot can fork it to work on a copy. Idempotent. O(1).
   *
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const snapshot = new AddressSpace({ size: 4096 });
   * snapshot.setUint8(0, 7);
   * snapshot.freeze();
   * let caught: unknown;
   * try { snapshot.setUint8(0, 8); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * const work = snapshot.fork();
   * work.setUint8(0, 8);
   * [snapshot.getUint8(0), work.getUint8(0)]; // [7, 8]
   * ```
   */
  freeze(): void {
    freezeSpace(this);
  }

  /** The mappings of this space, ascending, neighbours of equal protection merged (`/proc/<pid>/maps`). O(mappings). */
  mappings(): Mapping[] {
    if ((this.flags & 1) !== 0) throwReleased("address space"); // SPACE_RELEASED
    return this.maps.toArray();
  }

  /**
   * Byte addresses (ascending) of the pages whose contents differ between this
   * space and `other`, a space of the same pool (typically an earlier or later
   * version: a fork, or the fork's parent). Both page tables are walked
   * together and every subtree they share is skipped, so the cost follows the
   * number of changed pages, not the size of the spaces: two versions of a
   * 1 GiB space that differ in 10 pages are compared in microseconds. It is
   * what an incremental save or an undo delta needs.
   *
   * O(changed pages x page-table levels x fanout), plus O(pageSize) per
   * changed page with `compare: "bytes"` (the default).
   *
   * @throws {InvalidArgumentError} when `other` is not a space of the same pool, or for a bad option.
   * @throws {ReleasedError} when either space was released.
   * @example
   * ```ts
   * const v1 = new AddressSpace({ size: 1 << 30, pageSize: 4096 });
   * v1.setFloat64(0, 1);
   * const v2 = v1.fork();
   * v2.setFloat64(8192, 2); // page 2
   * v2.setFloat64(0, 1); // copies page 0 but writes the same bytes
   * v1.diff(v2); // [8192]
   * v1.diff(v2, { compare: "frames" }); // [0, 8192]
   * ```
   */
  diff(other: AddressSpace, options?: DiffOptions): number[] {
    return diffSpaces(this, other, options);
  }

  /**
   * Memory and fault counters of this space, as Linux reports them in
   * `/proc/<pid>/smaps`. O(page-table nodes reachable from the root), plus,
   * on the first call after any page table of the pool changed, one walk of
   * the pool's page tables (O(nodes and frames of the pool)) that splits
   * shared frames among all live spaces at once: their `pss` then adds up to
   * `pool.bytesInUse` exactly.
   *
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = new AddressSpace({ size: 4096, pageSize: 256 });
   * a.setUint8(0, 1);
   * const versions = [a, a.fork(), a.fork()]; // one frame shared three ways
   * versions.map((v) => v.stats().rss); // [256, 256, 256]
   * versions.map((v) => v.stats().uss); // [0, 0, 0]
   * versions.reduce((n, v) => n + v.stats().pss, 0); // 256 (exactly: a.pool.bytesInUse)
   * ```
   */
  stats(): SpaceStats {
    if ((this.flags & 1) !== 0) throwReleased("address space"); // SPACE_RELEASED
    // Pins whose readers released them are dropped first, as pool.stats() does:
    // else the census still split frames with a pin fork no reader held.
    const shares = this.pool.shares;
    if (shares !== null) shares.sweep();
    return spaceStats(this);
  }

  // ---- miss paths: out of line so the accessors stay small enough to inline ----

  /**
   * @internal Read-cache miss: validate, translate, fill the cache. Same
   * result as `checkAccess` + `loadRead`, but with no call on its common path
   * (see the module comment): it gets inlined into the caller's loop, where a
   * call would cost every iteration, not just the misses. So no `Math.floor`
   * (an unexecuted global load compiles to an IC call), no TLB allocation (a
   * space gets its read TLB on its first write miss, from a fork, or from a
   * bulk read), and validation calls out only when the access is bad.
   */
  readMiss(addr: number, width: number): void {
    if (
      (this.flags & 1) !== 0 || // SPACE_RELEASED
      typeof addr !== "number" ||
      !(addr >= 0) ||
      addr + width > this.maps.size || // not the size getter: this path stays call-free
      !Number.isInteger(addr) ||
      (addr & (width - 1)) !== 0
    )
      checkAccess(this, addr, width); // throws: every bad access fails one test above
    this.readInMiss(addr, width); // inlined by TurboFan where readMiss is (--trace-turbo-inlining)
  }

  /**
   * @internal Write-cache miss: validate, fault in, fill the cache. Writes call
   * out anyway, so this is where a space gets its read TLB (`loadWrite` takes
   * it): `readMiss` cannot allocate one without a call.
   */
  writeMiss(addr: number, width: number): void {
    checkAccess(this, addr, width);
    if ((this.flags & 2) !== 0) throwProtection(addr, width, "the address space is frozen");
    if (!this.maps.whole) this.maps.check(addr, width, true);
    loadWrite(this, vpnOf(this, addr));
  }

  /**
   * @internal `getFloat64` for a caller that has checked `addr` itself: an
   * integer multiple of 8, >= 0, and inside the space (a Cow*Array's `get`
   * after its index check). The hit test drops the alignment mask and the
   * `addr >= 0` guard (an empty cache's NO_PAGE puts every address >= 0 out
   * of reach), and the miss skips the address checks (`readInMiss`). A
   * released space still throws: its cache is empty, and the miss checks the
   * flag. O(1); no allocation.
   */
  readInF64(addr: number): number {
    const off = addr - this.rPage;
    if ((off & this.pageMask) === off) return this.rSlab.f64[(this.rByte + off) >> 3] as number;
    this.readInMiss(addr, 8);
    return this.rSlab.f64[(this.rByte + addr - this.rPage) >> 3] as number;
  }

  /**
   * @internal The read-cache refill for an address already checked (by
   * `readMiss`, or by the caller of {@link readInF64}): the released check,
   * then the translation (TLB, else a page-table walk) and the refill,
   * call-free on its common path. `width` is the element's, for the
   * errors' messages (an unmapped or released read throws what `readMiss`
   * throws).
   */
  readInMiss(addr: number, width: number): void {
    if ((this.flags & 1) !== 0) checkAccess(this, addr, width); // SPACE_RELEASED: throws
    const pool = this.pool;
    // Exact for integers below 2^53: `&` keeps the low bits, pageSize is a power of two.
    const vpn = addr <= 0x7fffffff ? addr >>> pool.pageShift : (addr - (addr & pool.pageMask)) / pool.pageSize;
    const tlb = this.rtlb;
    let pfn = tlb === null ? -1 : tlb.lookup(vpn);
    if (pfn < 0) {
      // A TLB hit was checked when it was inserted; only spaces with holes or
      // read-only parts reach this call, so other spaces' loops never see it.
      if (!this.maps.whole) this.maps.check(addr, width, false);
      pfn = pool.pt.lookup(this.root, ((this.flags >> 2) & 15) + 1, vpn); // levels, without the accessor
      if (tlb !== null) tlb.insert(vpn, pfn);
    }
    this.rPage = vpn * pool.pageSize;
    this.rSlab = pool.slabOf(pfn);
    this.rByte = pool.frameByte(pfn);
  }
}
