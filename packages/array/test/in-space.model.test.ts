/**
 * Differential model test of embedded ("in-space") arrays and vectors: many
 * of them, of every kind, in ONE address space and heap, with interleaved
 * commands, forks of the whole space (each structure then attached in the
 * child by its address: model, a copy), `free()` of some, subarray views,
 * copies embedded in the same heap, frozen versions, and the release of
 * forked versions. Fixed-length arrays are compared with a native TypedArray
 * of their kind, vectors with a plain Array of converted values.
 *
 * After every command: every live handle equals its model, a fresh
 * `attach(heap, address)` of every structure too (its header block is up to
 * date), and every live heap passes `check()`. At the end, once everything
 * of the first version is freed its heap holds no block, and once every space
 * is released the pool holds no frame.
 *
 * Run a second time under memory pressure (pressure.ts: a small `maxBytes`,
 * a small heap range, an out-of-memory hook that releases ballast or a whole
 * version): a refused call (OutOfMemoryError from the pool or from the heap's
 * range, ReleasedError when the hook released its version) must leave every
 * structure equal to its model, the heap's counters and the pool's frames as
 * they were.
 */
import { type CowElements, CowVector, type NativeTypedArray } from "@pagefork/array";
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Pressure, type PressureScript, pressure, pressureArb } from "./pressure.js";
import {
  type AnyCow,
  both,
  expectContents,
  expectSame,
  expectSameElements,
  KINDS,
  type Kind,
  lit,
  poolUse,
  type Scalar,
  turn,
} from "./support.js";

const PS = 256;
/** The heap's header page: the heap starts one page in, as an embedder would keep page 0 for itself. */
const BASE = PS;

// biome-ignore lint/suspicious/noExplicitAny: commands call methods of either element type
type Any = any;

/** One structure (or view) in one version of the space. */
interface Slot {
  readonly kind: Kind;
  readonly vector: boolean;
  /** Native typed array (fixed-length; views share the buffer), or plain array (vector). */
  model: NativeTypedArray | Scalar[];
  readonly version: number;
  /** False for subarray views: they have no header of their own. */
  readonly root: boolean;
}

interface Version {
  readonly space: AddressSpace;
  readonly heap: Heap;
  frozen: boolean;
}

interface World {
  readonly pool: FramePool;
  readonly versions: (Version | null)[];
  /** Handles, index-aligned with `slots` (pressure.ts syncs both). */
  readonly real: (AnyCow | null)[];
  readonly slots: (Slot | null)[];
}
type Cmd = fc.Command<object, World>;

/** A raw value: a number for the number kinds, a bigint for the BigInt kinds. */
interface Raw {
  n: number;
  b: bigint;
}
const rawArb: fc.Arbitrary<Raw> = fc.record({
  n: fc.oneof(
    fc.integer({ min: -300, max: 300 }),
    fc.constantFrom(0, -0, 0.5, 1.5, 2.5, 255.5, 65536, 2 ** 31, 2 ** 32, Number.NaN, Infinity, -Infinity, 1e-45),
    fc.double(),
  ),
  b: fc.oneof(fc.bigInt(-300n, 300n), fc.constantFrom(0n, -1n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n))),
});
const val = (k: Kind, r: Raw): Scalar => (k.bigint ? r.b : r.n);
const conv = (k: Kind, x: Scalar): Scalar => k.Native.of(x)[0];

const VECTOR_KINDS = KINDS.filter((k) => ["Float64", "Int32", "Uint8Clamped", "BigUint64", "Int8"].includes(k.name));

function liveVersions(w: World, writable: boolean): number[] {
  return w.versions.flatMap((v, i) => (v === null || v.space.released || (writable && v.frozen) ? [] : [i]));
}

function pickSlot(w: World, pick: number, want: (s: Slot) => boolean): number {
  const ks = w.slots.flatMap((s, k) => (s !== null && want(s) ? [k] : []));
  return ks.length === 0 ? -1 : (ks[pick % ks.length] as number);
}

