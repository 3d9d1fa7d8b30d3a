import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CowFloat64Array } from "@pagefork/array";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import { createState, produce, t } from "@pagefork/state";
import { CowText } from "@pagefork/string";
import { expect, it } from "vitest";
import { openStore } from "../src/index.js";

it("smoke", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pf-"));
  const store = openStore(dir, { sync: false });
  const pool = new FramePool({ pageSize: 4096 });
  const a = new AddressSpace({ size: 1 << 24, pool });
  for (let i = 0; i < 100; i++) a.setFloat64(i * 4096, i + 1);
  const r1 = await store.save("a", a);
  console.log(r1);
  const b = a.fork();
  for (let i = 0; i < 10; i++) b.setFloat64(i * 4096 * 7 + 8, 99);
  const r2 = await store.save("a", b);
  console.log(r2, store.stats());
  const c = (await store.load("a", { pool })) as AddressSpace;
  expect(c.diff(b)).toEqual([]);
  const arr = new CowFloat64Array(5000, { pool });
  arr.set(4999, 2.5);
  await store.save("arr", arr.subarray(10, 5000));
  const arr2 = (await store.load("arr", { pool })) as CowFloat64Array;
  expect(arr2.length).toBe(4990);
  expect(arr2.get(4989)).toBe(2.5);
  const tp = new FramePool({ pageSize: 256 });
  let text = CowText.from("hello world", { pool: tp });
  const h = new History(text);
  for (let i = 0; i < 50; i++) {
    text = text.fork();
    text.insert(5, `-${i}`);
    h.commit(text);
  }
  h.undo();
  h.undo();
  console.log(await store.saveHistory("h", h));
  const h2 = (await store.loadHistory("h", { pool: tp })) as unknown as History<CowText>;
  expect(h2.size).toBe(51);
  expect(h2.position).toBe(48);
  for (let i = 0; i < 51; i++) expect(h2.at(i)!.toString()).toBe(h.at(i)!.toString());
  const S = t.struct({ title: t.string, n: t.list(t.f64) });
  const s0 = createState(S, { title: "x", n: [1, 2] });
  const s1 = produce(s0, (d) => {
    d.n.push(3);
  });
  await store.save("s", s1);
  const s2 = (await store.load("s", { pool: new FramePool({ pageSize: 256 }), schema: S })) as typeof s1;
  expect(s2.root.n).toEqual([1, 2, 3]);
  console.log(store.list(), store.stats());
  expect(await store.delete("h")).toBe(true);
  console.log(store.stats());
  await store.close();
});
