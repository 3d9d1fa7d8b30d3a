/**
 * Review 26: replays prefixes of real editing traces (data/editing-traces,
 * see its FORMAT.md) into a CowText, forking every N edits; on odd forks the
 * parent keeps editing and the fork is kept, on even ones the fork goes on,
 * so both sides of a shared finger (tree.ts LagPath) are edited. Every kept
 * version is checked against the model string it had when kept, at the end
 * and against its neighbours' pages after later edits; every frame is back
 * after releasing them all.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

type Patch = [number, number, string];
interface Trace {
  endContent: string;
  txns: { patches: Patch[] }[];
}

function load(name: string): Patch[] {
  const url = new URL(`../../../data/editing-traces/${name}.json.gz`, import.meta.url);
  const trace = JSON.parse(gunzipSync(readFileSync(url)).toString("utf8")) as Trace;
  return trace.txns.flatMap((t) => t.patches);
}

function replay(name: string, edits: number, every: number, pageSize: number): void {
  const patches = load(name).slice(0, edits);
  const pool = new FramePool({ pageSize });
  let doc = new CowText({ pool });
  let s = "";
  const kept: { text: CowText; model: string; at: number }[] = [];
  let forks = 0;
  for (let i = 0; i < patches.length; i++) {
    const [pos, del, ins] = patches[i] as Patch;
    if (del > 0) doc.delete(pos, del);
    if (ins !== "") doc.insert(pos, ins);
    s = s.slice(0, pos) + ins + s.slice(pos + del);
    if (i % every === every - 1) {
      const f = doc.fork();
      if (forks++ % 2 === 0) {
        kept.push({ text: doc, model: s, at: i });
        doc = f; // the fork goes on
      } else {
        kept.push({ text: f, model: s, at: i }); // the parent goes on
      }
      // Read the last few kept versions where the live one is typing now.
      for (const k of kept.slice(-3)) {
        const p = Math.min(pos, k.model.length);
        expect(k.text.slice(Math.max(0, p - 20), p + 20)).toBe(k.model.slice(Math.max(0, p - 20), p + 20));
        expect(k.text.charCodeAt(p)).toBe(k.model.charCodeAt(p));
      }
      // Drop a few old versions (every third), so releases interleave with edits.
      if (kept.length > 6 && forks % 3 === 0) {
        const [old] = kept.splice(kept.length - 6, 1);
        old?.text.release();
      }
    }
  }
  expect(doc.toString()).toBe(s);
  for (const k of kept) expect(k.text.toString(), `version kept after edit ${k.at}`).toBe(k.model);
  // Edit every kept version once more, at the end, then check them all again (their fingers were shared).
  for (const k of kept) {
    const p = k.model.length >> 1;
    k.text.insert(p, "§");
    k.model = `${k.model.slice(0, p)}§${k.model.slice(p)}`;
  }
  for (const k of kept) expect(k.text.toString()).toBe(k.model);
  expect(doc.toString()).toBe(s);
  doc.release();
  for (const k of kept) k.text.release();
  expect(pool.stats().framesInUse).toBe(0);
}

describe("review 26: real editing traces with forks, every kept version checked", () => {
  it("automerge-paper, first 40,000 edits, a fork every 97", () => replay("automerge-paper", 40000, 97, 256));
  it("seph-blog1, first 30,000 edits, a fork every 13, 512-byte pages", () => replay("seph-blog1", 30000, 13, 512));
  it("friendsforever_flat, first 20,000 edits, a fork every 7", () => replay("friendsforever_flat", 20000, 7, 256));
});
