/**
 * W11: incremental persistence. A 1 GiB state (`--quick`: 16 MiB) is saved
 * once, then saved again after each of 1,000 edits that change one page:
 * pagefork's LMDB store (`@pagefork/persist`) writes the changed page and
 * the page-table nodes on its path; the peers write the whole state each
 * time (`fs.writeFile` of the buffer, or of its `v8.serialize` image).
 * Then the last version is loaded back (read from the file, for the peers).
 *
 * @module
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { AddressSpace, FramePool } from "@pagefork/core";
import { openStore } from "@pagefork/persist";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import { GiB, MiB, sizeLabel } from "../format.js";
import { nowNs, randomIndices } from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { sampleStats } from "../stats.js";
import { ratioHeadline } from "../summary.js";
import { check, makeCase, numParam } from "./cases.js";

const SEED = 0x5eed11;
const PAGE = 4096;
/** Saves after the first: pagefork makes all; the peers as many as fit in the time budget (at least 3). */
const SAVES = 1000;
const PEER_SECONDS = { full: 20, quick: 2 };
const PEER_MIN = 3;

const METRICS: MetricDef[] = [
  { key: "saveMs", label: "incremental save (p50)", unit: "ms", ratio: true },
  { key: "saveP99Ms", label: "incremental save (p99)", unit: "ms", ratio: true },
  { key: "bytesPerSave", label: "bytes written per save", unit: "bytes", ratio: true },
  { key: "pagesPerSave", label: "pages + nodes written per save (max)", unit: "count", ratio: false },
  { key: "firstSaveMs", label: "first save", unit: "ms", ratio: true },
  { key: "loadMs", label: "load the last version", unit: "ms", ratio: true },
];

const VARIANTS = [
  {
    variant: "pagefork-persist",
    library: "pagefork",
    label: "pagefork store.save() (LMDB, fsync per commit)",
    short: "pagefork",
  },
  {
    variant: "pagefork-persist-nosync",
    library: "pagefork",
    label: "pagefork store.save() (LMDB, { sync: false })",
    short: "pagefork no-sync",
  },
  { variant: "writefile", library: "native", label: "fs.writeFile(whole buffer)", short: "writeFile" },
  { variant: "v8-serialize", library: "native", label: "fs.writeFile(v8.serialize(buffer))", short: "v8.serialize" },
];

/** The state's initial bytes: every page distinct (its index in its first 8 bytes), the rest pseudo-random. */
function fillChunk(chunk: Uint8Array, firstPage: number, seed: number): void {
  const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let x = seed | 1;
  for (let i = 0; i + 4 <= chunk.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v.setUint32(i, x >>> 0, true);
  }
  for (let p = 0; p * PAGE < chunk.length; p++) v.setFloat64(p * PAGE, firstPage + p, true);
}

