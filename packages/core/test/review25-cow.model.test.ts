/**
 * Adversarial model test of the copy-on-write core (review of session 25):
 * random command sequences over many versions of one deep, sparse space in a
 * small pool that grows mid-test (256-byte pages, a first slab of 4 frames,
 * slabs of 16: page tables of 6 levels, TLBs held back by the pool's
 * capacity and grown in place), against a model in which each version is a
 * plain Uint8Array of its three windows, copied on fork.
 *
 * Commands: fork, release, new space, freeze, every typed write width, write
 * spans (`writeU8Span`/`writeU16Span`, then written through) and read spans,
 * `write` (across pages), `fill`, `copyWithin`, `discard`, `diff` (against
 * the model's differing pages), and "fork many": a version whose window
 * pages all hold frames is forked 250-275 times, each fork writing one
 * byte, so the frames of the leaf those forks copy pass 255 references (the
 * overflow refcount table) and come back below as the forks are released
 * in a random order.
 *
 * Any mutating command may run with the engine refusing every allocation
 * (typed arrays by length, ArrayBuffers): it must then either succeed as if
 * nothing was refused, or throw OutOfMemoryError having changed nothing
 * (every version's bytes, the pool's frames in use, page-table nodes,
 * commit charge, live spaces). A write to a frozen version must throw
 * ProtectionFault and change nothing.
 *
 * After every command every live version (and a sample of each fork group)
 * reads exactly as its model, and the spaces' PSS add up to the pool's
 * bytes in use (a frame no live space maps would break it). At the end
 * every version is released and the pool must hold no frame, no page-table
 * node, no commit charge and no space.
 *
 * Replay: each command prints the call it makes on versions named v0, v1,
 * ... (in order of creation) with the constants below (`W` the window
 * bases); `bytes` is support/helpers.ts's.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AddressSpace,
  FramePool,
  OutOfMemoryError,
  ProtectionFault,
  readU8Span,
  readU16Span,
  U8Span,
  U16Span,
  writeU8Span,
  writeU16Span,
} from "../src/index.js";
import { bytes, firstDiff, modelSet, type Scalar, TYPES, typedSet } from "./support/helpers.js";

const PS = 256;
/** 2^16 pages: a tree of 6 levels once the top window is written. */
const SIZE = PS * 2 ** 16;
/** Pages per window. */
const WIN_PAGES = 4;
const WIN = WIN_PAGES * PS;
/** Window bases: the bottom, across the middle of the space (a high-level subtree boundary), the top. */
const W = [0, SIZE / 2 - 2 * PS, SIZE - WIN];
const MODEL_BYTES = W.length * WIN;
const MAX_LIVE = 8;

// ---------------------------------------------------------------------------
// Refusing allocations (as support/refuse.ts, for every typed array kind).

const REFUSABLE = [
  "ArrayBuffer",
  "Uint8Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float64Array",
  "Int8Array",
  "Int16Array",
  "Float32Array",
  "Uint8ClampedArray",
  "BigInt64Array",
  "BigUint64Array",
] as const;
const refuse = { on: false, refused: 0 };

beforeAll(() => {
  for (const name of REFUSABLE) {
    const Real = globalThis[name] as unknown as new (...args: unknown[]) => object;
    vi.stubGlobal(
      name,
      new Proxy(Real, {
        construct(target, args, newTarget) {
          if (refuse.on && (name === "ArrayBuffer" || typeof args[0] === "number")) {
            refuse.refused++;
            throw new RangeError("Array buffer allocation failed");
          }
          return Reflect.construct(target, args, newTarget);
        },
      }),
    );
  }
});
afterAll(() => {
  vi.unstubAllGlobals();
});

// ---------------------------------------------------------------------------
// Model and real system.

interface Group {
  /** The version the group was forked from, as it was then (its window pages all written). */
  base: Uint8Array;
  /** Model index of the byte each fork wrote. */
  at: number;
  forks: AddressSpace[];
  names: string[];
  /** The byte each fork wrote there. */
  values: number[];
}

interface Model {
  versions: (Uint8Array | null)[];
  frozen: boolean[];
  groups: Group[];
}

interface Real {
  pool: FramePool;
  spaces: (AddressSpace | null)[];
}

/** Address of model index `i`. */
function addrOf(i: number): number {
  return (W[Math.floor(i / WIN)] as number) + (i % WIN);
}

