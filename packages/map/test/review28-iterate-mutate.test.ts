/**
 * Walks whose callback (forEach) or loop body (for-of over keys, values,
 * entries) changes the collection it walks, against a native Map and Set
 * doing the same: entries added are visited, deleted ones are not, one
 * deleted and re-added is visited again at the end, `clear` ends the walk
 * unless entries are added after it, a set of an existing key keeps its
 * place. The plans also clear, churn enough to compact the log under the
 * walk, start a nested walk and leave it, and fork the collection and
 * write to the fork (which the walk must not see). CowMap and CowSet,
 * standalone and embedded in a heap; no frame left behind at the end.
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

type K = number | string;
/** One step of a plan, run at a visit: [op, key]. */
type Step = [number, K];
const OPS = 8;
const HEAP_BASE = 256;

/** The collection surface both the native and the COW ones share here. */
interface Coll {
  size: number;
  has(k: K): boolean;
  delete(k: K): boolean;
  clear(): void;
  put(k: K, v: number): void;
  walk(how: number, visit: (k: K, v: unknown) => boolean): void;
  entries(): [K, unknown][];
  /** Starts a walk, takes one step, and abandons it. */
  peek(): void;
  /** A fork written to (native: a copy); released at once. */
  forkAndWrite(k: K): void;
}

function walkIter(it: Iterable<unknown>, how: number, visit: (k: K, v: unknown) => boolean): void {
  for (const x of it) {
    const [k, v] = how === 2 ? (x as [K, unknown]) : [x as K, x];
    if (!visit(k, v)) break;
  }
}

function nativeMap(init: [K, number][]): Coll {
  const m = new Map<K, unknown>(init);
  return {
    get size() {
      return m.size;
    },
    has: (k) => m.has(k),
    delete: (k) => m.delete(k),
    clear: () => m.clear(),
    put: (k, v) => void m.set(k, v),
    walk(how, visit) {
      if (how === 0) {
        let go = true;
        m.forEach((v, k) => {
          if (go) go = visit(k, v);
        });
      } else walkIter(how === 1 ? m.keys() : m.entries(), how === 1 ? 1 : 2, visit);
    },
    entries: () => [...m],
    peek: () => void m.keys().next(),
    forkAndWrite: (k) => void new Map(m).set(k, -1),
  };
}

function cowMap(map: CowMap<K, unknown>): Coll {
  return {
    get size() {
      return map.size;
    },
    has: (k) => map.has(k),
    delete: (k) => map.delete(k),
    clear: () => map.clear(),
    put: (k, v) => void map.set(k, v),
    walk(how, visit) {
      if (how === 0) {
        let go = true;
        map.forEach((v, k) => {
          if (go) go = visit(k, v);
        });
      } else walkIter(how === 1 ? map.keys() : map.entries(), how === 1 ? 1 : 2, visit);
    },
    entries: () => [...map],
    peek: () => void map.keys().next(),
    forkAndWrite(k) {
      forked(map, (f) => {
        f.set(k, -1);
        f.delete(f.keys().next().value as K);
      });
    },
  };
}

/** Map values for a set: the element itself, so that both shapes compare as entries. */
function nativeSet(init: [K, number][]): Coll {
  const s = new Set<K>(init.map(([k]) => k));
  return {
    get size() {
      return s.size;
    },
    has: (k) => s.has(k),
    delete: (k) => s.delete(k),
    clear: () => s.clear(),
    put: (k) => void s.add(k),
    walk(how, visit) {
      if (how === 0) {
        let go = true;
        s.forEach((v, k) => {
          if (go) go = visit(k, v);
        });
      } else walkIter(how === 1 ? s.values() : s.entries(), how === 1 ? 1 : 2, visit);
    },
    entries: () => [...s].map((k) => [k, k]),
    peek: () => void s.values().next(),
    forkAndWrite: (k) => void new Set(s).add(k),
  };
}

function cowSet(set: CowSet<K>): Coll {
  return {
    get size() {
      return set.size;
    },
    has: (k) => set.has(k),
    delete: (k) => set.delete(k),
    clear: () => set.clear(),
    put: (k) => void set.add(k),
    walk(how, visit) {
      if (how === 0) {
        let go = true;
        set.forEach((v, k) => {
          if (go) go = visit(k, v);
        });
      } else walkIter(how === 1 ? set.values() : set.entries(), how === 1 ? 1 : 2, visit);
    },
    entries: () => [...set].map((k) => [k, k]),
    peek: () => void set.values().next(),
    forkAndWrite(k) {
      forked(set, (f) => {
        f.add(k);
        f.clear();
      });
    },
  };
}

