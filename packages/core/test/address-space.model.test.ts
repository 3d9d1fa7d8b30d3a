/**
 * Model-based test of AddressSpace: random command sequences run against many
 * spaces of one FramePool and against a model in which each space is a plain
 * Uint8Array (copied on fork) plus the bookkeeping of which frame each written
 * page holds. After every command:
 *
 * - every live space reads (whole, with `space.read`) exactly as its model;
 * - its stats equal what the model predicts: rss, uss, sharedBytes, the
 *   zero-fill / copy / reuse fault counts, bytesWritten, bytesCopied and
 *   writeAmplification; `uss <= pss <= rss`;
 * - the pool holds exactly the distinct frames the model's spaces hold, and
 *   the spaces' pss add up to the pool's bytesInUse.
 *
 * At the end every space is released and the pool must hold no frame and no
 * page-table node (the leak check).
 *
 * Under a memory limit (the second describe block) the pool has a random
 * `maxBytes` of a few frames, overcommit "always" or "heuristic", and maybe an
 * `onOutOfMemory` hook. Every command that may need frames (typed sets,
 * write, fill, copyWithin, write-mode spans, and forks under "heuristic")
 * carries a plan for the hook: the slots it releases (the space the command
 * runs on included, sometimes) and whether it then throws. The model predicts
 * from its frame bookkeeping whether the call fits, whether the hook runs,
 * and the outcome: success, OutOfMemoryError (the space exactly as before)
 * or ReleasedError (the hook released the space the call was for). The
 * checks above then run as usual, so a refused or aborted call that changed
 * or leaked anything fails them.
 *
 * Fault prediction: a write faults when its page is not in the space's write
 * TLB (direct-mapped; as many entries as the space has pages, rounded up to a power of two,
 * from 2 to TLB_SIZE, but no more than the pool's capacity in frames rounded up the same
 * way; flushed on fork, invalidated on discard). The pool's capacity is modelled from its
 * slab geometry and the peak of frames in use (a pool adds a slab when a frame is taken
 * with every frame of its slabs ever handed out, and a write over several pages adds
 * the slabs its frames need before its first fault); a TLB grows in place, keeping its
 * entries, on an insert after the capacity passed its size, so the model keeps the set of
 * cached vpns and evicts by the slot count at each insert. The fault
 * is a zero-fill when the page holds no frame, a copy when another live space
 * holds the same frame, and a reuse otherwise.
 *
 * Replaying a counterexample: every command prints the call it made, on spaces
 * named by their slot (s0..s5). With the helpers of `support/helpers.ts`
 * imported (`bytes`, `sub`, `dv`, `spanRead`, `spanWrite`) and the layout of
 * the failing test (its name gives page size and size; sparse windows are in
 * `sparse()` below):
 *
 *   const pool = new FramePool({ pageSize }); const size = ...;
 *   let s0 = new AddressSpace({ size, pool }), s1, s2, s3, s4, s5;
 *   // ...then the printed calls, in order.
 *
 * Under a limit, the failing run's pool options are printed first, and a
 * command that may run the hook prints its plan as a comment
 * (`/* hook: release s0 s2, then throw *\/`).
 *
 * PAGEFORK_TEST_RUNS_SCALE=10 multiplies the number of runs (for a long soak).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  OutOfMemoryError,
  ReleasedError,
  type SpanArrayConstructor,
  TLB_SIZE,
} from "../src/index.js";
import {
  bytes,
  dv,
  firstDiff,
  lit,
  modelGet,
  modelSet,
  type Scalar,
  sameValue,
  spanRead,
  spanTypeName,
  spanValue,
  spanWrite,
  sub,
  TYPES,
  type TypeName,
  typedGet,
  typedSet,
} from "./support/helpers.js";

// ---------------------------------------------------------------------------
// Layouts: the address ranges ("windows") the commands use. The model of a
// space is the concatenation of its windows; everything outside them must stay
// unwritten (checked through rss and the pool's frame count).

interface Window {
  addr: number;
  len: number;
}
interface Layout {
  name: string;
  pageSize: number;
  size: number;
  windows: Window[];
  /** Slab size of the pool; small slabs put frames in many slabs (cross-slab copies). */
  slabBytes?: number;
}

function dense(pageSize: number, pages: number): Layout {
  return {
    name: `${pages} pages of ${pageSize} B`,
    pageSize,
    size: pages * pageSize,
    windows: [{ addr: 0, len: pages * pageSize }],
  };
}

/** A 2**40-byte space touched only near 0, 2**31, 2**32 and the top. */
function sparse(pageSize: number): Layout {
  const ps = pageSize;
  return {
    name: `sparse 2**40 B, pages of ${pageSize} B`,
    pageSize,
    size: 2 ** 40,
    windows: [
      { addr: 0, len: 2 * ps },
      { addr: 2 ** 31 - ps, len: 2 * ps },
      { addr: 2 ** 32 - ps, len: 2 * ps },
      { addr: 2 ** 40 - 3 * ps, len: 3 * ps },
    ],
  };
}

const SLOTS = 6;

// ---------------------------------------------------------------------------
// Model

