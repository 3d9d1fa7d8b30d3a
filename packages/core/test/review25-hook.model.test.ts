/**
 * Model test of writes whose pool runs out of frames and whose
 * `onOutOfMemory` hook does what a user's hook may do: release other
 * versions, release the very version written, and fork it (a snapshot taken
 * to make room later). Versions are forks of one space of 8 pages of 256 B
 * in a pool of a few frames (overcommit "always": a fork needs none); the
 * model is a plain Uint8Array per version, copied on fork.
 *
 * The model does not predict whether a call fits: whatever the call's
 * outcome, the hook's own actions are applied to the model (a fork made in
 * the hook holds the version as it was before the call: the hook runs before
 * the call changes anything), and then the call's effect if it succeeded.
 * A call may end in OutOfMemoryError (nothing of it done) or, when the hook
 * released the version written, ReleasedError; any other error fails. After
 * every command every live version reads as its model and their PSS add up
 * to the pool's bytes in use; at the end everything is released and the
 * pool holds nothing.
 *
 * Replay: versions are named v0, v1, ... in order of creation; a command
 * prints its hook plan as a comment.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, OutOfMemoryError, ReleasedError, U8Span, writeU8Span } from "../src/index.js";
import { bytes, firstDiff } from "./support/helpers.js";

const PS = 256;
const PAGES = 8;
const SIZE = PAGES * PS;
const MAX_LIVE = 8;

interface Plan {
  /** Fork the version written, in the hook. */
  fork: boolean;
  /** Release these live versions (bit i: the i-th live one at the time of the hook), maybe the written one. */
  victims: number;
}

interface Model {
  versions: (Uint8Array | null)[];
}

interface Real {
  pool: FramePool;
  spaces: (AddressSpace | null)[];
  /** The command's plan and target while a command runs; the hook's actions, logged. */
  plan: Plan | null;
  target: number;
  log: ({ fork: number; child: number } | { release: number })[];
}

function live(m: { versions: (Uint8Array | null)[] } | Real): number[] {
  const arr = "versions" in m ? m.versions : m.spaces;
  const out: number[] = [];
  for (let i = 0; i < arr.length; i++) if (arr[i] !== null) out.push(i);
  return out;
}

function hookOf(r: Real): () => void {
  return () => {
    const plan = r.plan;
    if (plan === null) return;
    r.plan = null; // once per command
    const t = r.target;
    if (plan.fork && r.spaces[t] !== null) {
      const child = (r.spaces[t] as AddressSpace).fork();
      r.spaces.push(child);
      r.log.push({ fork: t, child: r.spaces.length - 1 });
    }
    const l = live(r);
    l.forEach((v, k) => {
      if ((plan.victims & (1 << k)) === 0) return;
      (r.spaces[v] as AddressSpace).release();
      r.spaces[v] = null;
      r.log.push({ release: v });
    });
  };
}

function check(m: Model, r: Real): void {
  expect(live(r)).toEqual(live(m));
  let pss = 0;
  for (const v of live(m)) {
    const s = r.spaces[v] as AddressSpace;
    const got = s.read(0, new Uint8Array(SIZE));
    const want = m.versions[v] as Uint8Array;
    const d = firstDiff(got, want);
    if (d >= 0) expect.fail(`v${v} differs at ${d}: got ${got[d]}, model ${want[d]}`);
    pss += s.stats().pss;
  }
  expect(Math.round(pss)).toBe(r.pool.bytesInUse);
}

type Cmd = fc.Command<Model, Real>;

/** A write to one version under a hook plan: `call` writes the space, `apply` the model. */
abstract class Write implements Cmd {
  protected name = "v?";
  constructor(
    protected readonly pick: number,
    protected readonly plan: Plan,
  ) {}
  check(m: Readonly<Model>): boolean {
    return live(m as Model).length > 0;
  }
  protected abstract call(s: AddressSpace): void;
  protected abstract apply(model: Uint8Array): void;
  protected abstract text(): string;
  run(m: Model, r: Real): void {
    const l = live(m);
    const v = l[this.pick % l.length] as number;
    this.name = `v${v}`;
    const before = (m.versions[v] as Uint8Array).slice();
    r.plan = this.plan;
    r.target = v;
    r.log = [];
    let error: unknown = null;
    try {
      this.call(r.spaces[v] as AddressSpace);
    } catch (e) {
      error = e;
    } finally {
      r.plan = null;
    }
    for (const a of r.log) {
      if ("fork" in a) {
        while (m.versions.length < a.child) m.versions.push(null);
        m.versions[a.child] = before.slice();
      } else m.versions[a.release] = null;
    }
    if (error === null) {
      expect(m.versions[v], "a write that succeeded on a version the hook released").not.toBe(null);
      this.apply(m.versions[v] as Uint8Array);
    } else if (error instanceof ReleasedError) {
      expect(m.versions[v], "ReleasedError, yet the hook did not release the version").toBe(null);
    } else if (!(error instanceof OutOfMemoryError)) throw error;
    check(m, r);
  }
  toString(): string {
    const p = this.plan;
    return `${this.text()} /* hook: ${p.fork ? `fork ${this.name}, ` : ""}release live #${p.victims.toString(2)} */`;
  }
}