/** Runs `write` on a fork of `c`: `c.fork()`, or for an embedded one the same collection in a fork of its space. */
function forked<C extends CowMap<K, unknown> | CowSet<K>>(c: C, write: (f: C) => void): void {
  if (!c.embedded) {
    const f = c.fork() as C;
    write(f);
    f.release();
    return;
  }
  const space = c.space.fork();
  const heap = Heap.attach(space, HEAP_BASE);
  write((c instanceof CowMap ? CowMap.attach(heap, c.address) : CowSet.attach(heap, c.address)) as C);
  space.release();
}

/** Runs `plan` during a walk of `c` (op per visit, cycling); returns what the walk saw. */
function run(c: Coll, how: number, plan: Step[], churnKeys: number): [K, unknown][] {
  const seen: [K, unknown][] = [];
  let n = 0;
  c.walk(how, (k, v) => {
    seen.push([k, v]);
    if (n > 60) return false;
    const step = plan[n % Math.max(1, plan.length)];
    n++;
    if (step === undefined) return true;
    const [op, pk] = step;
    switch (op) {
      case 0:
        c.delete(pk);
        break;
      case 1:
        c.put(pk, n);
        break;
      case 2: // delete the visited one and add it again: visited again, at the end
        c.delete(k);
        c.put(k, n);
        break;
      case 3:
        c.clear();
        break;
      case 4: // churn: many entries added and deleted, so the log is compacted under the walk
        for (let i = 0; i < churnKeys; i++) c.put(`churn${i}`, i);
        for (let i = 0; i < churnKeys; i++) c.delete(`churn${i}`);
        break;
      case 5:
        c.peek();
        break;
      case 6:
        c.forkAndWrite(pk);
        break;
      default:
        c.put(k, n); // set of the visited key: keeps its place
    }
    return true;
  });
  return seen;
}

const keyArb: fc.Arbitrary<K> = fc.oneof(
  fc.integer({ min: 0, max: 9 }),
  fc.constantFrom("a", "b", "a long key that does not fit inline"),
);

describe("walking a collection that the walk changes, against native Map and Set", () => {
  for (const kind of ["map", "set"] as const) {
    for (const embedded of [false, true]) {
      it(`${kind}, ${embedded ? "embedded" : "standalone"}: same visits, same contents, no frames left`, () => {
        fc.assert(
          fc.property(
            fc.uniqueArray(fc.tuple(keyArb, fc.integer()), { selector: ([k]) => k, maxLength: 8 }),
            fc.array(fc.tuple(fc.integer({ min: 0, max: OPS - 1 }), keyArb), { maxLength: 12 }),
            fc.integer({ min: 0, max: 2 }),
            fc.integer({ min: 1, max: 40 }),
            (init, plan, how, churn) => {
              const pool = new FramePool({ pageSize: 256 });
              let space: AddressSpace | null = null;
              let cow: CowMap<K, unknown> | CowSet<K>;
              if (embedded) {
                space = new AddressSpace({ size: 2 ** 22, pool });
                const heap = Heap.create(space, { base: HEAP_BASE });
                cow =
                  kind === "map"
                    ? CowMap.create<K, unknown>(heap, init)
                    : CowSet.create<K>(
                        heap,
                        init.map(([k]) => k),
                      );
              } else {
                cow =
                  kind === "map"
                    ? CowMap.from<K, unknown>(init, { pool })
                    : new CowSet<K>(
                        init.map(([k]) => k),
                        { pool },
                      );
              }
              const real = kind === "map" ? cowMap(cow as CowMap<K, unknown>) : cowSet(cow as CowSet<K>);
              const model = kind === "map" ? nativeMap(init) : nativeSet(init);
              const a = run(real, how, plan, churn);
              const b = run(model, how, plan, churn);
              expect(a).toEqual(b);
              expect(real.entries()).toEqual(model.entries());
              expect(real.size).toBe(model.size);
              if (embedded) {
                cow.free();
                space?.release();
              } else cow.release();
              expect(pool.stats().framesInUse).toBe(0);
            },
          ),
          { numRuns: 400 },
        );
      });
    }
  }
});
