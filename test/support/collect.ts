/**
 * Test helper: runs the garbage collector from a test (`--expose-gc`,
 * switched on at run time) and waits for FinalizationRegistry callbacks,
 * which run in a later task. Used by the finalization tests of every package.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
/** A full garbage collection. */
export const gc = runInNewContext("gc") as () => void;

/** Collects garbage and yields until `done()` or `rounds` rounds of ~20 ms have passed. */
export async function collectUntil(done: () => boolean, rounds = 100): Promise<boolean> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return done();
}
