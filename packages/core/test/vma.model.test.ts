/**
 * Model-based test of mappings, protection, freeze, diff and the commit
 * charge. Each space of one pool is modelled by a plain Uint8Array copied on
 * fork, a protection per page (unmapped, read-only, read-write) and a frozen
 * flag. After every command:
 *
 * - every mapped page of every live space reads as its model; a read of an
 *   unmapped page throws SegmentationFault;
 * - `space.mappings()` lists exactly the model's runs of equal protection;
 * - the pool's commit charge is the sum of the live spaces' mapped bytes, and
 *   each space's stats agree (`mappedBytes`, `uss <= pss <= rss`), and the
 *   spaces' PSS add up to the pool's bytes in use;
 * - a command that throws changed nothing: every live space's bytes and
 *   stats and the pool's counters are as before (checked for every error,
 *   the out-of-memory refusals of a small commit limit included).
 *
 * Writes are checked against the model's protection: no write ever lands on a
 * read-only page or a frozen space. `diff` is checked against a byte-by-byte
 * comparison of the two models, page by page.
 *
 * Replaying: commands print calls on spaces named s0..s5, for example
 * `s1 = s0.fork()`, `s0.protect(512, 768, "read-only")`, `s2.write(300, bytes(5, 40))`
 * (`bytes` from ./support/helpers.ts), over the pool of the failing test's name.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  InvalidArgumentError,
  OutOfMemoryError,
  type Protection,
  ProtectionFault,
  SegmentationFault,
} from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PAGE = 256;
const PAGES = 16;
const SIZE = PAGE * PAGES;
const SLOTS = 6;

/** Protection of a model page. */
const NONE = 0;
const RO = 1;
const RW = 2;

interface ModelSpace {
  bytes: Uint8Array;
  prot: Uint8Array;
  frozen: boolean;
}

interface Real {
  pool: FramePool;
  spaces: (AddressSpace | null)[];
}

interface Model {
  spaces: (ModelSpace | null)[];
  /** The commit limit under overcommit "never" (Infinity otherwise). */
  limit: number;
}

const protOf = (p: Protection): number => (p === "read-write" ? RW : RO);
const mappedBytes = (m: ModelSpace): number => m.prot.reduce((n, p) => n + (p === NONE ? 0 : PAGE), 0);
const committed = (model: Model): number => model.spaces.reduce((n, m) => n + (m === null ? 0 : mappedBytes(m)), 0);

/** The error a write of `len` bytes at `addr` must throw in `m`, or null. */
function writeError(
  m: ModelSpace,
  addr: number,
  len: number,
): typeof SegmentationFault | typeof ProtectionFault | null {
  if (len === 0) return null;
  if (m.frozen) return ProtectionFault;
  for (let p = Math.floor(addr / PAGE); p <= Math.floor((addr + len - 1) / PAGE); p++) {
    if (m.prot[p] === NONE) return SegmentationFault;
    if (m.prot[p] === RO) return ProtectionFault;
  }
  return null;
}

/** Everything observable about the real side, for the "a throw changes nothing" check. */
function snapshot(r: Real): unknown {
  const { peakBytesInUse: _p, peakCommittedBytes: _c, ...pool } = r.pool.stats();
  return {
    pool,
    spaces: r.spaces.map((s) => {
      if (s === null) return null;
      const pages: (number[] | null)[] = [];
      for (let p = 0; p < PAGES; p++) {
        try {
          pages.push([...s.read(p * PAGE, new Uint8Array(PAGE))]);
        } catch {
          pages.push(null);
        }
      }
      return { pages, stats: s.stats(), mappings: s.mappings(), frozen: s.frozen };
    }),
  };
}

/** Runs `act` on the real side; if it throws, checks that nothing changed and returns the error. */
function attempt(r: Real, act: () => void): unknown {
  const before = snapshot(r);
  try {
    act();
    return null;
  } catch (e) {
    expect(snapshot(r), `state after ${String(e)}`).toEqual(before);
    return e;
  }
}