function live(m: Model): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.versions.length; i++) if (m.versions[i] !== null) out.push(i);
  return out;
}

/** The version `pick` selects among the live ones, or -1. */
function pickOf(m: Model, pick: number): number {
  const l = live(m);
  return l.length === 0 ? -1 : (l[pick % l.length] as number);
}

/** The windows of `s` as one array, model layout. */
function readModel(s: AddressSpace): Uint8Array {
  const out = new Uint8Array(MODEL_BYTES);
  for (let w = 0; w < W.length; w++) s.read(W[w] as number, out.subarray(w * WIN, (w + 1) * WIN));
  return out;
}

function expectSame(s: AddressSpace, model: Uint8Array, name: string): void {
  const got = readModel(s);
  const d = firstDiff(got, model);
  if (d >= 0)
    expect.fail(`${name} differs at address ${addrOf(d)} (model index ${d}): got ${got[d]}, model ${model[d]}`);
}

function groupModel(g: Group, k: number): Uint8Array {
  const m = g.base.slice();
  m[g.at] = g.values[k] as number;
  return m;
}

/** Every check that holds after any command. */
function checkAll(m: Model, r: Real): void {
  let pss = 0;
  for (const i of live(m)) {
    const s = r.spaces[i] as AddressSpace;
    expect(s.released).toBe(false);
    expect(s.frozen).toBe(m.frozen[i]);
    expectSame(s, m.versions[i] as Uint8Array, `v${i}`);
    pss += s.stats().pss;
  }
  for (const g of m.groups) {
    const n = g.forks.length;
    for (const k of new Set([0, n >> 1, n - 1])) expectSame(g.forks[k] as AddressSpace, groupModel(g, k), g.names[k]!);
    for (const f of g.forks) pss += f.stats().pss;
  }
  expect(Math.round(pss)).toBe(r.pool.bytesInUse);
}

/** What a refused call must leave as it was (bytes are checked against the model afterwards). */
function poolState(pool: FramePool): unknown {
  const s = pool.stats();
  return {
    framesInUse: s.framesInUse,
    pageTableNodes: s.pageTableNodes,
    committedBytes: s.committedBytes,
    spaces: s.spaces,
    overflowRefcounts: s.overflowRefcounts,
  };
}

/**
 * Runs `call` on version `v` (maybe refusing allocations): a write of
 * `length` > 0 bytes to a frozen version must throw ProtectionFault; a
 * refused call may throw OutOfMemoryError; either changes nothing. Otherwise
 * `apply` updates the model.
 */
function mutate(m: Model, r: Real, v: number, length: number, refused: boolean, call: () => void, apply: () => void) {
  const before = poolState(r.pool);
  if (m.frozen[v] && length > 0) {
    expect(call).toThrow(ProtectionFault);
    expect(poolState(r.pool)).toEqual(before);
    return;
  }
  if (!refused) {
    call();
    apply();
    return;
  }
  refuse.on = true;
  let error: unknown = null;
  try {
    call();
  } catch (e) {
    error = e;
  } finally {
    refuse.on = false;
  }
  if (error === null) {
    apply();
    return;
  }
  if (!(error instanceof OutOfMemoryError)) throw error; // a RangeError here is an untyped error
  expect(poolState(r.pool)).toEqual(before);
}

type Cmd = fc.Command<Model, Real>;

/** Base of the commands: `name` is the version's name, resolved when the command runs (for toString). */
abstract class OnVersion implements Cmd {
  protected name = "v?";
  constructor(protected readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return live(m as Model).length > 0;
  }
  abstract run(m: Model, r: Real): void;
  abstract toString(): string;
  /** Version index and space of this command. */
  protected target(m: Model, r: Real): [number, AddressSpace] {
    const v = pickOf(m, this.pick);
    this.name = `v${v}`;
    return [v, r.spaces[v] as AddressSpace];
  }
}

class NewSpace implements Cmd {
  name = "v?";
  check(m: Readonly<Model>): boolean {
    return live(m as Model).length < MAX_LIVE;
  }
  run(m: Model, r: Real): void {
    const s = new AddressSpace({ size: SIZE, pool: r.pool });
    this.name = `v${r.spaces.length}`;
    r.spaces.push(s);
    m.versions.push(new Uint8Array(MODEL_BYTES));
    m.frozen.push(false);
    checkAll(m, r);
  }
  toString(): string {
    return `const ${this.name} = new AddressSpace({ size: SIZE, pool })`;
  }
}