interface SpaceModel {
  bytes: Uint8Array;
  /** vpn -> frame token, for every page that holds a frame. */
  frames: Map<number, number>;
  /** Write-TLB contents: the vpns cached, each in its slot `vpn % slots` (distinct slots; a grown TLB keeps them all). */
  wtlb: Set<number>;
  zeroFills: number;
  copies: number;
  reuses: number;
  bytesWritten: number;
}

interface Model {
  layout: Layout;
  slots: (SpaceModel | null)[];
  nextToken: number;
  /** The most frames in use at once so far: the pool's slabs hold more (pfn 0 is the zero frame). */
  peak: number;
  /** The pool's limit in frames (Infinity: none). */
  maxFrames: number;
  /** Whether the pool has an out-of-memory hook. */
  hook: boolean;
  overcommit: "always" | "heuristic";
}

interface Real {
  pool: FramePool;
  slots: (AddressSpace | null)[];
  /** What the hook does if the current command makes it run. */
  plan: OomPlan;
  hookCalls: number;
}

/** What the out-of-memory hook does if a command makes it run: release these slots (bit i: s_i), then maybe throw. */
interface OomPlan {
  victims: number;
  throws: boolean;
}

const NO_PLAN: OomPlan = { victims: 0, throws: false };

/** A generated plan: `spare` (2 times in 3) keeps the command's own slot out of the victims. */
interface RawPlan extends OomPlan {
  spare: number;
}
const RAW_NO_PLAN: RawPlan = { ...NO_PLAN, spare: 0 };

/** The plan a command on `slot` runs under. */
function planFor(p: RawPlan, slot: number): OomPlan {
  if (p === RAW_NO_PLAN) return NO_PLAN;
  return { victims: p.spare > 0 ? p.victims & ~(1 << slot) : p.victims, throws: p.throws };
}

/** The plan as a comment of the replayable call. */
function planText(p: OomPlan): string {
  const slots: string[] = [];
  for (let i = 0; i < SLOTS; i++) if (p.victims & (1 << i)) slots.push(`s${i}`);
  if (slots.length === 0 && !p.throws) return "";
  return ` /* hook: ${slots.length > 0 ? `release ${slots.join(" ")}` : "release nothing"}${p.throws ? ", then throw" : ""} */`;
}

/** The hook of a pool under test: carries out `real.plan`. */
function oomHook(real: Real): () => void {
  return () => {
    real.hookCalls++;
    for (let i = 0; i < SLOTS; i++) {
      if ((real.plan.victims & (1 << i)) === 0) continue;
      real.slots[i]?.release();
      real.slots[i] = null;
    }
    if (real.plan.throws) throw new Error("the hook failed");
  };
}

function emptySpaceModel(layout: Layout): SpaceModel {
  const total = layout.windows.reduce((n, w) => n + w.len, 0);
  return {
    bytes: new Uint8Array(total),
    frames: new Map(),
    wtlb: new Set(),
    zeroFills: 0,
    copies: 0,
    reuses: 0,
    bytesWritten: 0,
  };
}

/** Model index of the byte at `off` in window `w`. */
function modelIndex(layout: Layout, w: number, off: number): number {
  let base = 0;
  for (let i = 0; i < w; i++) base += layout.windows[i]!.len;
  return base + off;
}

/** Real address of the byte at `off` in window `w`. */
function addrOf(layout: Layout, w: number, off: number): number {
  return layout.windows[w]!.addr + off;
}

/** The vpns a write of `len > 0` bytes at `addr` touches, in address order. */
function pagesOf(layout: Layout, addr: number, len: number): number[] {
  if (len <= 0) return [];
  const first = Math.floor(addr / layout.pageSize);
  const last = Math.floor((addr + len - 1) / layout.pageSize);
  const out: number[] = [];
  for (let v = first; v <= last; v++) out.push(v);
  return out;
}

/** `n` rounded up to a power of two, 2 to TLB_SIZE. */
function tlbRound(n: number): number {
  let e = 2;
  while (e < TLB_SIZE && e < n) e *= 2;
  return e;
}

/**
 * Frames the pool's slabs hold after the fewest slabs that give `peak` frames
 * in use a pfn each (pfn 0 is the zero frame): the first slab holds
 * max(64 KiB, 4 pages) up to the slab size, each next one as many frames as
 * all before it, up to the slab size (FramePool's documented geometry).
 */
function poolCapacity(layout: Layout, peak: number): number {
  const slabBytes = layout.slabBytes ?? Math.max(2 ** 28, layout.pageSize);
  const slabFrames = slabBytes / layout.pageSize;
  let capacity = Math.min(slabBytes, Math.max(64 * 1024, 4 * layout.pageSize)) / layout.pageSize;
  while (capacity < peak + 1) capacity += Math.min(capacity, slabFrames);
  return capacity;
}

/**
 * Entries of the TLB of a space of `layout` now: its pages rounded up to a
 * power of two, 2 to TLB_SIZE, and no more than the pool's capacity rounded
 * the same way.
 */
function tlbSlots(m: Model): number {
  return Math.min(tlbRound(m.layout.size / m.layout.pageSize), tlbRound(poolCapacity(m.layout, m.peak)));
}

