/**
 * Makes the engine "refuse" an allocation, as it does when out of memory:
 * while `refuse.on`, `new <name>(length)` (an allocation by length, not a
 * view of an existing buffer) throws the RangeError V8 throws then. For the
 * tests that a refused allocation changes nothing. Undo with
 * `vi.unstubAllGlobals()` (in an afterEach).
 */
import { vi } from "vitest";

type Refusable = "ArrayBuffer" | "SharedArrayBuffer" | "Uint8Array" | "Int32Array";

export function refusing(name: Refusable): { on: boolean; refused: number } {
  const refuse = { on: false, refused: 0 };
  const Real = globalThis[name];
  vi.stubGlobal(
    name,
    new Proxy(Real, {
      construct(target, args, newTarget) {
        // A buffer constructor always allocates; a typed array only when given a length.
        if (refuse.on && (name.endsWith("Buffer") || typeof args[0] === "number")) {
          refuse.refused++;
          throw new RangeError("Array buffer allocation failed");
        }
        return Reflect.construct(target, args, newTarget);
      },
    }),
  );
  return refuse;
}

/**
 * Runs `call` while the engine refuses every `ArrayBuffer` allocation, then
 * stops refusing (and unstubs): what `call` threw, or null if it returned.
 */
export function thrownWhileRefused(call: () => unknown): unknown {
  const refuse = refusing("ArrayBuffer");
  refuse.on = true;
  try {
    call();
    return null;
  } catch (e) {
    return e;
  } finally {
    refuse.on = false;
    vi.unstubAllGlobals();
  }
}

/** The allocations {@link refusingFrom} counts and refuses. */
// Not Uint8Array: the packages pass it to `space.spans` as a key, which a stub is not.
const COUNTED: readonly Refusable[] = ["ArrayBuffer", "Int32Array"];

/**
 * Makes the engine refuse an allocation partway through a call: counts the
 * allocations (`new ArrayBuffer(n)`, and `new Int32Array(n)` by length:
 * slabs, free lists, page-table node arenas, overflow tables) and, once `arm(at)` ran, lets `at` of
 * them through and refuses that one and every later one (an engine out of
 * memory stays so) with the RangeError V8 throws, until `disarm()`.
 * `refused` counts the refusals since `arm`. For the properties that a call
 * refused at any of its allocations changes nothing. Undo with
 * `vi.unstubAllGlobals()` (in an afterEach).
 */
export function refusingFrom(): { arm(at: number): void; disarm(): void; readonly refused: number } {
  let left = -1; // allocations let through before refusing; -1: not armed
  let refused = 0;
  for (const name of COUNTED) {
    const Real = globalThis[name];
    vi.stubGlobal(
      name,
      new Proxy(Real, {
        construct(target, args, newTarget) {
          if (left >= 0 && (name.endsWith("Buffer") || typeof args[0] === "number")) {
            if (left === 0) {
              refused++;
              throw new RangeError("Array buffer allocation failed");
            }
            left--;
          }
          return Reflect.construct(target, args, newTarget);
        },
      }),
    );
  }
  return {
    arm(at: number) {
      left = at;
      refused = 0;
    },
    disarm() {
      left = -1;
    },
    get refused() {
      return refused;
    },
  };
}

/**
 * Refuses, while `on`, every engine allocation the core makes: slabs
 * (ArrayBuffer, SharedArrayBuffer) and typed arrays made by length
 * (Uint8Array, Int32Array), which allocate their own buffer without calling
 * the global ArrayBuffer constructor (refcount bytes, free list, page-table
 * arena, overflow table, TLBs). Undo with `vi.unstubAllGlobals()`.
 */
export function refusingAll(): { on: boolean; readonly refused: number } {
  const all = (["ArrayBuffer", "SharedArrayBuffer", "Uint8Array", "Int32Array"] as const).map(refusing);
  return {
    set on(on: boolean) {
      for (const r of all) r.on = on;
    },
    get on() {
      return all[0]?.on ?? false;
    },
    get refused() {
      return all.reduce((n, r) => n + r.refused, 0);
    },
  };
}
