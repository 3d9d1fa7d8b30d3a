import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

/**
 * Differential model test of embedded texts: many texts in ONE space and
 * heap, edited in turn, with forks of the whole space (and `attach` in the
 * fork), frees, and fresh handles; against plain strings. A version of the
 * space is modelled as a Map from text id to string, copied on fork.
 */

const PS = 256;
const BASE = PS;

interface Model {
  /** Per space version: text id -> content; null once the space is released. */
  spaces: (Map<number, string> | null)[];
  nextId: number;
}
interface Real {
  pool: FramePool;
  spaces: AddressSpace[];
  heaps: Heap[];
  /** Per space version: text id -> handle. */
  texts: Map<number, CowText>[];
  /** True when the pool or the heap has a limit: calls may be refused. */
  limited: boolean;
}

const unit = fc.constantFrom("a", "b", " ", "é", "😀", "\ud800");
const textArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(unit, { minLength: 0, maxLength: 4 }).map((a) => a.join("")) },
  { weight: 1, arbitrary: fc.array(unit, { minLength: 100, maxLength: 900 }).map((a) => a.join("")) },
);

function liveSpace(m: Model, i: number): number {
  const live = m.spaces.flatMap((s, k) => (s === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}

function liveText(m: Model, v: number, i: number): number {
  const ids = [...(m.spaces[v] as Map<number, string>).keys()];
  return ids.length === 0 ? -1 : (ids[i % ids.length] as number);
}

/**
 * Runs `run`; under limits an OutOfMemoryError is allowed, and then every
 * text of the space, the heap's counters, the pool's frames and page-table
 * nodes must be as before. Returns true when the call succeeded.
 */
function attempt(r: Real, v: number, run: () => void): boolean {
  if (!r.limited) {
    run();
    return true;
  }
  const snap = () => ({
    texts: [...(r.texts[v] as Map<number, CowText>)].map(([id, t]) => [id, t.toString()]),
    heap: (r.heaps[v] as Heap).stats(),
    frames: r.pool.framesInUse,
    nodes: r.pool.stats().pageTableNodes,
  });
  const before = snap();
  try {
    run();
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect(snap()).toEqual(before);
    return false;
  }
}

abstract class SpaceCommand implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check(m: Readonly<Model>): boolean {
    return liveSpace(m as Model, this.v) >= 0;
  }
  abstract run(m: Model, r: Real): void;
  abstract toString(): string;
}

class Create extends SpaceCommand {
  constructor(
    v: number,
    readonly text: string,
  ) {
    super(v);
  }
  run(m: Model, r: Real): void {
    const v = liveSpace(m, this.v);
    const id = m.nextId++;
    let t: CowText | null = null;
    if (!attempt(r, v, () => (t = CowText.create(r.heaps[v] as Heap, this.text)))) return;
    (r.texts[v] as Map<number, CowText>).set(id, t as unknown as CowText);
    (m.spaces[v] as Map<number, string>).set(id, this.text);
  }
  toString = () => `create(s${this.v}, ${JSON.stringify(this.text)})`;
}

/** A command on one live text of one live space version. */
abstract class TextCommand extends SpaceCommand {
  constructor(
    v: number,
    readonly id: number,
  ) {
    super(v);
  }
  override check(m: Readonly<Model>): boolean {
    const v = liveSpace(m as Model, this.v);
    return v >= 0 && liveText(m as Model, v, this.id) >= 0;
  }
  /** The space version, text id, model string and handle this command acts on. */
  protected target(m: Model, r: Real): { v: number; id: number; s: string; t: CowText } {
    const v = liveSpace(m, this.v);
    const id = liveText(m, v, this.id);
    const s = (m.spaces[v] as Map<number, string>).get(id) as string;
    return { v, id, s, t: (r.texts[v] as Map<number, CowText>).get(id) as CowText };
  }
}

class Insert extends TextCommand {
  constructor(
    v: number,
    id: number,
    readonly pos: number,
    readonly text: string,
  ) {
    super(v, id);
  }
  run(m: Model, r: Real): void {
    const { v, id, s, t } = this.target(m, r);
    const pos = this.pos % (s.length + 1);
    if (!attempt(r, v, () => t.insert(pos, this.text))) return;
    const next = s.slice(0, pos) + this.text + s.slice(pos);
    (m.spaces[v] as Map<number, string>).set(id, next);
    expect(t.toString()).toBe(next);
  }
  toString = () => `insert(s${this.v}, t${this.id}, ${this.pos}, ${JSON.stringify(this.text)})`;
}

class Delete extends TextCommand {
  constructor(
    v: number,
    id: number,
    readonly pos: number,
    readonly count: number,
  ) {
    super(v, id);
  }
  run(m: Model, r: Real): void {
    const { v, id, s, t } = this.target(m, r);
    const pos = this.pos % (s.length + 1);
    const count = Math.min(this.count, s.length - pos);
    if (!attempt(r, v, () => t.delete(pos, count))) return;
    const next = s.slice(0, pos) + s.slice(pos + count);
    (m.spaces[v] as Map<number, string>).set(id, next);
    expect(t.toString()).toBe(next);
  }
  toString = () => `delete(s${this.v}, t${this.id}, ${this.pos}, ${this.count})`;
}

class Free extends TextCommand {
  run(m: Model, r: Real): void {
    const { v, id, t } = this.target(m, r);
    if (!attempt(r, v, () => t.free())) return;
    expect(t.released).toBe(true);
    (r.texts[v] as Map<number, CowText>).delete(id);
    (m.spaces[v] as Map<number, string>).delete(id);
    (r.heaps[v] as Heap).check();
  }
  toString = () => `free(s${this.v}, t${this.id})`;
}

/** Forks the whole space and attaches every text in the child by its address. */
class ForkSpace extends SpaceCommand {
  run(m: Model, r: Real): void {
    const v = liveSpace(m, this.v);
    const child = (r.spaces[v] as AddressSpace).fork();
    const heap = Heap.attach(child, BASE);
    const texts = new Map<number, CowText>();
    for (const [id, t] of r.texts[v] as Map<number, CowText>) texts.set(id, CowText.attach(heap, t.address));
    r.spaces.push(child);
    r.heaps.push(heap);
    r.texts.push(texts);
    m.spaces.push(new Map(m.spaces[v] as Map<number, string>));
    for (const [id, s] of m.spaces[v] as Map<number, string>) expect(texts.get(id)?.toString()).toBe(s);
  }
  toString = () => `fork(s${this.v})`;
}

class ReleaseSpace extends SpaceCommand {
  run(m: Model, r: Real): void {
    const v = liveSpace(m, this.v);
    (r.spaces[v] as AddressSpace).release();
    for (const t of (r.texts[v] as Map<number, CowText>).values()) expect(t.released).toBe(true);
    m.spaces[v] = null;
    // every other version is untouched
    m.spaces.forEach((texts, k) => {
      if (texts !== null) for (const [id, s] of texts) expect(r.texts[k]?.get(id)?.toString()).toBe(s);
    });
  }
  toString = () => `releaseSpace(s${this.v})`;
}

/** Replaces every handle of a space by a fresh `attach`, and checks the heap. */
class Reattach extends SpaceCommand {
  run(m: Model, r: Real): void {
    const v = liveSpace(m, this.v);
    const heap = Heap.attach(r.spaces[v] as AddressSpace, BASE);
    r.heaps[v] = heap;
    const texts = r.texts[v] as Map<number, CowText>;
    for (const [id, t] of texts) {
      const again = CowText.attach(heap, t.address);
      expect(again.toString()).toBe((m.spaces[v] as Map<number, string>).get(id));
      texts.set(id, again);
    }
    heap.check();
  }
  toString = () => `reattach(s${this.v})`;
}

const commands = [
  fc.tuple(fc.nat(), textArb).map(([v, t]) => new Create(v, t)),
  fc.tuple(fc.nat(), fc.nat(), fc.nat(), textArb).map(([v, i, p, t]) => new Insert(v, i, p, t)),
  fc.tuple(fc.nat(), fc.nat(), fc.nat(), textArb).map(([v, i, p, t]) => new Insert(v, i, p, t)),
  fc
    .tuple(fc.nat(), fc.nat(), fc.nat(), fc.oneof(fc.nat(3), fc.nat(600)))
    .map(([v, i, p, c]) => new Delete(v, i, p, c)),
  fc.tuple(fc.nat(), fc.nat()).map(([v, i]) => new Free(v, i)),
  fc.nat().map((v) => new ForkSpace(v)),
  fc.nat().map((v) => new ReleaseSpace(v)),
  fc.nat().map((v) => new Reattach(v)),
];

function runModel(
  limits: { maxFrames?: number | undefined; heapPages?: number | undefined },
  cmds: Iterable<fc.Command<Model, Real>>,
): void {
  const limited = limits.maxFrames !== undefined || limits.heapPages !== undefined;
  const pool = new FramePool({ pageSize: PS, maxBytes: (limits.maxFrames ?? Number.POSITIVE_INFINITY) * PS });
  const space = new AddressSpace({ size: 2 ** 32, pool });
  let heap: Heap;
  try {
    heap = Heap.create(space, { base: BASE, limit: BASE + (limits.heapPages ?? 2 ** 20) * PS });
  } catch (e) {
    expect(e).toBeInstanceOf(OutOfMemoryError);
    space.release();
    return;
  }
  const real: Real = { pool, spaces: [space], heaps: [heap], texts: [new Map()], limited };
  const model: Model = { spaces: [new Map()], nextId: 0 };
  fc.modelRun(() => ({ model, real }), cmds);
  model.spaces.forEach((texts, v) => {
    if (texts === null) return;
    for (const [id, s] of texts) expect(real.texts[v]?.get(id)?.toString()).toBe(s);
    (real.heaps[v] as Heap).check();
  });
  for (const s of real.spaces) s.release();
  // Frame-leak check: every frame and page-table node is back.
  expect(pool.stats().framesInUse).toBe(0);
  expect(pool.stats().pageTableNodes).toBe(0);
}

describe("embedded CowTexts against plain strings", () => {
  it("match the model: many texts in one heap, space forks with attach, frees", () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 80, size: "+1" }), (cmds) => runModel({}, cmds)),
      { numRuns: runs(100) },
    );
  });

  it("refuse, changing nothing, what a small heap or the pool's limit cannot hold", () => {
    const limits = fc.record({
      maxFrames: fc.option(fc.integer({ min: 8, max: 200 }), { nil: undefined }),
      heapPages: fc.option(fc.integer({ min: 8, max: 64 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(limits, fc.commands(commands, { maxCommands: 80, size: "+1" }), (lim, cmds) => runModel(lim, cmds)),
      { numRuns: runs(150) },
    );
  });
});
