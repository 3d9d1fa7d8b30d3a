import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AddressSpace, FramePool, Heap, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "../src/index.js";

const PS = 256;

// ---------------------------------------------------------------- helpers

/** Everything a failing call must leave as it was: pool counters, and every byte and counter of every live space. */
function snapshot(pool: FramePool, spaces: readonly (AddressSpace | null)[]): string {
  const parts: string[] = [JSON.stringify(pool.stats())];
  for (const s of spaces) {
    if (s === null || s.released) continue;
    parts.push(JSON.stringify(s.stats()));
    parts.push(Buffer.from(s.read(0, new Uint8Array(s.size))).toString("base64"));
  }
  return parts.join("|");
}

function expectUnchanged(
  pool: FramePool,
  spaces: readonly (AddressSpace | null)[],
  call: () => unknown,
  error: new (...args: never[]) => Error,
): void {
  const before = snapshot(pool, spaces);
  expect(call).toThrow(error);
  expect(snapshot(pool, spaces)).toBe(before);
}

function allBytes(space: AddressSpace, addr: number, len: number, value: number): boolean {
  const b = space.read(addr, new Uint8Array(len));
  for (let i = 0; i < len; i++) if (b[i] !== value) return false;
  return true;
}

function newHeap(size = 1 << 16, options: { base?: number; limit?: number } = {}, maxBytes?: number) {
  const pool = new FramePool(maxBytes === undefined ? { pageSize: PS } : { pageSize: PS, maxBytes });
  const space = new AddressSpace({ size, pool });
  return { pool, space, heap: Heap.create(space, options) };
}

// ---------------------------------------------------------------- model-based property

interface Block {
  size: number;
  /** Byte every payload byte holds, or -1 when unknown (the test's own fill hit the pool limit). */
  fill: number;
}
interface Run {
  n: number;
  fill: number;
}
interface ModelVersion {
  blocks: Map<number, Block>;
  pages: Map<number, Run>;
  freed: number[];
}
interface Model {
  versions: (ModelVersion | null)[];
  fill: number;
}
interface Real {
  pool: FramePool;
  spaces: (AddressSpace | null)[];
  heaps: (Heap | null)[];
  base: number;
  limit: number;
}

const MAX_VERSIONS = 6;

function liveIndex(m: Model, sel: number): number {
  const live: number[] = [];
  m.versions.forEach((v, i) => {
    if (v !== null) live.push(i);
  });
  return live[sel % live.length] as number;
}

function nextFill(m: Model): number {
  m.fill = (m.fill % 250) + 1;
  return m.fill;
}

/** Fills `len` bytes at `addr`; returns the fill byte, or -1 if the pool refused the write (then nothing was written). */
function fillWith(r: Real, space: AddressSpace, addr: number, len: number, value: number): number {
  try {
    space.fill(value, addr, addr + len);
    return value;
  } catch (e) {
    if (e instanceof OutOfMemoryError && r.pool.maxBytes !== Number.POSITIVE_INFINITY) return -1;
    throw e;
  }
}

/** Checks one version against the model: heap metadata, block and page contents, no overlaps, counters. */
function verify(m: Model, r: Real, vi: number): void {
  const mv = m.versions[vi] as ModelVersion;
  const space = r.spaces[vi] as AddressSpace;
  const heap = r.heaps[vi] as Heap;
  heap.check();
  const st = heap.stats();
  const spans: [number, number][] = [];
  let requested = 0;
  for (const [addr, b] of mv.blocks) {
    const usable = heap.usableSize(addr);
    expect(usable).toBeGreaterThanOrEqual(b.size);
    expect(addr % 8).toBe(0);
    if (usable < PS / 2) expect(Math.floor(addr / PS)).toBe(Math.floor((addr + usable - 1) / PS)); // no straddling
    if (b.fill >= 0 && !allBytes(space, addr, b.size, b.fill)) throw new Error(`block ${addr} lost its contents`);
    spans.push([addr, addr + usable]);
    requested += b.size;
  }
  let pages = 0;
  for (const [addr, run] of mv.pages) {
    expect(addr % PS).toBe(0);
    if (run.fill >= 0 && !allBytes(space, addr, run.n * PS, run.fill))
      throw new Error(`page ${addr} lost its contents`);
    spans.push([addr, addr + run.n * PS]);
    pages += run.n;
  }
  spans.sort((a, b) => a[0] - b[0]);
  let end = st.dataStart; // nothing may overlap the header or the page map
  for (const [a, b] of spans) {
    if (a < end) throw new Error(`overlap at ${a} (previous span ends at ${end})`);
    end = b;
  }
  expect(end).toBeLessThanOrEqual(r.limit);
  expect(st.blocks).toBe(mv.blocks.size);
  expect(st.requestedBytes).toBe(requested);
  expect(st.pagesAllocated).toBe(pages);
}