/** Drops slots and versions whose space is gone (released by a command or by the out-of-memory hook). */
function syncReleased(w: World): void {
  pressure?.sync();
  w.versions.forEach((v, i) => {
    if (v?.space.released) w.versions[i] = null;
  });
  w.slots.forEach((s, k) => {
    if (s !== null && w.versions[s.version] === null) {
      w.slots[k] = null;
      w.real[k] = null;
    }
  });
}

/** Every live handle equals its model, a fresh attach of every root too, and every heap checks out. */
function checkAll(w: World): void {
  syncReleased(w);
  w.slots.forEach((s, k) => {
    if (s === null) return;
    const a = w.real[k] as AnyCow;
    expect(a.embedded).toBe(true);
    expectContents(a, s.model, `s${k}`);
    if (s.root) expectContents(attach(w, s, a.address), s.model, `attach(s${k})`);
  });
  for (const v of w.versions) v?.heap.check();
}

/** A new handle of the structure of `s` at `address` in its version's heap. */
function attach(w: World, s: Slot, address: number): AnyCow {
  const heap = (w.versions[s.version] as Version).heap;
  return s.vector
    ? (CowVector.attach(heap, address, s.kind.Native) as unknown as AnyCow)
    : s.kind.Cow.attach(heap, address);
}

function add(w: World, real: AnyCow, slot: Slot): void {
  w.real.push(real);
  w.slots.push(slot);
}

/** Runs `f` as pressure.ts's `attempt` when under pressure: null when refused (nothing changed). */
function guarded<T>(f: () => T, what: string): T | null {
  if (pressure === null) return f();
  const r = pressure.attempt(f, what);
  if (r.ok) return r.value;
  if (r.error !== null) throw r.error;
  return null;
}

class Create implements Cmd {
  constructor(
    readonly version: number,
    readonly kind: number,
    readonly vector: boolean,
    readonly init: number | Raw[],
    readonly capacity: number,
  ) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const vs = liveVersions(w, true);
    if (vs.length === 0) return;
    const vi = vs[this.version % vs.length] as number;
    const { heap } = w.versions[vi] as Version;
    const kinds = this.vector ? VECTOR_KINDS : KINDS;
    const k = kinds[this.kind % kinds.length] as Kind;
    const init = this.init;
    const values = typeof init === "number" ? null : init.map((r) => val(k, r));
    const stats = heap.stats();
    const length = values === null ? (init as number) : values.length;
    // The most the heap's range holds: a vector's maxLength; a fixed-length array's block holds its header too.
    const max = Math.floor((heap.limit - heap.base - (this.vector ? 0 : 24)) / k.Native.BYTES_PER_ELEMENT);
    if ((this.vector ? (pressure === null ? this.capacity : 0) : length) > max) {
      expect(() => this.make(k, heap, values, init), `${this}: past the heap's range`).toThrow(RangeError);
      expect(heap.stats()).toEqual(stats);
      return;
    }
    const made = guarded(() => this.make(k, heap, values, init), this.toString());
    syncReleased(w);
    if (made === null) {
      if (!heap.space.released) expect(heap.stats(), `${this}: refused, the heap as before`).toEqual(stats);
      return;
    }
    if (!this.vector) {
      const model = values === null ? new k.Native(init as number) : k.Native.from(values);
      add(w, made, { kind: k, vector: false, model, version: vi, root: true });
      checkAll(w);
      return;
    }
    // A vector: made empty, then extended by a second call (which may be refused on its own).
    const slot: Slot = { kind: k, vector: true, model: [], version: vi, root: true };
    add(w, made, slot);
    if (pressure !== null && this.capacity > max)
      expect(() => (made as Any).reserve(this.capacity)).toThrow(RangeError);
    else if (pressure !== null && this.capacity > 0) {
      const stats1 = heap.stats();
      const reserved = guarded(() => (made as Any).reserve(this.capacity), `${this}.reserve`);
      syncReleased(w);
      if (reserved === null && !heap.space.released)
        expect(heap.stats(), `${this}.reserve: refused, the heap as before`).toEqual(stats1);
      if (w.slots[w.slots.length - 1] === null) return;
    }
    const items = values ?? new Array<Scalar>(init as number).fill(k.bigint ? 0n : 0);
    const stats2 = heap.stats();
    const extend = () => (made as Any).extend(k.Native.from(items));
    if (items.length > max) {
      expect(extend, `${this}.extend: past maxLength`).toThrow(RangeError);
      expect(heap.stats()).toEqual(stats2);
      checkAll(w);
      return;
    }
    const extended = guarded(extend, `${this}.extend`);
    syncReleased(w);
    if (extended !== null) slot.model = items.map((x) => conv(k, x));
    else if (!heap.space.released) expect(heap.stats(), `${this}.extend: refused, the heap as before`).toEqual(stats2);
    checkAll(w);
  }
  make(k: Kind, heap: Heap, values: Scalar[] | null, init: number | Raw[]): AnyCow {
    if (!this.vector) return k.Cow.create(heap, values ?? init) as AnyCow;
    // With a capacity under pressure: create, then reserve (create with a capacity allocates two
    // blocks, and in one corner, a heap range that runs out between them, may keep a few frames).
    const capacity = pressure === null ? this.capacity : 0;
    return CowVector.create(heap, k.Native, { capacity }) as unknown as AnyCow;
  }
  toString = () =>
    `create(version ${this.version}, ${this.vector ? "CowVector" : "Cow"} kind ${this.kind}, ${typeof this.init === "number" ? this.init : `${this.init.length} values`}, capacity ${this.capacity})`;
}

