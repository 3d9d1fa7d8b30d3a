/**
 * Mappings (the kernel's VMAs): the page-aligned ranges of an address space
 * that may be accessed, each read-only or read-write. A list is immutable and
 * shared by a space and its forks until one of them maps, unmaps or protects,
 * which builds a new list: fork stays O(1) and never copies mappings.
 *
 * The accessors' fast paths never look here: a page enters a TLB or a
 * last-page cache only after its mapping was checked, and every change of the
 * list flushes both TLBs (the "shootdown"). A space whose list is one
 * read-write mapping of the whole space (`whole`) skips the check on TLB
 * misses too, so spaces that never use mappings pay nothing.
 *
 * Source of the idea: `struct vm_area_struct` and `find_vma` in Linux
 * (mm/mmap.c), and `mmap`/`munmap`/`mprotect` in POSIX.
 *
 * @module
 */
import { throwInvalid, throwProtection, throwUnmapped } from "./errors.js";

/** Protection of a mapping: reads only, or reads and writes. */
export type Protection = "read-only" | "read-write";

/** One mapping, as {@link AddressSpace.mappings} lists it: bytes `[start, end)`. */
export interface Mapping {
  /** First byte address (a multiple of the page size). */
  readonly start: number;
  /** One past the last byte address (a multiple of the page size). */
  readonly end: number;
  /** What accesses the range allows. */
  readonly protection: Protection;
}

/** An immutable, sorted, non-overlapping, merged list of mappings. @internal */
export class MappingList {
  /** Start byte of each mapping, ascending. */
  readonly starts: readonly number[];
  /** End byte of each mapping. */
  readonly ends: readonly number[];
  /** Whether each mapping is writable. */
  readonly writable: readonly boolean[];
  /** Sum of the mappings' lengths in bytes: the commit charge of a space with this list. */
  readonly bytes: number;
  /** True when the list is exactly one read-write mapping of `[0, size)`. */
  readonly whole: boolean;
  /**
   * Size in bytes of the space(s) using this list: a space reads its size
   * here rather than from a field of its own (one field less per fork; the
   * list is shared by a space and its forks, which have the same size).
   */
  readonly size: number;

  constructor(starts: number[], ends: number[], writable: boolean[], size: number) {
    // Merge neighbours with the same protection (as vma_merge does) so the
    // list stays as short as the distinct ranges the user made.
    const s: number[] = [];
    const e: number[] = [];
    const w: boolean[] = [];
    let bytes = 0;
    for (let i = 0; i < starts.length; i++) {
      const n = s.length - 1;
      if (n >= 0 && e[n] === starts[i] && w[n] === writable[i]) e[n] = ends[i] as number;
      else {
        s.push(starts[i] as number);
        e.push(ends[i] as number);
        w.push(writable[i] as boolean);
      }
      bytes += (ends[i] as number) - (starts[i] as number);
    }
    this.starts = s;
    this.ends = e;
    this.writable = w;
    this.bytes = bytes;
    this.whole = s.length === 1 && s[0] === 0 && e[0] === size && w[0] === true;
    this.size = size;
  }

  /** Index of the mapping that contains byte `addr`, or -1. O(log mappings). */
  find(addr: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr < (this.ends[hi] as number) ? hi : -1;
  }

  /**
   * Throws unless every byte of `[addr, addr + length)` is mapped (and, when
   * `write`, mapped read-write): SegmentationFault names the first unmapped
   * byte, ProtectionFault the first read-only one. O(log mappings + mappings
   * crossed). The caller has checked the range against the space's size.
   */
  check(addr: number, length: number, write: boolean): void {
    if (this.whole || length === 0) return;
    let a = addr;
    const end = addr + length;
    let i = this.find(a);
    while (true) {
      if (i < 0 || (this.starts[i] as number) > a) throwUnmapped(addr, length, a);
      if (write && !this.writable[i]) throwProtection(addr, length, `address ${a} is in a read-only mapping`);
      a = this.ends[i] as number;
      if (a >= end) return;
      i++;
      if (i >= this.starts.length) throwUnmapped(addr, length, a);
    }
  }

  /** Bytes of `[start, end)` that are mapped. O(mappings). */
  mappedIn(start: number, end: number): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const s = Math.max(start, this.starts[i] as number);
      const e = Math.min(end, this.ends[i] as number);
      if (e > s) n += e - s;
    }
    return n;
  }

  /**
   * The list with `[start, end)` replaced by one mapping of `writable`, or
   * removed when `writable` is null. O(mappings).
   */
  with(start: number, end: number, writable: boolean | null, size: number): MappingList {
    const s: number[] = [];
    const e: number[] = [];
    const w: boolean[] = [];
    let placed = writable === null;
    for (let i = 0; i < this.starts.length; i++) {
      const ms = this.starts[i] as number;
      const me = this.ends[i] as number;
      const mw = this.writable[i] as boolean;
      if (!placed && ms >= start) {
        s.push(start);
        e.push(end);
        w.push(writable as boolean);
        placed = true;
      }
      // The parts of this mapping left and right of [start, end).
      if (ms < start) {
        s.push(ms);
        e.push(Math.min(me, start));
        w.push(mw);
      }
      if (!placed && me > start) {
        s.push(start);
        e.push(end);
        w.push(writable as boolean);
        placed = true;
      }
      if (me > end) {
        s.push(Math.max(ms, end));
        e.push(me);
        w.push(mw);
      }
    }
    if (!placed) {
      s.push(start);
      e.push(end);
      w.push(writable as boolean);
    }
    return new MappingList(s, e, w, size);
  }

  /** The list as plain records. O(mappings). */
  toArray(): Mapping[] {
    return this.starts.map((start, i) => ({
      start,
      end: this.ends[i] as number,
      protection: this.writable[i] ? "read-write" : "read-only",
    }));
  }
}

/** Parses a protection argument. */
export function writableOf(prot: unknown): boolean {
  if (prot === "read-write") return true;
  if (prot === "read-only") return false;
  return throwInvalid("protection", prot, '"read-only" or "read-write"');
}

/** Validates a page-aligned range `[start, start + length)` inside `[0, size)`. */
export function checkPageRange(start: number, length: number, pageSize: number, size: number): void {
  if (typeof start !== "number" || !Number.isSafeInteger(start) || start < 0 || start % pageSize !== 0)
    throwInvalid("start", start, `a byte address >= 0 that is a multiple of the page size ${pageSize}`);
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length <= 0 || length % pageSize !== 0)
    throwInvalid("length", length, `a positive multiple of the page size ${pageSize}`);
  if (start + length > size)
    throwInvalid("length", length, `a range inside the address space [0, ${size}) (start ${start})`);
}