/** Predicts the faults of a write that touches `vpns` (in order) in `slot`. */
function touch(m: Model, slot: number, vpns: number[]): void {
  const sm = m.slots[slot]!;
  // A write over several pages first makes the pool ready to hand out every
  // frame it needs (reserve.ts): the slabs are added before the first fault.
  if (vpns.length > 1) m.peak = Math.max(m.peak, framesInUse(m) + framesNeeded(m, slot, vpns));
  for (const vpn of vpns) {
    if (sm.wtlb.has(vpn)) continue; // TLB hit: no fault
    const token = sm.frames.get(vpn);
    if (token === undefined) {
      sm.zeroFills++;
      sm.frames.set(vpn, m.nextToken++);
    } else if (m.slots.some((o, i) => i !== slot && o !== null && o.frames.get(vpn) === token)) {
      sm.copies++;
      sm.frames.set(vpn, m.nextToken++);
    } else {
      sm.reuses++;
    }
    m.peak = Math.max(m.peak, framesInUse(m));
    // The insert after the fault: the TLB has grown to what the pool's capacity allows now.
    const n = tlbSlots(m);
    for (const v of sm.wtlb) if (v % n === vpn % n) sm.wtlb.delete(v);
    sm.wtlb.add(vpn);
  }
}

/** Distinct frames the live spaces hold: the pool's framesInUse. */
function framesInUse(m: Model): number {
  const tokens = new Set<number>();
  for (const sm of m.slots) if (sm !== null) for (const t of sm.frames.values()) tokens.add(t);
  return tokens.size;
}

/** Frames a write of the pages `vpns` of `slot` needs: pages with no frame, or one another live space holds. */
function framesNeeded(m: Model, slot: number, vpns: number[]): number {
  const sm = m.slots[slot]!;
  let need = 0;
  for (const vpn of vpns) {
    const token = sm.frames.get(vpn);
    if (token === undefined || m.slots.some((o, i) => i !== slot && o !== null && o.frames.get(vpn) === token)) need++;
  }
  return need;
}

type Outcome = "ok" | "oom" | "released";

/**
 * The pool's answer to a call on `slot` that needs `need` frames (or, for a
 * fork under "heuristic", one free frame): it fits; or the hook runs (its
 * releases are applied to the model here), and then the call fails with
 * OutOfMemoryError if the hook threw or it still does not fit (the need is
 * counted before the hook: a release can only lower it), or with
 * ReleasedError if the hook released `slot` itself.
 */
function admit(m: Model, slot: number, need: number, plan: OomPlan, fork = false): { outcome: Outcome; hook: boolean } {
  const fits = () => (fork ? framesInUse(m) < m.maxFrames : need <= m.maxFrames - framesInUse(m));
  if (fork && m.overcommit === "always") return { outcome: "ok", hook: false };
  if (fits()) return { outcome: "ok", hook: false };
  if (!m.hook) return { outcome: "oom", hook: false };
  for (let i = 0; i < SLOTS; i++) if (plan.victims & (1 << i)) m.slots[i] = null;
  if (plan.throws) return { outcome: "oom", hook: true };
  if (!live(m, slot)) return { outcome: "released", hook: true };
  return { outcome: fits() ? "ok" : "oom", hook: true };
}

/**
 * Runs `act` on the real side under `plan` and checks what `admit` predicted:
 * whether the hook ran and which error (if any) the call threw. Returns true
 * when the call succeeded.
 */
function attempt(r: Real, plan: OomPlan, want: { outcome: Outcome; hook: boolean }, act: () => void): boolean {
  r.plan = plan;
  const calls = r.hookCalls;
  let error: unknown = null;
  try {
    act();
  } catch (e) {
    error = e;
  }
  r.plan = NO_PLAN;
  expect(r.hookCalls - calls, "calls of the out-of-memory hook").toBe(want.hook ? 1 : 0);
  if (want.outcome === "ok") {
    if (error !== null) throw error;
    return true;
  }
  expect(error).toBeInstanceOf(want.outcome === "oom" ? OutOfMemoryError : ReleasedError);
  return false;
}

function live(m: Readonly<Model>, slot: number): boolean {
  return m.slots[slot] !== null && m.slots[slot] !== undefined;
}

/** Reads a whole space (its windows) into one array laid out as the model. */
function readWhole(layout: Layout, s: AddressSpace): Uint8Array {
  const total = layout.windows.reduce((n, w) => n + w.len, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const w of layout.windows) {
    s.read(w.addr, out.subarray(pos, pos + w.len));
    pos += w.len;
  }
  return out;
}

