/**
 * Coming from Immer: the same application state and the same recipe, run
 * with Immer and with pagefork, keeping every version (an undo history).
 * Prints time and memory per version for both, checks that both give the
 * same state, and shows pagefork's patches and store.
 *
 * Run: `pnpm --filter @pagefork/example-app-state start [--todos 100000] [--versions 1000] [--json]`
 * (after `pnpm build`). Exit code 0 when every check passes.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FramePool } from "@pagefork/core";
import { createStore, produce, produceWithPatches } from "@pagefork/state";
import { Command, InvalidArgumentError } from "commander";
import {
  App,
  type AppState,
  type Edit,
  immerEdit,
  immerProduce,
  initialData,
  type PlainApp,
  pageforkEdit,
  pageforkState,
} from "./app.js";

interface Options {
  todos: number;
  versions: number;
  docChars: number;
  immerVersions: number;
  json: boolean;
}

/** What a run measured and checked. */
export interface Report {
  todos: number;
  versions: number;
  docChars: number;
  immer: { versions: number; usPerVersion: number; bytesPerVersion: number };
  /**
   * Bytes per version: `bytesPerVersion` = `libraryBytesPerVersion` (frames, page-table nodes and
   * frame metadata in use, from the pool's counters) + `heapBytesPerVersion` (JS heap after a full
   * GC). `reservedBytesPerVersion` is the growth of the pool's slabs (reserved, in use or not).
   */
  pagefork: {
    versions: number;
    usPerVersion: number;
    bytesPerVersion: number;
    framesBytesPerVersion: number;
    libraryBytesPerVersion: number;
    heapBytesPerVersion: number;
    reservedBytesPerVersion: number;
  };
  samePlainData: boolean;
  patchesOfOneEdit: unknown[];
  undoRestores: boolean;
  framesReturned: boolean;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

function parse(argv: readonly string[]): Options {
  const o = new Command()
    .name("app-state")
    .option("--todos <n>", "todo records in the state", positive, 100_000)
    .option("--versions <n>", "versions to make and keep", positive, 1000)
    .option("--doc-chars <n>", "characters of the document", positive, 100_000)
    .option(
      "--immer-versions <n>",
      "versions Immer makes (each copies the 8 MB grid: 1,000 kept would need 8 GB)",
      positive,
      100,
    )
    .option("--json", "print the report as JSON", false)
    .exitOverride() // throw instead of exiting, so a caller (the test) sees the error
    .parse(argv as string[])
    .opts<Options>();
  return o;
}

/** Seeded edits (xorshift32), the same for both libraries. */
function edits(count: number, todos: number, docChars: number, seed = 0x5eed): Edit[] {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => ({
    i: Math.floor(next() * todos),
    pos: Math.floor(next() * docChars),
    ch: "abcdefghij"[Math.floor(next() * 10)] as string,
    cell: Math.floor(next() * (1 << 20)),
    value: next(),
  }));
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** JS heap and ArrayBuffer bytes after a full GC (Immer's versions are plain objects and typed arrays). */
function heldBytes(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * pagefork's memory, counted apart: the library's (frames, page tables, metadata in use: the
 * pool's counters, exact) and the JS heap after a full GC. Not `arrayBuffers`: the slabs are
 * reserved ahead and double as they grow, and the process's other ArrayBuffers (freed by the
 * Immer run before) moved that figure by megabytes either way, more than 1,000 versions hold.
 */
function pageforkBytes(pool: FramePool): { library: number; frames: number; heap: number; reserved: number } {
  collect();
  const p = pool.stats();
  return {
    library: p.bytesInUse + p.pageTableBytes + p.framesInUse * p.metadataBytesPerFrame,
    frames: p.bytesInUse,
    heap: process.memoryUsage().heapUsed,
    reserved: p.bytesReserved,
  };
}

/** Runs the example with `argv`; returns the report. */
export function run(argv: readonly string[]): Report {
  const o = parse(argv);
  const es = edits(o.versions, o.todos, o.docChars);

  // Immer: every version kept (fewer of them: each one holds a copy of the grid)
  const immerEs = es.slice(0, Math.min(o.immerVersions, es.length));
  const immerVersions: PlainApp[] = [initialData(o.todos, o.docChars)];
  const m0 = heldBytes();
  let t = performance.now();
  for (const e of immerEs)
    immerVersions.push(immerProduce(immerVersions[immerVersions.length - 1]!, (d) => immerEdit(d, e)));
  const immerUs = ((performance.now() - t) * 1000) / immerEs.length;
  const immerBytes = (heldBytes() - m0) / immerEs.length;
  const immerLast = immerVersions[immerVersions.length - 1]!;
  immerVersions.length = 0;

  // pagefork: the same recipe on a draft
  const s0 = pageforkState(o.todos, o.docChars);
  const pool = s0.space.pool;
  const versions: AppState[] = [s0];
  const m1 = pageforkBytes(pool);
  t = performance.now();
  for (const e of es) versions.push(produce(versions[versions.length - 1]!, (d) => pageforkEdit(d, e)));
  const pageforkUs = ((performance.now() - t) * 1000) / es.length;
  const m2 = pageforkBytes(pool);
  const perVersion = (k: keyof typeof m1) => (m2[k] - m1[k]) / es.length;
  const last = versions[immerEs.length]!; // the version Immer's last one must equal

  const ours = last.toJSON() as { todos: unknown[]; doc: string; grid: number[] };
  const samePlainData =
    ours.doc === immerLast.doc &&
    JSON.stringify(ours.todos) ===
      JSON.stringify(immerLast.todos.map((x) => ({ id: x.id, title: x.title, done: x.done, tags: [...x.tags] }))) &&
    immerEs.every((e) => last.root.grid[e.cell] === immerLast.grid[e.cell]);

  const [withPatches, patches] = produceWithPatches(s0, (d) => pageforkEdit(d, es[0] as Edit));
  withPatches.release();
  for (const v of versions) v.release();
  const framesReturned = pool.framesInUse === 0;

  // a store: undo restores the previous version
  const store = createStore(App, initialData(100, 1000));
  const edit = { ...(es[0] as Edit), i: (es[0] as Edit).i % 100 };
  store.setState((d) => pageforkEdit(d, edit));
  const toggled = store.getState().root.todos[edit.i]?.done === true;
  store.undo();
  const undoRestores = toggled && store.getState().root.todos[edit.i]?.done === false && !store.canUndo;
  store.release();

  return {
    todos: o.todos,
    versions: o.versions,
    docChars: o.docChars,
    immer: { versions: immerEs.length, usPerVersion: immerUs, bytesPerVersion: immerBytes },
    pagefork: {
      versions: es.length,
      usPerVersion: pageforkUs,
      bytesPerVersion: perVersion("library") + perVersion("heap"),
      framesBytesPerVersion: perVersion("frames"),
      libraryBytesPerVersion: perVersion("library"),
      heapBytesPerVersion: perVersion("heap"),
      reservedBytesPerVersion: perVersion("reserved"),
    },
    samePlainData,
    patchesOfOneEdit: patches.map((p) => ({ ...p, path: p.path.join("/") })),
    undoRestores,
    framesReturned,
  };
}

/** True when every check passed. */
export function passed(r: Report): boolean {
  return r.samePlainData && r.undoRestores && r.framesReturned;
}

function kib(b: number): string {
  return `${(b / 1024).toFixed(2)} KiB`;
}

/** The human report. */
export function formatReport(r: Report): string {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(0)}x`;
  return [
    `Application state: ${r.todos.toLocaleString("en")} todos, a ${r.docChars.toLocaleString("en")}-character document, a 1M-cell grid; every version kept (Immer ${r.immer.versions}, pagefork ${r.pagefork.versions})`,
    "",
    "                     time / version   memory / version",
    `  Immer              ${`${r.immer.usPerVersion.toFixed(1)} µs`.padEnd(17)}${kib(r.immer.bytesPerVersion)}`,
    `  pagefork           ${`${r.pagefork.usPerVersion.toFixed(1)} µs`.padEnd(17)}${kib(r.pagefork.bytesPerVersion)} (frames ${kib(r.pagefork.framesBytesPerVersion)}, page tables and metadata ${kib(r.pagefork.libraryBytesPerVersion - r.pagefork.framesBytesPerVersion)}, JS heap ${kib(r.pagefork.heapBytesPerVersion)}; slabs reserved +${kib(r.pagefork.reservedBytesPerVersion)})`,
    `  Immer ÷ pagefork   ${ratio(r.immer.usPerVersion, r.pagefork.usPerVersion).padEnd(17)}${ratio(r.immer.bytesPerVersion, r.pagefork.bytesPerVersion)}`,
    "",
    `Patches of one edit: ${JSON.stringify(r.patchesOfOneEdit)}`,
    "",
    `checks: same data as Immer ${r.samePlainData ? "ok" : "FAILED"}, store undo ${r.undoRestores ? "ok" : "FAILED"}, every frame returned ${r.framesReturned ? "ok" : "FAILED"}`,
  ].join("\n");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const report = run(process.argv);
  console.log(parse(process.argv).json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exitCode = passed(report) ? 0 : 1;
}