/** Runs of equal protection, as `mappings()` must list them. */
function expectedMappings(m: ModelSpace): { start: number; end: number; protection: Protection }[] {
  const out: { start: number; end: number; protection: Protection }[] = [];
  for (let p = 0; p < PAGES; p++) {
    const prot = m.prot[p] as number;
    if (prot === NONE) continue;
    const last = out[out.length - 1];
    const protection: Protection = prot === RW ? "read-write" : "read-only";
    if (last !== undefined && last.end === p * PAGE && last.protection === protection) last.end += PAGE;
    else out.push({ start: p * PAGE, end: (p + 1) * PAGE, protection });
  }
  return out;
}

const live = (model: Model, i: number): ModelSpace | null => model.spaces[i] ?? null;
/** Slots of the live spaces. */
const liveSlots = (model: Model): number[] => model.spaces.flatMap((m, i) => (m === null ? [] : [i]));
/** The live slot that a command's raw choice `k` names (every command then runs on some live space). */
const pick = (model: Model, k: number): number => {
  const slots = liveSlots(model);
  return slots[k % slots.length] as number;
};

/** `diff` of every pair of live spaces against a byte-by-byte comparison of their models, page by page. */
function checkDiffs(model: Model, r: Real): void {
  for (let i = 0; i < SLOTS; i++) {
    for (let j = i + 1; j < SLOTS; j++) {
      const a = live(model, i);
      const b = live(model, j);
      if (a === null || b === null) continue;
      const want: number[] = [];
      for (let p = 0; p < PAGES; p++) {
        const x = a.bytes.subarray(p * PAGE, (p + 1) * PAGE);
        const y = b.bytes.subarray(p * PAGE, (p + 1) * PAGE);
        if (x.some((v, k) => v !== y[k])) want.push(p * PAGE);
      }
      const sa = r.spaces[i] as AddressSpace;
      const sb = r.spaces[j] as AddressSpace;
      expect(sa.diff(sb), `s${i}.diff(s${j})`).toEqual(want);
      expect(sb.diff(sa), `s${j}.diff(s${i})`).toEqual(want);
      // Comparing frames reports a superset: pages whose contents differ always have different frames.
      const frames = sa.diff(sb, { compare: "frames" });
      for (const p of want) expect(frames).toContain(p);
    }
  }
}

function checkAll(model: Model, r: Real): void {
  checkDiffs(model, r);
  let pss = 0;
  for (let i = 0; i < SLOTS; i++) {
    const m = model.spaces[i];
    const s = r.spaces[i];
    if (m === null || m === undefined || s === null || s === undefined) continue;
    for (let p = 0; p < PAGES; p++) {
      if (m.prot[p] === NONE) {
        expect(() => s.getUint8(p * PAGE + 3), `s${i} page ${p} is unmapped`).toThrow(SegmentationFault);
      } else {
        expect(s.read(p * PAGE, new Uint8Array(PAGE)), `s${i} page ${p}`).toEqual(
          m.bytes.subarray(p * PAGE, (p + 1) * PAGE),
        );
      }
    }
    expect(s.mappings()).toEqual(expectedMappings(m));
    expect(s.frozen).toBe(m.frozen);
    const st = s.stats();
    expect(st.mappedBytes).toBe(mappedBytes(m));
    expect(st.uss).toBeLessThanOrEqual(st.pss + 1e-6);
    expect(st.pss).toBeLessThanOrEqual(st.rss + 1e-6);
    pss += st.pss;
  }
  expect(pss).toBe(r.pool.bytesInUse);
  expect(r.pool.stats().committedBytes).toBe(committed(model));
}

type Cmd = fc.Command<Model, Real>;

class Write implements Cmd {
  constructor(
    readonly k: number,
    readonly addr: number,
    readonly len: number,
    readonly seed: number,
  ) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    const m = live(model, this.i) as ModelSpace;
    const data = bytes(this.seed, this.len);
    const e = attempt(r, () => (r.spaces[this.i] as AddressSpace).write(this.addr, data));
    const want = writeError(m, this.addr, this.len);
    if (e instanceof OutOfMemoryError) return; // only under a commit limit smaller than the pool's frames
    if (want === null) {
      expect(e).toBeNull();
      m.bytes.set(data, this.addr);
    } else expect(e).toBeInstanceOf(want);
    checkAll(model, r);
  }
  toString = () => `s${this.i}.write(${this.addr}, bytes(${this.seed}, ${this.len}))`;
}