/** Every check that must hold after any command. */
function verify(m: Model, r: Real): void {
  const ps = m.layout.pageSize;
  const tokens = new Set<number>();
  let pssSum = 0;
  for (let i = 0; i < SLOTS; i++) {
    const sm = m.slots[i] ?? null;
    const s = r.slots[i] ?? null;
    expect(s === null, `slot ${i} liveness`).toBe(sm === null);
    if (sm === null || s === null) continue;
    expect(s.released).toBe(false);
    const got = readWhole(m.layout, s);
    const d = firstDiff(got, sm.bytes);
    expect(d, `s${i} differs from its model at model byte ${d}`).toBe(-1);

    let unique = 0;
    for (const [vpn, token] of sm.frames) {
      tokens.add(token);
      if (!m.slots.some((o, j) => j !== i && o !== null && o.frames.get(vpn) === token)) unique++;
    }
    const st = s.stats();
    const label = `s${i} stats`;
    expect(st.pageSize, label).toBe(ps);
    expect(st.size, label).toBe(m.layout.size);
    expect(st.rss, `${label}: rss`).toBe(sm.frames.size * ps);
    expect(st.uss, `${label}: uss`).toBe(unique * ps);
    expect(st.sharedBytes, `${label}: sharedBytes`).toBe((sm.frames.size - unique) * ps);
    expect(st.pss, `${label}: uss <= pss`).toBeGreaterThanOrEqual(st.uss - 1e-6);
    expect(st.pss, `${label}: pss <= rss`).toBeLessThanOrEqual(st.rss + 1e-6);
    expect(st.zeroFillFaults, `${label}: zeroFillFaults`).toBe(sm.zeroFills);
    expect(st.copyFaults, `${label}: copyFaults`).toBe(sm.copies);
    expect(st.reuseFaults, `${label}: reuseFaults`).toBe(sm.reuses);
    expect(st.bytesWritten, `${label}: bytesWritten`).toBe(sm.bytesWritten);
    expect(st.bytesCopied, `${label}: bytesCopied`).toBe(sm.copies * ps);
    expect(st.writeAmplification, `${label}: writeAmplification`).toBe(
      sm.bytesWritten === 0 ? 0 : (sm.copies * ps) / sm.bytesWritten,
    );
    pssSum += st.pss;
  }
  const ps2 = r.pool.stats();
  expect(ps2.framesInUse, "pool framesInUse = distinct frames of live spaces").toBe(tokens.size);
  expect(ps2.bytesInUse).toBe(tokens.size * ps);
  expect(pssSum, "sum of pss = bytesInUse, exactly").toBe(ps2.bytesInUse);
}

// ---------------------------------------------------------------------------
// Commands. Each names its space by slot (s0..s5) and prints a replayable call.

type Cmd = fc.Command<Model, Real>;

/** Commands executed per kind in the current layout: every kind must have run. */
const executed = new Map<string, number>();
/** Outcomes of the commands that may need frames, under a limit: each must have happened. */
const outcomes = new Map<string, number>();