/** An OutOfMemoryError is legitimate only if the heap is really full or the pool is near its limit. */
function expectJustifiedOom(r: Real, vi: number, pagesWanted: number): void {
  const st = (r.heaps[vi] as Heap).stats();
  const poolNearLimit = r.pool.framesAvailable() < 24;
  const heapFull = pagesWanted <= 1 ? st.freePages === 0 && st.brk === st.limit : st.brk + pagesWanted * PS > st.limit;
  expect(poolNearLimit || heapFull).toBe(true);
}

function pagesFor(size: number): number {
  return size + 8 <= PS / 2 ? 1 : Math.ceil(size / PS);
}

/** Runs `call`; on OutOfMemoryError checks nothing changed and that it was justified, and returns undefined. */
function tryAlloc<T>(r: Real, vi: number, pagesWanted: number, call: () => T): T | undefined {
  const acted = [r.spaces[vi] as AddressSpace];
  const before = snapshot(r.pool, acted);
  try {
    return call();
  } catch (e) {
    if (!(e instanceof OutOfMemoryError)) throw e;
    expect(snapshot(r.pool, acted)).toBe(before);
    expectJustifiedOom(r, vi, pagesWanted);
    return undefined;
  }
}

/** Runs a call that needs no heap room (a free): with a pool limit it may still need frames for copies. */
function tryFree(r: Real, vi: number, call: () => void): boolean {
  const acted = [r.spaces[vi] as AddressSpace];
  const before = snapshot(r.pool, acted);
  try {
    call();
    return true;
  } catch (e) {
    if (!(e instanceof OutOfMemoryError)) throw e;
    expect(snapshot(r.pool, acted)).toBe(before);
    expect(r.pool.framesAvailable()).toBeLessThan(24);
    return false;
  }
}

type Cmd = fc.Command<Model, Real>;

class MallocCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly size: number,
    readonly zeroed: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    const space = r.spaces[vi] as AddressSpace;
    const heap = r.heaps[vi] as Heap;
    const addr = tryAlloc(r, vi, pagesFor(this.size), () =>
      this.zeroed ? heap.calloc(this.size) : heap.malloc(this.size),
    );
    if (addr === undefined) return;
    expect(mv.blocks.has(addr)).toBe(false);
    if (this.zeroed) expect(allBytes(space, addr, heap.usableSize(addr), 0)).toBe(true);
    mv.blocks.set(addr, { size: this.size, fill: fillWith(r, space, addr, this.size, nextFill(m)) });
    verify(m, r, vi);
  }
  toString(): string {
    return `${this.zeroed ? "calloc" : "malloc"}(v${this.v}, ${this.size})`;
  }
}

class FreeCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly i: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    if (mv.blocks.size === 0) return;
    const addr = [...mv.blocks.keys()][this.i % mv.blocks.size] as number;
    if (!tryFree(r, vi, () => (r.heaps[vi] as Heap).free(addr))) return;
    mv.blocks.delete(addr);
    mv.freed.push(addr);
    verify(m, r, vi);
  }
  toString(): string {
    return `free(v${this.v}, block#${this.i})`;
  }
}

class ReallocCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly i: number,
    readonly size: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    const space = r.spaces[vi] as AddressSpace;
    const heap = r.heaps[vi] as Heap;
    const old = mv.blocks.size === 0 ? 0 : ([...mv.blocks.keys()][this.i % mv.blocks.size] as number);
    const before = old === 0 ? undefined : (mv.blocks.get(old) as Block);
    const addr = tryAlloc(r, vi, pagesFor(this.size), () => heap.realloc(old, this.size));
    if (addr === undefined) return;
    if (before !== undefined) {
      const keep = Math.min(before.size, this.size);
      if (before.fill >= 0 && !allBytes(space, addr, keep, before.fill)) throw new Error("realloc lost contents");
      mv.blocks.delete(old);
      if (addr !== old) mv.freed.push(old);
    }
    mv.blocks.set(addr, { size: this.size, fill: fillWith(r, space, addr, this.size, nextFill(m)) });
    verify(m, r, vi);
  }
  toString(): string {
    return `realloc(v${this.v}, block#${this.i} or 0, ${this.size})`;
  }
}

class AllocPagesCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly n: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    const space = r.spaces[vi] as AddressSpace;
    const heap = r.heaps[vi] as Heap;
    const addr = tryAlloc(r, vi, this.n, () => (this.n === 1 ? heap.allocPage() : heap.allocPages(this.n)));
    if (addr === undefined) return;
    expect(allBytes(space, addr, this.n * PS, 0)).toBe(true); // recycled pages read as zeros
    mv.pages.set(addr, { n: this.n, fill: fillWith(r, space, addr, this.n * PS, nextFill(m)) });
    verify(m, r, vi);
  }
  toString(): string {
    return this.n === 1 ? `allocPage(v${this.v})` : `allocPages(v${this.v}, ${this.n})`;
  }
}

class FreePagesCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly i: number,
    readonly firstOnly: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    if (mv.pages.size === 0) return;
    const heap = r.heaps[vi] as Heap;
    const addr = [...mv.pages.keys()][this.i % mv.pages.size] as number;
    const run = mv.pages.get(addr) as Run;
    const first = this.firstOnly || run.n === 1;
    if (!tryFree(r, vi, () => (first ? heap.freePage(addr) : heap.freePages(addr, run.n)))) return;
    mv.pages.delete(addr);
    if (first && run.n > 1) mv.pages.set(addr + PS, { n: run.n - 1, fill: run.fill });
    mv.freed.push(addr);
    verify(m, r, vi);
  }
  toString(): string {
    return `${this.firstOnly ? "freePage" : "freePages"}(v${this.v}, run#${this.i})`;
  }
}

class ForkCmd implements Cmd {
  constructor(readonly v: number) {}
  check(m: Model): boolean {
    return m.versions.filter((x) => x !== null).length < MAX_VERSIONS;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    const child = (r.spaces[vi] as AddressSpace).fork();
    r.spaces.push(child);
    r.heaps.push(Heap.attach(child, r.base));
    m.versions.push({
      blocks: new Map([...mv.blocks].map(([a, b]) => [a, { ...b }])),
      pages: new Map([...mv.pages].map(([a, p]) => [a, { ...p }])),
      freed: [...mv.freed],
    });
    verify(m, r, vi);
    verify(m, r, m.versions.length - 1);
  }
  toString(): string {
    return `fork(v${this.v})`;
  }
}

class ReleaseCmd implements Cmd {
  constructor(readonly v: number) {}
  check(m: Model): boolean {
    return m.versions.filter((x) => x !== null).length > 1;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    (r.spaces[vi] as AddressSpace).release();
    r.spaces[vi] = null;
    r.heaps[vi] = null;
    m.versions[vi] = null;
  }
  toString(): string {
    return `release(v${this.v})`;
  }
}

const BAD_KINDS = [
  "double free",
  "interior +8",
  "interior +1",
  "header",
  "page map",
  "past limit",
  "negative",
  "NaN",
  "fractional",
  "freePage of a block",
  "freePage twice",
  "freePages too many",
  "free of a page",
  "size -1",
  "size 1.5",
  "size NaN",
  "size > limit",
  "realloc of a freed block",
] as const;

