/**
 * Model test of every kind the store saves: a chain of versions of one kind
 * (an AddressSpace, a CowText with surrogate pairs and lone surrogates, a
 * CowMap / CowSet with every value kind, a CowVector of every span kind, a
 * Cow*Array of all 11 kinds, saved whole or as a subarray), each version a
 * fork of the one before it with random edits, earlier versions released at
 * random, some frozen; saved one by one under a few names (each save's
 * baseline is the name's or the last save's) and as a History, loaded back
 * and compared with plain models (a string, a native Map / Set, a plain
 * array, a native typed array copied at each fork). A loaded version must be
 * writable unless it was saved frozen, and every load must leave the pool's
 * frames as they were once it is released: after everything is released the
 * pool holds no frame and every stored refcount matches the references.
 *
 * `PAGEFORK_TEST_RUNS_SCALE` (a number, default 1) multiplies the runs, for
 * long searches: `PAGEFORK_TEST_RUNS_SCALE=50 npx vitest run packages/persist/test/model-kinds.test.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CowTypedArray, CowVector, cowArrayClassOf, type NativeTypedArray } from "@pagefork/array";
import {
  AddressSpace,
  elementKinds,
  FramePool,
  History,
  InvalidArgumentError,
  ProtectionFault,
  SegmentationFault,
} from "@pagefork/core";
import { type CowKey, CowMap, CowSet } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { auditStore } from "./fixtures/audit.js";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const PAGE = 256;
const SPACE_BYTES = 24 * PAGE;

/** One edit, as numbers each kind reads in its own way (positions are taken modulo the length). */
type Op = [op: number, a: number, b: number, c: number, x: number];

/** A version of any kind, with what the test needs to edit, fork, read and freeze it. */
interface Kind {
  readonly name: string;
  create(pool: FramePool): unknown;
  /** A fresh model of an empty version. */
  empty(): unknown;
  fork(v: unknown): unknown;
  copy(model: unknown): unknown;
  edit(v: unknown, model: unknown, op: Op): void;
  /** The version's contents in the model's shape. */
  read(v: unknown): unknown;
  space(v: unknown): AddressSpace;
  release(v: unknown): void;
  /** The version saved: itself, or a subarray (of a Cow*Array) with its model. */
  saved?(v: unknown, model: unknown, op: Op): [unknown, unknown];
}

const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0] as number;
const UNITS = ["a", "b", "é", "😀", "𝄞", "\ud800", "\udfff", "\n"];
const VALUES: unknown[] = [
  0,
  -0,
  Number.NaN,
  otherNaN,
  1.5,
  -(2 ** 53),
  Number.POSITIVE_INFINITY,
  2n ** 70n,
  -1n,
  0n,
  "",
  "\ud800",
  "a\udfffb",
  "😀".repeat(40),
  "x".repeat(300),
  true,
  false,
  null,
  undefined,
  { id: 1, tags: ["a", "\ud83d"], neg: -0 },
  [1, "1", null],
];
const KEYS: CowKey[] = [0, -0, 1, Number.NaN, "0", "1", "", "\ud800", "😀", 1n, 2n ** 64n, true, null, undefined];

function textOf(n: number): string {
  let s = "";
  for (let i = 0; i < (n % 7) + 1; i++) s += UNITS[(n >> (i * 3)) & 7];
  return n % 11 === 0 ? s.repeat(40) : s;
}

const textKind: Kind = {
  name: "text",
  create: (pool) => new CowText({ pool }),
  empty: () => "",
  fork: (v) => (v as CowText).fork(),
  copy: (m) => m,
  edit(v, model, [op, a, b, , x]) {
    const t = v as CowText;
    const m = model as { s: string };
    if (op % 3 !== 0) {
      const at = a % (m.s.length + 1);
      const s = textOf(x);
      t.insert(at, s);
      m.s = m.s.slice(0, at) + s + m.s.slice(at);
    } else {
      const at = a % (m.s.length + 1);
      const n = Math.min(b % 50, m.s.length - at);
      t.delete(at, n);
      m.s = m.s.slice(0, at) + m.s.slice(at + n);
    }
  },
  read: (v) => (v as CowText).toString(),
  space: (v) => (v as CowText).space,
  release: (v) => (v as CowText).release(),
};

