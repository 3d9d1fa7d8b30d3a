/**
 * Error classes users can catch. Each carries a stable `code` and the value
 * that was wrong. Hot functions throw through the small `throwX(): never`
 * helpers at the bottom so their own bodies stay small enough to inline.
 *
 * @module
 */
import { brandErrorClass } from "./brand.js";
import { describeValue } from "./describe-value.js";

/**
 * An access outside the address space, or inside it but outside every
 * mapping (a hole left by `unmap`). Named after the POSIX signal a kernel
 * sends for the same thing.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 8192, pageSize: 4096 });
 * s.unmap(4096, 4096);
 * let caught: unknown;
 * try { s.getUint8(5000); } catch (e) { caught = e; }
 * caught instanceof SegmentationFault; // true
 * (caught as SegmentationFault).address; // 5000
 * ```
 */
export class SegmentationFault extends RangeError {
  /** Stable error code. */
  readonly code = "ERR_SEGMENTATION_FAULT";
  /** First byte address of the refused access (the first unmapped byte, for a range). */
  readonly address: number;
  /** Length of the refused access in bytes. */
  readonly length: number;
  /** @param where says what the address is outside of, e.g. "outside the address space [0, 4096)". */
  constructor(address: number, length: number, where: string) {
    super(`segmentation fault: access of ${length} byte(s) at address ${address}: ${where}`);
    this.name = "SegmentationFault";
    this.address = address;
    this.length = length;
  }
}
// `instanceof SegmentationFault` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(SegmentationFault, "ERR_SEGMENTATION_FAULT");

/**
 * A write to a read-only mapping, or to a space made read-only by `freeze()`;
 * also `map`, `unmap` or `protect` on a frozen space. The write changed nothing.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 8192, pageSize: 4096 });
 * s.protect(0, 4096, "read-only");
 * let caught: unknown;
 * try { s.setUint8(10, 1); } catch (e) { caught = e; }
 * caught instanceof ProtectionFault; // true
 * s.getUint8(10); // 0
 * s.setUint8(4096, 1); // the second page is still read-write
 * ```
 */
export class ProtectionFault extends Error {
  /** Stable error code. */
  readonly code = "ERR_PROTECTION_FAULT";
  /** First byte address of the refused write. */
  readonly address: number;
  /** Length of the refused write in bytes. */
  readonly length: number;
  constructor(address: number, length: number, why: string) {
    super(`protection fault: write of ${length} byte(s) at address ${address}: ${why}`);
    this.name = "ProtectionFault";
    this.address = address;
    this.length = length;
  }
}
// `instanceof ProtectionFault` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(ProtectionFault, "ERR_PROTECTION_FAULT");

/**
 * A typed access at an address that is not a multiple of the element size
 * (the "alignment fault" of strict-alignment CPUs). Natural alignment is what
 * guarantees an element never straddles two pages.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 4096 });
 * let caught: unknown;
 * try { s.getFloat64(4); } catch (e) { caught = e; }
 * caught instanceof AlignmentFault; // true
 * (caught as AlignmentFault).alignment; // 8
 * ```
 */
export class AlignmentFault extends RangeError {
  /** Stable error code. */
  readonly code = "ERR_ALIGNMENT_FAULT";
  /** The misaligned address. */
  readonly address: number;
  /** Required alignment in bytes. */
  readonly alignment: number;
  constructor(address: number, alignment: number) {
    super(`alignment fault: address ${address} is not a multiple of ${alignment} bytes`);
    this.name = "AlignmentFault";
    this.address = address;
    this.alignment = alignment;
  }
}
// `instanceof AlignmentFault` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(AlignmentFault, "ERR_ALIGNMENT_FAULT");