class SetWord implements Cmd {
  constructor(
    readonly k: number,
    readonly word: number,
    readonly value: number,
  ) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    const m = live(model, this.i) as ModelSpace;
    const addr = this.word * 4;
    const e = attempt(r, () => (r.spaces[this.i] as AddressSpace).setUint32(addr, this.value));
    const want = writeError(m, addr, 4);
    if (e instanceof OutOfMemoryError) return;
    if (want === null) {
      expect(e).toBeNull();
      new DataView(m.bytes.buffer).setUint32(addr, this.value, true);
    } else expect(e).toBeInstanceOf(want);
    checkAll(model, r);
  }
  toString = () => `s${this.i}.setUint32(${this.word * 4}, ${this.value})`;
}

class MapCmd implements Cmd {
  constructor(
    readonly k: number,
    readonly page: number,
    readonly pages: number,
    readonly prot: Protection,
  ) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    const m = live(model, this.i) as ModelSpace;
    const e = attempt(r, () => (r.spaces[this.i] as AddressSpace).map(this.page * PAGE, this.pages * PAGE, this.prot));
    const end = Math.min(PAGES, this.page + this.pages);
    let overlap = false;
    for (let p = this.page; p < end; p++) overlap ||= m.prot[p] !== NONE;
    if (this.page + this.pages > PAGES) expect(e).toBeInstanceOf(InvalidArgumentError);
    else if (m.frozen) expect(e).toBeInstanceOf(ProtectionFault);
    else if (overlap) expect(e).toBeInstanceOf(InvalidArgumentError);
    else if (committed(model) + this.pages * PAGE > model.limit) expect(e).toBeInstanceOf(OutOfMemoryError);
    else {
      expect(e).toBeNull();
      m.prot.fill(protOf(this.prot), this.page, end);
    }
    checkAll(model, r);
  }
  toString = () => `s${this.i}.map(${this.page * PAGE}, ${this.pages * PAGE}, "${this.prot}")`;
}

class Unmap implements Cmd {
  constructor(
    readonly k: number,
    readonly page: number,
    readonly pages: number,
  ) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    const m = live(model, this.i) as ModelSpace;
    const e = attempt(r, () => (r.spaces[this.i] as AddressSpace).unmap(this.page * PAGE, this.pages * PAGE));
    if (this.page + this.pages > PAGES) expect(e).toBeInstanceOf(InvalidArgumentError);
    else if (m.frozen) expect(e).toBeInstanceOf(ProtectionFault);
    else {
      expect(e).toBeNull();
      m.prot.fill(NONE, this.page, this.page + this.pages);
      m.bytes.fill(0, this.page * PAGE, (this.page + this.pages) * PAGE); // a later map reads zeros
    }
    checkAll(model, r);
  }
  toString = () => `s${this.i}.unmap(${this.page * PAGE}, ${this.pages * PAGE})`;
}

class Protect implements Cmd {
  constructor(
    readonly k: number,
    readonly page: number,
    readonly pages: number,
    readonly prot: Protection,
  ) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    const m = live(model, this.i) as ModelSpace;
    const e = attempt(r, () =>
      (r.spaces[this.i] as AddressSpace).protect(this.page * PAGE, this.pages * PAGE, this.prot),
    );
    const end = Math.min(PAGES, this.page + this.pages);
    let hole = false;
    for (let p = this.page; p < end; p++) hole ||= m.prot[p] === NONE;
    if (this.page + this.pages > PAGES) expect(e).toBeInstanceOf(InvalidArgumentError);
    else if (m.frozen) expect(e).toBeInstanceOf(ProtectionFault);
    else if (hole) expect(e).toBeInstanceOf(SegmentationFault);
    else {
      expect(e).toBeNull();
      m.prot.fill(protOf(this.prot), this.page, end);
    }
    checkAll(model, r);
  }
  toString = () => `s${this.i}.protect(${this.page * PAGE}, ${this.pages * PAGE}, "${this.prot}")`;
}