function mapKind(set: boolean): Kind {
  return {
    name: set ? "set" : "map",
    create: (pool) => (set ? new CowSet(null, { pool }) : new CowMap(null, { pool })),
    empty: () => (set ? new Set() : new Map()),
    fork: (v) => (v as CowMap<CowKey, unknown>).fork(),
    copy: (m) => (set ? new Set(m as Set<unknown>) : new Map(m as Map<unknown, unknown>)),
    edit(v, model, [op, a, b, c]) {
      const key = a % 3 === 0 ? `k${b % 200}` : KEYS[b % KEYS.length];
      if (op % 9 === 0) {
        (v as CowMap<CowKey, unknown>).clear();
        (model as Map<unknown, unknown>).clear();
      } else if (op % 4 === 0) {
        expect((v as CowMap<CowKey, unknown>).delete(key)).toBe((model as Map<unknown, unknown>).delete(key));
      } else if (set) {
        (v as CowSet<CowKey>).add(key);
        (model as Set<unknown>).add(key);
      } else {
        const value = VALUES[c % VALUES.length];
        (v as CowMap<CowKey, unknown>).set(key, value);
        (model as Map<unknown, unknown>).set(key, value);
      }
    },
    read: (v) => (set ? new Set(v as CowSet<CowKey>) : new Map(v as CowMap<CowKey, unknown>)),
    space: (v) => (v as CowMap<CowKey, unknown>).space,
    release: (v) => (v as CowMap<CowKey, unknown>).release(),
  };
}

type Native = NativeTypedArray;
// biome-ignore lint/suspicious/noExplicitAny: any native typed array constructor
type NativeCtor = new (n: number) => any;
/** Every span kind with its Cow*Array class (the mapping itself is tested in @pagefork/array's class-of.test.ts). */
const NATIVES: [NativeCtor, unknown][] = elementKinds.map((k) => [k.Native, cowArrayClassOf(k)]);
const DOUBLES = [0, -0, Number.NaN, 1.5, -1, 255.5, 256, -129, 2 ** 31, -(2 ** 63), Number.NEGATIVE_INFINITY, 1e-45];
const BIGINTS = [0n, -1n, 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 70n + 3n];
const big = (Native: NativeCtor) => Native === BigInt64Array || Native === BigUint64Array;
const elementOf = (Native: NativeCtor, x: number) =>
  big(Native) ? (BIGINTS[x % BIGINTS.length] as bigint) : (DOUBLES[x % DOUBLES.length] as number);
/** The value a native array of `Native` stores for `v`. */
const stored = (Native: NativeCtor, v: unknown) => {
  const a = new Native(1);
  a[0] = v;
  return a[0];
};

function arrayKind(Native: NativeCtor, Cow: unknown): Kind {
  type A = CowTypedArray<number>;
  const LENGTH = 700;
  return {
    name: `array:${Native.name}`,
    create: (pool) => new (Cow as new (n: number, o: { pool: FramePool }) => A)(LENGTH, { pool }),
    empty: () => new Native(LENGTH),
    fork: (v) => (v as A).fork(),
    copy: (m) => (m as Native).slice(),
    edit(v, model, [op, a, b, c, x]) {
      const arr = v as A;
      const m = model as Native as Float64Array;
      const e = elementOf(Native, x) as number;
      if (op % 3 === 0) {
        arr.set(a % LENGTH, e);
        m[a % LENGTH] = e;
      } else if (op % 3 === 1) {
        const s = a % LENGTH;
        const end = s + (b % 300);
        arr.fill(e, s, end);
        m.fill(e, s, end);
      } else {
        arr.copyWithin(a % LENGTH, b % LENGTH, (b % LENGTH) + (c % 400));
        m.copyWithin(a % LENGTH, b % LENGTH, (b % LENGTH) + (c % 400));
      }
    },
    read: (v) => (v as A).toTypedArray(),
    space: (v) => (v as A).space,
    release: (v) => (v as A).release(),
    saved(v, model, [, a, b]) {
      const s = a % LENGTH;
      const end = s + (b % (LENGTH - s + 1));
      if (a % 2 === 0) return [v, model];
      return [(v as A).subarray(s, end), (model as Native as Float64Array).slice(s, end)];
    },
  };
}

