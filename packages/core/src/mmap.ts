/**
 * The mapping operations of an address space: `map`, `unmap`, `protect` and
 * `freeze`, as `mmap(MAP_FIXED_NOREPLACE)`, `munmap`, `mprotect` and a seal
 * (Linux's `mseal`) do for a process. Each validates everything, charges the
 * commit limit, and only then changes the space; each change of protection or
 * of what is mapped flushes the space's TLBs.
 *
 * @module
 */
import { dropPages } from "./bulk.js";
import { takeBackCharge } from "./commit-charge.js";
import { throwInvalid, throwProtection, throwReleased } from "./errors.js";
import { checkPageRange, type Protection, writableOf } from "./mappings.js";
import { flushAll, flushWrite, type SpaceState } from "./space-state.js";

/** Common checks: live, a page-aligned range inside the space, not frozen. */
function checkChange(space: SpaceState, start: number, length: number): void {
  if (space.isReleased) throwReleased("address space");
  checkPageRange(start, length, space.pool.pageSize, space.size);
  if (space.isFrozen) throwProtection(start, length, "the address space is frozen: its mappings cannot change");
}

/** `space.map`: adds a mapping over a range that has none. */
export function mapRange(space: SpaceState, start: number, length: number, prot: Protection): void {
  checkChange(space, start, length);
  const writable = writableOf(prot);
  const maps = space.maps;
  if (maps.mappedIn(start, start + length) > 0)
    throwInvalid(
      "start",
      start,
      `a range with no mapping yet ([${start}, ${start + length}) overlaps one; unmap first)`,
    );
  space.pool.charge(length, false, space); // ReleasedError if the hook released `space`
  if (space.maps !== maps || space.isFrozen) {
    // The charge's out-of-memory hook changed the mappings (or froze the
    // space): check again against them, and build on them, not on the old list.
    try {
      checkChange(space, start, length);
      if (space.maps.mappedIn(start, start + length) > 0)
        throwInvalid("start", start, `a range with no mapping yet ([${start}, ${start + length}) overlaps one)`);
    } catch (e) {
      takeBackCharge(space.pool, length); // and the peak it raised: the refused map changes nothing
      throw e;
    }
  }
  space.maps = space.maps.with(start, start + length, writable, space.size);
  space.pool.spaces.setCharge(space, space.maps.bytes);
  // Nothing to flush: no translation of an unmapped page was ever cached.
}

/** `space.unmap`: drops the pages of a range and removes it from the mappings. */
export function unmapRange(space: SpaceState, start: number, length: number): void {
  checkChange(space, start, length);
  const maps = space.maps;
  const bytes = maps.mappedIn(start, start + length);
  if (bytes === 0) return; // munmap of a hole succeeds and does nothing
  dropPages(space, start, length);
  space.maps = maps.with(start, start + length, null, space.size);
  space.pool.uncharge(bytes);
  space.pool.spaces.setCharge(space, space.maps.bytes);
  flushAll(space);
}

/** `space.protect`: changes the protection of a range that is mapped throughout. */
export function protectRange(space: SpaceState, start: number, length: number, prot: Protection): void {
  checkChange(space, start, length);
  const writable = writableOf(prot);
  space.maps.check(start, length, false); // SegmentationFault at the first hole, as mprotect's ENOMEM
  space.maps = space.maps.with(start, start + length, writable, space.size);
  flushAll(space);
}

/** `space.freeze`: refuses every later write and mapping change of this space. */
export function freezeSpace(space: SpaceState): void {
  if (space.isReleased) throwReleased("address space");
  space.isFrozen = true;
  flushWrite(space); // writes must all reach writeMiss now
}
