/**
 * Fast properties for a class function that the build left in dictionary
 * mode.
 *
 * The build's `keepNames` (esbuild's `__name`) redefines `name` on every
 * class that names itself, and V8 then keeps that class function's
 * properties in a dictionary. A class in dictionary mode as the target of a
 * `new` (`subarray()`, `slice()`, `map()` through `create()`, `new
 * CowFloat64Array(...)`, a fork built through the constructor) made
 * TurboFan's background compiles of the caller abort with "dependency
 * change" over and over (`--trace-opt`; `--trace-compilation-dependencies`:
 * "invalid dependency: StableMapDependency"), so the caller kept running
 * unoptimized: session 32 measured `subarray()` + `release()` ~35x,
 * `map()` ~3.7x and a small `new` ~2.9x slower than with the classes fast.
 *
 * @module
 */

/**
 * Gives `cls` fast properties again: V8 turns a class fast when it becomes a
 * superclass, so one throwaway subclass does it. Run once per class, last in
 * its static blocks (a later property added by `Object.defineProperty` may
 * put it back in dictionary mode).
 * @internal
 */
export function fastClass(cls: object): void {
  void class extends (cls as unknown as new () => object) {};
}

/** The programs' subclasses already made fast (see {@link fastSubclass}). */
const fastened = new WeakSet<object>();

/**
 * {@link fastClass} once for a program's own subclass of a Cow*Array kind,
 * which a bundler's keepNames leaves in dictionary mode as it left ours (a
 * fork of it is built by its constructor: 568 against 346 ns per fork + `set`
 * + `release` with the class in dictionary mode, session 32). Called by the
 * constructor for a subclass only; one `WeakSet` lookup after the first.
 * @internal
 */
export function fastSubclass(cls: object): void {
  if (fastened.has(cls)) return;
  fastened.add(cls);
  fastClass(cls);
}