function vectorKind(Native: NativeCtor): Kind {
  type V = CowVector<Float64ArrayConstructor>;
  return {
    name: `vector:${Native.name}`,
    create: (pool) => new CowVector(Native as unknown as Float64ArrayConstructor, { pool, maxLength: 1 << 14 }),
    empty: () => [],
    fork: (v) => (v as V).fork(),
    copy: (m) => [...(m as unknown[])],
    edit(v, model, [op, a, b, c, x]) {
      const vec = v as V;
      const m = model as unknown[];
      const e = elementOf(Native, x) as number;
      switch (op % 7) {
        case 0:
        case 1:
          for (let k = 0; k < b % 90; k++) {
            vec.push(e);
            m.push(stored(Native, e));
          }
          break;
        case 2:
          expect(vec.pop()).toEqual(m.pop());
          break;
        case 3: {
          const at = a % (m.length + 1);
          const n = b % 40;
          expect(vec.splice(at, n, e, e)).toEqual(m.splice(at, n, stored(Native, e), stored(Native, e)));
          break;
        }
        case 4: {
          const len = c % 500;
          vec.resize(len);
          const zero = stored(Native, big(Native) ? 0n : 0);
          while (m.length < len) m.push(zero);
          m.length = len;
          break;
        }
        case 5:
          vec.shrinkToFit();
          break;
        default:
          if (m.length > 0) {
            vec.set(a % m.length, e);
            m[a % m.length] = stored(Native, e);
          }
      }
    },
    read: (v) => [...(v as V)],
    space: (v) => (v as V).space,
    release: (v) => (v as V).release(),
  };
}

const spaceKind: Kind = {
  name: "space",
  create: (pool) => {
    const s = new AddressSpace({ size: SPACE_BYTES, pool });
    return s;
  },
  empty: () => new Uint8Array(SPACE_BYTES),
  fork: (v) => (v as AddressSpace).fork(),
  copy: (m) => (m as Uint8Array).slice(),
  edit(v, model, [op, a, b, , x]) {
    const s = v as AddressSpace;
    const m = model as Uint8Array;
    const at = a % SPACE_BYTES;
    const end = Math.min(SPACE_BYTES, at + (b % (3 * PAGE)));
    const byte = op % 4 === 0 ? 0 : x & 255;
    s.fill(byte, at, end);
    m.fill(byte, at, end);
  },
  read: (v) => {
    const s = v as AddressSpace;
    const out = new Uint8Array(SPACE_BYTES);
    for (let i = 0; i < SPACE_BYTES; i++) out[i] = s.getUint8(i);
    return out;
  },
  space: (v) => v as AddressSpace,
  release: (v) => (v as AddressSpace).release(),
};

/** Per page: "rw", "ro" or null (unmapped), beside the bytes (an unmapped page reads as zero once mapped again). */
interface SpaceModel {
  bytes: Uint8Array;
  prot: ("rw" | "ro" | null)[];
}
const PAGES = SPACE_BYTES / PAGE;
const PROT = { rw: "read-write", ro: "read-only" } as const;