/** A command on a fixed-length array: the same call on the COW array and the native model. */
class TypedOp implements Cmd {
  constructor(
    readonly pick: number,
    readonly op: string,
    readonly i: number | undefined,
    readonly j: number | undefined,
    readonly xs: Raw[],
  ) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const k = pickSlot(w, this.pick, (s) => !s.vector && !(w.versions[s.version] as Version).frozen);
    if (k < 0) return;
    const s = w.slots[k] as Slot;
    const a = w.real[k] as Any;
    const t = s.model as Any;
    const kind = s.kind;
    const { i, j } = this;
    const xs = this.xs.map((r) => val(kind, r));
    const x = xs[0] ?? (kind.bigint ? 1n : 1);
    const heap = (w.versions[s.version] as Version).heap;
    const stats = heap.stats();
    const what = `s${k}.${this}`;
    const res = both(
      (): unknown => {
        switch (this.op) {
          case "setElement":
            a.set(i ?? 0, x);
            return a.get(i ?? 0);
          case "fill":
            return none(a.fill(x, i, j));
          case "setArray":
            return none(a.set(xs, i));
          case "copyWithin":
            return none(a.copyWithin(i ?? 0, j ?? 0));
          case "sort":
            return none(a.sort());
          case "reverse":
            return none(a.reverse());
          case "subarray":
            return a.subarray(i, j);
          case "slice":
            return a.slice(i, j);
          case "with":
            return a.with(i ?? 0, x);
          case "map":
            return a.map(kind.bigint ? (v: bigint) => v * 3n : (v: number, n: number) => v * 3 + n);
          case "filter":
            return a.filter(kind.bigint ? (v: bigint) => v > 0n : (v: number) => v > 0);
          default:
            return a.toSorted();
        }
      },
      (): unknown => {
        switch (this.op) {
          case "setElement":
            t[i ?? 0] = x;
            return t[i ?? 0];
          case "fill":
            return none(t.fill(x, i ?? 0, j)); // V8 11.3 ignores `end` after an undefined `start`
          case "setArray":
            return none(t.set(xs, i));
          case "copyWithin":
            return none(t.copyWithin(i ?? 0, j ?? 0));
          case "sort":
            return none(t.sort());
          case "reverse":
            return none(t.reverse());
          case "subarray":
            return t.subarray(i, j);
          case "slice":
            return t.slice(i, j);
          case "with":
            return withSpec(t, i ?? 0, x);
          case "map":
            return t.map(kind.bigint ? (v: bigint) => v * 3n : (v: number, n: number) => v * 3 + n);
          case "filter":
            return t.filter(kind.bigint ? (v: bigint) => v > 0n : (v: number) => v > 0);
          default:
            return t.toSorted();
        }
      },
      what,
    );
    syncReleased(w);
    if (!res.ok) {
      if (w.slots[k] !== null) expect(heap.stats(), `${what}: refused, the heap as before`).toEqual(stats);
    } else if (this.op === "subarray") {
      add(w, res.real as AnyCow, {
        kind,
        vector: false,
        model: res.model as NativeTypedArray,
        version: s.version,
        root: false,
      });
    } else if (res.real !== null && typeof res.real === "object") {
      const out = res.real as AnyCow;
      expect(out.embedded, what).toBe(true);
      expect(out.space, what).toBe(a.space);
      expectContents(out, res.model as NativeTypedArray, what);
      if (guarded(() => out.free(), `${what}: free the copy`) === null && !out.space.released)
        add(w, out, { kind, vector: false, model: res.model as NativeTypedArray, version: s.version, root: true });
    } else expectSame(res.real, res.model, what);
    checkAll(w);
  }
  toString = () => `${this.op}(${lit(this.i)}, ${lit(this.j)}, ${this.xs.length} values)`;
}

