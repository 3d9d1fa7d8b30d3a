/**
 * Editing traces for W4: the sequential traces of josephg/editing-traces
 * (CC BY 4.0; see data/editing-traces/README.md for authors), read from the
 * repository's copy and flattened to one typed-array slot per edit.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** The traces W4 replays, by name (files `data/editing-traces/<name>.json.gz`). */
export const TRACES = ["automerge-paper", "seph-blog1", "friendsforever_flat"] as const;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A sequential trace flattened to one edit per index. */
export interface FlatTrace {
  name: string;
  path: string;
  startContent: string;
  endContent: string;
  edits: number;
  pos: Int32Array;
  del: Int32Array;
  ins: string[];
  /**
   * `flatChars[v]`: characters in versions 0..v together (the sum of the
   * document's length over them): what keeping every version as a flat copy
   * costs, and the basis of extrapolation for variants whose cost per edit
   * grows with the document.
   */
  flatChars: Float64Array;
}

/** Where a trace lives: the repository's copy, else the shared original. */
export function tracePath(name: string): string {
  const candidates = [
    join(repoRoot, "data", "editing-traces", `${name}.json.gz`),
    resolve(repoRoot, "..", "shared", "data", "editing-traces", "sequential_traces", `${name}.json.gz`),
  ];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`editing trace ${name} not found (tried ${candidates.join(", ")})`);
  return path;
}

/** Reads and flattens a trace; checks that its patches fit the document and end at `endContent`'s length. */
export function loadTrace(name: string): FlatTrace {
  const path = tracePath(name);
  const json = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as {
    startContent?: string;
    endContent: string;
    txns: { patches: [number, number, string][] }[];
  };
  const startContent = json.startContent ?? "";
  let edits = 0;
  for (const t of json.txns) edits += t.patches.length;
  const pos = new Int32Array(edits);
  const del = new Int32Array(edits);
  const ins: string[] = new Array<string>(edits);
  const flatChars = new Float64Array(edits + 1);
  let len = startContent.length;
  flatChars[0] = len;
  let i = 0;
  for (const t of json.txns)
    for (const [p, d, s] of t.patches) {
      if (p < 0 || d < 0 || p + d > len) throw new Error(`${name}: edit ${i} [${p}, ${d}] does not fit length ${len}`);
      pos[i] = p;
      del[i] = d;
      ins[i] = s;
      len += s.length - d;
      flatChars[i + 1] = (flatChars[i] as number) + len;
      i++;
    }
  if (len !== json.endContent.length)
    throw new Error(`${name}: the edits end at length ${len}, endContent has ${json.endContent.length}`);
  return { name, path, startContent, endContent: json.endContent, edits, pos, del, ins, flatChars };
}

/** The document after the first `edits` edits, by plain string replay (the reference for checks). */
export function plainReplay(t: FlatTrace, edits: number): string {
  let s = t.startContent;
  for (let i = 0; i < edits; i++) {
    const p = t.pos[i] as number;
    s = s.slice(0, p) + (t.ins[i] as string) + s.slice(p + (t.del[i] as number));
  }
  return s;
}