/** The mappings of a space model, as `AddressSpace.mappings()` gives them (neighbours of equal protection merged). */
function mappingsOf(m: SpaceModel): { start: number; end: number; protection: string }[] {
  const out: { start: number; end: number; protection: string }[] = [];
  for (let p = 0; p < PAGES; p++) {
    const prot = m.prot[p];
    if (prot === null || prot === undefined) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.end === p * PAGE && last.protection === PROT[prot]) last.end += PAGE;
    else out.push({ start: p * PAGE, end: (p + 1) * PAGE, protection: PROT[prot] });
  }
  return out;
}

/**
 * An AddressSpace whose edits also unmap, map and protect page ranges. A
 * refused call (a write to a read-only or unmapped page, a map over a
 * mapping, a protect of an unmapped page) throws its fault and changes
 * neither the bytes nor the pool's frames.
 */
const mappedSpaceKind: Kind = {
  name: "space with mappings",
  create: (pool) => new AddressSpace({ size: SPACE_BYTES, pool }),
  empty: (): SpaceModel => ({ bytes: new Uint8Array(SPACE_BYTES), prot: new Array(PAGES).fill("rw") }),
  fork: (v) => (v as AddressSpace).fork(),
  copy: (m) => ({ bytes: (m as SpaceModel).bytes.slice(), prot: [...(m as SpaceModel).prot] }),
  edit(v, model, [op, a, b, c, x]) {
    const s = v as AddressSpace;
    const m = model as SpaceModel;
    const p0 = a % PAGES;
    const p1 = Math.min(PAGES, p0 + 1 + (b % 4));
    const range = m.prot.slice(p0, p1);
    const frames = s.pool.framesInUse;
    const refused = (run: () => void, Fault: new (...args: never[]) => Error) => {
      expect(run).toThrow(Fault);
      expect(s.pool.framesInUse).toBe(frames);
    };
    switch (op % 8) {
      case 0:
        s.unmap(p0 * PAGE, (p1 - p0) * PAGE);
        for (let p = p0; p < p1; p++) m.prot[p] = null;
        m.bytes.fill(0, p0 * PAGE, p1 * PAGE);
        return;
      case 1: {
        const prot = c % 2 === 0 ? "rw" : "ro";
        if (range.some((r) => r !== null)) {
          refused(() => s.map(p0 * PAGE, (p1 - p0) * PAGE, PROT[prot]), InvalidArgumentError);
          return;
        }
        s.map(p0 * PAGE, (p1 - p0) * PAGE, PROT[prot]);
        for (let p = p0; p < p1; p++) m.prot[p] = prot;
        return;
      }
      case 2: {
        const prot = c % 2 === 0 ? "rw" : "ro";
        if (range.some((r) => r === null)) {
          refused(() => s.protect(p0 * PAGE, (p1 - p0) * PAGE, PROT[prot]), SegmentationFault);
          return;
        }
        s.protect(p0 * PAGE, (p1 - p0) * PAGE, PROT[prot]);
        for (let p = p0; p < p1; p++) m.prot[p] = prot;
        return;
      }
      default: {
        const at = a % SPACE_BYTES;
        const end = Math.min(SPACE_BYTES, at + 1 + (c % (3 * PAGE)));
        const byte = op % 5 === 0 ? 0 : x & 255;
        const pages = m.prot.slice(Math.floor(at / PAGE), Math.ceil(end / PAGE));
        // The fault of the first page refused: unmapped (SegmentationFault) or read-only (ProtectionFault).
        const bad = pages.find((r) => r !== "rw");
        if (bad === null) refused(() => s.fill(byte, at, end), SegmentationFault);
        else if (bad === "ro") refused(() => s.fill(byte, at, end), ProtectionFault);
        else {
          s.fill(byte, at, end);
          m.bytes.fill(byte, at, end);
        }
      }
    }
  },
  read: (v) => {
    const s = v as AddressSpace;
    const bytes = new Uint8Array(SPACE_BYTES);
    const prot: SpaceModel["prot"] = new Array(PAGES).fill(null);
    for (const { start, end, protection } of s.mappings()) {
      s.read(start, bytes.subarray(start, end));
      for (let p = start / PAGE; p < end / PAGE; p++) prot[p] = protection === "read-write" ? "rw" : "ro";
    }
    for (let p = 0; p < PAGES; p++) if (prot[p] === null) expect(() => s.getUint8(p * PAGE)).toThrow(SegmentationFault);
    return { bytes, prot, mappings: s.mappings() };
  },
  space: (v) => v as AddressSpace,
  release: (v) => (v as AddressSpace).release(),
};