/** Drops a result (`this`-returning methods are compared by contents). */
function none(_result: unknown): undefined {
  return undefined;
}

/** `t.with(i, x)` in the specification's order (index, then value); V8 11.3 converts the value first. */
function withSpec(t: Any, i: number, x: Scalar): unknown {
  const n = t.length;
  const k = i < 0 ? n + Math.trunc(i) : Math.trunc(i);
  t.constructor.of(x); // converts x (a TypeError for the wrong family)
  if (!(k >= 0 && k < n)) throw new RangeError("Invalid typed array index");
  return t.with(k, x);
}

/** A command on a vector, against a plain Array of converted values. */
class VectorOp implements Cmd {
  constructor(
    readonly pick: number,
    readonly op: string,
    readonly i: number,
    readonly j: number,
    readonly xs: Raw[],
  ) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const k = pickSlot(w, this.pick, (s) => s.vector && !(w.versions[s.version] as Version).frozen);
    if (k < 0) return;
    const s = w.slots[k] as Slot;
    const v = w.real[k] as Any;
    const arr = s.model as Scalar[];
    const kind = s.kind;
    const xs = this.xs.map((r) => val(kind, r));
    const cx = () => xs.map((x) => conv(kind, x));
    const len = arr.length;
    const i = this.i % (len + 1);
    const j = this.j % (len + 1);
    const heap = (w.versions[s.version] as Version).heap;
    const stats = heap.stats();
    const what = `s${k}.${this}`;
    const max = v.maxLength as number;
    const room = (n: number) => {
      if (n > max) throw new RangeError(`past maxLength ${max}`);
    };
    const res = both(
      (): unknown => {
        switch (this.op) {
          case "push":
            return v.push(...xs);
          case "pop":
            return v.pop();
          case "insert":
            return v.insert(i, ...xs);
          case "removeRange":
            return v.removeRange(Math.min(i, j), Math.max(i, j));
          case "swapRemove":
            return v.swapRemove(i % Math.max(len, 1)); // empty: InvalidArgumentError
          case "splice":
            return v.splice(i, j, ...xs);
          case "resize":
            return v.resize(this.j % 700);
          case "reserve":
            return v.reserve(this.j % 900);
          case "shrinkToFit":
            return v.shrinkToFit();
          case "set":
            return v.set(i, xs[0] ?? (kind.bigint ? 5n : 5));
          case "fill":
            return none(v.fill(xs[0] ?? (kind.bigint ? 5n : 5), i, j));
          case "copyWithin":
            return none(v.copyWithin(i, j));
          default:
            return none(v.sort());
        }
      },
      (): unknown => {
        const viaNative = (f: (t: Any) => void) => {
          const t = new kind.Native(arr);
          f(t);
          arr.splice(0, arr.length, ...t);
          return undefined;
        };
        switch (this.op) {
          case "push":
            room(len + xs.length);
            return arr.push(...cx());
          case "pop":
            return arr.pop();
          case "insert":
            room(len + xs.length);
            return none(arr.splice(i, 0, ...cx()));
          case "removeRange":
            return none(arr.splice(Math.min(i, j), Math.abs(i - j)));
          case "swapRemove": {
            if (len === 0) throw new RangeError("empty");
            const p = i % len;
            const out = arr[p];
            arr[p] = arr[len - 1] as Scalar;
            arr.pop();
            return out;
          }
          case "splice":
            room(len - Math.min(j, len - i) + xs.length);
            return arr.splice(i, j, ...cx());
          case "resize": {
            const n = this.j % 700;
            room(n);
            while (arr.length < n) arr.push(kind.bigint ? 0n : 0);
            arr.length = n;
            return undefined;
          }
          case "reserve":
            room(this.j % 900);
            return undefined;
          case "shrinkToFit":
            return undefined;
          case "set":
            return viaNative((t) => {
              t[i] = xs[0] ?? (kind.bigint ? 5n : 5);
            });
          case "fill":
            return viaNative((t) => t.fill(xs[0] ?? (kind.bigint ? 5n : 5), i, j));
          case "copyWithin":
            return viaNative((t) => t.copyWithin(i, j));
          default:
            return viaNative((t) => t.sort());
        }
      },
      what,
    );
    syncReleased(w);
    if (!res.ok) {
      if (w.slots[k] !== null) expect(heap.stats(), `${what}: refused, the heap as before`).toEqual(stats);
    } else if (Array.isArray(res.model)) expectSameElements(res.real as Scalar[], res.model, what);
    else expectSame(res.real, res.model, what);
    if (w.slots[k] !== null) expect(v.capacity).toBeGreaterThanOrEqual(v.length);
    checkAll(w);
  }
  toString = () => `${this.op}(${this.i}, ${this.j}, ${this.xs.length} values)`;
}

