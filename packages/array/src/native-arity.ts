/**
 * Native method arity: a native method's `length` counts its required
 * parameters only (`fill.length` is 1), while a TypeScript method's counts
 * every parameter before the first optional-with-default or rest one as the
 * compiler emits it (`fill(value, start?, end?)` has length 3). Code that
 * inspects `length` (argument-count dispatch, conformance checks) sees the
 * native figure after this.
 *
 * @module
 */

/**
 * Sets the `length` of each method of `proto` that `native` also has as a
 * method to the native one's. Own properties of `proto` only (run it on the
 * class that defines the methods). O(methods), once per class.
 */
export function matchNativeArity(proto: object, native: object): void {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const mine = Object.getOwnPropertyDescriptor(proto, name)?.value;
    const theirs = Object.getOwnPropertyDescriptor(native, name)?.value;
    if (typeof mine === "function" && typeof theirs === "function" && mine.length !== theirs.length)
      Object.defineProperty(mine, "length", { value: theirs.length, configurable: true });
  }
}
