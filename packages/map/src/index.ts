/**
 * @pagefork/map: copy-on-write Map and Set.
 *
 * @packageDocumentation
 */
export {};