/**
 * A frame was needed and the pool's limit (`maxBytes`) or the JS engine could
 * not provide it. The call that throws it has changed nothing.
 *
 * @example
 * ```ts
 * const pool = new FramePool({ pageSize: 256, maxBytes: 1024 }); // 4 frames
 * const s = new AddressSpace({ size: 1 << 20, pool });
 * let caught: unknown;
 * try { s.write(0, new Uint8Array(2048)); } catch (e) { caught = e; } // needs 8 frames
 * caught instanceof OutOfMemoryError; // true
 * pool.framesInUse; // 0
 * ```
 */
export class OutOfMemoryError extends Error {
  /** Stable error code. */
  readonly code = "ERR_OUT_OF_MEMORY";
  /** Bytes that were requested when the limit was hit. */
  readonly requested: number;
  constructor(requested: number, why: string, options?: ErrorOptions) {
    super(`out of memory: could not provide ${requested} byte(s): ${why}`, options);
    this.name = "OutOfMemoryError";
    this.requested = requested;
  }
}
// `instanceof OutOfMemoryError` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(OutOfMemoryError, "ERR_OUT_OF_MEMORY");

/**
 * Any use of a space (or a structure on it) after `release()`.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 4096 });
 * s.release();
 * let caught: unknown;
 * try { s.getUint8(0); } catch (e) { caught = e; }
 * caught instanceof ReleasedError; // true
 * ```
 */
export class ReleasedError extends Error {
  /** Stable error code. */
  readonly code = "ERR_RELEASED";
  constructor(what: string) {
    super(`use after release: this ${what} was released`);
    this.name = "ReleasedError";
  }
}
// `instanceof ReleasedError` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(ReleasedError, "ERR_RELEASED");

/**
 * An argument outside its domain: NaN, fractional, negative, not a power of
 * two, not a number where a number is required. A RangeError.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { new FramePool({ pageSize: 1000 }); } catch (e) { caught = e; }
 * caught instanceof InvalidArgumentError; // true
 * (caught as InvalidArgumentError).argument; // "pageSize"
 * ```
 */
export class InvalidArgumentError extends RangeError {
  /** Stable error code. */
  readonly code = "ERR_INVALID_ARGUMENT";
  /** Name of the offending argument. */
  readonly argument: string;
  /** The value that was refused. */
  readonly value: unknown;
  constructor(argument: string, value: unknown, expected: string) {
    super(`invalid ${argument}: ${describeValue(value)} (expected ${expected})`);
    this.name = "InvalidArgumentError";
    this.argument = argument;
    this.value = value;
  }
}
// `instanceof InvalidArgumentError` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(InvalidArgumentError, "ERR_INVALID_ARGUMENT");

/** @internal */
export function throwSegv(address: number, length: number, size: number): never {
  throw new SegmentationFault(address, length, `outside the address space [0, ${size})`);
}
/** @internal */
export function throwUnmapped(address: number, length: number, first: number): never {
  throw new SegmentationFault(first, length - (first - address), `address ${first} is not inside any mapping`);
}
/** @internal */
export function throwProtection(address: number, length: number, why: string): never {
  throw new ProtectionFault(address, length, why);
}
/** @internal */
export function throwAlignment(address: number, alignment: number): never {
  throw new AlignmentFault(address, alignment);
}
/** @internal */
export function throwReleased(what: string): never {
  throw new ReleasedError(what);
}
/** @internal */
export function throwInvalid(argument: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(argument, value, expected);
}
/** @internal */
export function throwOom(requested: number, why: string): never {
  throw new OutOfMemoryError(requested, why);
}
/**
 * Rethrows `e`, caught around an allocation that must change nothing when
 * the engine refuses it: the engine's refusal (a `RangeError` from `new
 * ArrayBuffer` or a typed array) as an OutOfMemoryError of `requested` bytes
 * naming `what`, anything else as it is.
 * @internal
 */
export function throwRefused(e: unknown, requested: number, what: string): never {
  if (e instanceof RangeError) throwOom(requested, `the JS engine refused ${what}: ${e.message}`);
  throw e;
}