class BadCallCmd implements Cmd {
  constructor(
    readonly v: number,
    readonly kind: number,
    readonly i: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const vi = liveIndex(m, this.v);
    const mv = m.versions[vi] as ModelVersion;
    const heap = r.heaps[vi] as Heap;
    const st = heap.stats();
    const live = (a: number) => mv.blocks.has(a);
    const anyBlock = mv.blocks.size === 0 ? 0 : ([...mv.blocks.keys()][this.i % mv.blocks.size] as number);
    const anyPage = mv.pages.size === 0 ? 0 : ([...mv.pages.keys()][this.i % mv.pages.size] as number);
    const inPages = (a: number) => [...mv.pages].some(([p, run]) => a >= p && a < p + run.n * PS);
    const freed = mv.freed.filter((a) => !live(a) && !inPages(a - (a % PS)));
    const oneFreed = freed.length === 0 ? 0 : (freed[this.i % freed.length] as number);
    let call: (() => unknown) | undefined;
    switch (BAD_KINDS[this.kind]) {
      case "double free":
        if (oneFreed !== 0) call = () => heap.free(oneFreed);
        break;
      case "interior +8":
        if (anyBlock !== 0 && !live(anyBlock + 8)) call = () => heap.free(anyBlock + 8);
        break;
      case "interior +1":
        if (anyBlock !== 0) call = () => heap.free(anyBlock + 1);
        break;
      case "header":
        call = () => heap.free(r.base + 16);
        break;
      case "page map":
        call = () => heap.free(r.base + PS + 8);
        break;
      case "past limit":
        call = () => heap.free(st.limit + 8);
        break;
      case "negative":
        call = () => heap.free(-8);
        break;
      case "NaN":
        call = () => heap.free(Number.NaN);
        break;
      case "fractional":
        call = () => heap.freePage(st.dataStart + 0.5);
        break;
      case "freePage of a block":
        if (anyBlock !== 0) call = () => heap.freePage(anyBlock - (anyBlock % PS));
        break;
      case "freePage twice":
        if (oneFreed !== 0) call = () => heap.freePage(oneFreed - (oneFreed % PS));
        break;
      case "freePages too many":
        if (anyPage !== 0) {
          const n = (mv.pages.get(anyPage) as Run).n;
          if (!mv.pages.has(anyPage + n * PS)) call = () => heap.freePages(anyPage, n + 1);
        }
        break;
      case "free of a page":
        if (anyPage !== 0) call = () => heap.free(anyPage);
        break;
      case "size -1":
        call = () => heap.malloc(-1);
        break;
      case "size 1.5":
        call = () => heap.calloc(1.5);
        break;
      case "size NaN":
        call = () => heap.malloc(Number.NaN);
        break;
      case "size > limit":
        call = () => heap.malloc(st.limit - st.base + 1);
        break;
      default:
        if (oneFreed !== 0) call = () => heap.realloc(oneFreed, 8);
    }
    if (call !== undefined) expectUnchanged(r.pool, r.spaces, call, InvalidArgumentError);
    // the whole heap can never fit beside its own metadata: always OutOfMemoryError, never a partial change
    expectUnchanged(r.pool, r.spaces, () => heap.malloc(st.limit - st.base), OutOfMemoryError);
  }
  toString(): string {
    return `bad(v${this.v}, ${BAD_KINDS[this.kind]}, #${this.i})`;
  }
}

class VerifyAllCmd implements Cmd {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.versions.forEach((v, i) => {
      if (v !== null) verify(m, r, i);
    });
  }
  toString(): string {
    return "verifyAll()";
  }
}

const sel = fc.nat(20);
const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: PS / 2 - 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: PS / 2 - 7, max: 3 * PS }) },
  { weight: 1, arbitrary: fc.integer({ min: 3 * PS, max: 12 * PS }) },
);
const commands = [
  fc.tuple(sel, sizeArb, fc.boolean()).map(([v, s, z]) => new MallocCmd(v, s, z)),
  fc.tuple(sel, sizeArb, fc.boolean()).map(([v, s, z]) => new MallocCmd(v, s, z)),
  fc.tuple(sel, fc.nat()).map(([v, i]) => new FreeCmd(v, i)),
  fc.tuple(sel, fc.nat(), sizeArb).map(([v, i, s]) => new ReallocCmd(v, i, s)),
  fc.tuple(sel, fc.integer({ min: 1, max: 6 })).map(([v, n]) => new AllocPagesCmd(v, n)),
  sel.map((v) => new AllocPagesCmd(v, 1)),
  fc.tuple(sel, fc.nat(), fc.boolean()).map(([v, i, f]) => new FreePagesCmd(v, i, f)),
  sel.map((v) => new ForkCmd(v)),
  sel.map((v) => new ReleaseCmd(v)),
  fc.tuple(sel, fc.nat(BAD_KINDS.length - 1), fc.nat()).map(([v, k, i]) => new BadCallCmd(v, k, i)),
  fc.constant(new VerifyAllCmd()),
];