class SetU8 extends Write {
  constructor(
    pick: number,
    plan: Plan,
    private readonly addr: number,
    private readonly value: number,
  ) {
    super(pick, plan);
  }
  protected call(s: AddressSpace): void {
    s.setUint8(this.addr, this.value);
  }
  protected apply(model: Uint8Array): void {
    model[this.addr] = this.value;
  }
  protected text(): string {
    return `${this.name}.setUint8(${this.addr}, ${this.value})`;
  }
}

class SpanU8 extends Write {
  constructor(
    pick: number,
    plan: Plan,
    private readonly addr: number,
    private readonly len: number,
    private readonly seed: number,
  ) {
    super(pick, plan);
  }
  private n(): number {
    return Math.min(this.len, PS - (this.addr % PS));
  }
  protected call(s: AddressSpace): void {
    const span = new U8Span();
    const data = bytes(this.seed, this.n());
    writeU8Span(s, this.addr, this.n(), span);
    span.array.set(data, span.start);
  }
  protected apply(model: Uint8Array): void {
    model.set(bytes(this.seed, this.n()), this.addr);
  }
  protected text(): string {
    return `writeU8Span(${this.name}, ${this.addr}, ${this.n()}, span) /* then bytes(${this.seed}, ${this.n()}) */`;
  }
}

class Bulk extends Write {
  constructor(
    pick: number,
    plan: Plan,
    private readonly op: "write" | "fill",
    private readonly addr: number,
    private readonly len: number,
    private readonly seed: number,
  ) {
    super(pick, plan);
  }
  private n(): number {
    return Math.min(this.len, SIZE - this.addr);
  }
  protected call(s: AddressSpace): void {
    if (this.op === "write") s.write(this.addr, bytes(this.seed, this.n()));
    else s.fill(this.seed, this.addr, this.addr + this.n());
  }
  protected apply(model: Uint8Array): void {
    if (this.op === "write") model.set(bytes(this.seed, this.n()), this.addr);
    else model.fill(this.seed & 0xff, this.addr, this.addr + this.n());
  }
  protected text(): string {
    return this.op === "write"
      ? `${this.name}.write(${this.addr}, bytes(${this.seed}, ${this.n()}))`
      : `${this.name}.fill(${this.seed}, ${this.addr}, ${this.addr + this.n()})`;
  }
}

class Fork implements Cmd {
  private names = ["v?", "v?"];
  constructor(private readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    const n = live(m as Model).length;
    return n > 0 && n < MAX_LIVE;
  }
  run(m: Model, r: Real): void {
    const l = live(m);
    const v = l[this.pick % l.length] as number;
    r.spaces.push((r.spaces[v] as AddressSpace).fork());
    while (m.versions.length < r.spaces.length - 1) m.versions.push(null);
    m.versions.push((m.versions[v] as Uint8Array).slice());
    this.names = [`v${r.spaces.length - 1}`, `v${v}`];
    check(m, r);
  }
  toString(): string {
    return `const ${this.names[0]} = ${this.names[1]}.fork()`;
  }
}

class Release implements Cmd {
  private name = "v?";
  constructor(private readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return live(m as Model).length > 1;
  }
  run(m: Model, r: Real): void {
    const l = live(m);
    const v = l[this.pick % l.length] as number;
    (r.spaces[v] as AddressSpace).release();
    r.spaces[v] = null;
    m.versions[v] = null;
    this.name = `v${v}`;
    check(m, r);
  }
  toString(): string {
    return `${this.name}.release()`;
  }
}

const pick = fc.nat({ max: 63 });
const plan: fc.Arbitrary<Plan> = fc.record({
  fork: fc.boolean(),
  victims: fc.oneof(fc.constant(0), fc.nat({ max: 255 })),
});
const commands = [
  fc.tuple(pick, plan, fc.nat({ max: SIZE - 1 }), fc.nat({ max: 255 })).map(([p, h, a, v]) => new SetU8(p, h, a, v)),
  fc
    .tuple(pick, plan, fc.nat({ max: SIZE - 1 }), fc.nat({ max: PS }), fc.nat({ max: 0xffff }))
    .map(([p, h, a, l, s]) => new SpanU8(p, h, a, l, s)),
  fc
    .tuple(
      pick,
      plan,
      fc.constantFrom("write" as const, "fill" as const),
      fc.nat({ max: SIZE - 1 }),
      fc.nat({ max: 4 * PS }),
      fc.nat({ max: 0xffff }),
    )
    .map(([p, h, op, a, l, s]) => new Bulk(p, h, op, a, l, s)),
  pick.map((p) => new Fork(p)),
  pick.map((p) => new Release(p)),
];

describe("writes under an out-of-memory hook that forks and releases versions (review 25)", () => {
  it("every version reads as its model; a refused write changes nothing; no leak", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.commands(commands, { maxCommands: 50, size: "large" }),
        (frames, cmds) => {
          const r: Real = { pool: null as unknown as FramePool, spaces: [], plan: null, target: 0, log: [] };
          r.pool = new FramePool({
            pageSize: PS,
            maxBytes: frames * PS,
            overcommit: "always",
            firstSlabBytes: 4 * PS,
            slabBytes: 16 * PS,
            onOutOfMemory: hookOf(r),
          });
          r.spaces.push(new AddressSpace({ size: SIZE, pool: r.pool }));
          const m: Model = { versions: [new Uint8Array(SIZE)] };
          fc.modelRun(() => ({ model: m, real: r }), cmds);
          for (const s of r.spaces) s?.release();
          expect(r.pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0, spaces: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