/** Forks the whole space: the child gets every structure, attached by address (model: copies). */
class ForkSpace implements Cmd {
  constructor(readonly version: number) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const vs = liveVersions(w, false);
    if (vs.length === 0 || w.versions.length >= 8) return;
    const vi = vs[this.version % vs.length] as number;
    const { space } = w.versions[vi] as Version;
    const child = guarded(() => space.fork(), this.toString());
    syncReleased(w);
    if (child === null) return;
    const heap = Heap.attach(child, BASE);
    const ci = w.versions.length;
    w.versions.push({ space: child, heap, frozen: false });
    const n = w.slots.length;
    for (let k = 0; k < n; k++) {
      const s = w.slots[k];
      if (s === null || s.version !== vi || !s.root) continue;
      const model = s.vector ? [...(s.model as Scalar[])] : (s.model as NativeTypedArray).slice();
      const slot: Slot = { kind: s.kind, vector: s.vector, model, version: ci, root: true };
      add(w, attach(w, slot, (w.real[k] as AnyCow).address), slot);
    }
    // The parent's handles cannot fork their space: the embedder does.
    const some = pickSlot(w, 0, (s) => s.version === vi);
    if (some >= 0) expect(() => (w.real[some] as AnyCow).fork()).toThrow(InvalidArgumentError);
    checkAll(w);
  }
  toString = () => `forkSpace(version ${this.version})`;
}