/** Counts an outcome of `want` for the coverage check. */
function tally(want: { outcome: Outcome; hook: boolean }): void {
  const key = `${want.outcome}${want.hook ? " after the hook" : ""}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

/** Real and model address of a range that lies inside window `w`. */
interface Range {
  w: number;
  off: number;
  len: number;
}

class SetCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly type: TypeName,
    readonly w: number,
    readonly off: number,
    readonly value: Scalar,
    readonly layout: Layout,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const addr = addrOf(m.layout, this.w, this.off);
    const width = TYPES.find((t) => t.name === this.type)!.width;
    const vpns = pagesOf(m.layout, addr, width);
    const s = r.slots[this.slot]!;
    const want = admit(m, this.slot, framesNeeded(m, this.slot, vpns), this.plan);
    tally(want);
    if (attempt(r, this.plan, want, () => typedSet(s, this.type, addr, this.value))) {
      const sm = m.slots[this.slot]!;
      modelSet(new DataView(sm.bytes.buffer), this.type, modelIndex(m.layout, this.w, this.off), this.value);
      touch(m, this.slot, vpns);
      sm.bytesWritten += width;
    }
    verify(m, r);
  }
  toString() {
    return `s${this.slot}.set${this.type}(${addrOf(this.layout, this.w, this.off)}, ${lit(this.value)});${planText(this.plan)}`;
  }
}

class GetCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly type: TypeName,
    readonly w: number,
    readonly off: number,
    readonly layout: Layout,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const got = typedGet(r.slots[this.slot]!, this.type, addrOf(m.layout, this.w, this.off));
    const sm = m.slots[this.slot]!;
    const want = modelGet(new DataView(sm.bytes.buffer), this.type, modelIndex(m.layout, this.w, this.off));
    expect(sameValue(got, want), `got ${lit(got)}, want ${lit(want)}`).toBe(true);
    verify(m, r);
  }
  toString() {
    return `s${this.slot}.get${this.type}(${addrOf(this.layout, this.w, this.off)})`;
  }
}

type ViewKind = "u8" | "sub" | "dv";

function wrap(kind: ViewKind, u8: Uint8Array): ArrayBufferView {
  return kind === "u8" ? u8 : kind === "sub" ? sub(u8) : dv(u8);
}

class WriteCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly range: Range,
    readonly seed: number,
    readonly kind: ViewKind,
    readonly layout: Layout,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { w, off, len } = this.range;
    const addr = addrOf(m.layout, w, off);
    const data = bytes(this.seed, len);
    const src = wrap(this.kind, data);
    const vpns = pagesOf(m.layout, addr, len);
    const s = r.slots[this.slot]!;
    const want = admit(m, this.slot, framesNeeded(m, this.slot, vpns), this.plan);
    tally(want);
    if (attempt(r, this.plan, want, () => s.write(addr, src))) {
      const sm = m.slots[this.slot]!;
      sm.bytes.set(data, modelIndex(m.layout, w, off));
      touch(m, this.slot, vpns);
      sm.bytesWritten += len;
    }
    verify(m, r);
  }
  toString() {
    const { w, off, len } = this.range;
    const data = `bytes(${this.seed}, ${len})`;
    const src = this.kind === "u8" ? data : `${this.kind}(${data})`;
    return `s${this.slot}.write(${addrOf(this.layout, w, off)}, ${src});${planText(this.plan)}`;
  }
}

class ReadCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly range: Range,
    readonly kind: ViewKind,
    readonly layout: Layout,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { w, off, len } = this.range;
    const garbage = bytes(99, len);
    const dst = wrap(this.kind, garbage);
    const ret = r.slots[this.slot]!.read(addrOf(m.layout, w, off), dst);
    expect(ret).toBe(dst);
    const got = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    const i = modelIndex(m.layout, w, off);
    const want = m.slots[this.slot]!.bytes.subarray(i, i + len);
    expect(firstDiff(got, want)).toBe(-1);
    // The bytes around the destination view were not touched.
    const whole = new Uint8Array(dst.buffer);
    if (this.kind === "sub") expect([whole[2], whole[3 + len]]).toEqual([0, 0]);
    verify(m, r);
  }
  toString() {
    const { w, off, len } = this.range;
    return `s${this.slot}.read(${addrOf(this.layout, w, off)}, ${this.kind}(new Uint8Array(${len})))`;
  }
}

class FillCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly value: number,
    readonly range: Range,
    readonly layout: Layout,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { w, off, len } = this.range;
    const addr = addrOf(m.layout, w, off);
    const vpns = pagesOf(m.layout, addr, len);
    const s = r.slots[this.slot]!;
    const want = admit(m, this.slot, framesNeeded(m, this.slot, vpns), this.plan);
    tally(want);
    if (attempt(r, this.plan, want, () => s.fill(this.value, addr, addr + len))) {
      const sm = m.slots[this.slot]!;
      const i = modelIndex(m.layout, w, off);
      sm.bytes.fill(this.value & 0xff, i, i + len);
      touch(m, this.slot, vpns);
      sm.bytesWritten += len;
    }
    verify(m, r);
  }
  toString() {
    const { w, off, len } = this.range;
    const addr = addrOf(this.layout, w, off);
    return `s${this.slot}.fill(${lit(this.value)}, ${addr}, ${addr + len});${planText(this.plan)}`;
  }
}

class CopyWithinCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly src: Range,
    readonly dstW: number,
    readonly dstOff: number,
    readonly layout: Layout,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const { w, off, len } = this.src;
    const start = addrOf(m.layout, w, off);
    const target = addrOf(m.layout, this.dstW, this.dstOff);
    // A copy onto itself (or of nothing) is a no-op: no fault, nothing counted, no frame needed.
    const writes = len > 0 && target !== start;
    const vpns = writes ? pagesOf(m.layout, target, len) : [];
    const s = r.slots[this.slot]!;
    const want = admit(m, this.slot, framesNeeded(m, this.slot, vpns), this.plan);
    tally(want);
    if (attempt(r, this.plan, want, () => s.copyWithin(target, start, start + len))) {
      const sm = m.slots[this.slot]!;
      const si = modelIndex(m.layout, w, off);
      sm.bytes.copyWithin(modelIndex(m.layout, this.dstW, this.dstOff), si, si + len);
      if (writes) {
        touch(m, this.slot, vpns);
        sm.bytesWritten += len;
      }
    }
    verify(m, r);
  }
  toString() {
    const { w, off, len } = this.src;
    const start = addrOf(this.layout, w, off);
    return `s${this.slot}.copyWithin(${addrOf(this.layout, this.dstW, this.dstOff)}, ${start}, ${start + len});${planText(this.plan)}`;
  }
}

class DiscardCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly w: number,
    readonly firstPage: number,
    readonly pages: number,
    readonly layout: Layout,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const ps = m.layout.pageSize;
    const addr = addrOf(m.layout, this.w, this.firstPage * ps);
    r.slots[this.slot]!.discard(addr, this.pages * ps);
    const sm = m.slots[this.slot]!;
    const i = modelIndex(m.layout, this.w, this.firstPage * ps);
    sm.bytes.fill(0, i, i + this.pages * ps);
    const vpns = [...pagesOf(m.layout, addr, this.pages * ps)];
    for (const vpn of vpns) sm.frames.delete(vpn);
    // A discard of up to 64 pages invalidates just those pages' translations;
    // a larger one shoots down the whole TLB.
    if (vpns.length > 64) sm.wtlb.clear();
    else for (const vpn of vpns) sm.wtlb.delete(vpn);
    verify(m, r);
  }
  toString() {
    const ps = this.layout.pageSize;
    return `s${this.slot}.discard(${addrOf(this.layout, this.w, this.firstPage * ps)}, ${this.pages * ps})`;
  }
}

class ForkCmd implements Cmd {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.from) && !live(m, this.to);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const parent = r.slots[this.from]!;
    // Under "heuristic" a fork is refused while every frame is in use (after the hook's chance).
    const want = admit(m, this.from, 0, this.plan, true);
    if (m.overcommit === "heuristic") tally(want);
    const before = r.pool.stats();
    let child: AddressSpace | null = null;
    if (attempt(r, this.plan, want, () => (child = parent.fork()))) {
      if (!want.hook) {
        // O(1): a fork takes no frame and no page-table node.
        const after = r.pool.stats();
        expect(after.framesInUse).toBe(before.framesInUse);
        expect(after.pageTableNodes).toBe(before.pageTableNodes);
      }
      r.slots[this.to] = child;
      const p = m.slots[this.from]!;
      m.slots[this.to] = {
        bytes: p.bytes.slice(),
        frames: new Map(p.frames),
        wtlb: new Set(),
        zeroFills: 0,
        copies: 0,
        reuses: 0,
        bytesWritten: 0,
      };
      p.wtlb.clear(); // the parent's write TLB is flushed (shootdown)
    }
    verify(m, r);
  }
  toString() {
    return `s${this.to} = s${this.from}.fork();${planText(this.plan)}`;
  }
}

class CreateCmd implements Cmd {
  constructor(readonly to: number) {}
  check(m: Readonly<Model>) {
    return !live(m, this.to);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    r.slots[this.to] = new AddressSpace({ size: m.layout.size, pool: r.pool });
    m.slots[this.to] = emptySpaceModel(m.layout);
    verify(m, r);
  }
  toString() {
    return `s${this.to} = new AddressSpace({ size, pool })`;
  }
}

class ReleaseCmd implements Cmd {
  constructor(readonly slot: number) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const s = r.slots[this.slot]!;
    s.release();
    expect(s.released).toBe(true);
    s.release(); // idempotent
    r.slots[this.slot] = null;
    m.slots[this.slot] = null;
    verify(m, r);
  }
  toString() {
    return `s${this.slot}.release()`;
  }
}

const SPAN_TYPES: SpanArrayConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];
/** Uint8ClampedArray stores clamp, which a DataView cannot model: write spans use the others. */
const SPAN_WRITE_TYPES = SPAN_TYPES.filter((t) => t !== Uint8ClampedArray);

class SpanReadCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly type: SpanArrayConstructor,
    readonly w: number,
    readonly off: number,
    readonly count: number,
    readonly layout: Layout,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const got = spanRead(r.slots[this.slot]!, this.type, addrOf(m.layout, this.w, this.off), this.count);
    expect(got.length).toBe(this.count);
    const view = new DataView(m.slots[this.slot]!.bytes.buffer);
    const name = spanTypeName(this.type);
    const base = modelIndex(m.layout, this.w, this.off);
    for (let k = 0; k < this.count; k++) {
      const want = modelGet(view, name, base + k * this.type.BYTES_PER_ELEMENT);
      if (!sameValue(got[k]!, want)) expect(`element ${k}: ${lit(got[k])}`).toBe(`element ${k}: ${lit(want)}`);
    }
    verify(m, r);
  }
  toString() {
    return `spanRead(s${this.slot}, ${this.type.name}, ${addrOf(this.layout, this.w, this.off)}, ${this.count})`;
  }
}

class SpanWriteCmd implements Cmd {
  constructor(
    readonly slot: number,
    readonly type: SpanArrayConstructor,
    readonly w: number,
    readonly off: number,
    readonly count: number,
    readonly seed: number,
    readonly layout: Layout,
    readonly plan: OomPlan = NO_PLAN,
  ) {}
  check(m: Readonly<Model>) {
    return live(m, this.slot);
  }
  run(m: Model, r: Real) {
    executed.set(this.constructor.name, (executed.get(this.constructor.name) ?? 0) + 1);
    const addr = addrOf(m.layout, this.w, this.off);
    const width = this.type.BYTES_PER_ELEMENT;
    const pages = pagesOf(m.layout, addr, this.count * width);
    const s = r.slots[this.slot]!;
    // The cursor reserves every frame when it is made: a refusal comes before the first slice.
    const want = admit(m, this.slot, framesNeeded(m, this.slot, pages), this.plan);
    tally(want);
    let slices = 0;
    if (attempt(r, this.plan, want, () => (slices = spanWrite(s, this.type, addr, this.count, this.seed)))) {
      expect(slices, "one slice per page").toBe(pages.length);
      const sm = m.slots[this.slot]!;
      const view = new DataView(sm.bytes.buffer);
      const name = spanTypeName(this.type);
      const base = modelIndex(m.layout, this.w, this.off);
      for (let k = 0; k < this.count; k++) modelSet(view, name, base + k * width, spanValue(name, this.seed, k));
      touch(m, this.slot, pages);
      sm.bytesWritten += this.count * width;
    }
    verify(m, r);
  }
  toString() {
    const addr = addrOf(this.layout, this.w, this.off);
    return `spanWrite(s${this.slot}, ${this.type.name}, ${addr}, ${this.count}, ${this.seed});${planText(this.plan)}`;
  }
}

// ---------------------------------------------------------------------------
// Arbitraries

function commandsFor(layout: Layout, limited = false): fc.Arbitrary<Cmd>[] {
  const ps = layout.pageSize;
  /** What the hook does if the command makes it run (without a limit it never runs). */
  const plan: fc.Arbitrary<RawPlan> = limited
    ? fc.record({ victims: fc.nat((1 << SLOTS) - 1), throws: fc.nat(5).map((k) => k === 0), spare: fc.nat(2) })
    : fc.constant(RAW_NO_PLAN);
  // Low slots more often, so that commands mostly find a live space.
  const slot = fc.oneof({ weight: 3, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.nat(SLOTS - 1) });
  const window = fc.nat(layout.windows.length - 1);

  /** An offset in a window of `len` bytes, multiple of `align`, biased to page boundaries. */
  const offsetIn = (len: number, align: number, room: number): fc.Arbitrary<number> => {
    const maxIdx = Math.floor((len - room) / align);
    return fc.oneof(
      fc.nat(maxIdx).map((i) => i * align),
      fc.tuple(fc.nat(Math.floor(len / ps)), fc.integer({ min: -3, max: 3 })).map(([p, d]) => {
        const i = Math.min(maxIdx, Math.max(0, Math.floor((p * ps) / align) + d));
        return i * align;
      }),
    );
  };

  /** A byte range inside one window, biased to ranges that straddle pages. */
  const range: fc.Arbitrary<Range> = window.chain((w) => {
    const wlen = layout.windows[w]!.len;
    const len = fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 2 * ps + 16 }));
    return fc.tuple(offsetIn(wlen, 1, 0), len).map(([off, l]) => ({ w, off, len: Math.min(l, wlen - off) }));
  });

  const typed = fc
    .constantFrom(...TYPES)
    .chain((t) =>
      window.chain((w) => fc.tuple(fc.constant(t), fc.constant(w), offsetIn(layout.windows[w]!.len, t.width, t.width))),
    );

  const intValue = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
    fc.constantFrom(0, -1, 127, 128, -128, 255, 256, 32767, -32768, 65535, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1),
    fc.double(),
  );
  const floatValue = fc.oneof(
    fc.double(),
    fc.float(),
    fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, 2 ** -149),
    fc.constantFrom(3.4028235677973366e38, 3.4028236e38, 1e39, -1e-46, 1 + 2 ** -24, 1 + 2 ** -23 + 2 ** -24),
  );
  const bigValue = fc.oneof(
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 65n }),
    fc.constantFrom(0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n),
  );
  const valueFor = (name: TypeName): fc.Arbitrary<Scalar> =>
    name.startsWith("Big") ? bigValue : name.startsWith("Float") ? floatValue : intValue;

  const set = fc
    .tuple(slot, typed)
    .chain(([s, [t, w, off]]) =>
      fc.tuple(valueFor(t.name), plan).map(([v, p]) => new SetCmd(s, t.name, w, off, v, layout, planFor(p, s)) as Cmd),
    );
  const get = fc.tuple(slot, typed).map(([s, [t, w, off]]) => new GetCmd(s, t.name, w, off, layout) as Cmd);
  const kind = fc.constantFrom<ViewKind>("u8", "sub", "dv");
  const write = fc
    .tuple(slot, range, fc.oneof(fc.constant(0), fc.nat(1000)), kind, plan)
    .map(([s, rg, seed, k, p]) => new WriteCmd(s, rg, seed, k, layout, planFor(p, s)) as Cmd);
  const read = fc.tuple(slot, range, kind).map(([s, rg, k]) => new ReadCmd(s, rg, k, layout) as Cmd);
  const fill = fc
    .tuple(
      slot,
      fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(0, 255, 256, -1, Number.NaN, 1.5)),
      range,
      plan,
    )
    .map(([s, v, rg, p]) => new FillCmd(s, v, rg, layout, planFor(p, s)) as Cmd);

  // copyWithin: independent ranges, or overlapping ones in the same window (both directions).
  const copyWithin = fc
    .tuple(slot, range, fc.boolean(), fc.integer({ min: -2 * ps - 3, max: 2 * ps + 3 }), window, fc.nat(), plan)
    .map(([s, src, near, delta, w2, pick, p]) => {
      const dstW = near ? src.w : w2;
      const wlen = layout.windows[dstW]!.len;
      const want = near ? src.off + delta : pick % wlen;
      const dstOff = Math.max(0, Math.min(wlen - src.len, want));
      // src.len <= its window length; shrink so the target also fits its window.
      const len = Math.min(src.len, wlen - dstOff);
      return new CopyWithinCmd(s, { ...src, len }, dstW, dstOff, layout, planFor(p, s)) as Cmd;
    });

  const discard = fc.tuple(slot, window, fc.nat(), fc.nat()).map(([s, w, a, b]) => {
    const pages = layout.windows[w]!.len / ps;
    const first = a % pages;
    const count = b % (pages - first + 1);
    return new DiscardCmd(s, w, first, count, layout) as Cmd;
  });

  const fork = fc.tuple(slot, slot, plan).map(([a, b, p]) => new ForkCmd(a, b, planFor(p, a)) as Cmd);
  const create = slot.map((s) => new CreateCmd(s) as Cmd);
  const release = slot.map((s) => new ReleaseCmd(s) as Cmd);

  const spanRange = (types: SpanArrayConstructor[]) =>
    fc.constantFrom(...types).chain((type) =>
      window.chain((w) => {
        const wlen = layout.windows[w]!.len;
        const width = type.BYTES_PER_ELEMENT;
        return fc
          .tuple(offsetIn(wlen, width, 0), fc.nat(Math.floor((2 * ps + 24) / width)))
          .map(([off, n]) => ({ type, w, off, count: Math.min(n, Math.floor((wlen - off) / width)) }));
      }),
    );
  const spanRd = fc
    .tuple(slot, spanRange(SPAN_TYPES))
    .map(([s, x]) => new SpanReadCmd(s, x.type, x.w, x.off, x.count, layout) as Cmd);
  const spanWr = fc
    .tuple(slot, spanRange(SPAN_WRITE_TYPES), fc.nat(1000), plan)
    .map(([s, x, seed, p]) => new SpanWriteCmd(s, x.type, x.w, x.off, x.count, seed, layout, planFor(p, s)) as Cmd);

  return [
    set,
    set,
    set,
    get,
    write,
    write,
    read,
    fill,
    copyWithin,
    copyWithin,
    discard,
    fork,
    fork,
    create,
    release,
    spanRd,
    spanWr,
  ];
}

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);

/** The pool's memory budget in one run. */
interface Limits {
  /** maxBytes in frames (Infinity: no limit). */
  maxFrames: number;
  /** An onOutOfMemory hook carrying out each command's plan. */
  hook: boolean;
  overcommit: "always" | "heuristic";
}

const UNLIMITED: Limits = { maxFrames: Number.POSITIVE_INFINITY, hook: false, overcommit: "always" };

function runLayout(layout: Layout, numRuns: number, maxCommands: number, limited = false): void {
  executed.clear();
  outcomes.clear();
  const limits: fc.Arbitrary<Limits> = limited
    ? fc.record({
        maxFrames: fc.integer({ min: 0, max: 10 }),
        hook: fc.nat(3).map((k) => k !== 0),
        overcommit: fc.constantFrom<Limits["overcommit"]>("always", "heuristic"),
      })
    : fc.constant(UNLIMITED);
  fc.assert(
    fc.property(limits, fc.commands(commandsFor(layout, limited), { maxCommands, size: "max" }), (lim, cmds) => {
      const real: Real = {
        pool: null as unknown as FramePool,
        slots: Array.from({ length: SLOTS }, () => null),
        plan: NO_PLAN,
        hookCalls: 0,
      };
      const pool = new FramePool({
        pageSize: layout.pageSize,
        ...(layout.slabBytes === undefined ? {} : { slabBytes: layout.slabBytes }),
        ...(lim.maxFrames === Number.POSITIVE_INFINITY ? {} : { maxBytes: lim.maxFrames * layout.pageSize }),
        overcommit: lim.overcommit,
        ...(lim.hook ? { onOutOfMemory: oomHook(real) } : {}),
      });
      real.pool = pool;
      const model: Model = {
        layout,
        slots: Array.from({ length: SLOTS }, () => null),
        nextToken: 1,
        peak: 0,
        ...lim,
      };
      real.slots[0] = new AddressSpace({ size: layout.size, pool });
      model.slots[0] = emptySpaceModel(layout);
      fc.modelRun(() => ({ model, real }), cmds);
      // Frame-leak check: releasing every space returns every frame and node.
      for (const s of real.slots) s?.release();
      const st = pool.stats();
      expect(st.framesInUse).toBe(0);
      expect(st.bytesInUse).toBe(0);
      expect(st.pageTableNodes).toBe(0);
      expect(st.pageTableBytes).toBe(0);
      expect(st.spaces).toBe(0);
      expect(st.committedBytes).toBe(0);
    }),
    { numRuns: Math.ceil(numRuns * RUNS_SCALE) },
  );
  const kinds = [SetCmd, GetCmd, WriteCmd, ReadCmd, FillCmd, CopyWithinCmd, DiscardCmd, ForkCmd, CreateCmd, ReleaseCmd];
  for (const k of [...kinds, SpanReadCmd, SpanWriteCmd]) expect(executed.get(k.name) ?? 0, k.name).toBeGreaterThan(0);
  if (limited) {
    // Every outcome happened: fits, refused without and after the hook, aborted by it, fits after it.
    for (const o of ["ok", "oom", "oom after the hook", "released after the hook", "ok after the hook"])
      expect(outcomes.get(o) ?? 0, `outcome "${o}"`).toBeGreaterThan(0);
  }
  if (process.env.PAGEFORK_TEST_VERBOSE)
    console.log(layout.name, Object.fromEntries(executed), Object.fromEntries(outcomes));
}

describe("AddressSpace against a Uint8Array model (fc.commands)", () => {
  const layouts: [Layout, number, number][] = [
    [dense(256, 3), 120, 60],
    [dense(256, 37), 120, 80],
    [{ ...dense(256, 16), name: "16 pages of 256 B, 4 frames per slab", slabBytes: 1024 }, 80, 80],
    [dense(4096, 5), 80, 60],
    [dense(4096, 24), 50, 60],
    [sparse(256), 80, 80],
    [sparse(4096), 60, 80],
  ];
  for (const [layout, numRuns, maxCommands] of layouts) {
    it(`${layout.name}`, () => runLayout(layout, numRuns, maxCommands), 60_000 * RUNS_SCALE);
  }
});

describe("AddressSpace against the model under a memory limit and an out-of-memory hook that releases spaces", () => {
  const layouts: [Layout, number, number][] = [
    [dense(256, 8), 150, 60],
    [{ ...dense(256, 12), name: "12 pages of 256 B, 4 frames per slab", slabBytes: 1024 }, 100, 60],
    [sparse(256), 100, 60],
  ];
  for (const [layout, numRuns, maxCommands] of layouts) {
    it(
      `${layout.name}: maxBytes of 0..10 frames, overcommit "always" or "heuristic"`,
      () => runLayout(layout, numRuns, maxCommands, true),
      60_000 * RUNS_SCALE,
    );
  }
});
