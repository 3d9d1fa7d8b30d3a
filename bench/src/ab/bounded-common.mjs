// Not a workload: what bounded-inproc.mjs and bounded-case.mjs share, so the
// in-process A/B and the one-build case time the same thing: one build's
// packages, the W1b/W5b seeded random inputs, and the History under test.
import { pathToFileURL } from "node:url";

/** The seed of W1b's or W5b's indices (its values use seed + 1). */
export const seedOf = (which) => (which === "W5b" ? 0x5eed5b : 0x5eed1b);

/** The core, array and (for W5b) map packages built in `dir` (a checkout with dist). */
export async function loadBuild(dir, which) {
  const load = (p) => import(pathToFileURL(`${dir}/packages/${p}/dist/index.js`).href);
  return { core: await load("core"), array: await load("array"), map: which === "W5b" ? await load("map") : null };
}

function xorshift(seed) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** `count` indices in [0, bound), seeded. */
export function randomIndices(count, bound, seed) {
  const r = xorshift(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = r() % bound;
  return out;
}

/** `count` doubles in [0.5, 1500.5), seeded. */
export function randomDoubles(count, seed) {
  const r = xorshift(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = r() / 4294967.296 + 0.5;
  return out;
}

/**
 * A fresh History of 100 versions over W1b's CowFloat64Array of `n` elements
 * or W5b's CowMap of `n` keys ("item-<i>"), in a pool of its own.
 */
export function buildHistory({ core, array, map }, which, n) {
  if (which === "W5b") {
    const pool = new core.FramePool({ pageSize: map.MAP_PAGE_SIZE });
    function* entries() {
      for (let i = 0; i < n; i++) yield [`item-${i}`, i + 0.5];
    }
    return new core.History(map.CowMap.from(entries(), { pool }), { maxVersions: 100 });
  }
  const pool = new core.FramePool({ pageSize: array.arrayPageSizeFor(n * 8) });
  const a = new array.CowFloat64Array(n, { pool });
  const init = new Float64Array(n);
  for (let i = 0; i < n; i++) init[i] = i * 0.5 + 0.25;
  a.set(init);
  return new core.History(a, { maxVersions: 100 });
}