const KINDS: Kind[] = [
  mappedSpaceKind,
  spaceKind,
  textKind,
  mapKind(false),
  mapKind(true),
  ...NATIVES.map(([n, c]) => arrayKind(n, c)),
  ...NATIVES.map(([n]) => vectorKind(n)),
];

/** Model of a text is a box around the string (strings are values). */
const box = (k: Kind, m: unknown) => (k === textKind ? { s: m as string } : m);
const unbox = (k: Kind, m: unknown) => (k === textKind ? (m as { s: string }).s : m);

const opArb = fc.tuple(
  fc.nat(1000),
  fc.nat(100_000),
  fc.nat(100_000),
  fc.nat(100_000),
  fc.nat(1 << 30),
) as fc.Arbitrary<Op>;
/** One step: the edits of the next version, which earlier version to release (if any), freeze, save under a name. */
const stepArb = fc.record({
  ops: fc.array(opArb, { minLength: 0, maxLength: 12 }),
  releaseBack: fc.option(fc.nat(5), { nil: undefined }),
  /** Undos then redos on the History before this step's commit (which drops the redo branch). */
  undo: fc.nat(3),
  redo: fc.nat(1),
  freeze: fc.boolean(),
  save: fc.option(fc.constantFrom("a", "b", "c"), { nil: undefined }),
  saveOp: opArb,
});

function check(k: Kind, got: unknown, want: unknown): void {
  if (k === mappedSpaceKind) {
    const g = got as SpaceModel & { mappings: unknown };
    const w = want as SpaceModel;
    expect(g.prot).toEqual(w.prot);
    expect(g.mappings).toEqual(mappingsOf(w));
    expect(Buffer.compare(g.bytes, w.bytes)).toBe(0);
  } else if (k === spaceKind) expect(Buffer.compare(got as Uint8Array, want as Uint8Array)).toBe(0);
  else expect(got).toEqual(want);
}