class Fork extends OnVersion {
  child = "v?";
  override check(m: Readonly<Model>): boolean {
    return super.check(m) && live(m as Model).length < MAX_LIVE;
  }
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const c = s.fork();
    this.child = `v${r.spaces.length}`;
    r.spaces.push(c);
    m.versions.push((m.versions[v] as Uint8Array).slice());
    m.frozen.push(false); // a fork of a frozen version is writable
    checkAll(m, r);
  }
  toString(): string {
    return `const ${this.child} = ${this.name}.fork()`;
  }
}

class Release extends OnVersion {
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    s.release();
    r.spaces[v] = null;
    m.versions[v] = null;
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.release()`;
  }
}

class Freeze extends OnVersion {
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    s.freeze();
    m.frozen[v] = true;
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.freeze()`;
  }
}

const refusedNote = (refused: boolean) => (refused ? " /* allocations refused */" : "");

class SetTyped extends OnVersion {
  constructor(
    pick: number,
    private readonly type: number,
    private readonly index: number,
    private readonly seed: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private value(): Scalar {
    const t = TYPES[this.type]!;
    if (t.name.startsWith("Big")) return BigInt(this.seed) * 0x1_0000_0001n - 7n;
    if (t.name.startsWith("Float")) return this.seed / 7 - 100;
    return this.seed - 1000;
  }
  private addr = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const t = TYPES[this.type]!;
    const i = Math.floor(this.index / t.width) * t.width;
    const at = Math.min(i, MODEL_BYTES - t.width);
    this.addr = addrOf(at);
    const value = this.value();
    mutate(
      m,
      r,
      v,
      t.width,
      this.refused,
      () => typedSet(s, t.name, this.addr, value),
      () => {
        const model = m.versions[v] as Uint8Array;
        modelSet(new DataView(model.buffer), t.name, at, value);
      },
    );
    checkAll(m, r);
  }
  toString(): string {
    const t = TYPES[this.type]!;
    const v = this.value();
    return `${this.name}.set${t.name}(${this.addr}, ${typeof v === "bigint" ? `${v}n` : v})${refusedNote(this.refused)}`;
  }
}

/** `[model index, length]` of a run at `index` clamped to its page (width-aligned), of `len` elements at most. */
function inPage(index: number, len: number, width: number): [number, number] {
  const at = Math.floor(index / width) * width;
  const room = (PS - (at % PS)) / width;
  return [at, Math.min(len, room)];
}

class SpanWrite extends OnVersion {
  constructor(
    pick: number,
    private readonly width: 1 | 2,
    private readonly index: number,
    private readonly len: number,
    private readonly seed: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private addr = 0;
  private n = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const [at, n] = inPage(this.index, this.len, this.width);
    this.addr = addrOf(at);
    this.n = n;
    const data = bytes(this.seed, n * this.width);
    const written = s.stats().bytesWritten;
    mutate(
      m,
      r,
      v,
      n * this.width,
      this.refused,
      () => {
        if (this.width === 1) {
          const span = new U8Span();
          writeU8Span(s, this.addr, n, span);
          expect(span.end - span.start).toBe(n);
          for (let k = 0; k < n; k++) span.array[span.start + k] = data[k] as number;
        } else {
          const span = new U16Span();
          writeU16Span(s, this.addr, n, span);
          expect(span.end - span.start).toBe(n);
          for (let k = 0; k < n; k++)
            span.array[span.start + k] = (data[2 * k] as number) | ((data[2 * k + 1] as number) << 8);
        }
      },
      () => {
        (m.versions[v] as Uint8Array).set(data, at);
        expect(s.stats().bytesWritten).toBe(written + n * this.width);
      },
    );
    checkAll(m, r);
  }
  toString(): string {
    const fn = this.width === 1 ? "writeU8Span" : "writeU16Span";
    return `${fn}(${this.name}, ${this.addr}, ${this.n}, span) /* then bytes(${this.seed}, ${this.n * this.width}) through it */${refusedNote(this.refused)}`;
  }
}

