/**
 * The large test fixture: 256 MiB of typed data in one address space, built
 * once and frozen. Each test works on `fixture.fork()` (O(1), shares every
 * page); its writes copy only the pages they touch.
 *
 * The data is a pure function of the index, so a test can check any cell
 * against its original value without keeping a copy of the fixture.
 *
 * @module
 */
import { AddressSpace, FramePool } from "@pagefork/core";

const MiB = 1 << 20;

/**
 * Page size of the fixture's pool: 4 KiB, the core's default. A test's write
 * copies one page, so small pages keep a test's private memory close to what
 * it writes; building 256 MiB takes 65,536 zero-fill faults, a fraction of
 * the time the data itself takes to compute.
 */
export const FIXTURE_PAGE_SIZE = 4096;

/** One typed region of the fixture. */
export interface Region<A extends Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor> {
  /** Element type. */
  readonly type: A;
  /** Byte address of element 0. */
  readonly byteOffset: number;
  /** Number of elements. */
  readonly length: number;
  /** The original value of element `i`. */
  readonly value: (i: number) => number;
}

/** `prices`: 16 Mi float64 (128 MiB), `prices[i] = i / 4`. */
export const prices: Region<Float64ArrayConstructor> = {
  type: Float64Array,
  byteOffset: 0,
  length: (128 * MiB) / 8,
  value: (i) => i / 4,
};

/** `ids`: 16 Mi int32 (64 MiB), a multiplicative hash of the index (Knuth's 2654435761). */
export const ids: Region<Int32ArrayConstructor> = {
  type: Int32Array,
  byteOffset: 128 * MiB,
  length: (64 * MiB) / 4,
  value: (i) => Math.imul(i, 2654435761),
};

/** `flags`: 64 Mi uint8 (64 MiB), `(31 i + 7) mod 256`. */
export const flags: Region<Uint8ArrayConstructor> = {
  type: Uint8Array,
  byteOffset: 192 * MiB,
  length: 64 * MiB,
  value: (i) => (i * 31 + 7) & 0xff,
};

/** Bytes of typed data in the fixture: 256 MiB. */
export const FIXTURE_BYTES = 256 * MiB;

/** Writes every element of `region` through write-mode page spans (native-speed loops, one fault per page). */
function fill(
  space: AddressSpace,
  region: Region<Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor>,
): void {
  let k = 0;
  const f = region.value;
  for (const c = space.spans(region.type, region.byteOffset, region.length, "write"); c.next(); ) {
    const a = c.array;
    for (let i = c.start; i < c.end; i++) a[i] = f(k++);
  }
}

/**
 * Builds the 256 MiB fixture in a new pool and freezes it: every later write
 * to it throws `ProtectionFault`, while its forks are ordinary writable
 * spaces. Takes a few hundred milliseconds (computing and writing 96 Mi
 * elements).
 */
export function buildFixture(): { fixture: AddressSpace; pool: FramePool } {
  const pool = new FramePool({ pageSize: FIXTURE_PAGE_SIZE });
  const fixture = new AddressSpace({ size: FIXTURE_BYTES, pool });
  fill(fixture, prices);
  fill(fixture, ids);
  fill(fixture, flags);
  fixture.freeze();
  return { fixture, pool };
}

/** The same data as three native typed arrays (what `structuredClone` copies in the comparison). */
export function buildNativeFixture(): { prices: Float64Array; ids: Int32Array; flags: Uint8Array } {
  const out = {
    prices: new Float64Array(prices.length),
    ids: new Int32Array(ids.length),
    flags: new Uint8Array(flags.length),
  };
  for (let i = 0; i < prices.length; i++) out.prices[i] = prices.value(i);
  for (let i = 0; i < ids.length; i++) out.ids[i] = ids.value(i);
  for (let i = 0; i < flags.length; i++) out.flags[i] = flags.value(i);
  return out;
}
