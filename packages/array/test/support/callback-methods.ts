/**
 * The array methods that hand each element to a user callback (ES2023
 * %TypedArray%.prototype order of the loop tests), shared by the model tests
 * whose callbacks write, shrink or release the array the loop runs over
 * (review30-stale-reads, review31-tracking-view, review32-release-in-callback);
 * each adds its own further methods (iterators, sort) after these, in a fixed
 * order, so that a seed picks the same method as before.
 */
export const CALLBACK_METHODS = [
  "forEach",
  "map",
  "filter",
  "reduce",
  "reduceRight",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "every",
  "some",
] as const;

/** One of {@link CALLBACK_METHODS}. */
export type CallbackMethod = (typeof CALLBACK_METHODS)[number];