class SpanRead extends OnVersion {
  constructor(
    pick: number,
    private readonly width: 1 | 2,
    private readonly index: number,
    private readonly len: number,
  ) {
    super(pick);
  }
  private addr = 0;
  private n = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const [at, n] = inPage(this.index, this.len, this.width);
    this.addr = addrOf(at);
    this.n = n;
    const model = m.versions[v] as Uint8Array;
    const got: number[] = [];
    const want: number[] = [];
    if (this.width === 1) {
      const span = new U8Span();
      readU8Span(s, this.addr, n, span);
      for (let k = span.start; k < span.end; k++) got.push(span.array[k] as number);
      for (let k = 0; k < n; k++) want.push(model[at + k] as number);
    } else {
      const span = new U16Span();
      readU16Span(s, this.addr, n, span);
      for (let k = span.start; k < span.end; k++) got.push(span.array[k] as number);
      for (let k = 0; k < n; k++) want.push((model[at + 2 * k] as number) | ((model[at + 2 * k + 1] as number) << 8));
    }
    expect(got).toEqual(want);
    checkAll(m, r);
  }
  toString(): string {
    return `${this.width === 1 ? "readU8Span" : "readU16Span"}(${this.name}, ${this.addr}, ${this.n}, span)`;
  }
}

/** `[model index, length]` of a run at `index` of `len` bytes clamped to its window. */
function inWindow(index: number, len: number): [number, number] {
  return [index, Math.min(len, WIN - (index % WIN))];
}

class Write extends OnVersion {
  constructor(
    pick: number,
    private readonly index: number,
    private readonly len: number,
    private readonly seed: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private addr = 0;
  private n = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const [at, n] = inWindow(this.index, this.len);
    this.addr = addrOf(at);
    this.n = n;
    const data = bytes(this.seed, n);
    mutate(
      m,
      r,
      v,
      n,
      this.refused,
      () => s.write(this.addr, data),
      () => (m.versions[v] as Uint8Array).set(data, at),
    );
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.write(${this.addr}, bytes(${this.seed}, ${this.n}))${refusedNote(this.refused)}`;
  }
}

class Fill extends OnVersion {
  constructor(
    pick: number,
    private readonly value: number,
    private readonly index: number,
    private readonly len: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private addr = 0;
  private n = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const [at, n] = inWindow(this.index, this.len);
    this.addr = addrOf(at);
    this.n = n;
    mutate(
      m,
      r,
      v,
      n,
      this.refused,
      () => s.fill(this.value, this.addr, this.addr + n),
      () => (m.versions[v] as Uint8Array).fill(this.value & 0xff, at, at + n),
    );
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.fill(${this.value}, ${this.addr}, ${this.addr + this.n})${refusedNote(this.refused)}`;
  }
}

