/**
 * Review 28: names as keys. Names are any string of 1 to 500 UTF-8 bytes not
 * starting with U+0000: with U+0000..U+0004 anywhere, control characters
 * first, lone surrogates, 64 UTF-16 units or more (where lmdb-js's own key
 * encoding changed form), one a prefix of another plus U+0000. Each saves,
 * lists as itself, loads its own value, deletes; a history save of such a
 * name that throws midway releases its committed chunks (intent records).
 *
 * Before: a name of 64 units or more holding U+0000..U+0004 made `list()`
 * and `stats()` throw a TypeError for the whole store; two such names
 * differing in lone surrogates were one key (the second save replaced the
 * first name's version); the intent records of a long name's history save
 * were never found by the recovery (a leak, and `list()` threw for good).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddressSpace, FramePool, History } from "@pagefork/core";
import fc from "fast-check";
import { open } from "lmdb";
import { afterEach, expect, it, vi } from "vitest";
import { BlobTxn } from "../src/blobs.js";
import { openStore } from "../src/index.js";
import { decodeKey, encodeKey } from "../src/keys.js";
import { auditStore } from "./fixtures/audit.js";

const PS = 256;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "pagefork-review28-names-"));
  dirs.push(d);
  return d;
}

const LONG = "x".repeat(64);
/** Names that hit the encoder's cases: short and long, controls, surrogates, prefixes. */
const special = fc.constantFrom(
  "a",
  "a\u0000",
  "a\u0000b",
  "a\u0001",
  "a\u0004",
  "\u0001",
  "\u001b",
  "\u001bz",
  "b\ud800",
  "b\udc00",
  "b\ud800\udc00",
  `${LONG}\u0000y`,
  `${LONG}\u0003`,
  `${LONG}\u0004\u0004`,
  `${LONG}\ud800`,
  `${LONG}\ud801`,
  `${LONG}\udfff`,
  LONG,
  `${LONG}\u0000`,
  "é".repeat(250),
  "\u{1f600}".repeat(125),
  `a${"\u0001".repeat(499)}`, // 500 bytes, each escaped: the longest key
);
const anyName = fc
  .tuple(fc.constantFrom("", "", LONG, "a\u0000"), fc.string({ unit: "binary", minLength: 1, maxLength: 80 }))
  .map(([p, s]) => p + s);
const nameArb = fc.oneof(special, anyName).filter((n) => !n.startsWith("\u0000") && Buffer.byteLength(n) <= 500);

it("encodeKey is one to one, keeps prefixes, and decodeKey inverts it", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 100 }),
      fc.string({ unit: "binary", maxLength: 100 }),
      (a, b) => {
        expect(decodeKey(encodeKey(a))).toBe(a);
        if (a !== b) expect(encodeKey(a).equals(encodeKey(b))).toBe(false);
        // The empty string has a key of its own (a leading 27), and a prefix ending on a high
        // surrogate before a low one becomes a pair: the two exceptions.
        if (a !== "" && !/[\ud800-\udbff]$/.test(a))
          expect(encodeKey(a + b).subarray(0, encodeKey(a).length)).toEqual(encodeKey(a));
      },
    ),
    { numRuns: Math.round(2000 * RUNS_SCALE) },
  );
});

it("the key of a name lmdb-js wrote in its short form is the same bytes (stores written before stay readable)", async () => {
  const dir = tmp();
  const names = ["doc", "a\u0000b", "\u0001x", "\u001b", "b\ud800", "é", "\u{1f600}", `${"x".repeat(62)}\u0000`];
  const env = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const str = env.openDB<string, string>({ name: "k", encoding: "string" });
  for (const n of names) await str.put(n, JSON.stringify(n)); // JSON: a lone surrogate as an escape
  await env.close();
  const again = open({ path: dir, noSubdir: false, maxDbs: 8, compression: false });
  const bin = again.openDB<string, Buffer>({ name: "k", keyEncoding: "binary", encoding: "string" });
  for (const n of names) expect(bin.get(encodeKey(n)), JSON.stringify(n)).toBe(JSON.stringify(n));
  for (const { key } of bin.getRange()) expect(names).toContain(decodeKey(key as Buffer));
  await again.close();
});

it("any name saves, lists as itself, loads its own version, deletes; refcounts exact", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 12 }), async (names) => {
      const dir = tmp();
      const pool = new FramePool({ pageSize: PS });
      let store = openStore(dir, { sync: false });
      try {
        for (let i = 0; i < names.length; i++) {
          const s = new AddressSpace({ size: 4 * PS, pool });
          s.fill(i + 1, PS, 2 * PS);
          await store.save(names[i] as string, s);
          s.release();
        }
        await store.close();
        store = openStore(dir, { sync: false });
        expect(new Set(store.list())).toEqual(new Set(names));
        expect(store.stats().versions).toBe(names.length);
        for (let i = 0; i < names.length; i++) {
          const v = (await store.load(names[i] as string, { pool })) as AddressSpace;
          expect(v.getUint8(PS), JSON.stringify(names[i])).toBe(i + 1);
          v.release();
        }
        for (const n of names.slice(0, names.length >> 1)) expect(await store.delete(n)).toBe(true);
        expect(new Set(store.list())).toEqual(new Set(names.slice(names.length >> 1)));
      } finally {
        await store.close();
      }
      expect(auditStore(dir)).toEqual([]);
      expect(pool.framesInUse).toBe(0);
    }),
    { numRuns: Math.max(1, Math.round(40 * RUNS_SCALE)) },
  );
});

it("a history save of a long name, or one holding U+0000, that throws midway releases its committed chunks", async () => {
  for (const name of [`${"h".repeat(40)}`, `${LONG}\u0000h`, "h\u0000", "h", `h${"\u0000".repeat(499)}`]) {
    const dir = tmp();
    const pool = new FramePool({ pageSize: PS });
    const store = openStore(dir, { sync: false, historyTxnBytes: 1 }); // one version a chunk
    const make = (n: number): History<AddressSpace> => {
      const s = new AddressSpace({ size: 8 * PS, pool });
      const h = new History(s);
      for (let i = 0; i < n; i++) {
        const f = h.current.fork();
        f.fill(i + 7, i * PS, (i + 1) * PS);
        h.commit(f);
      }
      return h;
    };
    const old = make(2);
    await store.saveHistory(name, old);
    old.release();
    const commit = BlobTxn.prototype.commitCounters;
    let passes = 0;
    vi.spyOn(BlobTxn.prototype, "commitCounters").mockImplementation(function (this: BlobTxn) {
      if (passes++ === 3) throw new Error("injected");
      return commit.call(this);
    });
    const h = make(6);
    await expect(store.saveHistory(name, h)).rejects.toThrow("injected");
    vi.restoreAllMocks();
    h.release();
    expect(store.list(), JSON.stringify(name)).toEqual([name]);
    const back = await store.loadHistory(name, { pool });
    expect(back.size).toBe(3);
    back.release();
    await store.close();
    expect(auditStore(dir), JSON.stringify(name)).toEqual([]);
    expect(pool.framesInUse).toBe(0);
  }
});
