/**
 * A slab: one large ArrayBuffer holding many frames, with one typed view per
 * element kind. All views are created in the constructor so every Slab has one
 * hidden class and `slab.f64[i]` stays monomorphic in the hot paths.
 *
 * @module
 */

/** Element-kind keys of the views a {@link Slab} holds. */
export type ViewKey = "u8" | "u8c" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64" | "i64" | "u64";

/**
 * One slab of frames and its typed views, over a resizable ArrayBuffer that
 * grows in place up to the pool's slab size: growing never copies frames, and
 * reserving the address space up front costs nothing until pages are touched.
 * The views are fixed-length (length-tracking views cost the JIT a length
 * reload per access) and are replaced, never the Slab object, when the slab
 * grows, so references held by TLBs and last-page caches stay valid.
 */
export class Slab {
  buffer: ArrayBuffer;
  u8: Uint8Array;
  u8c: Uint8ClampedArray;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  i64: BigInt64Array;
  u64: BigUint64Array;

  /** @param byteLength - bytes usable now; @param maxByteLength - bytes the slab may grow to. */
  constructor(byteLength: number, maxByteLength: number) {
    const buffer = new ArrayBuffer(byteLength, { maxByteLength });
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer, 0, byteLength);
    this.u8c = new Uint8ClampedArray(buffer, 0, byteLength);
    this.i8 = new Int8Array(buffer, 0, byteLength);
    this.u16 = new Uint16Array(buffer, 0, byteLength >>> 1);
    this.i16 = new Int16Array(buffer, 0, byteLength >>> 1);
    this.u32 = new Uint32Array(buffer, 0, byteLength >>> 2);
    this.i32 = new Int32Array(buffer, 0, byteLength >>> 2);
    this.f32 = new Float32Array(buffer, 0, byteLength >>> 2);
    this.f64 = new Float64Array(buffer, 0, byteLength >>> 3);
    this.i64 = new BigInt64Array(buffer, 0, byteLength >>> 3);
    this.u64 = new BigUint64Array(buffer, 0, byteLength >>> 3);
  }

  /** Grows the slab in place to `byteLength` bytes (its frames keep their bytes). */
  grow(byteLength: number): void {
    const buffer = this.buffer;
    buffer.resize(byteLength);
    this.u8 = new Uint8Array(buffer, 0, byteLength);
    this.u8c = new Uint8ClampedArray(buffer, 0, byteLength);
    this.i8 = new Int8Array(buffer, 0, byteLength);
    this.u16 = new Uint16Array(buffer, 0, byteLength >>> 1);
    this.i16 = new Int16Array(buffer, 0, byteLength >>> 1);
    this.u32 = new Uint32Array(buffer, 0, byteLength >>> 2);
    this.i32 = new Int32Array(buffer, 0, byteLength >>> 2);
    this.f32 = new Float32Array(buffer, 0, byteLength >>> 2);
    this.f64 = new Float64Array(buffer, 0, byteLength >>> 3);
    this.i64 = new BigInt64Array(buffer, 0, byteLength >>> 3);
    this.u64 = new BigUint64Array(buffer, 0, byteLength >>> 3);
  }
}