it.each(KINDS.map((k) => [k.name, k] as const))(
  "%s: chains of forks saved one by one and as a History load back equal to their models; frames balance",
  async (_name, kind) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 10 }),
        fc.option(fc.nat(4), { nil: undefined }),
        fc.nat(3),
        async (steps, maxBack, lastUndo) => {
          const dir = mkdtempSync(join(tmpdir(), "pagefork-model-kinds-"));
          const pool = new FramePool({ pageSize: PAGE });
          let store = openStore(dir, { sync: false });
          const live: { v: unknown; model: unknown; frozen: boolean }[] = [];
          const saved = new Map<string, { model: unknown; frozen: boolean }>();
          const first = kind.create(pool);
          const history = new History(
            kind.fork(first) as AddressSpace,
            maxBack === undefined ? {} : { maxVersions: maxBack + 2 },
          );
          // The History's model: its versions' contents (oldest first, the evicted ones shifted out) and cursor.
          let hModels: unknown[] = [kind.copy(kind.empty())];
          let cursor = 0;
          const maxVersions = maxBack === undefined ? Number.POSITIVE_INFINITY : maxBack + 2;
          const undoRedo = (undos: number, redos: number) => {
            for (let u = 0; u < undos; u++) {
              const moved = history.undo() !== undefined;
              expect(moved).toBe(cursor > 0);
              if (moved) cursor--;
            }
            for (let u = 0; u < redos; u++) {
              const moved = history.redo() !== undefined;
              expect(moved).toBe(cursor < hModels.length - 1);
              if (moved) cursor++;
            }
            expect([history.position, history.size]).toEqual([cursor, hModels.length]);
          };
          live.push({ v: first, model: box(kind, kind.empty()), frozen: false });
          try {
            for (const step of steps) {
              const prev = live[live.length - 1] as (typeof live)[number];
              const v = kind.fork(prev.v);
              const model = box(kind, kind.copy(unbox(kind, prev.model)));
              for (const op of step.ops) kind.edit(v, model, op);
              check(kind, kind.read(v), unbox(kind, model));
              live.push({ v, model, frozen: false });
              undoRedo(step.undo, step.redo);
              history.commit(kind.fork(v) as AddressSpace);
              hModels = [...hModels.slice(0, cursor + 1), kind.copy(unbox(kind, model))];
              if (hModels.length > maxVersions) hModels.shift();
              cursor = hModels.length - 1;
              if (step.releaseBack !== undefined && live.length > 2) {
                const i = Math.max(0, live.length - 2 - step.releaseBack);
                const [old] = live.splice(i, 1);
                kind.release(old?.v);
              }
              if (step.save !== undefined) {
                const cur = live[live.length - 1] as (typeof live)[number];
                // A frozen version is a frozen fork: the chain goes on from the writable one.
                const base = step.freeze ? kind.fork(cur.v) : cur.v;
                const [version, m] = kind.saved
                  ? kind.saved(base, unbox(kind, cur.model), step.saveOp)
                  : [base, unbox(kind, cur.model)];
                if (step.freeze) kind.space(version).freeze();
                await store.save(step.save, version as AddressSpace);
                saved.set(step.save, { model: kind.copy(m), frozen: step.freeze });
                if (version !== cur.v) kind.release(version);
                if (base !== cur.v && base !== version) kind.release(base);
              }
              // A save of a released version throws and changes nothing.
              const gone = kind.fork(v);
              kind.release(gone);
              const frames = pool.framesInUse;
              await expect(store.save("x", gone as AddressSpace)).rejects.toThrow();
              expect(pool.framesInUse).toBe(frames);
            }
            undoRedo(lastUndo, 0); // saved at a position before the newest, too
            await store.saveHistory("h", history);
            store = await reopen(store, dir);
            const frames = pool.framesInUse;
            for (const [name, want] of saved) {
              const got = await store.load(name, { pool });
              check(kind, kind.read(got), want.model);
              expect(kind.space(got).frozen).toBe(want.frozen);
              if (!want.frozen) {
                // Writable: an edit of the loaded version matches the model's.
                const m = box(kind, kind.copy(want.model));
                kind.edit(got, m, [1, 3, 5, 7, 11]);
                check(kind, kind.read(got), unbox(kind, m));
              }
              kind.release(got);
              expect(pool.framesInUse).toBe(frames);
            }
            const back = await store.loadHistory("h", { pool });
            expect([back.size, back.position]).toEqual([hModels.length, cursor]);
            expect(back.maxVersions).toBe(maxVersions);
            for (const [i, v] of [...back].entries()) check(kind, kind.read(v), hModels[i]);
            back.release();
            expect(pool.framesInUse).toBe(frames);
          } finally {
            history.release();
            for (const { v } of live) kind.release(v);
            await store.close();
            expect(auditStore(dir)).toEqual([]);
            rmSync(dir, { recursive: true, force: true });
          }
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: Math.ceil(8 * RUNS_SCALE) },
    );
  },
  120_000 * Math.max(1, RUNS_SCALE), // a hang guard that grows with the runs
);

async function reopen(store: ReturnType<typeof openStore>, dir: string) {
  await store.close();
  expect(auditStore(dir)).toEqual([]);
  return openStore(dir, { sync: false });
}