class CopyWithin extends OnVersion {
  constructor(
    pick: number,
    private readonly window: number,
    private readonly target_: number,
    private readonly start: number,
    private readonly len: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private args = [0, 0, 0];
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const base = this.window * WIN;
    const n = Math.min(this.len, WIN - this.target_, WIN - this.start);
    const t = addrOf(base + this.target_);
    const a = addrOf(base + this.start);
    this.args = [t, a, a + n];
    mutate(
      m,
      r,
      v,
      n, // a copy onto itself is still a write: refused on a frozen version
      this.refused,
      () => s.copyWithin(t, a, a + n),
      () => (m.versions[v] as Uint8Array).copyWithin(base + this.target_, base + this.start, base + this.start + n),
    );
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.copyWithin(${this.args.join(", ")})${refusedNote(this.refused)}`;
  }
}

class Discard extends OnVersion {
  constructor(
    pick: number,
    private readonly window: number,
    private readonly page: number,
    private readonly pages: number,
    private readonly refused: boolean,
  ) {
    super(pick);
  }
  private args = [0, 0];
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const n = Math.min(this.pages, WIN_PAGES - this.page);
    const at = this.window * WIN + this.page * PS;
    this.args = [addrOf(at), n * PS];
    mutate(
      m,
      r,
      v,
      n * PS,
      this.refused,
      () => s.discard(addrOf(at), n * PS),
      () => (m.versions[v] as Uint8Array).fill(0, at, at + n * PS),
    );
    checkAll(m, r);
  }
  toString(): string {
    return `${this.name}.discard(${this.args.join(", ")})${refusedNote(this.refused)}`;
  }
}

class Diff implements Cmd {
  private names = ["v?", "v?"];
  constructor(
    private readonly a: number,
    private readonly b: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return live(m as Model).length > 0;
  }
  run(m: Model, r: Real): void {
    const va = pickOf(m, this.a);
    const vb = pickOf(m, this.b);
    this.names = [`v${va}`, `v${vb}`];
    const ma = m.versions[va] as Uint8Array;
    const mb = m.versions[vb] as Uint8Array;
    const want: number[] = [];
    for (let p = 0; p < MODEL_BYTES / PS; p++)
      if (firstDiff(ma.subarray(p * PS, (p + 1) * PS), mb.subarray(p * PS, (p + 1) * PS)) >= 0)
        want.push(addrOf(p * PS));
    const got = (r.spaces[va] as AddressSpace).diff(r.spaces[vb] as AddressSpace);
    expect(got).toEqual(want);
    checkAll(m, r);
  }
  toString(): string {
    return `${this.names[0]}.diff(${this.names[1]})`;
  }
}

/** Writes every window page of a version, then forks it `n` times, fork k writing `k & 0xff` at one byte. */
class ForkMany extends OnVersion {
  constructor(
    pick: number,
    private readonly n: number,
    private readonly index: number,
  ) {
    super(pick);
  }
  override check(m: Readonly<Model>): boolean {
    return super.check(m) && m.groups.length < 2;
  }
  private window = 0;
  run(m: Model, r: Real): void {
    const [v, s] = this.target(m, r);
    const model = m.versions[v] as Uint8Array;
    this.window = Math.floor(this.index / WIN);
    if (!m.frozen[v]) {
      for (let p = 0; p < WIN_PAGES; p++) {
        const at = this.window * WIN + p * PS + 1;
        model[at] = (model[at] as number) + 1;
        s.setUint8(addrOf(at), model[at] as number);
      }
    }
    const g: Group = { base: model.slice(), at: this.index, forks: [], names: [], values: [] };
    const addr = addrOf(this.index);
    for (let k = 0; k < this.n; k++) {
      const f = s.fork();
      f.setUint8(addr, k & 0xff);
      g.forks.push(f);
      g.values.push(k & 0xff);
      g.names.push(`${this.name}'s fork ${k}`);
    }
    m.groups.push(g);
    // The leaf copies retained the written neighbours of the page each fork wrote past 254 references.
    if (!m.frozen[v] && this.n >= 254) expect(r.pool.stats().overflowRefcounts).toBeGreaterThan(0);
    checkAll(m, r);
  }
  toString(): string {
    return `/* ${this.name}: +1 at byte 1 of each page of window ${this.window} */ const forks = []; for (let k = 0; k < ${this.n}; k++) { const f = ${this.name}.fork(); f.setUint8(${addrOf(this.index)}, k & 0xff); forks.push(f); }`;
  }
}

/** Checks every fork of a group, then releases them in an order drawn from `seed` (all, or the first half). */
class ReleaseGroup implements Cmd {
  constructor(
    private readonly seed: number,
    private readonly half: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.groups.length > 0;
  }
  run(m: Model, r: Real): void {
    const g = m.groups[this.seed % m.groups.length] as Group;
    for (let k = 0; k < g.forks.length; k++) expectSame(g.forks[k] as AddressSpace, groupModel(g, k), g.names[k]!);
    // A permutation from the seed: pairs swapped by an LCG.
    const order = g.forks.map((_, k) => k);
    let x = this.seed | 1;
    for (let k = order.length - 1; k > 0; k--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const j = x % (k + 1);
      [order[k], order[j]] = [order[j] as number, order[k] as number];
    }
    const count = this.half ? order.length >> 1 : order.length;
    const gone = new Set(order.slice(0, count));
    for (const k of gone) (g.forks[k] as AddressSpace).release();
    const keep: number[] = [];
    for (let k = 0; k < g.forks.length; k++) if (!gone.has(k)) keep.push(k);
    g.forks = keep.map((k) => g.forks[k] as AddressSpace);
    g.names = keep.map((k) => g.names[k] as string);
    g.values = keep.map((k) => g.values[k] as number);
    if (keep.length === 0) m.groups.splice(m.groups.indexOf(g), 1);
    checkAll(m, r);
  }
  toString(): string {
    return `/* release ${this.half ? "half of" : "all"} the forks of group ${this.seed}, shuffled by seed ${this.seed} */`;
  }
}