describe("Heap: model-based", () => {
  test("random malloc/free/realloc/page/fork sequences keep every version's blocks intact and separate", () => {
    const setup = fc.record({
      base: fc.constantFrom(0, 2 * PS),
      cut: fc.constantFrom(0, 40 * PS),
      maxFrames: fc.constantFrom(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 30, 60),
    });
    fc.assert(
      fc.property(setup, fc.commands(commands, { maxCommands: 70, size: "max" }), ({ base, cut, maxFrames }, cmds) => {
        const size = 64 * PS;
        const pool = new FramePool({ pageSize: PS, maxBytes: maxFrames * PS });
        const space = new AddressSpace({ size, pool });
        const limit = size - cut;
        const real: Real = { pool, spaces: [space], heaps: [Heap.create(space, { base, limit })], base, limit };
        const model: Model = { versions: [{ blocks: new Map(), pages: new Map(), freed: [] }], fill: 0 };
        try {
          fc.modelRun(() => ({ model, real }), cmds);
          new VerifyAllCmd().run(model, real);
        } finally {
          for (const s of real.spaces) s?.release();
        }
        // frame-leak check: every frame and page-table node comes back
        expect(pool.stats().framesInUse).toBe(0);
        expect(pool.stats().pageTableNodes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- unit tests

describe("Heap: create and attach", () => {
  test("attach finds the heap in a fork in O(1) without writing", () => {
    const { space, heap } = newHeap();
    const a = heap.malloc(40);
    space.setUint32(a, 7);
    const child = space.fork();
    const h2 = Heap.attach(child);
    expect(child.stats().zeroFillFaults + child.stats().copyFaults).toBe(0);
    expect(h2.usableSize(a)).toBe(56);
    expect(h2.stats()).toEqual(heap.stats());
    child.release();
    space.release();
  });

  test("refuses what is not a heap", () => {
    const { space } = newHeap();
    const other = new AddressSpace({ size: 1 << 16, pageSize: PS });
    expect(() => Heap.attach(other)).toThrow(InvalidArgumentError);
    expect(() => Heap.attach(space, PS)).toThrow(InvalidArgumentError);
    expect(() => Heap.attach(space, 100)).toThrow(InvalidArgumentError);
    expect(() => Heap.attach(space, 1 << 16)).toThrow(InvalidArgumentError);
    expect(() => Heap.create(space)).toThrow(InvalidArgumentError); // already a heap there
    expect(() => Heap.create(other, { base: 100 })).toThrow(InvalidArgumentError);
    expect(() => Heap.create(other, { limit: 2 * PS })).toThrow(InvalidArgumentError); // no room for a data page
    expect(() => Heap.create(other, { limit: (1 << 16) + 1 })).toThrow(InvalidArgumentError);
    const h = Heap.create(other, { base: 4 * PS, limit: 40 * PS + 17 });
    expect(h.limit).toBe(40 * PS);
    expect(h.stats().dataStart).toBe(8 * PS); // base + header + 3 map pages
    other.release();
    space.release();
  });

  test("the class @example runs", () => {
    const space = new AddressSpace({ size: 1 << 20, pageSize: 256 });
    const heap = Heap.create(space);
    const p = heap.malloc(12);
    space.setUint32(p, 42);
    const child = space.fork();
    const h2 = Heap.attach(child);
    h2.free(p);
    h2.malloc(100);
    expect(space.getUint32(p)).toBe(42);
    expect(heap.usableSize(p)).toBe(24);
    child.release();
    space.release();
  });

  test("every call on a released space throws ReleasedError", () => {
    const { space, heap } = newHeap();
    const a = heap.malloc(8);
    space.release();
    expect(() => heap.malloc(8)).toThrow(ReleasedError);
    expect(() => heap.free(a)).toThrow(ReleasedError);
    expect(() => heap.allocPage()).toThrow(ReleasedError);
    expect(() => Heap.attach(space)).toThrow(ReleasedError);
  });
});

describe("Heap: pages", () => {
  test("freePage discards instead of copying; recycled pages read as zeros; the parent keeps its data", () => {
    const { pool, space, heap } = newHeap();
    const pages = Array.from({ length: 40 }, () => heap.allocPage());
    for (const p of pages) space.fill(0xab, p, p + PS);
    const child = space.fork();
    const h2 = Heap.attach(child);
    const before = child.stats().bytesCopied;
    const inUse = pool.stats().framesInUse;
    for (const p of pages) h2.freePage(p);
    // only metadata is copied: the header and the page-map pages, never a freed page
    // 40 entries of 16 bytes span at most 4 page-map pages
    expect(child.stats().bytesCopied - before).toBeLessThanOrEqual(5 * PS);
    expect(pool.stats().framesInUse).toBeLessThanOrEqual(inUse + 6);
    for (const p of pages) expect(allBytes(space, p, PS, 0xab)).toBe(true);
    const again = Array.from({ length: 40 }, () => h2.allocPage());
    expect(new Set(again)).toEqual(new Set(pages));
    for (const p of again) expect(allBytes(child, p, PS, 0)).toBe(true);
    h2.check();
    heap.check();
    child.release();
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  test("on a fresh fork, one allocPage or freePage copies at most 3 pages (header, page map, stack chunk)", () => {
    const { space, heap } = newHeap(1 << 18);
    const held: number[] = [];
    for (let i = 0; i < 300; i++) held.push(heap.allocPage());
    for (let i = 0; i < 300; i += 2) heap.freePage(held[i] as number); // magazine and chunk pages in use
    let version = space;
    for (let i = 0; i < 200; i++) {
      const next = version.fork();
      const h = Heap.attach(next);
      const copied = next.stats().bytesCopied;
      if (i % 2 === 0) held.push(h.allocPage());
      else h.freePage(held.pop() as number);
      expect(next.stats().bytesCopied - copied).toBeLessThanOrEqual(3 * PS);
      if (version !== space) version.release();
      version = next;
    }
    Heap.attach(version).check();
    version.release();
    space.release();
  });

  test("many frees spill from the header magazine into chunk pages and come back", () => {
    const { pool, space, heap } = newHeap(1 << 18);
    const pages = Array.from({ length: 600 }, () => heap.allocPage());
    const guard = heap.allocPage(); // keeps the frees below from trimming the break
    for (const p of pages) heap.freePage(p);
    heap.check();
    const st = heap.stats();
    expect(st.freePages).toBeLessThan(600); // some freed pages became stack chunks
    expect(st.freePages).toBeGreaterThan(580);
    const again = Array.from({ length: 600 }, () => heap.allocPage());
    expect(new Set(again).size).toBe(600);
    expect(again).toEqual(expect.arrayContaining(pages));
    for (const p of again) expect(allBytes(space, p, PS, 0)).toBe(true);
    heap.freePage(guard);
    heap.check();
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  test("runs: first fit with split, sub-runs may be freed, the break is trimmed", () => {
    const { heap } = newHeap();
    const a = heap.allocPages(4);
    const b = heap.allocPages(3);
    const guard = heap.allocPage();
    heap.freePages(a, 4);
    expect(heap.allocPages(3)).toBe(a); // first fit, split
    heap.freePage(b + PS); // a page in the middle of a run
    expect(() => heap.freePages(b, 3)).toThrow(InvalidArgumentError);
    heap.freePages(b + 2 * PS, 1);
    const c = heap.allocPages(2);
    expect(c).toBe(guard + PS); // the 1-page rest of a was too small: from the break
    const brk = heap.stats().brk;
    heap.freePages(c, 2); // just below the break: trimmed
    expect(heap.stats().brk).toBe(brk - 2 * PS);
    heap.freePage(guard);
    expect(heap.stats().brk).toBe(brk - 3 * PS);
    expect(() => heap.allocPages(0)).toThrow(InvalidArgumentError);
    expect(() => heap.allocPages(1.5)).toThrow(InvalidArgumentError);
    heap.check();
  });
});

describe("Heap: blocks", () => {
  test("size classes, alignment and usable sizes", () => {
    const { space, heap } = newHeap(1 << 18);
    const seen = new Set<number>();
    for (let size = 0; size <= 3 * PS; size += 5) {
      const a = heap.malloc(size);
      const u = heap.usableSize(a);
      expect(a % 8).toBe(0);
      expect(seen.has(a)).toBe(false);
      seen.add(a);
      if (size + 8 <= PS / 2) {
        expect(u + 8).toBe(Math.max(16, 2 ** Math.ceil(Math.log2(size + 8))));
        expect(Math.floor(a / PS)).toBe(Math.floor((a + u - 1) / PS));
      } else {
        expect(a % PS).toBe(0);
        expect(u).toBe(Math.ceil(size / PS) * PS);
      }
      space.fill(size & 0xff, a, a + u);
    }
    heap.check();
    expect(heap.stats().blocks).toBe(seen.size);
    for (const a of seen) heap.free(a);
    heap.check();
    expect(heap.stats().usableBytes).toBe(0);
    space.release();
  });

  test("realloc: NULL, in place, grow at the break, shrink, move", () => {
    const { space, heap } = newHeap();
    const a = heap.realloc(0, 20);
    expect(heap.usableSize(a)).toBe(24);
    space.fill(1, a, a + 20);
    expect(heap.realloc(a, 24)).toBe(a); // same class
    const b = heap.realloc(a, 100); // moves
    expect(b).not.toBe(a);
    expect(allBytes(space, b, 20, 1)).toBe(true);
    expect(() => heap.free(a)).toThrow(InvalidArgumentError);
    const big = heap.malloc(2 * PS);
    space.fill(2, big, big + 2 * PS);
    expect(heap.realloc(big, 5 * PS)).toBe(big); // ends at the break: grows in place
    expect(allBytes(space, big, 2 * PS, 2)).toBe(true);
    expect(allBytes(space, big + 2 * PS, 3 * PS, 0)).toBe(true);
    expect(heap.realloc(big, PS + 1)).toBe(big); // shrinks in place
    expect(heap.usableSize(big)).toBe(2 * PS);
    const small = heap.realloc(big, 10); // large to small moves
    expect(allBytes(space, small, 10, 2)).toBe(true);
    expect(heap.realloc(small, 12)).toBe(small);
    const zero = heap.realloc(small, 0); // a 0-byte block, not a free
    expect(heap.usableSize(zero)).toBe(8);
    heap.free(0);
    heap.check();
    expect(heap.stats().blocks).toBe(2);
    space.release();
  });

  test("calloc zeroes a reused slot", () => {
    const { space, heap } = newHeap();
    const keep = heap.malloc(30);
    const a = heap.malloc(30);
    space.fill(0xee, a, a + 30);
    heap.free(a);
    const c = heap.calloc(30);
    expect(c).toBe(a);
    expect(allBytes(space, c, heap.usableSize(c), 0)).toBe(true);
    heap.free(keep);
    space.release();
  });

  test("an empty slab is kept only while it is its class's only partly used slab", () => {
    const { heap } = newHeap();
    const base = heap.stats().dataPages;
    const blocks = Array.from({ length: 40 }, () => heap.malloc(100)); // 2 per page: 20 slabs
    expect(heap.stats().dataPages).toBe(base + 20);
    for (const b of blocks) heap.free(b);
    expect(heap.stats().dataPages).toBe(base + 1);
    for (let i = 0; i < 50; i++) heap.free(heap.malloc(100)); // no page churn
    expect(heap.stats().dataPages).toBe(base + 1);
    heap.check();
  });
});

describe("Heap: errors change nothing", () => {
  test("bad sizes and bad frees throw InvalidArgumentError", () => {
    const { pool, space, heap } = newHeap();
    const a = heap.malloc(50);
    const big = heap.malloc(600);
    const page = heap.allocPage();
    heap.free(heap.malloc(50));
    const freed = heap.malloc(70);
    heap.free(freed);
    const spaces = [space];
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, (1 << 16) + 1, "8" as unknown as number])
      expectUnchanged(pool, spaces, () => heap.malloc(size), InvalidArgumentError);
    for (const addr of [freed, a + 8, a + 1, a - 8, big + 8, big + PS, page, 0.5, -1, 8, 1 << 16])
      expectUnchanged(pool, spaces, () => heap.free(addr), InvalidArgumentError);
    expectUnchanged(pool, spaces, () => heap.realloc(freed, 10), InvalidArgumentError);
    expectUnchanged(pool, spaces, () => heap.realloc(a, -5), InvalidArgumentError);
    expectUnchanged(pool, spaces, () => heap.freePage(big), InvalidArgumentError);
    expectUnchanged(pool, spaces, () => heap.freePage(page + 8), InvalidArgumentError);
    expectUnchanged(pool, spaces, () => heap.usableSize(freed), InvalidArgumentError);
    heap.freePage(page);
    expectUnchanged(pool, spaces, () => heap.freePage(page), InvalidArgumentError);
    heap.check();
    space.release();
  });

  test("a small limit runs out with OutOfMemoryError, changes nothing, and recovers after a free", () => {
    const { pool, space, heap } = newHeap(1 << 16, { limit: 40 * PS });
    const capacity = 40 - 1 - Math.ceil((40 * 16) / PS);
    const pages: number[] = [];
    for (;;) {
      try {
        pages.push(heap.allocPage());
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        break;
      }
    }
    expect(pages.length).toBe(capacity);
    for (const call of [() => heap.allocPage(), () => heap.malloc(1), () => heap.allocPages(2), () => heap.calloc(PS)])
      expectUnchanged(pool, [space], call, OutOfMemoryError);
    heap.freePage(pages[3] as number);
    const a = heap.malloc(1);
    expect(Math.floor(a / PS) * PS).toBe(pages[3]);
    expectUnchanged(pool, [space], () => heap.realloc(a, 3 * PS), OutOfMemoryError);
    expect(heap.usableSize(a)).toBe(8);
    heap.check();
    space.release();
  });

  test.each([29, 91])(
    "reservation (%i pages freed): short of frames a call refuses and changes nothing; given enough it succeeds",
    (frees) => {
      const pool = new FramePool({ pageSize: PS, maxBytes: 1200 * PS });
      const space = new AddressSpace({ size: 1 << 16, pool });
      const heap = Heap.create(space);
      const small = heap.malloc(24);
      const big = heap.malloc(2 * PS);
      const r4 = heap.allocPages(4);
      const lows = Array.from({ length: 100 }, () => heap.allocPage()); // r4 and r2 on different page-map pages
      const r2 = heap.allocPages(2);
      heap.allocPage();
      const x1 = heap.malloc(100);
      heap.malloc(100); // x1 and this fill slab S1
      const x3 = heap.malloc(100); // slab S2, just below the break
      heap.free(x1); // S1 partly used again: the class list is [S1, S2]
      heap.freePages(r4, 4);
      heap.freePages(r2, 2); // the run list is [2 pages, 4 pages]
      // 29: magazine full and a stack chunk with room; 91: magazine and chunk full
      for (const p of lows.slice(0, frees)) heap.freePage(p);
      const keep = lows[99] as number;
      space.fill(7, x3, x3 + 100);
      heap.check();
      const scenarios: [string, (h: Heap) => unknown][] = [
        ["freePage onto the stack", (h) => h.freePage(keep)],
        ["realloc moving a block out of a slab at the break", (h) => h.realloc(x3, 5 * PS)],
        ["malloc", (h) => h.malloc(24)],
        ["calloc", (h) => h.calloc(24)],
        ["free", (h) => h.free(small)],
        ["realloc grow moves", (h) => h.realloc(big, 4 * PS)],
        ["realloc shrink in place", (h) => h.realloc(big, PS + 8)],
        ["allocPage", (h) => h.allocPage()],
        ["allocPages from the second free run", (h) => h.allocPages(3)],
        ["free large", (h) => h.free(big)],
      ];
      for (const [name, call] of scenarios) {
        const child = space.fork();
        const h = Heap.attach(child);
        const filler = new AddressSpace({ size: 1 << 22, pool });
        let top = 0;
        for (; pool.framesAvailable() > 0; top += PS) filler.setUint8(top, 1);
        let short = 0;
        let result: unknown;
        for (;;) {
          const before = snapshot(pool, [space, child]);
          try {
            result = call(h);
            break;
          } catch (e) {
            expect(e, name).toBeInstanceOf(OutOfMemoryError);
            expect(snapshot(pool, [space, child]), `${name}, ${short} frame(s) given`).toBe(before);
          }
          top -= PS;
          filler.discard(top, PS); // one more frame
          short++;
        }
        expect(short, name).toBeGreaterThan(0);
        h.check();
        if (name.startsWith("realloc moving")) expect(allBytes(child, result as number, 100, 7)).toBe(true);
        filler.release();
        child.release();
      }
      space.release();
      expect(pool.stats().framesInUse).toBe(0);
    },
  );

  test("the pool's limit surfaces as OutOfMemoryError, changes nothing, and is exact", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 200 * PS });
    const space = new AddressSpace({ size: 1 << 16, pool });
    const heap = Heap.create(space);
    const blocks = Array.from({ length: 30 }, (_, i) => heap.malloc(i * 4)); // all small
    const big = heap.malloc(3 * PS);
    space.fill(3, big, big + 3 * PS);
    for (const b of blocks.slice(0, 10)) heap.free(b);
    const pages = Array.from({ length: 6 }, () => heap.allocPage());
    for (const p of pages) space.fill(9, p, p + PS);
    // fill the pool up to its limit with another space
    const filler = new AddressSpace({ size: 1 << 20, pool });
    for (let a = 0; pool.framesAvailable() > 0; a += PS) filler.setUint8(a, 1);
    const child = space.fork();
    const hc = Heap.attach(child);
    const all = [space, child, filler];
    // every page of the heap is shared now: any heap write needs a frame
    for (const call of [
      () => hc.malloc(10),
      () => hc.free(blocks[20] as number),
      () => hc.allocPage(),
      () => hc.freePage(pages[0] as number),
      () => hc.allocPages(3),
      () => hc.realloc(blocks[25] as number, 3 * PS),
      () => hc.realloc(big, 10),
      () => hc.free(big),
      () => hc.calloc(600),
      () => heap.malloc(10),
    ])
      expectUnchanged(pool, all, call, OutOfMemoryError);
    // once the fork is gone the parent's pages are private again: calls that need no new frame succeed at the limit
    child.release();
    expect(pool.framesAvailable()).toBe(0);
    heap.free(blocks[20] as number);
    expect(heap.malloc(80)).toBe(blocks[20]); // the slot just freed, in a private slab: no frame needed
    heap.freePage(pages[0] as number); // the discard gives its frame back; the magazine is in the header
    expect(pool.framesAvailable()).toBe(1);
    heap.free(big);
    expect(pool.framesAvailable()).toBe(4);
    heap.check();
    space.release();
    filler.release();
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });
});
