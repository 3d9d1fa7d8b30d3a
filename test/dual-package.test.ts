/**
 * The dual-package hazard: a program that loads a package's ESM build and
 * its CJS build (an ESM app using a CJS library, say) has two copies of every
 * class. Objects made by one copy must be accepted by the other: the library
 * checks brands (registered symbols, see brand.ts in @pagefork/core), not
 * `instanceof`.
 *
 * The packages are bundled here as `pnpm build` bundles them (tsup, ESM and
 * CJS, @pagefork/* left external), laid out in a node_modules folder with
 * their package.json `exports` (import -> ESM, require -> CJS), and a plain
 * Node process (not vitest's module loader) loads both builds and passes
 * objects between them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = ["core", "string", "array", "map", "state"] as const;

let work = "";

/** Bundles `pkg` into `work/node_modules/@pagefork/pkg/dist` with its package.json (minus the "source" condition). */
async function bundle(pkg: string): Promise<void> {
  const dir = join(work, "node_modules", "@pagefork", pkg);
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8"));
  for (const entry of Object.values(manifest.exports as Record<string, unknown>))
    if (typeof entry === "object" && entry !== null) delete (entry as Record<string, unknown>).source;
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
  await build({
    entry: { index: join(root, "packages", pkg, "src/index.ts") },
    format: ["esm", "cjs"],
    outDir: join(dir, "dist"),
    target: "es2022",
    keepNames: true, // as the packages' tsup.config.ts
    dts: false,
    silent: true,
    config: false,
    external: [/^@pagefork\//, "msgpackr"],
    tsconfig: join(root, "tsconfig.base.json"),
  });
}

/** Runs `script` (an ES module) with plain Node in `work`; returns what it prints, parsed. */
function runNode(script: string): unknown {
  const file = join(work, "script.mjs");
  writeFileSync(file, script);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: work, encoding: "utf8" }));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pagefork-dual-"));
  for (const pkg of PACKAGES) await bundle(pkg);
  // The map's own dependency, where Node looks for it from the bundle.
  symlinkSync(join(root, "packages/map/node_modules/msgpackr"), join(work, "node_modules", "msgpackr"), "dir");
}, 120_000);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

/** The script's prelude: both builds of every package, as `esm.core`, `cjs.array`... */
const PRELUDE = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const esm = {}, cjs = {};
for (const p of ${JSON.stringify(PACKAGES)}) {
  esm[p] = await import("@pagefork/" + p);
  cjs[p] = require("@pagefork/" + p);
}
const out = {};
const attempt = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "threw " + e.name + ": " + e.message; } };
`;

describe("objects of one build are accepted by the other (ESM <-> CJS)", () => {
  it("the two builds really are two copies", () => {
    const r = runNode(`${PRELUDE}
out.distinct = esm.core.FramePool !== cjs.core.FramePool && esm.array.CowFloat64Array !== cjs.array.CowFloat64Array;
out.instanceofFails = !(new esm.core.FramePool() instanceof cjs.core.FramePool);
console.log(JSON.stringify(out));`);
    expect(r).toEqual({ distinct: true, instanceofFails: true });
  });

  it("every exported class and function keeps its name in both builds (errors and inspect print it)", () => {
    const r = runNode(`${PRELUDE}
const renamed = [];
for (const [build, pkgs] of [["esm", esm], ["cjs", cjs]])
  for (const [p, m] of Object.entries(pkgs))
    for (const [k, v] of Object.entries(m))
      if (typeof v === "function" && v.name !== k) renamed.push(build + " " + p + "." + k + ": " + v.name);
const a = new esm.array.CowFloat64Array(1);
attempt("message", () => a.address);
out.renamed = renamed;
console.log(JSON.stringify(out));`) as { renamed: string[]; message: string };
    // esbuild turns a class that refers to itself into \`var X = class _X\`: "_X" without keepNames.
    expect(r.renamed).toEqual([]);
    expect(r.message).toContain('"standalone CowFloat64Array"');
  });

  it("an ESM FramePool in a CJS CowFloat64Array, an ESM Heap for a CJS CowText, a CJS pool for an ESM CowMap", () => {
    const r = runNode(`${PRELUDE}