async function runPagefork(ctx: RunContext, bytes: number, sync: boolean): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-w11-"));
  try {
    const pool = new FramePool({ pageSize: PAGE });
    let space = new AddressSpace({ size: bytes, pool });
    const chunk = new Uint8Array(MiB);
    ctx.progress(`filling ${sizeLabel(bytes)}`);
    for (let a = 0; a < bytes; a += MiB) {
      fillChunk(chunk, a / PAGE, SEED + a / MiB);
      space.write(a, chunk);
    }
    const store = openStore(dir, { sync });
    ctx.progress("first save");
    let t = nowNs();
    const first = await store.save("state", space);
    const firstSaveMs = (nowNs() - t) / 1e6;
    check(first.pages === bytes / PAGE, "the first save holds every page");
    const pages = randomIndices(bytes / PAGE, SAVES, SEED);
    const times: number[] = [];
    let written = 0;
    let maxBlobs = 0;
    ctx.progress(`${SAVES} incremental saves`);
    for (let i = 0; i < SAVES; i++) {
      const next = space.fork();
      next.setFloat64((pages[i] as number) * PAGE + 8, i + 0.5);
      t = nowNs();
      const r = await store.save("state", next);
      times.push(nowNs() - t);
      written += r.bytesWritten;
      maxBlobs = Math.max(maxBlobs, r.pagesWritten + r.nodesWritten);
      check(r.pagesHashed === 1, `save ${i} hashed only the changed page`);
      space.release();
      space = next;
    }
    const fileBytes = statSync(join(dir, "data.mdb")).size;
    await store.close();
    ctx.progress("load");
    const reopened = openStore(dir, { sync });
    t = nowNs();
    const loaded = (await reopened.load("state", { pool })) as AddressSpace;
    const loadMs = (nowNs() - t) / 1e6;
    const lastPage = pages[SAVES - 1] as number;
    check(loaded.getFloat64(lastPage * PAGE + 8) === SAVES - 0.5, "the loaded version holds the last edit");
    check(loaded.diff(space).length === 0, "the loaded version equals the last saved one, page for page");
    loaded.release();
    space.release();
    await reopened.close();
    const st = sampleStats(times);
    return {
      metrics: {
        saveMs: st.p50 / 1e6,
        saveP99Ms: st.p99 / 1e6,
        bytesPerSave: written / SAVES,
        pagesPerSave: maxBlobs,
        firstSaveMs,
        loadMs,
      },
      samples: { saveNs: times },
      checks: ["every incremental save hashed one page", "the loaded last version equals the saved one page for page"],
      info: { saves: SAVES, fileBytes, sync },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPeer(ctx: RunContext, bytes: number, v8: boolean): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), "pagefork-w11-"));
  const file = join(dir, "state.bin");
  try {
    const state = new Uint8Array(bytes);
    ctx.progress(`filling ${sizeLabel(bytes)}`);
    for (let a = 0; a < bytes; a += MiB) fillChunk(state.subarray(a, a + MiB), a / PAGE, SEED + a / MiB);
    const view = new DataView(state.buffer);
    const save = async () => {
      const out = v8 ? serialize(state) : state;
      await writeFile(file, out);
      return out.length;
    };
    let t = nowNs();
    await save();
    const firstSaveMs = (nowNs() - t) / 1e6;
    const pages = randomIndices(bytes / PAGE, SAVES, SEED);
    const times: number[] = [];
    let written = 0;
    const limit = (ctx.quick ? PEER_SECONDS.quick : PEER_SECONDS.full) * 1e9;
    const start = nowNs();
    let i = 0;
    ctx.progress("incremental saves (whole state each)");
    for (; i < SAVES; i++) {
      if (i >= PEER_MIN && nowNs() - start > limit) break;
      view.setFloat64((pages[i] as number) * PAGE + 8, i + 0.5, true);
      t = nowNs();
      written += await save();
      times.push(nowNs() - t);
    }
    t = nowNs();
    const raw = await readFile(file);
    const back = v8 ? (deserialize(raw) as Uint8Array) : new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    const loadMs = (nowNs() - t) / 1e6;
    const last = pages[i - 1] as number;
    check(
      new DataView(back.buffer, back.byteOffset).getFloat64(last * PAGE + 8, true) === i - 0.5,
      "the file holds the last edit",
    );
    const st = sampleStats(times);
    return {
      metrics: {
        saveMs: st.p50 / 1e6,
        saveP99Ms: st.p99 / 1e6,
        bytesPerSave: written / i,
        pagesPerSave: Math.ceil(bytes / PAGE),
        firstSaveMs,
        loadMs,
      },
      samples: { saveNs: times },
      checks: ["the file read back holds the last edit"],
      info: { saves: i },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const variants: Record<string, VariantRunner> = {
  "pagefork-persist": (ctx) => runPagefork(ctx, numParam(ctx.params, "bytes"), true),
  "pagefork-persist-nosync": (ctx) => runPagefork(ctx, numParam(ctx.params, "bytes"), false),
  writefile: (ctx) => runPeer(ctx, numParam(ctx.params, "bytes"), false),
  "v8-serialize": (ctx) => runPeer(ctx, numParam(ctx.params, "bytes"), true),
};

export const spec: WorkloadSpec = {
  id: "W11",
  title: "Incremental persistence",
  groupLabel: "state",
  method:
    "A state of 1 GiB (`--quick`: 16 MiB) in 4 KiB pages, every page distinct, is saved once; then each of " +
    `${SAVES.toLocaleString("en-US")} edits changes 8 bytes of one random page and the state is saved again. ` +
    "pagefork: an AddressSpace forked per edit and `store.save(name, version)` of `@pagefork/persist` (LMDB; " +
    "with an fsync per commit, and with `{ sync: false }`), which writes the changed page and the page-table " +
    "nodes on its path; peers: the whole buffer with `fs.writeFile`, or its `v8.serialize` image, as many " +
    `saves as fit in ${PEER_SECONDS.full} s (at least ${PEER_MIN}). **save** times the save call alone; ` +
    "**bytes written** counts the blobs a save writes (pages and nodes; LMDB's own page overhead not " +
    "included) or the file written; **pages + nodes** is the most one save wrote (target: at most 4 and " +
    "the record). **load** reads the last version back (pagefork: `store.load` with every page checked " +
    "against its SHA-256; peers: `fs.readFile`, and `v8.deserialize`).",
  metrics: METRICS,
  cases(config) {
    const bytes = config.quick ? 16 * MiB : GiB;
    const out: CaseSpec[] = VARIANTS.map((v) =>
      makeCase("W11", config.quick, {
        ...v,
        group: sizeLabel(bytes),
        params: { bytes },
        baseline: v.variant === "pagefork-persist",
        heapMiB: 6144,
        timeoutSeconds: 600,
      }),
    );
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w11-persist.svg",
        title: "W11: time per save after a one-page edit",
        spec: groupedBarChart({
          title: "W11: save after a one-page edit (log scale; lower is better)",
          xTitle: "",
          yTitle: "ms per save",
          points: [
            ...pointsOf(cases, "saveMs", () => "save (p50)", 1),
            ...pointsOf(cases, "loadMs", () => "load last version", 1),
          ],
        }),
      },
    ];
  },
  headline(cases) {
    const g = cases[0]?.spec.group;
    if (g === undefined) return [];
    return [
      ratioHeadline("W11", cases, g, METRICS[0] as MetricDef, `W11 save after a one-page edit, ${g} state`),
    ].filter((r) => r !== undefined);
  },
};
