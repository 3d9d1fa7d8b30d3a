/**
 * A walk (forEach, or for-of over keys/values/entries) whose callback
 * releases the collection it walks (a standalone one's `release()`, an
 * embedded one's `free()` or its space's release): native Maps have no
 * release, so the contract is the package's: the walk ends with
 * ReleasedError at its next step, having visited exactly the entries before,
 * a version forked before the walk is intact, and nothing is left in the
 * pool. A callback that forks the collection, writes the fork and releases
 * it goes on walking the collection unchanged.
 */
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

const PS = 256;
const N = 30;
type Walk = "forEach" | "keys" | "values" | "entries";
const WALKS: Walk[] = ["forEach", "keys", "values", "entries"];

function walk(c: CowMap<string, number> | CowSet<string>, how: Walk, visit: () => void): void {
  if (how === "forEach")
    (c as CowMap<string, number>).forEach(() => {
      visit();
    });
  else for (const _ of (c as CowMap<string, number>)[how]()) visit();
}

describe("a walk whose callback releases the collection", () => {
  for (const kind of ["map", "set"] as const)
    for (const mode of ["standalone", "embedded free", "embedded space release"] as const)
      for (const how of WALKS)
        it(`${kind}, ${mode}, ${how}: ReleasedError at the next step; forks intact; no frame left`, () => {
          for (const at of [0, 1, N - 2, N - 1]) {
            const pool = new FramePool({ pageSize: PS });
            const entries = Array.from({ length: N }, (_, i) => [`k${i}`, i] as [string, number]);
            let c: CowMap<string, number> | CowSet<string>;
            let space: AddressSpace | null = null;
            let before: AddressSpace | CowMap<string, number> | CowSet<string>;
            if (mode === "standalone") {
              c =
                kind === "map"
                  ? new CowMap(entries, { pool })
                  : new CowSet(
                      entries.map((e) => e[0]),
                      { pool },
                    );
              before = c.fork();
            } else {
              space = new AddressSpace({ size: 2 ** 20, pool });
              const heap = Heap.create(space, { base: PS });
              c =
                kind === "map"
                  ? CowMap.create(heap, entries)
                  : CowSet.create(
                      heap,
                      entries.map((e) => e[0]),
                    );
              before = space.fork();
            }
            let visits = 0;
            let caught: unknown = null;
            try {
              walk(c, how, () => {
                if (visits++ === at) {
                  if (mode === "standalone") c.release();
                  else if (mode === "embedded free") c.free();
                  else (space as AddressSpace).release();
                }
              });
            } catch (e) {
              caught = e;
            }
            // the last entry's visit releases: the walk still asks for the next one, and throws
            expect(caught, `at ${at}`).toBeInstanceOf(ReleasedError);
            expect(visits, `at ${at}`).toBe(at + 1);
            expect(c.released).toBe(true);
            const keys =
              before instanceof AddressSpace
                ? [
                    ...(kind === "map"
                      ? CowMap.attach(Heap.attach(before, PS), c.address === -1 ? 0 : c.address).keys()
                      : CowSet.attach(Heap.attach(before, PS), c.address === -1 ? 0 : c.address)),
                  ]
                : [...before.keys()];
            expect(keys).toEqual(entries.map((e) => e[0]));
            before.release();
            if (mode === "embedded free") (space as AddressSpace).release();
            expect(pool.stats().framesInUse).toBe(0);
          }
        });

  it("a callback that forks, writes the fork and releases it walks on, unchanged", () => {
    const pool = new FramePool({ pageSize: PS });
    const m = new CowMap(
      Array.from({ length: N }, (_, i) => [`k${i}`, i] as [string, number]),
      { pool },
    );
    const seen: string[] = [];
    m.forEach((_v, k) => {
      seen.push(k);
      const f = m.fork();
      f.set(`new-${k}`, -1).delete(k);
      for (let i = 0; i < 200; i++) f.set(`grow${i}`, i); // the fork resizes and compacts
      f.release();
    });
    expect(seen).toEqual([...m.keys()]);
    expect(m.size).toBe(N);
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
