/**
 * Brand checks: what the library tests instead of `instanceof`, so that
 * objects of another copy of the package (its other build) are accepted.
 * The cross-build test with real bundles is test/dual-package.test.ts; here,
 * objects that merely carry (or fake) a brand.
 */
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  CORE_BRAND_VERSION,
  FramePool,
  Heap,
  InvalidArgumentError,
  isAddressSpace,
  isFramePool,
  isHeap,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "../src/index.js";

/** An object as another copy of the package would make it: only the registered symbol is shared. */
const foreign = (name: string, version: unknown = CORE_BRAND_VERSION) =>
  Object.create({ [Symbol.for(`@pagefork/core.${name}`)]: version }) as object;

describe("brand checks", () => {
  it("recognise the core's objects and what another copy brands, nothing else", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 1 << 16, pool });
    const heap = Heap.create(space, { base: 256 });
    expect([isFramePool(pool), isAddressSpace(space), isHeap(heap)]).toEqual([true, true, true]);
    expect([isFramePool(space), isAddressSpace(heap), isHeap(pool)]).toEqual([false, false, false]);
    for (const x of [null, undefined, 0, "FramePool", {}, [], () => {}, Object.create(null)])
      expect([isFramePool(x), isAddressSpace(x), isHeap(x)]).toEqual([false, false, false]);
    expect([
      isFramePool(foreign("FramePool")),
      isAddressSpace(foreign("AddressSpace")),
      isHeap(foreign("Heap")),
    ]).toEqual([true, true, true]);
    // A copy whose objects are laid out differently (another brand version) is refused.
    expect(isFramePool(foreign("FramePool", CORE_BRAND_VERSION + 1))).toBe(false);
    space.release();
    expect(isAddressSpace(space)).toBe(true); // released, still an AddressSpace
  });

  it("the brand is on the prototype: no own property, not enumerable, not writable", () => {
    const space = new AddressSpace({ size: 4096 });
    expect(Object.getOwnPropertySymbols(space)).toEqual([]);
    const key = Symbol.for("@pagefork/core.AddressSpace");
    expect(Object.getOwnPropertyDescriptor(AddressSpace.prototype, key)).toEqual({
      value: CORE_BRAND_VERSION,
      enumerable: false,
      writable: false,
      configurable: false,
    });
    space.release();
  });

  it("a refused pool changes nothing and names what it expected", () => {
    const pool = new FramePool({ pageSize: 256 });
    expect(() => new AddressSpace({ size: 4096, pool: { pageSize: 256 } as unknown as FramePool })).toThrow(
      InvalidArgumentError,
    );
    expect(() => Heap.create({} as AddressSpace)).toThrow(/expected an AddressSpace/);
    expect(pool.framesInUse).toBe(0);
  });

  it("instanceof of the error classes accepts an error of another copy by its brand, only for the class itself", () => {
    const fake = (code: string) =>
      Object.assign(Object.create(Error.prototype), { [Symbol.for("@pagefork/core.Error")]: code });
    const oom = fake("ERR_OUT_OF_MEMORY");
    expect(oom instanceof OutOfMemoryError).toBe(true);
    expect(oom instanceof ReleasedError).toBe(false);
    expect(fake("ERR_RELEASED") instanceof ReleasedError).toBe(true);
    expect(fake("ERR_SEGMENTATION_FAULT") instanceof SegmentationFault).toBe(true);
    class Mine extends OutOfMemoryError {}
    expect(oom instanceof Mine).toBe(false);
    expect(new Mine(1, "x") instanceof OutOfMemoryError).toBe(true);
    expect(new Mine(1, "x") instanceof Mine).toBe(true);
    expect(new OutOfMemoryError(1, "x") instanceof Mine).toBe(false);
    // The ordinary cases are untouched.
    expect(new ProtectionFault(0, 1, "x") instanceof ProtectionFault).toBe(true);
    expect(new ProtectionFault(0, 1, "x") instanceof Error).toBe(true);
    expect(new Error("x") instanceof ReleasedError).toBe(false);
    for (const x of [null, undefined, 1, "ERR_RELEASED", {}]) expect(x instanceof ReleasedError).toBe(false);
  });
});
