/**
 * Run counts of fast-check properties, scaled for soaks (every package's tests).
 *
 * `PAGEFORK_TEST_RUNS_SCALE` (a number, default 1) multiplies every
 * property's runs that reads it, e.g.
 * `PAGEFORK_TEST_RUNS_SCALE=10 npx vitest run packages/string`.
 * `PAGEFORK_TEST_SEED` (an integer) fixes fast-check's seed for every
 * property of the run (CI leaves it unset: a random seed per property, printed
 * with any counterexample), so that a soak names the seeds it covered.
 */
import fc from "fast-check";

/** The factor on every property's runs (PAGEFORK_TEST_RUNS_SCALE, default 1). */
export const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);

if (process.env.PAGEFORK_TEST_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.PAGEFORK_TEST_SEED) });

/** `n` runs scaled by RUNS_SCALE, at least 1. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * RUNS_SCALE));
}
