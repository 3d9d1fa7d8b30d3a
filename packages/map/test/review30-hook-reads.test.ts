/**
 * A map or set write near the pool's limit classifies its key and value into
 * module scratch (the probe, the pending value), then reserves frames, which
 * may run the pool's out-of-memory hook. review26 made a hook that *writes* a
 * collection refuse the waiting write; a hook that only *reads* one (`has`,
 * `get`, a `delete` of an absent key, an `add` of an element already there,
 * a `set` refused for its value) reclassified the scratch too, and the
 * waiting write then stored the hook's key (`m.set("newkey", 42)` left
 * `"hookkey" => 42` and no "newkey") or the hook's value. Each call must
 * complete with its own key and value (a read changes nothing the call
 * planned), and leak nothing.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { type CowKey, CowMap, CowSet, DataCloneError } from "@pagefork/map";
import { expect, it } from "vitest";

const PS = 256;
const LONG = "y".repeat(300);

type Read = (o: {
  other: CowMap<string, unknown>;
  otherSet: CowSet<CowKey>;
  m: CowMap<string, unknown> | null;
}) => void;

/** What the hook does: reads only (whatever they classify, nothing is written). */
const READS: [string, Read][] = [
  ["other.has", ({ other }) => other.has("hookkey")],
  ["other.get of a blob", ({ other }) => other.get("blob")],
  ["other.get of a number key", ({ other }) => other.get(12345 as unknown as string)],
  ["other.delete of an absent key", ({ other }) => other.delete("absent")],
  ["otherSet.add of a present element", ({ otherSet }) => otherSet.add(7n)],
  ["otherSet.has of a long string", ({ otherSet }) => otherSet.has("z".repeat(40))],
  ["same map get", ({ m }) => m?.get("key1")],
  [
    "other.set refused for its value",
    ({ other }) => {
      try {
        other.set("bad", Symbol("no"));
      } catch (e) {
        if (!(e instanceof DataCloneError)) throw e;
      }
    },
  ],
  [
    "other.set refused for its value object",
    ({ other }) => {
      try {
        other.set("bad", { f: () => 1 });
      } catch (e) {
        if (!(e instanceof DataCloneError)) throw e;
      }
    },
  ],
];

type Op = [string, (m: CowMap<string, unknown>) => unknown, (m: Map<string, unknown>) => unknown];
const OPS: Op[] = [
  ["set a new key", (m) => m.set("newkey", 42), (m) => m.set("newkey", 42)],
  ["set a new key, long value", (m) => m.set("newkey", LONG), (m) => m.set("newkey", LONG)],
  ["set a new key, object value", (m) => m.set("newkey", { a: [1, 2] }), (m) => m.set("newkey", { a: [1, 2] })],
  ["set an existing key, long value", (m) => m.set("key3", LONG), (m) => m.set("key3", LONG)],
  ["set an existing key, short value", (m) => m.set("key2", 7), (m) => m.set("key2", 7)],
];

function contents(m: CowMap<string, unknown>): string {
  return JSON.stringify([...m.entries()]);
}