class Freeze implements Cmd {
  constructor(readonly k: number) {}
  i = -1;
  check = () => true;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    (r.spaces[this.i] as AddressSpace).freeze();
    (live(model, this.i) as ModelSpace).frozen = true;
    checkAll(model, r);
  }
  toString = () => `s${this.i}.freeze()`;
}

class Fork implements Cmd {
  constructor(readonly k: number) {}
  i = -1;
  to = -1;
  check = (model: Model) => liveSlots(model).length < SLOTS;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    this.to = model.spaces.indexOf(null);
    const m = live(model, this.i) as ModelSpace;
    let child: AddressSpace | null = null;
    const e = attempt(r, () => {
      child = (r.spaces[this.i] as AddressSpace).fork();
    });
    if (committed(model) + mappedBytes(m) > model.limit) expect(e).toBeInstanceOf(OutOfMemoryError);
    else {
      expect(e).toBeNull();
      r.spaces[this.to] = child;
      model.spaces[this.to] = { bytes: m.bytes.slice(), prot: m.prot.slice(), frozen: false };
    }
    checkAll(model, r);
  }
  toString = () => `s${this.to} = s${this.i}.fork()`;
}

class Release implements Cmd {
  constructor(readonly k: number) {}
  i = -1;
  check = (model: Model) => liveSlots(model).length > 1;
  run(model: Model, r: Real): void {
    this.i = pick(model, this.k);
    (r.spaces[this.i] as AddressSpace).release();
    r.spaces[this.i] = null;
    model.spaces[this.i] = null;
    checkAll(model, r);
  }
  toString = () => `s${this.i}.release()`;
}

/** A raw choice among the live spaces (see `pick`). */
const slot = fc.nat({ max: 719 });
const page = fc.nat({ max: PAGES - 1 });
const count = fc.integer({ min: 1, max: 6 });
const prot = fc.constantFrom<Protection>("read-only", "read-write");
const commands = [
  fc
    .tuple(slot, fc.nat({ max: SIZE - 1 }), fc.integer({ min: 1, max: 3 * PAGE }), fc.nat())
    .map(([i, a, l, s]) => new Write(i, a, Math.min(l, SIZE - a), s)),
  fc.tuple(slot, fc.nat({ max: SIZE / 4 - 1 }), fc.nat({ max: 2 ** 32 - 1 })).map(([i, w, v]) => new SetWord(i, w, v)),
  fc.tuple(slot, page, count, prot).map(([i, p, n, pr]) => new MapCmd(i, p, n, pr)),
  fc.tuple(slot, page, count).map(([i, p, n]) => new Unmap(i, p, n)),
  fc.tuple(slot, page, count, prot).map(([i, p, n, pr]) => new Protect(i, p, n, pr)),
  slot.map((i) => new Freeze(i)),
  slot.map((k) => new Fork(k)),
  slot.map((i) => new Release(i)),
];

function runModel(options: { overcommit: "never" | "always"; maxBytes: number }, numRuns: number): void {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const pool = new FramePool({ pageSize: PAGE, ...options });
      const s0 = new AddressSpace({ size: SIZE, pool });
      const real: Real = { pool, spaces: [s0, null, null, null, null, null] };
      const model: Model = {
        spaces: [
          { bytes: new Uint8Array(SIZE), prot: new Uint8Array(PAGES).fill(RW), frozen: false },
          null,
          null,
          null,
          null,
          null,
        ],
        limit: options.overcommit === "never" ? options.maxBytes : Number.POSITIVE_INFINITY,
      };
      fc.modelRun(() => ({ model, real }), cmds);
      for (const s of real.spaces) s?.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0, spaces: 0 });
    }),
    { numRuns },
  );
}

describe(`mappings, protection, freeze, diff and commit charge (model; ${PAGES} pages of ${PAGE} B)`, () => {
  it("with no limit", () => runModel({ overcommit: "always", maxBytes: Number.POSITIVE_INFINITY }, 60));
  it('under overcommit "never" with a limit of 3 spaces: refused forks and maps change nothing', () =>
    runModel({ overcommit: "never", maxBytes: 3 * SIZE }, 60));
  it('under overcommit "always" with 20 frames: refused writes change nothing', () =>
    runModel({ overcommit: "always", maxBytes: 20 * PAGE }, 60));
});
