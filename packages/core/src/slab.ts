/**
 * A slab: one large ArrayBuffer holding many frames, with one typed view per
 * element kind. All views are created in the constructor so every Slab has one
 * hidden class and `slab.f64[i]` stays monomorphic in the hot paths.
 *
 * @module
 */

import { SHARED_TRAILER_BYTES } from "./share-fingerprint.js";

/** Element-kind keys of the views a {@link Slab} holds. */
export type ViewKey = "u8" | "u8c" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64" | "i64" | "u64";

/**
 * One slab of frames and its typed views. A slab never changes size: a pool
 * that needs more frames adds a slab (see frame-pool.ts), so the bytes a slab
 * holds are never copied and its fields never change, and references held by
 * TLBs and last-page caches stay valid for the slab's whole life.
 *
 * Why not a resizable ArrayBuffer grown in place: in Node 20 (V8 11.3) every
 * access through a view of a resizable buffer, even a fixed-length one, carries
 * a length check with a runtime-call branch; a native Float64Array loop over
 * such a view ran at ~2x the same loop over a plain buffer, and inlined into a
 * caller's loop the branch costs it its registers.
 */
export class Slab {
  /** The slab's bytes: a SharedArrayBuffer in a shared pool (see `FramePoolOptions.shared`). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly u8c: Uint8ClampedArray;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
  readonly u64: BigUint64Array;

  /**
   * @param byteLength - bytes of the slab, or an existing buffer to wrap (a
   *   shared slab received from another thread, see attach.ts).
   * @param shared - allocate a SharedArrayBuffer instead of an ArrayBuffer,
   *   with `SHARED_TRAILER_BYTES` (16) more past the frames for the
   *   fingerprint a handle's check reads (share-format.ts): no pfn reaches
   *   them, and `byteLength >>> pageShift` still counts the frames.
   *   The views are the same typed-array classes either way, so a hot path
   *   that reads slabs sees one map whichever kind of pool it serves.
   */
  constructor(byteLength: number | ArrayBuffer | SharedArrayBuffer, shared = false) {
    const buffer =
      typeof byteLength !== "number"
        ? byteLength
        : shared
          ? new SharedArrayBuffer(byteLength + SHARED_TRAILER_BYTES)
          : new ArrayBuffer(byteLength);
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.u8c = new Uint8ClampedArray(buffer);
    this.i8 = new Int8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.u64 = new BigUint64Array(buffer);
  }
}
