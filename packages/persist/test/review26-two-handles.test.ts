/**
 * Review 26: a store's incremental save diffs against the version it saved
 * last, and assumes the store still holds that version's tree. Another handle
 * on the same directory (a second `openStore` in this process, or a process
 * after this one's saves) may have replaced or deleted it, freeing nodes the
 * tree shares; a save that assumed them failed with a CorruptionError ("a
 * page the version shares is missing") at every try, in a sound store. It
 * must save correctly instead, and the store must stay exactly counted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool } from "@pagefork/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";

const PS = 256;
let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pagefork-review26-two-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function filled(pool: FramePool, pages: number, seed: number): AddressSpace {
  const s = new AddressSpace({ size: 64 * PS, pool });
  for (let p = 0; p < pages; p++) s.fill(seed + p, p * PS, (p + 1) * PS);
  return s;
}

describe("review 26: another handle replaced or deleted what this store saved last", () => {
  it("a save of the same name after another handle replaced it: saved, loads as saved", async () => {
    const pool = new FramePool({ pageSize: PS });
    const s1 = openStore(dir, { sync: false });
    const v = filled(pool, 40, 1);
    await s1.save("a", v);
    const s2 = openStore(dir, { sync: false });
    const w = filled(pool, 1, 200);
    await s2.save("a", w); // frees the pages and nodes of v's tree
    const v2 = v.fork();
    v2.fill(77, 0, PS);
    await s1.save("a", v2);
    const back = (await s1.load("a", { pool })) as AddressSpace;
    expect([back.getUint8(0), back.getUint8(PS), back.getUint8(39 * PS)]).toEqual([77, 2, 40]);
    back.release();
    expect(s1.stats().pages).toBe(40); // page 0 changed, pages 1..39 as in v
    await s2.close();
    await s1.close();
    for (const x of [v, v2, w]) x.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a save of a new name after another handle deleted the name saved last", async () => {
    const pool = new FramePool({ pageSize: PS });
    const s1 = openStore(dir, { sync: false });
    const v = filled(pool, 30, 1);
    await s1.save("b", v);
    const s2 = openStore(dir, { sync: false });
    expect(await s2.delete("b")).toBe(true);
    const v2 = v.fork();
    v2.fill(99, 5 * PS, 6 * PS);
    await s1.save("c", v2); // a new name diffs against "b", which is gone
    const back = (await s1.load("c", { pool })) as AddressSpace;
    expect([back.getUint8(0), back.getUint8(5 * PS), back.getUint8(29 * PS)]).toEqual([1, 99, 30]);
    back.release();
    expect(s1.stats().pages).toBe(30);
    expect(await s1.delete("c")).toBe(true);
    expect(s1.stats()).toMatchObject({ pages: 0, nodes: 0, pageBytes: 0, nodeBytes: 0 });
    await s2.close();
    await s1.close();
    for (const x of [v, v2]) x.release();
    expect(pool.framesInUse).toBe(0);
  });
});