it("a map write whose out-of-memory hook only reads collections writes its own key and value", () => {
  const bad: string[] = [];
  let ran = 0;
  for (const embedded of [false, true])
    for (const [readName, read] of READS)
      for (const [opName, op, model] of OPS)
        for (const size of [5, 14, 30])
          for (let left = 0; left <= 8; left += 2) {
            let armed = false;
            const box: {
              m: CowMap<string, unknown> | null;
              fill: AddressSpace | null;
              other: CowMap<string, unknown> | null;
              otherSet: CowSet<CowKey> | null;
            } = { m: null, fill: null, other: null, otherSet: null };
            const pool = new FramePool({
              pageSize: PS,
              maxBytes: 96 * PS,
              onOutOfMemory: () => {
                if (!armed) return;
                armed = false;
                read({
                  other: box.other as CowMap<string, unknown>,
                  otherSet: box.otherSet as CowSet<CowKey>,
                  m: box.m,
                });
                box.fill?.release(); // now the call can go on
                box.fill = null;
                ran++;
              },
            });
            const init = new Map<string, unknown>();
            for (let i = 0; i < size; i++) init.set(`key${i}`, i % 2 ? `v${i}`.repeat(1 + (i % 5)) : i);
            let space: AddressSpace | null = null;
            let m: CowMap<string, unknown>;
            if (embedded) {
              space = new AddressSpace({ size: 256 * PS, pool });
              m = CowMap.create<string, unknown>(Heap.create(space, { base: PS }), init);
            } else m = new CowMap<string, unknown>(init, { pool });
            box.m = m;
            box.other = new CowMap<string | number, unknown>(
              [
                ["hookkey", 1],
                ["blob", { deep: ["x".repeat(50)] }],
                [12345, "n"],
              ],
              { pool },
            ) as CowMap<string, unknown>;
            box.otherSet = new CowSet<CowKey>([7n, "z".repeat(40)], { pool });
            const fill = new AddressSpace({ size: 128 * PS, pool });
            for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
            box.fill = fill;
            armed = true;
            const exp = new Map(init);
            let caught: unknown = null;
            try {
              op(m);
            } catch (e) {
              caught = e;
            }
            armed = false;
            if (caught === null) model(exp);
            const tag = `${embedded ? "embedded" : "standalone"}/${readName}/${opName}/${size}/${left}`;
            let got: string;
            try {
              got = contents(m);
            } catch (e) {
              got = `<${e}>`;
            }
            if (caught !== null && !(caught instanceof OutOfMemoryError)) bad.push(`${tag}: threw ${caught}`);
            else if (got !== JSON.stringify([...exp.entries()])) bad.push(`${tag}: ${got.slice(-160)}`);
            if (embedded) {
              heapCheck(m, bad, tag);
              (space as AddressSpace).release();
            } else m.release();
            box.other.release();
            box.otherSet.release();
            box.fill?.release();
            if (pool.stats().framesInUse !== 0) bad.push(`${tag}: leak`);
          }
  console.log([...new Set(bad.map((b) => b.split(": ")[0].split("/").slice(0, 3).join("/")))].join("\n"));
  expect(ran).toBeGreaterThan(200); // the hook ran
  expect(bad.slice(0, 5)).toEqual([]);
});

it("a set add whose out-of-memory hook only reads collections adds its own element", () => {
  const bad: string[] = [];
  let ran = 0;
  for (const embedded of [false, true])
    for (const [readName, read] of READS)
      for (const elem of ["fresh", "a much longer fresh element", 99, -0, 2n ** 70n] as CowKey[])
        for (let left = 0; left <= 8; left += 2) {
          let armed = false;
          const box: {
            fill: AddressSpace | null;
            other: CowMap<string, unknown> | null;
            otherSet: CowSet<CowKey> | null;
          } = { fill: null, other: null, otherSet: null };
          const pool = new FramePool({
            pageSize: PS,
            maxBytes: 96 * PS,
            onOutOfMemory: () => {
              if (!armed) return;
              armed = false;
              read({ other: box.other as CowMap<string, unknown>, otherSet: box.otherSet as CowSet<CowKey>, m: null });
              box.fill?.release();
              box.fill = null;
              ran++;
            },
          });
          const init = Array.from({ length: 20 }, (_, i) => `e${i}`);
          let space: AddressSpace | null = null;
          let s: CowSet<CowKey>;
          if (embedded) {
            space = new AddressSpace({ size: 256 * PS, pool });
            s = CowSet.create<unknown>(Heap.create(space, { base: PS }), init);
          } else s = new CowSet<CowKey>(init, { pool });
          box.other = new CowMap<string, unknown>(
            [
              ["hookkey", 1],
              ["blob", { deep: ["x".repeat(50)] }],
            ],
            { pool },
          );
          box.otherSet = new CowSet<CowKey>([7n, "z".repeat(40)], { pool });
          const fill = new AddressSpace({ size: 128 * PS, pool });
          for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
          box.fill = fill;
          armed = true;
          const exp = new Set<unknown>(init);
          let caught: unknown = null;
          try {
            s.add(elem);
          } catch (e) {
            caught = e;
          }
          armed = false;
          if (caught === null) exp.add(elem);
          const tag = `${embedded ? "embedded" : "standalone"}/${readName}/${String(elem)}/${left}`;
          const got = [...s].map(String).join(",");
          if (caught !== null && !(caught instanceof OutOfMemoryError)) bad.push(`${tag}: threw ${caught}`);
          else if (got !== [...exp].map(String).join(",")) bad.push(`${tag}: ${got.slice(-80)}`);
          if (embedded) (space as AddressSpace).release();
          else s.release();
          box.other.release();
          box.otherSet.release();
          box.fill?.release();
          if (pool.stats().framesInUse !== 0) bad.push(`${tag}: leak`);
        }
  expect(ran).toBeGreaterThan(100);
  expect(bad.slice(0, 5)).toEqual([]);
});

/** The embedded map's heap is consistent (Heap.check) after the call. */
function heapCheck(m: CowMap<string, unknown>, bad: string[], tag: string): void {
  try {
    Heap.attach(m.space, PS).check();
  } catch (e) {
    bad.push(`${tag}: heap ${e}`);
  }
}