const pick = fc.nat({ max: 63 });
const index = fc.nat({ max: MODEL_BYTES - 1 });
const refused = fc.boolean();

const commands = [
  fc.constant(null).map(() => new NewSpace()),
  pick.map((p) => new Fork(p)),
  pick.map((p) => new Release(p)),
  pick.map((p) => new Freeze(p)),
  fc
    .tuple(pick, fc.nat({ max: TYPES.length - 1 }), index, fc.nat({ max: 1 << 20 }), refused)
    .map(([p, t, i, s, f]) => new SetTyped(p, t, i, s, f)),
  fc
    .tuple(pick, fc.constantFrom(1 as const, 2 as const), index, fc.nat({ max: 140 }), fc.nat({ max: 0xffff }), refused)
    .map(([p, w, i, l, s, f]) => new SpanWrite(p, w, i, l, s, f)),
  fc
    .tuple(pick, fc.constantFrom(1 as const, 2 as const), index, fc.nat({ max: 140 }))
    .map(([p, w, i, l]) => new SpanRead(p, w, i, l)),
  fc
    .tuple(pick, index, fc.nat({ max: 3 * PS }), fc.nat({ max: 0xffff }), refused)
    .map(([p, i, l, s, f]) => new Write(p, i, l, s, f)),
  fc
    .tuple(pick, fc.integer({ min: -300, max: 300 }), index, fc.nat({ max: 2 * PS }), refused)
    .map(([p, v, i, l, f]) => new Fill(p, v, i, l, f)),
  fc
    .tuple(
      pick,
      fc.nat({ max: W.length - 1 }),
      fc.nat({ max: WIN - 1 }),
      fc.nat({ max: WIN - 1 }),
      fc.nat({ max: WIN }),
      refused,
    )
    .map(([p, w, t, s, l, f]) => new CopyWithin(p, w, t, s, l, f)),
  fc
    .tuple(pick, fc.nat({ max: W.length - 1 }), fc.nat({ max: WIN_PAGES - 1 }), fc.nat({ max: WIN_PAGES }), refused)
    .map(([p, w, pg, n, f]) => new Discard(p, w, pg, n, f)),
  fc.tuple(pick, pick).map(([a, b]) => new Diff(a, b)),
];
/** The writers twice as often as the rest (freeze and release would otherwise end most runs' writes). */
const weighted = [...commands, ...commands.slice(4, 11)];
const rare = [
  fc.tuple(pick, fc.integer({ min: 250, max: 275 }), index).map(([p, n, i]) => new ForkMany(p, n, i)),
  fc.tuple(fc.nat({ max: 1000 }), fc.boolean()).map(([s, h]) => new ReleaseGroup(s, h)),
];

function runSequence(cmds: Iterable<Cmd>): void {
  const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 16 * PS });
  const m: Model = { versions: [new Uint8Array(MODEL_BYTES)], frozen: [false], groups: [] };
  const r: Real = { pool, spaces: [new AddressSpace({ size: SIZE, pool })] };
  try {
    fc.modelRun(() => ({ model: m, real: r }), cmds);
  } finally {
    refuse.on = false;
  }
  for (const i of live(m)) (r.spaces[i] as AddressSpace).release();
  for (const g of m.groups) for (const f of g.forks) f.release();
  expect(pool.stats()).toMatchObject({
    framesInUse: 0,
    pageTableNodes: 0,
    committedBytes: 0,
    spaces: 0,
    overflowRefcounts: 0,
  });
}

describe("copy-on-write core against a byte-array model (review 25)", () => {
  it("versions of a deep sparse space in a growing pool: typed writes, spans, bulk ops, freeze, refusals", () => {
    fc.assert(
      fc.property(fc.commands(weighted, { maxCommands: 60, size: "large" }), (cmds) => runSequence(cmds)),
      { numRuns: 100 },
    );
  });

  it("the same with many forks of one page (refcounts past 255)", () => {
    fc.assert(
      fc.property(fc.commands([...weighted, ...rare, ...rare], { maxCommands: 40, size: "large" }), (cmds) =>
        runSequence(cmds),
      ),
      { numRuns: 15 },
    );
  });
});