const pool = new esm.core.FramePool({ pageSize: 256 });
attempt("array", () => {
  const a = cjs.array.CowFloat64Array.from([1, 2, 3], { pool });
  const b = a.fork();
  b.set(0, 9);
  const r = [a.get(0), b.get(0), a.pageSize, pool.framesInUse > 0];
  a.release(); b.release();
  return r;
});
attempt("vector", () => {
  const v = cjs.array.CowVector.from(Float64Array, [1, 2], { pool });
  v.push(3);
  const r = [...v];
  v.release();
  return r;
});
attempt("text", () => {
  const space = new esm.core.AddressSpace({ size: 2 ** 30, pageSize: 256 });
  const heap = esm.core.Heap.create(space, { base: 256 });
  const t = cjs.string.CowText.create(heap, "hello");
  const again = cjs.string.CowText.attach(heap, t.address);
  again.insert(5, ", world");
  const r = again.toString();
  space.release();
  return r;
});
attempt("heapOfOtherSpace", () => {
  const space = new esm.core.AddressSpace({ size: 1 << 20, pageSize: 256 });
  const heap = cjs.core.Heap.create(space, { base: 256 }); // a CJS Heap in an ESM space
  const p = heap.malloc(16);
  space.release();
  return p > 0;
});
attempt("map", () => {
  const cjsPool = new cjs.core.FramePool({ pageSize: 256 });
  const m = new esm.map.CowMap([["a", 1]], { pool: cjsPool });
  const f = m.fork();
  f.set("b", { deep: [1] });
  const r = [m.size, f.size, f.get("b")];
  m.release(); f.release();
  return [...r, cjsPool.framesInUse];
});
attempt("embeddedMap", () => {
  const space = new cjs.core.AddressSpace({ size: 2 ** 32, pageSize: 256 });
  const m = esm.map.CowMap.create(cjs.core.Heap.create(space, { base: 256 }), [["k", 2]]);
  const r = m.get("k");
  space.release();
  return r;
});
attempt("arraySource", () => {
  const src = esm.array.CowFloat64Array.of(4, 5);
  const dst = new cjs.array.CowFloat64Array(3);
  dst.set(src, 1);
  const copy = cjs.array.CowFloat64Array.from(src);
  const v = cjs.array.CowVector.of(Float64Array);
  v.extend(src);
  const r = [[...dst], [...copy], [...v]];
  for (const x of [src, dst, copy, v]) x.release();
  return r;
});
out.leak = pool.framesInUse;
console.log(JSON.stringify(out));`);
    expect(r).toEqual({
      array: [1, 9, 256, true],
      vector: [1, 2, 3],
      text: "hello, world",
      heapOfOtherSpace: true,
      map: [1, 2, { deep: [1] }, 0],
      embeddedMap: 2,
      arraySource: [
        [0, 4, 5],
        [4, 5],
        [4, 5],
      ],
      leak: 0,
    });
  });

  it("errors thrown by one copy are instances of the other copy's classes; other values are not", () => {
    const r = runNode(`${PRELUDE}
const pool = new esm.core.FramePool({ pageSize: 256, maxBytes: 512 });
let oom;
try { cjs.array.CowFloat64Array.from(new Float64Array(1000), { pool }); } catch (e) { oom = e; }
const released = new esm.core.AddressSpace({ size: 256 });
released.release();
let rel;
try { released.getUint8(0); } catch (e) { rel = e; }
class Mine extends cjs.core.OutOfMemoryError {}
out.errors = [
  oom instanceof cjs.core.OutOfMemoryError,
  oom instanceof esm.core.OutOfMemoryError,
  rel instanceof cjs.core.ReleasedError,
  rel instanceof cjs.core.OutOfMemoryError,
  oom instanceof Mine, // a subclass still needs its own prototype chain
  new Error("x") instanceof cjs.core.ReleasedError,
  pool.framesInUse,
];
out.brands = [
  cjs.core.isFramePool(new esm.core.FramePool()),
  esm.core.isAddressSpace(new cjs.core.AddressSpace({ size: 256 })),
  cjs.core.isHeap({}),
  cjs.core.isFramePool(Object.create(null)),
];
let keyType, clone;
try { new esm.map.CowSet().add({}); } catch (e) { keyType = e; }
try { new esm.map.CowMap().set("f", () => 1); } catch (e) { clone = e; }
let schema;
try { esm.state.createState(esm.state.t.struct({ n: esm.state.t.f64 }), { n: "x" }); } catch (e) { schema = e; }
out.stateErrors = [schema instanceof cjs.state.SchemaError, schema instanceof cjs.state.DraftError, schema.path];
out.mapErrors = [
  keyType instanceof cjs.map.KeyTypeError,
  keyType instanceof TypeError,
  clone instanceof cjs.map.DataCloneError,
  clone instanceof cjs.map.KeyTypeError,
  new TypeError("x") instanceof cjs.map.KeyTypeError,
];
attempt("refused", () => new cjs.array.CowFloat64Array(2, { pool: { pageSize: 256 } }));
console.log(JSON.stringify(out));`);
    expect(r).toEqual({
      errors: [true, true, true, false, false, false, 0],
      brands: [true, true, false, false],
      mapErrors: [true, true, true, false, false],
      stateErrors: [true, false, ["n"]],
      refused: expect.stringMatching(/^threw InvalidArgumentError: invalid pool/),
    });
  });
});
