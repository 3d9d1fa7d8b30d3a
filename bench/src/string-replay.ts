/**
 * The demo's in-run baseline: the same editing trace applied to a plain
 * JavaScript string (`s = s.slice(0, pos) + ins + s.slice(pos + del)`), forward
 * only, keeping no versions. It also sums the document length over every
 * version, which is what keeping every version as a full copy would cost
 * (counted at one byte per character, the cheapest a copy could be).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";

/** The project's copy of the trace, relative to the repository root. */
export const TRACE_IN_REPO = "data/editing-traces/automerge-paper.json.gz";
/** The shared original, relative to the repository root. */
const TRACE_SHARED = "../shared/data/editing-traces/sequential_traces/automerge-paper.json.gz";

/** A sequential trace flattened to one patch per index. */
export interface FlatTrace {
  path: string;
  startContent: string;
  endContent: string;
  pos: Int32Array;
  del: Int32Array;
  ins: string[];
  /** Number of patches (edits). */
  edits: number;
}

/** Reads the automerge-paper trace (the repository's copy, else the shared one). */
export function loadTrace(repoRoot: string): FlatTrace {
  const candidates = [join(repoRoot, TRACE_IN_REPO), resolve(repoRoot, TRACE_SHARED)];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`editing trace not found (tried ${candidates.join(", ")})`);
  const json = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as {
    startContent: string;
    endContent: string;
    txns: { patches: [number, number, string][] }[];
  };
  let edits = 0;
  for (const t of json.txns) edits += t.patches.length;
  const pos = new Int32Array(edits);
  const del = new Int32Array(edits);
  const ins: string[] = new Array<string>(edits);
  let i = 0;
  for (const t of json.txns)
    for (const [p, d, s] of t.patches) {
      pos[i] = p;
      del[i] = d;
      ins[i] = s;
      i++;
    }
  return { path, startContent: json.startContent, endContent: json.endContent, pos, del, ins, edits };
}

/** Result of one plain-string replay. */
export interface StringReplay {
  text: string;
  /** Sum over versions 0..edits of the document length in characters. */
  fullCopyChars: number;
}

/**
 * Applies the first `edits` patches to `start`. A top-level function taking
 * every input as a parameter (see read-loops.ts for why).
 */
export function replayString(
  start: string,
  pos: Int32Array,
  del: Int32Array,
  ins: readonly string[],
  edits: number,
): StringReplay {
  let s = start;
  let chars = s.length;
  for (let i = 0; i < edits; i++) {
    const p = pos[i] as number;
    s = s.slice(0, p) + (ins[i] as string) + s.slice(p + (del[i] as number));
    chars += s.length;
  }
  return { text: s, fullCopyChars: chars };
}
