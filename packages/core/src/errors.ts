/**
 * Error classes users can catch. Each carries a stable `code` and the value
 * that was wrong. Hot functions throw through the small `throwX(): never`
 * helpers at the bottom so their own bodies stay small enough to inline.
 *
 * @module
 */

/**
 * An access outside the address space (or, with mappings, outside every
 * mapping). Named after the POSIX signal a kernel sends for the same thing.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 4096 });
 * try { s.getUint8(4096); } catch (e) { e instanceof SegmentationFault; } // true
 * ```
 */
export class SegmentationFault extends RangeError {
  /** Stable error code. */
  readonly code = "ERR_SEGMENTATION_FAULT";
  /** First byte address of the refused access. */
  readonly address: number;
  /** Length of the refused access in bytes. */
  readonly length: number;
  constructor(address: number, length: number, size: number) {
    super(
      `segmentation fault: access of ${length} byte(s) at address ${address} is outside the address space [0, ${size})`,
    );
    this.name = "SegmentationFault";
    this.address = address;
    this.length = length;
  }
}

/**
 * A typed access at an address that is not a multiple of the element size
 * (the "alignment fault" of strict-alignment CPUs). Natural alignment is what
 * guarantees an element never straddles two pages.
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

/** A write to a read-only page or mapping. */
export class ProtectionFault extends Error {
  /** Stable error code. */
  readonly code = "ERR_PROTECTION_FAULT";
  /** Address of the refused write. */
  readonly address: number;
  constructor(address: number, why: string) {
    super(`protection fault: write at address ${address} refused: ${why}`);
    this.name = "ProtectionFault";
    this.address = address;
  }
}

/** A frame was needed and the pool's limit (or the JS engine) could not provide it. */
export class OutOfMemoryError extends Error {
  /** Stable error code. */
  readonly code = "ERR_OUT_OF_MEMORY";
  /** Bytes that were requested when the limit was hit. */
  readonly requested: number;
  constructor(requested: number, why: string) {
    super(`out of memory: could not provide ${requested} byte(s): ${why}`);
    this.name = "OutOfMemoryError";
    this.requested = requested;
  }
}

/** Any use of a space (or a structure on it) after `release()`. */
export class ReleasedError extends Error {
  /** Stable error code. */
  readonly code = "ERR_RELEASED";
  constructor(what: string) {
    super(`use after release: this ${what} was released`);
    this.name = "ReleasedError";
  }
}

/** An argument outside its domain: NaN, fractional, negative, not a power of two... */
export class InvalidArgumentError extends RangeError {
  /** Stable error code. */
  readonly code = "ERR_INVALID_ARGUMENT";
  /** Name of the offending argument. */
  readonly argument: string;
  /** The value that was refused. */
  readonly value: unknown;
  constructor(argument: string, value: unknown, expected: string) {
    super(`invalid ${argument}: ${describe(value)} (expected ${expected})`);
    this.name = "InvalidArgumentError";
    this.argument = argument;
    this.value = value;
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (Object.is(v, -0)) return "-0";
  try {
    return String(v);
  } catch {
    // Objects without a usable toString (Object.create(null), typed-array prototypes...).
    return Object.prototype.toString.call(v);
  }
}

/** @internal */
export function throwSegv(address: number, length: number, size: number): never {
  throw new SegmentationFault(address, length, size);
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