/** Frees one structure or view (its blocks go back to the heap with the last view). */
class Free implements Cmd {
  constructor(readonly pick: number) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const k = pickSlot(w, this.pick, (s) => !(w.versions[s.version] as Version).frozen);
    if (k < 0) return;
    const a = w.real[k] as AnyCow;
    expect(() => a.release()).toThrow(InvalidArgumentError);
    const heap = (w.versions[(w.slots[k] as Slot).version] as Version).heap;
    const stats = heap.stats();
    const freed = guarded(() => a.free(), `s${k}.free()`);
    syncReleased(w);
    if (freed === null) {
      if (w.slots[k] !== null) expect(heap.stats(), `s${k}.free(): refused, the heap as before`).toEqual(stats);
    } else if (w.slots[k] !== null) {
      expect(a.released).toBe(true);
      expect(() => a.length).toThrow();
      w.slots[k] = null;
      w.real[k] = null;
    }
    checkAll(w);
  }
  toString = () => `free(${this.pick})`;
}

/** Freezes a version (never the first): attach must still work, and writes throw ProtectionFault. */
class Freeze implements Cmd {
  constructor(readonly version: number) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const vs = liveVersions(w, true).filter((i) => i > 0);
    if (vs.length === 0) return;
    const vi = vs[this.version % vs.length] as number;
    const v = w.versions[vi] as Version;
    v.space.freeze();
    v.frozen = true;
    checkAll(w); // attach of every structure reads only
    const k = pickSlot(w, 0, (s) => s.version === vi && s.root);
    if (k >= 0) {
      const a = w.real[k] as Any;
      const s = w.slots[k] as Slot;
      if (s.vector) expect(() => a.push(s.kind.bigint ? 1n : 1)).toThrow(ProtectionFault);
      else if (a.length > 0) expect(() => a.fill(s.kind.bigint ? 1n : 1)).toThrow(ProtectionFault);
      if (s.vector) expect(() => a.free()).toThrow(ProtectionFault); // (an array's view may keep its blocks: no write)
      checkAll(w);
    }
  }
  toString = () => `freeze(version ${this.version})`;
}

/** Releases a forked version's space, with every structure in it. */
class ReleaseSpace implements Cmd {
  constructor(readonly version: number) {}
  check = (_m: object) => true;
  run(_m: object, w: World): void {
    const vs = liveVersions(w, false).filter((i) => i > 0);
    if (vs.length === 0) return;
    const vi = vs[this.version % vs.length] as number;
    (w.versions[vi] as Version).space.release();
    checkAll(w);
  }
  toString = () => `releaseSpace(version ${this.version})`;
}

