/**
 * @pagefork/array: copy-on-write typed arrays and growable vectors.
 *
 * @packageDocumentation
 */
export {};