function commands(): fc.Arbitrary<Cmd>[] {
  const pick = fc.nat();
  const rel = fc.option(fc.integer({ min: -300, max: 300 }), { nil: undefined });
  const few = fc.array(rawArb, { maxLength: 4 });
  const many = fc.array(rawArb, { maxLength: 200 });
  const init = fc.oneof(fc.nat(400), fc.array(rawArb, { maxLength: 300 })) as fc.Arbitrary<number | Raw[]>;
  const create = fc
    .tuple(pick, pick, fc.boolean(), init, fc.oneof(fc.constant(0), fc.nat(600)))
    .map(([v, k, vec, i, c]) => new Create(v, k, vec, i, c));
  return [
    create,
    create,
    create,
    fc
      .tuple(
        pick,
        fc.constantFrom(
          "setElement",
          "setElement",
          "fill",
          "setArray",
          "copyWithin",
          "sort",
          "reverse",
          "subarray",
          "slice",
          "with",
          "map",
          "filter",
          "toSorted",
        ),
        rel,
        rel,
        fc.oneof(few, many),
      )
      .map(([p, op, i, j, xs]) => new TypedOp(p, op, i, j, xs)),
    fc
      .tuple(
        pick,
        fc.constantFrom(
          "push",
          "push",
          "pop",
          "insert",
          "removeRange",
          "swapRemove",
          "splice",
          "resize",
          "reserve",
          "shrinkToFit",
          "set",
          "fill",
          "copyWithin",
          "sort",
        ),
        fc.nat(),
        fc.nat(),
        fc.oneof(few, many),
      )
      .map(([p, op, i, j, xs]) => new VectorOp(p, op, i, j, xs)),
    fc
      .tuple(pick, fc.constantFrom("push", "pop", "insert"), fc.nat(), fc.nat(), few)
      .map(([p, op, i, j, xs]) => new VectorOp(p, op, i, j, xs)),
    pick.map((v) => new ForkSpace(v)),
    pick.map((k) => new Free(k)),
    pick.map((v) => new Freeze(v)),
    pick.map((v) => new ReleaseSpace(v)),
  ];
}

/** One run: a world in `pool`, its commands, then the end-of-run checks. */
function runWorld(pool: FramePool, heapPages: number, cmds: Iterable<Cmd>, p: Pressure | null): void {
  const space = new AddressSpace({ size: 1 << 24, pool });
  const w: World = {
    pool,
    versions: [{ space, heap: Heap.create(space, { base: BASE, limit: BASE + heapPages * PS }), frozen: false }],
    real: [],
    slots: [],
  };
  if (p !== null) {
    p.extraSpaces = () => w.versions.flatMap((v) => (v === null ? [] : [v.space]));
    p.start(w.real, w.slots);
  }
  try {
    fc.modelRun(() => ({ model: {}, real: w }), cmds);
    syncReleased(w);
    // Free everything of the first version: its heap then holds no block (unless the
    // pool's limit refuses a free: under pressure the frees after a fork copy heap pages).
    const first = w.versions[0];
    if (first !== null && !first.space.released) {
      let all = true;
      w.slots.forEach((s, k) => {
        if (s === null || s.version !== 0) return;
        try {
          (w.real[k] as CowElements<number>).free();
        } catch (e) {
          if (!(e instanceof OutOfMemoryError || e instanceof ReleasedError)) throw e;
          all = false;
        }
      });
      if (!first.space.released) {
        // (the out-of-memory hook, run by a free, may have released it)
        first.heap.check();
        if (all) expect(first.heap.stats().blocks).toBe(0);
      }
    }
  } finally {
    p?.stop();
    for (const v of w.versions) v?.space.release();
  }
  expect(poolUse(pool)).toEqual({ frames: 0, nodes: 0 });
  expect(pool.stats().committedBytes).toBe(0);
}

describe("embedded arrays and vectors in one space and heap, against native models", () => {
  it("match their models through interleaved commands, space forks + attach, frees and freezes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands(), { maxCommands: 50, size: "+1" }), async (cmds) => {
        await turn();
        runWorld(new FramePool({ pageSize: PS }), 4096, cmds, null);
      }),
      { numRuns: 200 },
    );
  });

  it("a call refused by the pool, the heap's range or the out-of-memory hook changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(commands(), { maxCommands: 50, size: "+1" }),
        pressureArb,
        fc.integer({ min: 8, max: 200 }),
        async (cmds, script: PressureScript, heapPages) => {
          await turn();
          // Room for the heap's header page and more; the space's size is virtual (overcommit
          // "never" charges it: room for it too).
          // (near the limit, a call that allocates reserves an upper bound of its heap calls' frames)
          const p = new Pressure(script, PS, (script.overcommit === "never" ? (1 << 24) / PS : 0) + 16);
          runWorld(p.pool, heapPages, cmds, p);
        },
      ),
      { numRuns: 200 },
    );
  });
});
